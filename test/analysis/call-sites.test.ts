import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeTree } from '../../src/analysis/analyze-trace';
import { callSites, type CodePlace } from '../../src/analysis/call-sites';
import { attributePlace, shownSites } from '../support/shown-sites';
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
  return typeof path === 'string' && typeof line === 'number' ? attributePlace(path, line) : undefined;
};

const analysed = (spans: SpanRecord[]) => {
  const tree = buildTree(spans)!;
  return { tree, findings: analyzeTree(tree).findings };
};

describe('call sites over recent traces', () => {
  const newest = shop(500).spans.map((s) => ({ ...s, traceId: 'b'.repeat(32) }));
  const older = shop(300).spans;
  const sites = shownSites(callSites([analysed(newest), analysed(older)], fromAttributes));
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

  it('names the worst finding about the calls, with its typical saving and how often it held, and where to open them', () => {
    const email = at('/app/orders.ts', 42)!.calls[0]!;
    assert.equal(email.worstFinding?.rule, 'sync-non-critical');
    assert.equal(email.traces, 2);
    assert.equal(email.worstFinding?.inTraces, 2, 'it held in both traces');
    // Savings of ≈ 300 and ≈ 500 ms: the typical one is the median's (the lower of two), not the largest.
    assert.ok(Math.abs(email.worstFinding.typicalSavingUs! - ms(300)) < ms(15), String(email.worstFinding?.typicalSavingUs));
    assert.ok(email.worstFinding.typicalSavingShare! > 0.5 && email.worstFinding.typicalSavingShare! < 0.7, String(email.worstFinding?.typicalSavingShare));
    assert.equal(email.latest.traceId, 'b'.repeat(32), 'the newest trace');
    assert.deepEqual(email.slowest.map((s) => s.durationUs), [ms(502), ms(302)]);
  });

  it('says which trace a finding is from (the typical one) and where its spans are, for related locations', () => {
    const finding = at('/app/orders.ts', 42)!.calls[0]!.worstFinding!;
    assert.equal(finding.traceId, older[0]!.traceId, 'the trace with the median saving: its sentence says the typical numbers');
    assert.equal(finding.savingUs, finding.typicalSavingUs);
    const email = finding.spans.find((s) => s.label === 'orders → email POST /send');
    assert.deepEqual(email?.place, attributePlace('/app/orders.ts', 42));
    assert.ok(finding.spans.every((s) => finding.spanIds.includes(s.spanId)));
  });

  it('counts a finding once per trace however many of its calls a line made, out of the traces that made the call', () => {
    //  an N+1: five identical queries from one line, in each of three traces
    const nPlusOne = (traceNo: number) => timeline(`
      orders | GET /orders | server | 0-120
        orders | SELECT items | client | 1-20 | db.system.name=postgresql db.query.text=SELECT_*_FROM_items code.file.path=/app/items.ts code.line.number=7
        orders | SELECT items | client | 21-40 | db.system.name=postgresql db.query.text=SELECT_*_FROM_items code.file.path=/app/items.ts code.line.number=7
        orders | SELECT items | client | 41-60 | db.system.name=postgresql db.query.text=SELECT_*_FROM_items code.file.path=/app/items.ts code.line.number=7
        orders | SELECT items | client | 61-80 | db.system.name=postgresql db.query.text=SELECT_*_FROM_items code.file.path=/app/items.ts code.line.number=7
        orders | SELECT items | client | 81-100 | db.system.name=postgresql db.query.text=SELECT_*_FROM_items code.file.path=/app/items.ts code.line.number=7
    `).spans.map((s) => ({ ...s, traceId: `${traceNo}`.repeat(32) }));
    const query = callSites([1, 2, 3].map((n) => analysed(nPlusOne(n))), fromAttributes)[0]!.calls[0]!;
    assert.deepEqual([query.count, query.traces], [15, 3]);
    const batch = query.findings.find((f) => f.rule === 'n-plus-one');
    assert.equal(batch?.inTraces, 3, JSON.stringify(query.findings.map((f) => [f.rule, f.inTraces])));
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
    const calls = shownSites(callSites([analysed(events.spans)], fromAttributes)).flatMap((s) => s.calls.map((c) => [s.place.line, c.callee, c.publish]));
    assert.deepEqual(calls.sort(), [[30, 'payments', undefined], [44, 'rabbitmq', true]]);
  });

  it('lists a call under each beginning of its place\'s tries, so the editor can keep the one it places', () => {
    //  orders → email at [lib/http.ts:3, orders.ts:42]: under [lib/http.ts:3] and under both; the other calls under their own.
    const tried = (span: SpanRecord): CodePlace | undefined => {
      const own = fromAttributes(span);
      return own && span.name === 'orders → email' ? { tries: [[{ path: '/lib/http.ts', line: 3, from: 'attributes' }], ...own.tries] } : own;
    };
    const sites = callSites([analysed(shop(100).spans)], tried);
    const email = sites.filter((s) => s.calls.some((c) => c.callee === 'email'));
    assert.deepEqual(email.map((s) => s.place.tries.map((l) => `${l[0]!.path}:${l[0]!.line}`)), [['/lib/http.ts:3'], ['/lib/http.ts:3', '/app/orders.ts:42']]);
    assert.deepEqual(email.map((s) => s.calls.map((c) => [c.callee, c.count])), [[['email', 1]], [['email', 1]]], 'the same calls, counted in each');
    assert.equal(sites.length, 5, 'the three other lines, once each');
  });

  it('does not change the traces it reads', () => {
    const spans = shop(100).spans;
    const copy = structuredClone(spans);
    callSites([analysed(spans)], fromAttributes);
    assert.deepEqual(spans, copy);
  });
});
