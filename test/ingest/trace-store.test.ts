import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SpanRecord } from '../../src/model/span';
import { TraceStore } from '../../src/ingest/trace-store';

const T1 = 'a1000000000000000000000000000001';
const T2 = 'a1000000000000000000000000000002';
const T3 = 'a1000000000000000000000000000003';

function span(fields: Partial<SpanRecord> & { spanId: string }): SpanRecord {
  return {
    traceId: T1, parentSpanId: '', traceState: '', flags: 1, name: 'op', kind: 'internal', service: 'svc',
    startUs: 0, endUs: 10, status: { code: 'unset', message: '' }, attributes: {}, events: [], links: [],
    resource: { attributes: {}, droppedAttributesCount: 0 }, scope: { name: '', version: '' },
    droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0, ...fields,
  };
}

/** A clock the tests move by hand: no test waits on real time. */
function clock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/*
 *  gateway  GET /orders   a [0 ............................ 100]
 *  orders   POST /orders    b [10 .................... 90]
 *  payments charge             c [20 ..... 50]   (ERROR)
 */
const a = span({ spanId: '000000000000000a', service: 'gateway', name: 'GET /orders', kind: 'server', startUs: 0, endUs: 100 });
const b = span({ spanId: '000000000000000b', parentSpanId: '000000000000000a', service: 'orders', name: 'POST /orders', kind: 'server', startUs: 10, endUs: 90 });
const c = span({ spanId: '000000000000000c', parentSpanId: '000000000000000b', service: 'payments', name: 'charge', startUs: 20, endUs: 50, status: { code: 'error', message: 'declined' } });

describe('the trace store', () => {
  it('assembles a trace whose spans arrive out of order across batches', () => {
    const store = new TraceStore();
    store.add([c]);
    assert.equal(store.summary(T1)!.rootName, 'charge', 'until its parents arrive, the orphan stands in as the root');
    store.add([b]);
    store.add([a]);
    assert.deepEqual(store.summary(T1), {
      traceId: T1, rootService: 'gateway', rootName: 'GET /orders', spanCount: 3, startUs: 0, durationUs: 100, rootDurationUs: 100,
      errorCount: 1, services: ['gateway', 'orders', 'payments'], settled: false, logCount: 0,
    });
    assert.deepEqual(store.get(T1)!.spans.map((s) => s.spanId), [c.spanId, b.spanId, a.spanId]);
  });

  it('counts a span sent twice and keeps the first copy', () => {
    const store = new TraceStore();
    assert.deepEqual(store.add([a, b]), { stored: 2, duplicates: 0 });
    assert.deepEqual(store.add([{ ...b, name: 'second copy' }]), { stored: 0, duplicates: 1 });
    assert.equal(store.get(T1)!.spans.find((s) => s.spanId === b.spanId)!.name, 'POST /orders');
    assert.equal(store.stats.duplicateSpans, 1);
    assert.equal(store.stats.spansStored, 2);
  });

  it('counts server spans answering 5xx as errors when their status is unset', () => {
    const store = new TraceStore();
    store.add([span({ spanId: '0000000000000001', kind: 'server', attributes: { 'http.response.status_code': 503 } })]);
    store.add([span({ spanId: '0000000000000002', kind: 'server', attributes: { 'http.response.status_code': 503 }, status: { code: 'ok', message: '' } })]);
    assert.equal(store.summary(T1)!.errorCount, 1);
  });

  it('settles a trace after a quiet period and unsettles it when a late span arrives', () => {
    const time = clock();
    const store = new TraceStore({ settleMs: 1_500 }, time.now);
    store.add([a]);
    store.takeChanges();
    time.advance(1_499);
    assert.equal(store.settle(), 0);
    time.advance(1);
    assert.equal(store.settle(), 1);
    assert.deepEqual(store.takeChanges().changed.map((s) => [s.traceId, s.settled]), [[T1, true]]);
    assert.equal(store.settle(), 0, 'a settled trace is settled once');
    store.add([b]);
    assert.deepEqual(store.takeChanges().changed.map((s) => [s.traceId, s.settled, s.spanCount]), [[T1, false, 2]]);
    time.advance(1_500);
    assert.equal(store.settle(), 1);
  });

  it('reports each changed trace once per round, and the ids it removed', () => {
    const store = new TraceStore({ maxTraces: 2 });
    store.add([a]);
    store.add([b]);
    store.add([span({ traceId: T2, spanId: '0000000000000002' })]);
    assert.deepEqual(store.takeChanges().changed.map((s) => s.traceId).sort(), [T1, T2]);
    assert.deepEqual(store.takeChanges(), { changed: [], removed: [] });
    store.add([span({ traceId: T3, spanId: '0000000000000003' })]);
    assert.deepEqual(store.takeChanges(), { changed: [store.summary(T3)!], removed: [T1] });
  });

  it('evicts whole traces, least recently changed first, to stay within maxTraces', () => {
    const store = new TraceStore({ maxTraces: 2 });
    store.add([span({ traceId: T1, spanId: '0000000000000001' })]);
    store.add([span({ traceId: T2, spanId: '0000000000000002' })]);
    store.add([span({ traceId: T1, spanId: '0000000000000011' })]); // T1 changed last now
    store.add([span({ traceId: T3, spanId: '0000000000000003' })]);
    assert.equal(store.get(T2), undefined);
    assert.ok(store.get(T1) && store.get(T3));
    assert.deepEqual([store.stats.evictedTraces, store.stats.evictedSpans, store.stats.tracesStored, store.stats.spansStored], [1, 1, 2, 3]);
  });

  it('evicts whole traces to stay within maxSpans, the oversized newest one too', () => {
    const store = new TraceStore({ maxSpans: 3 });
    store.add([a, b]);
    store.add([span({ traceId: T2, spanId: '0000000000000021' }), span({ traceId: T2, spanId: '0000000000000022' })]);
    assert.equal(store.get(T1), undefined, 'the older trace went whole');
    assert.equal(store.stats.spansStored, 2);
    const many = Array.from({ length: 5 }, (_, i) => span({ traceId: T3, spanId: `00000000000003${i}0` }));
    store.add(many);
    assert.equal(store.get(T3), undefined, 'a trace larger than the bound cannot be kept');
    assert.equal(store.stats.spansStored, 0);
    assert.equal(store.stats.evictedSpans, 2 + 2 + 5);
  });

  it('evicts at once when its limits shrink', () => {
    const store = new TraceStore();
    store.add([a, span({ traceId: T2, spanId: '0000000000000002' })]);
    store.setLimits({ maxTraces: 1 });
    assert.equal(store.stats.tracesStored, 1);
    assert.ok(store.get(T2));
  });

  it('keeps logs that arrive before their spans, and lists the trace only once it has spans', () => {
    const store = new TraceStore();
    const log = {
      traceId: T1, spanId: a.spanId, timeUs: 5, observedTimeUs: 5, severityNumber: 9, severityText: 'INFO', eventName: '',
      body: 'hello', attributes: {}, service: 'gateway', resource: a.resource, scope: a.scope, flags: 0, droppedAttributesCount: 0,
    };
    assert.equal(store.addLogs([log]), 1);
    assert.deepEqual(store.summaries(), []);
    assert.deepEqual(store.takeChanges().changed, []);
    store.add([a]);
    assert.equal(store.summary(T1)!.logCount, 1);
    assert.deepEqual(store.get(T1)!.logs.map((l) => l.body), ['hello']);
  });

  it('lists summaries newest first and forgets everything on clear', () => {
    const store = new TraceStore();
    store.add([span({ traceId: T1, spanId: '0000000000000001', startUs: 100 })]);
    store.add([span({ traceId: T2, spanId: '0000000000000002', startUs: 300 })]);
    store.add([span({ traceId: T3, spanId: '0000000000000003', startUs: 200 })]);
    assert.deepEqual(store.summaries().map((s) => s.traceId), [T2, T3, T1]);
    store.takeChanges();
    store.clear();
    assert.deepEqual(store.summaries(), []);
    assert.deepEqual(store.takeChanges().removed.sort(), [T1, T2, T3]);
    assert.equal(store.stats.spansStored, 0);
  });

  it('never reports a negative duration and survives spans that end before they start', () => {
    const store = new TraceStore();
    store.add([span({ spanId: '0000000000000001', startUs: 50, endUs: 10 })]);
    assert.equal(store.summary(T1)!.durationUs, 0);
  });

  it('does not change the spans it is given, other than sharing their trace id string', () => {
    const store = new TraceStore();
    const copy = structuredClone(b);
    store.add([b]);
    assert.deepEqual(b, copy);
  });
});
