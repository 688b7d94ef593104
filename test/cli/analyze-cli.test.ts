/** `hopscope analyze` and `hopscope check` from the built CLI, on real files. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { events, sync } from '../support/shop-drawings';
import { timeline, toOtlpJson, TRACE_ID } from '../support/timeline';

const shop = sync;

const dir = mkdtempSync(join(tmpdir(), 'hopscope-analyze-'));
const good = join(dir, 'shop.json');
writeFileSync(good, toOtlpJson(shop.spans));
const bad = join(dir, 'broken.json');
writeFileSync(bad, '{"resourceSpans": [\n  {"resource": ');

const cli = (...args: string[]) => spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8' });

describe('hopscope analyze', () => {
  it('prints the analysis as JSON in the documented shape', () => {
    const run = cli('analyze', '--json', good);
    assert.equal(run.status, 0, run.stderr);
    const { traces, aggregate } = JSON.parse(run.stdout) as { traces: Record<string, unknown>[]; aggregate: { endpoints: unknown[]; edges: unknown[] } };
    const [trace] = traces;
    for (const key of ['traceId', 'rootSpanId', 'durationUs', 'edges', 'criticalPath', 'blockingChains', 'failures', 'findings', 'whatIf']) assert.ok(key in trace!, key);
    assert.equal(trace!.durationUs, 680_000);
    const chain = (trace!.blockingChains as { services: string[]; breakdown: Record<string, unknown>[] }[])[0]!;
    assert.deepEqual(chain.services, ['gateway', 'orders', 'email']);
    assert.deepEqual(Object.keys(chain.breakdown[0]!).sort(), ['networkUs', 'selfUs', 'service', 'spanId', 'waitUs']);
    assert.ok((trace!.findings as { rule: string }[]).some((f) => f.rule === 'sync-non-critical'));
    assert.ok(aggregate.endpoints.length > 0 && aggregate.edges.length > 0);
  });

  it('prints a report a person reads: the chain, its accumulation, the findings', () => {
    const run = cli('analyze', good);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /blocking chain, 2 hops: gateway → orders → email/);
    assert.match(run.stdout, /accumulated .* of the request's 680 ms/);
    assert.match(run.stdout, /⚠ sync-non-critical: orders waits 502 ms for email POST \/send/);
  });

  it('names a bad file with its line and column, exits 2, and still analyses the others', () => {
    const run = cli('analyze', bad, good);
    assert.equal(run.status, 2);
    assert.match(run.stderr, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:16: invalid JSON: expected a value`));
    assert.match(run.stdout, /gateway POST \/orders {2}680 ms/);
  });

  it('only analyses the traces a --filter query picks, the aggregate too', () => {
    const both = join(dir, 'sync-and-events.json');
    writeFileSync(both, toOtlpJson([...shop.spans, ...events.spans.map((s) => ({ ...s, traceId: 'e'.repeat(32) }))]));
    const picked = (query: string) => {
      const run = cli('analyze', '--json', '--filter', query, both);
      assert.equal(run.status, 0, run.stderr);
      const { traces, aggregate } = JSON.parse(run.stdout) as { traces: { traceId: string }[]; aggregate: { traces: number } };
      assert.equal(aggregate.traces, traces.length);
      return traces.map((t) => t.traceId);
    };
    assert.deepEqual(picked('duration>500ms'), [TRACE_ID]);
    assert.deepEqual(picked('messaging.system=queue'), ['e'.repeat(32)]);
    assert.deepEqual(picked('service:email -status:error'), [TRACE_ID]);
    assert.deepEqual(picked('finding:sync-non-critical messaging.system!=queue'), [TRACE_ID]);
    assert.deepEqual(picked('duration>1s').length, 0);
    assert.equal(picked('').length, 2);
  });

  it('refuses a bad --filter query with its column, exit 2', () => {
    const run = cli('analyze', '--filter', 'duration>500 service:orders', good);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--filter "duration>500 service:orders": column 13: "500" needs a unit: µs \(or us\), ms or s/);
  });

  it('only analyses the trace asked for', () => {
    const run = cli('analyze', '--json', '--trace', 'f'.repeat(32), good);
    assert.deepEqual((JSON.parse(run.stdout) as { traces: unknown[] }).traces, []);
  });
});

describe('hopscope check', () => {
  it('exits 0 when every budget holds', () => {
    const run = cli('check', '--max-hops', '3', '--max-duration-ms', '1000', good);
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });

  it('exits 1 with a short report when a budget is broken', () => {
    const run = cli('check', '--max-hops', '1', '--max-duration-ms', '500', '--fail-on', 'sync-non-critical', good);
    assert.equal(run.status, 1);
    assert.match(run.stdout, /blocking chain of 2 hops > 1/);
    assert.match(run.stdout, /680\.0 ms > 500 ms/);
    assert.match(run.stdout, /sync-non-critical: orders waits/);
  });

  it('tests the chain with the most hops, not the one that accumulated the most latency', () => {
    //  a → b  holds 400 ms of b's own work (ranked first);  a → c → d → e → f: 4 hops, little time in each
    const deep = join(dir, 'deep.json');
    writeFileSync(deep, toOtlpJson(timeline(`
      a | GET /x | server | 0-500
        a | a→b | client | 1-420
          b | B | server | 2-419
        a | a→c | client | 421-499
          c | C | server | 422-498
            c | c→d | client | 423-497
              d | D | server | 424-496
                d | d→e | client | 425-495
                  e | E | server | 426-494
                    e | e→f | client | 427-493
                      f | F | server | 428-492
    `).spans));
    const run = cli('check', '--max-hops', '3', deep);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /blocking chain of 4 hops > 3 \(a → c → d → e → f\)/);
  });

  it('refuses an unknown rule with exit 2', () => {
    const run = cli('check', '--fail-on', 'slow-stuff', good);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /unknown rule slow-stuff/);
  });
});
