/**
 * Trace queries over the store (the Traces view's filter, answered in the worker) and at
 * `GET /api/traces?q=`: what they pick, what they remember, how much they read, what a bad one gets.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AnalysisHeadline } from '../../src/analysis/headline';
import { fetchRemoteQuery } from '../../src/ingest/remote-receiver';
import { TraceQueries } from '../../src/ingest/trace-queries';
import { TraceStore } from '../../src/ingest/trace-store';
import type { SpanRecord } from '../../src/model/span';
import { request } from '../support/http-client';
import { startHarness, type Harness } from '../support/receiver-harness';
import { timeline, toOtlpJson } from '../support/timeline';

/** A drawn trace under its own id (`n` makes the id). */
function trace(n: number, drawing: string): SpanRecord[] {
  const traceId = n.toString(16).padStart(32, '0');
  return timeline(drawing).spans.map((s) => ({ ...s, traceId, startUs: s.startUs + n * 1000, endUs: s.endUs + n * 1000 }));
}

const syncOrder = (n: number) => trace(n, `
  gateway | POST /orders | server | 0-680 | http.response.status_code=201
    orders | POST /orders | server | 5-675 | http.route=/orders
      email | POST /send | server | 100-600
`);
const eventsOrder = (n: number) => trace(n, `
  gateway | POST /orders | server | 0-143 | http.response.status_code=201
    orders | publish order | producer | 5-20 | messaging.system=rabbitmq
`);
const failedCharge = (n: number) => trace(n, `
  billing | GET /invoices | server | 0-40 | error http.response.status_code=503
`);

const headline = (rules: AnalysisHeadline['rules']): AnalysisHeadline => ({ durationUs: 0, hops: 0, failureOrigin: null, findings: rules.length, worstSeverity: rules.length ? 'warning' : null, rules, asyncCalls: 0 });

describe('trace queries over the store', () => {
  const store = new TraceStore();
  store.add([...syncOrder(1), ...eventsOrder(2), ...failedCharge(3), ...syncOrder(4)]);
  const headlines = new Map([[syncOrder(1)[0]!.traceId, headline(['sync-non-critical'])]]);
  const queries = new TraceQueries(store, (id) => headlines.get(id));
  const ids = (text: string) => {
    const answer = queries.run(text);
    assert.ok(answer.ok, JSON.stringify(answer));
    return answer.traceIds.map((id) => parseInt(id, 16));
  };

  it('picks by what the summaries say, newest first', () => {
    assert.deepEqual(ids('duration>500ms'), [4, 1]);
    assert.deepEqual(ids('status:5xx'), [3]);
    assert.deepEqual(ids('status:201 service:email'), [4, 1]);
    assert.deepEqual(ids(''), [4, 3, 2, 1]);
  });

  it('picks by a finding once the trace’s headline has it', () => {
    assert.deepEqual(ids('finding:sync-non-critical'), [1]);
    headlines.set(syncOrder(4)[0]!.traceId, headline(['sync-non-critical']));
    assert.deepEqual(ids('finding:sync-non-critical'), [4, 1]);
  });

  it('picks by an attribute of any span, and sees spans that arrive later', () => {
    assert.deepEqual(ids('messaging.system=rabbitmq'), [2]);
    assert.deepEqual(ids('http.route=/orders'), [4, 1]);
    store.add(trace(3, `
      billing | GET /invoices | server | 0-40
        billing | SELECT | client | 5-30 | http.route=/orders
    `).slice(1).map((s) => ({ ...s, spanId: 'f'.repeat(16), parentSpanId: failedCharge(3)[0]!.spanId })));
    assert.deepEqual(ids('http.route=/orders'), [4, 3, 1]);
  });

  it('says where a bad query goes wrong', () => {
    const answer = queries.run('duration>5 parsecs');
    assert.equal(answer.ok, false);
    assert.deepEqual(!answer.ok && answer.error, { message: '"5" needs a unit: µs (or us), ms or s', offset: 10, column: 11 });
  });

  it('reads each span once per term: asked again, only the spans that came since', () => {
    const counted = new TraceStore();
    counted.add([...syncOrder(1), ...eventsOrder(2)]);
    let reads = 0;
    const cursor = counted.spanCursor.bind(counted);
    counted.spanCursor = (id) => {
      const inner = cursor(id);
      return inner && { next: () => (reads++, inner.next()) };
    };
    const q = new TraceQueries(counted);
    assert.deepEqual(q.run('http.route=/nowhere'), { ok: true, traceIds: [], unchecked: 0 });
    assert.equal(reads, 5, 'three spans and two');
    q.run('http.route=/nowhere');
    assert.equal(reads, 5, 'nothing came: nothing read');
    counted.add(syncOrder(5));
    counted.add(trace(2, `
      orders | late | internal | 30-40 | http.route=/nowhere
    `).map((s) => ({ ...s, spanId: 'e'.repeat(16) })));
    const answer = q.run('http.route=/nowhere');
    assert.deepEqual(answer.ok && answer.traceIds.map((id) => parseInt(id, 16)), [2]);
    assert.equal(reads, 9, 'the new trace’s three spans and the late one');
  });

  it('reads at most its budget of spans, newest traces first, and counts the traces it left out', () => {
    const big = new TraceStore();
    for (let n = 1; n <= 10; n++) big.add(syncOrder(n));
    const answer = new TraceQueries(big, undefined, 3 * 4).run('http.route=/orders');
    assert.ok(answer.ok);
    assert.deepEqual(answer.traceIds.map((id) => parseInt(id, 16)), [10, 9, 8, 7, 6, 5], 'each trace is read up to its second span, which has the route');
    assert.equal(answer.unchecked, 4);
    const more = new TraceQueries(big, undefined, 3 * 4);
    more.run('http.route=/orders');
    const next = more.run('http.route=/orders');
    assert.deepEqual(next.ok && [next.traceIds.length, next.unchecked], [10, 0], 'asked again, it reads on from where it stopped');
  });
});

describe('GET /api/traces?q=', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    for (const spans of [syncOrder(1), eventsOrder(2), failedCharge(3)]) {
      const reply = await request(h.port, 'POST', '/v1/traces', toOtlpJson(spans), { 'Content-Type': 'application/json' });
      assert.equal(reply.status, 200, reply.text);
    }
  });
  after(() => h.close());

  it('lists only the traces the query picks, and names the query it answered', async () => {
    const reply = await request(h.port, 'GET', `/api/traces?q=${encodeURIComponent('duration>500ms or status:5xx')}`);
    assert.equal(reply.status, 200);
    const body = JSON.parse(reply.text) as { query: string; traces: { traceId: string; rootStatus?: string }[]; unchecked: number };
    assert.equal(body.query, 'duration>500ms or status:5xx');
    assert.deepEqual(body.traces.map((t) => [parseInt(t.traceId, 16), t.rootStatus]), [[3, '503'], [1, '201']]);
    assert.equal(body.unchecked, 0);
  });

  it('lists every trace without q, as before', async () => {
    const body = JSON.parse((await request(h.port, 'GET', '/api/traces')).text) as { query?: string; traces: unknown[] };
    assert.equal(body.traces.length, 3);
    assert.equal(body.query, undefined);
  });

  it('answers 400 with the column of a bad query', async () => {
    const reply = await request(h.port, 'GET', `/api/traces?q=${encodeURIComponent('status:5xx servce:orders')}`);
    assert.equal(reply.status, 400);
    const body = JSON.parse(reply.text) as { code: number; message: string; column: number };
    assert.equal(body.column, 12);
    assert.match(body.message, /^bad query at column 12: unknown field "servce"/);
  });

  it('refuses a hostile query by its length, at once', async () => {
    const reply = await request(h.port, 'GET', `/api/traces?q=${'-"'.repeat(4000)}`);
    assert.equal(reply.status, 400);
    assert.match(reply.text, /at most 1,000 characters/);
  });

  it('is what a following window asks', async () => {
    const answer = await fetchRemoteQuery('127.0.0.1', h.port, 'messaging.system=*');
    assert.deepEqual(answer && answer.ok && answer.traceIds.map((id) => parseInt(id, 16)), [2]);
    const bad = await fetchRemoteQuery('127.0.0.1', h.port, 'duration>');
    assert.deepEqual(bad && !bad.ok && bad.error.column, 10);
  });
});
