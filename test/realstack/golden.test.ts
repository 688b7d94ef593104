/**
 * The real stack's recorded OTLP requests (test/fixtures/realstack/, see its
 * README), decoded with Hopscope's own trace-file loader and analysed without
 * any server, checked against the truth recorded with them: the same checks as
 * the live test (expectations.ts).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { registerChecks, type TraceCase } from './expectations';
import { loadFixtures, type Fixture } from './fixtures';
import { SCENARIOS, type Scenario } from './plan';
import { caseOf } from './run';

describe('the real stack\'s golden fixtures', () => {
  let fixtures: Fixture[] = [];
  const cases = new Map<Scenario, TraceCase[]>();

  before(async () => {
    fixtures = await loadFixtures();
    for (const fixture of fixtures) {
      cases.set(fixture.scenario, fixture.traces.map((t) => caseOf(fixture.scenario, t.traceId, t.spans, fixture.truth)));
    }
  });

  it('holds every scenario, each with whole traces of real spans', () => {
    assert.deepEqual(fixtures.map((f) => f.scenario).sort(), [...SCENARIOS].sort());
    for (const fixture of fixtures) {
      assert.ok(fixture.traces.length >= 1, `${fixture.scenario}: no traces`);
      for (const trace of fixture.traces) assert.ok(trace.spans.length > 20, `${fixture.scenario} ${trace.traceId}: ${trace.spans.length} spans`);
      assert.ok(fixture.truth.recorded.requests.some((r) => r.transport === 'grpc') && fixture.truth.recorded.requests.some((r) => r.transport === 'http'), `${fixture.scenario}: requests from both transports`);
    }
  });

  registerChecks('golden', (scenario) => cases.get(scenario) ?? [], SCENARIOS);
});
