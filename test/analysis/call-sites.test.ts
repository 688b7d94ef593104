import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeTree } from '../../src/analysis/analyze-trace';
import { callSites, type CodePlace } from '../../src/analysis/call-sites';
import { buildTree } from '../../src/analysis/trace-tree';
import type { SpanRecord } from '../../src/model/span';
import { ms, timeline } from '../support/timeline';

//  The sync shop with the lines that made orders' calls:
//    orders.ts:30  payments   orders.ts:31  inventory   orders.ts:42  email   orders.ts:43  analytics
const shop = (emailMs: number) => timeline(`
  gateway   | POST /orders       | server | 0-${180 + emailMs}
    gateway | gateway → orders   | client | 1-${179 + emailMs} | code.file.path=/app/gateway.ts code.line.number=12
      orders   | POST /orders    | server | 2-${178 + emailMs}
        orders | orders → payments | client | 3-105 | code.file.path=/app/orders.ts code.line.number=30
          payments | POST /charge | server | 4-104
        orders | orders → inventory | client | 106-128 | code.file.path=/app/orders.ts code.line.number=31
          inventory | POST /reserve | server | 107-127
        orders | orders → email  | client | 130-${132 + emailMs} | code.file.path=/app/orders.ts code.line.number=42
          email | POST /send     | server | 131-${131 + emailMs}
        orders | orders → analytics | client | ${133 + emailMs}-${176 + emailMs}
          analytics | POST /track | server | ${134 + emailMs}-${175 + emailMs}
`);

const fromAttributes = (span: SpanRecord): CodePlace | undefined => {
  const path = span.attributes['code.file.path'];
  const line = span.attributes['code.line.number'];
  return typeof path === 'string' && typeof line === 'number' ? { path, line } : undefined;
};

const analysed = (spans: SpanRecord[]) => {
  const tree = buildTree(spans)!;
  return { tree, findings: analyzeTree(tree).findings };
};

describe('call sites over recent traces', () => {
  const newest = shop(500).spans.map((s) => ({ ...s, traceId: 'b'.repeat(32) }));
  const older = shop(300).spans;
  const sites = callSites([analysed(newest), analysed(older)], fromAttributes);
  const at = (path: string, line: number) => sites.find((s) => s.place.path === path && s.place.line === line);

  it('puts each call on the line that made it, with what it called and how', () => {
    assert.deepEqual(sites.map((s) => `${s.place.path}:${s.place.line}`).sort(), ['/app/gateway.ts:12', '/app/orders.ts:30', '/app/orders.ts:31', '/app/orders.ts:42']);
    const email = at('/app/orders.ts', 42)!.calls;
    assert.equal(email.length, 1);
    assert.deepEqual({ callee: email[0]!.callee, operation: email[0]!.operation, mode: email[0]!.mode, count: email[0]!.count, root: email[0]!.rootName }, { callee: 'email', operation: 'POST /send', mode: 'sync', count: 2, root: 'POST /orders' });
  });

  it('gives the calls’ percentiles and their share of the request', () => {
    const email = at('/app/orders.ts', 42)!.calls[0]!;
    assert.deepEqual(email.durationsUs, [ms(302), ms(502)]);
    assert.equal(email.p95Us, ms(502));
    // 502 of 680 ms and 302 of 480 ms: the median share.
    assert.ok(Math.abs(email.shareOfRequest - 502 / 680) < 0.01 || Math.abs(email.shareOfRequest - 302 / 480) < 0.01, String(email.shareOfRequest));
  });

  it('names the worst finding about the calls, with its saving, and where to open them', () => {
    const email = at('/app/orders.ts', 42)!.calls[0]!;
    assert.equal(email.worstFinding?.rule, 'sync-non-critical');
    assert.ok((email.worstFinding?.savingUs ?? 0) > ms(490));
    assert.equal(email.latest.traceId, 'b'.repeat(32), 'the newest trace');
    assert.deepEqual(email.slowest.map((s) => s.durationUs), [ms(502), ms(302)]);
  });

  it('says which trace a finding is from and where its spans are, for related locations', () => {
    const finding = at('/app/orders.ts', 42)!.calls[0]!.worstFinding!;
    assert.equal(finding.traceId, 'b'.repeat(32), 'the finding with the larger saving: the newest trace');
    const email = finding.spans.find((s) => s.label === 'orders → email POST /send');
    assert.deepEqual(email?.place, { path: '/app/orders.ts', line: 42 });
    assert.ok(finding.spans.every((s) => finding.spanIds.includes(s.spanId)));
  });

  it('leaves out calls with no known place, and spans that are not calls', () => {
    assert.equal(sites.some((s) => s.calls.some((c) => c.callee === 'analytics')), false);
    const onlyServer = timeline(`
      api | GET /x | server | 0-10 | code.file.path=/app/api.ts code.line.number=3
    `);
    assert.deepEqual(callSites([analysed(onlyServer.spans)], fromAttributes), []);
  });

  it('marks the calls of a PRODUCER span as a publish, and no other call', () => {
    const events = timeline(`
      orders | POST /orders | server | 0-20
        orders | order.placed publish | producer | 2-4 | code.file.path=/app/orders.ts code.line.number=44 messaging.system=rabbitmq messaging.destination.name=order.placed messaging.operation.name=publish
          email | order.placed process | consumer | 30-40 | messaging.system=rabbitmq
        orders | orders → payments | client | 5-15 | code.file.path=/app/orders.ts code.line.number=30
          payments | POST /charge | server | 6-14
    `);
    const calls = callSites([analysed(events.spans)], fromAttributes).flatMap((s) => s.calls.map((c) => [s.place.line, c.callee, c.publish]));
    assert.deepEqual(calls.sort(), [[30, 'payments', undefined], [44, 'rabbitmq', true]]);
  });

  it('does not change the traces it reads', () => {
    const spans = shop(100).spans;
    const copy = structuredClone(spans);
    callSites([analysed(spans)], fromAttributes);
    assert.deepEqual(spans, copy);
  });
});
