/**
 * The real stack, live: PostgreSQL, Redis and RabbitMQ started on free
 * loopback ports, `hopscope serve` (from dist/, so build first) behind a
 * recording relay, and seven Node services instrumented only by the official
 * OpenTelemetry packages (services/otel.ts), exporting over OTLP/HTTP protobuf
 * and OTLP/gRPC. Three orders per scenario after a warm-up; each settled trace
 * from Hopscope's API is analysed and checked against what the services really
 * did (expectations.ts). Never skipped: a missing server fails naming the
 * Debian package to install. Everything is stopped in `after`, even on failure.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { registerChecks, type TraceCase } from './expectations';
import { SCENARIOS, type Scenario } from './plan';
import { runScenarios, type ScenarioRun } from './run';
import { startStack, type Stack } from './stack';

const PER_SCENARIO = 3;
/** HOPSCOPE_REALSTACK_LOG=1: progress on stderr. HOPSCOPE_REALSTACK_DUMP=<dir>: each trace's spans and analysis as JSON there. */
const progress = process.env.HOPSCOPE_REALSTACK_LOG ? (line: string) => process.stderr.write(`realstack: ${line}\n`) : undefined;
const dumpDir = process.env.HOPSCOPE_REALSTACK_DUMP;

describe('the real stack sending to hopscope serve', { timeout: 480_000 }, () => {
  let stack: Stack | undefined;
  let runs: ScenarioRun[] = [];
  let startedMs = 0;

  before(async () => {
    startedMs = Date.now();
    stack = await startStack({ log: progress });
    runs = await runScenarios(stack, PER_SCENARIO, progress);
    if (dumpDir) {
      mkdirSync(dumpDir, { recursive: true });
      for (const c of runs.flatMap((r) => r.cases)) writeFileSync(join(dumpDir, `${c.scenario}-${c.traceId}.json`), JSON.stringify({ spans: c.spans, analysis: c.analysis }, null, 1));
    }
    progress?.(`stack and ${runs.length * PER_SCENARIO} orders in ${((Date.now() - startedMs) / 1000).toFixed(1)} s`);
  }, { timeout: 420_000 });

  after(async () => {
    await stack?.stop();
  }, { timeout: 60_000 });

  const cases = (scenario: Scenario): TraceCase[] => runs.find((r) => r.scenario === scenario)?.cases ?? [];

  it('answers every order with the status its scenario ends in', () => {
    const wrong = runs.flatMap((r) => r.orders.filter((o) => o.status !== r.cases[0]!.truth.status).map((o) => `${r.scenario} ${o.traceId}: ${o.status} ${o.body}`));
    assert.deepEqual(wrong, []);
    assert.equal(runs.length, SCENARIOS.length);
  });

  it('has Hopscope accept every export request, over HTTP and gRPC', () => {
    assert.deepEqual(stack!.recorder.failures, []);
    const transports = new Set(stack!.recorder.requests.map((r) => r.transport));
    assert.deepEqual([...transports].sort(), ['grpc', 'http']);
  });

  registerChecks('live', cases, SCENARIOS);
});
