import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogRecord, SpanRecord } from '../../src/model/span';
import { resourceBytes, spanBytes } from '../../src/ingest/retained-size';
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
  it('keeps a started span until its finished one takes its place, never both, and says the trace is running', () => {
    const store = new TraceStore();
    const started = { ...a, endUs: 0, attributes: { 'hopscope.span.state': 'started' } };
    store.add([started, { ...b, endUs: 0 }]);
    const before = store.extent(T1)!;
    assert.equal(store.summary(T1)!.runningSpans, 2);
    assert.deepEqual(store.add([{ ...started }]), { stored: 0, duplicates: 1 }, 'a started record again is a duplicate');
    assert.deepEqual(store.add([a]), { stored: 1, duplicates: 0 });
    const after = store.extent(T1)!;
    assert.equal(after.spans, 2, 'the finished span replaced the started one');
    assert.notEqual(after.generation, before.generation, 'the trace is another version: copies of it are sent again whole');
    assert.equal(store.summary(T1)!.runningSpans, 1);
    assert.equal(store.summary(T1)!.rootDurationUs, 100, 'the finished root is the root');
    assert.deepEqual(store.add([{ ...a, endUs: 0 }]), { stored: 0, duplicates: 1 }, 'a started record after the finished span changes nothing');
    store.add([b]);
    assert.equal(store.summary(T1)!.runningSpans, undefined);
    assert.equal(store.stats.spansStored, 2);
    assert.equal(store.get(T1)!.spans.every((s) => s.endUs > 0), true);
    // a and b have a resource each (span() makes one per span), counted once.
    assert.equal(store.stats.bytesStored, store.get(T1)!.spans.reduce((n, s) => n + spanBytes(s), 0) + resourceBytes(a.resource) + resourceBytes(b.resource));
  });

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

describe('the trace store within its byte budget', () => {
  const traceId = (i: number) => (0xb0000000 + i).toString(16).padStart(32, '0');
  const logOf = (trace: string, body: LogRecord['body'] = 'hello'): LogRecord => ({
    traceId: trace, spanId: '', timeUs: 5, observedTimeUs: 5, severityNumber: 9, severityText: 'INFO', eventName: '',
    body, attributes: {}, service: 'svc', resource: { attributes: {}, droppedAttributesCount: 0 }, scope: { name: '', version: '' }, flags: 0, droppedAttributesCount: 0,
  });

  it('estimates each span once and evicts whole traces, oldest first, past maxBytes, counting them', () => {
    const one = spanBytes(span({ spanId: '0000000000000001', attributes: { note: 'x'.repeat(1000) } })) + resourceBytes(a.resource);
    const store = new TraceStore({ maxBytes: one * 3 + 10 });
    for (let i = 0; i < 5; i++) store.add([span({ traceId: traceId(i), spanId: '0000000000000001', attributes: { note: 'x'.repeat(1000) } })]);
    assert.deepEqual(store.summaries().map((s) => s.traceId).sort(), [traceId(2), traceId(3), traceId(4)]);
    assert.deepEqual([store.stats.evictedTraces, store.stats.evictedSpans, store.stats.bytesStored], [2, 2, one * 3]);
    assert.deepEqual(store.takeChanges().removed.sort(), [traceId(0), traceId(1)]);
    store.clear();
    assert.equal(store.stats.bytesStored, 0);
  });

  it('evicts a single trace larger than maxBytes: the bound is hard', () => {
    const store = new TraceStore({ maxBytes: 10_000, maxAttributeBytes: 1 << 20 });
    store.add([span({ spanId: '0000000000000001', attributes: { note: 'x'.repeat(20_000) } })]);
    assert.deepEqual([store.stats.tracesStored, store.stats.evictedTraces, store.stats.bytesStored], [0, 1, 0]);
  });

  it('cuts attribute values over the limit with a marker, counted: strings, arrays, event attributes, resources, log bodies', () => {
    const store = new TraceStore({ maxAttributeBytes: 1024 });
    const resource = { attributes: { 'service.name': 'svc', big: 'r'.repeat(5000) }, droppedAttributesCount: 0 };
    const events = [{ name: 'e', timeUs: 1, attributes: { payload: 'e'.repeat(3000) }, droppedAttributesCount: 0 }];
    store.add([span({ spanId: '0000000000000001', resource, events, attributes: { blob: 'x'.repeat(1_000_000), list: Array.from({ length: 500 }, () => 'abcdefgh'), short: 'ok', n: 42 } })]);
    const stored = store.get(T1)!.spans[0]!;
    const blob = stored.attributes.blob as string;
    assert.equal(blob, `${'x'.repeat(1024)}…[truncated ${1_000_000 - 1024} bytes]`);
    const list = stored.attributes.list as string[];
    assert.equal(list.length, 129);
    assert.equal(list.at(-1), `…[truncated ${500 * 8 - 128 * 8} bytes]`);
    assert.equal(stored.attributes.short, 'ok');
    assert.equal(stored.events[0]!.attributes.payload, `${'e'.repeat(1024)}…[truncated ${3000 - 1024} bytes]`);
    assert.match(resource.attributes.big, /^r{1024}…\[truncated 3976 bytes\]$/);
    store.addLogs([logOf(T1, 'b'.repeat(2000))]);
    assert.match(store.get(T1)!.logs[0]!.body as string, /^b{1024}…\[truncated 976 bytes\]$/);
    assert.equal(store.stats.truncatedValues, 5);
  });

  it('cuts multi-byte text on a character boundary and counts the UTF-8 bytes left out', () => {
    const store = new TraceStore({ maxAttributeBytes: 1024 });
    store.add([span({ spanId: '0000000000000001', attributes: { text: 'é'.repeat(1000), emoji: '😀'.repeat(300) } })]);
    const { text, emoji } = store.get(T1)!.spans[0]!.attributes as { text: string; emoji: string };
    assert.equal(text, `${'é'.repeat(512)}…[truncated 976 bytes]`);
    assert.equal(emoji, `${'😀'.repeat(256)}…[truncated 176 bytes]`);
  });

  it('never lets logs of unknown traces evict traces: 2,000 wait aside and join their traces when they arrive', () => {
    const store = new TraceStore({ maxTraces: 2_000 });
    for (let i = 0; i < 2_000; i++) store.add([span({ traceId: traceId(i), spanId: '0000000000000001' })]);
    store.takeChanges();
    const logs = Array.from({ length: 2_000 }, (_, i) => logOf(traceId(10_000 + i)));
    assert.equal(store.addLogs(logs), 2_000);
    assert.equal(store.summaries().length, 2_000, 'every trace is still listed');
    assert.deepEqual([store.stats.tracesStored, store.stats.evictedTraces, store.stats.logsPending, store.stats.logsStored], [2_000, 0, 2_000, 0]);
    assert.deepEqual(store.takeChanges(), { changed: [], removed: [] }, 'a waiting log changes no trace');
    store.add([span({ traceId: traceId(10_007), spanId: '0000000000000001' })]);
    assert.equal(store.summary(traceId(10_007))!.logCount, 1);
    assert.equal(store.get(traceId(10_007))!.logs[0]!.body, 'hello');
    assert.deepEqual([store.stats.logsPending, store.stats.logsStored, store.stats.tracesStored, store.stats.evictedTraces], [1_999, 1, 2_000, 1]);
  });

  it('bounds the waiting logs by count and bytes, dropping the oldest trace\'s first, counted', () => {
    const store = new TraceStore({ maxPendingLogs: 10, maxPendingLogBytes: 1 << 20 });
    store.addLogs(Array.from({ length: 15 }, (_, i) => logOf(traceId(i))));
    assert.deepEqual([store.stats.logsPending, store.stats.droppedLogs], [10, 5]);
    store.add([span({ traceId: traceId(0), spanId: '0000000000000001' })]);
    assert.equal(store.summary(traceId(0))!.logCount, 0, 'the oldest were dropped');
    const bytes = new TraceStore({ maxPendingLogs: 1_000, maxPendingLogBytes: 4_000, maxAttributeBytes: 1024 });
    bytes.addLogs(Array.from({ length: 10 }, (_, i) => logOf(traceId(i), 'y'.repeat(800))));
    assert.ok(bytes.stats.pendingLogBytes <= 4_000);
    assert.equal(bytes.stats.logsPending + bytes.stats.droppedLogs, 10);
    assert.ok(bytes.stats.droppedLogs > 0);
  });

  it('hands every reader of an unchanged store the same summaries, and new ones once it changes', () => {
    const store = new TraceStore();
    store.add([a]);
    const first = store.summaries();
    assert.equal(store.summaries(), first);
    store.add([b]);
    assert.notEqual(store.summaries(), first);
    assert.equal(store.summaries()[0]!.spanCount, 2);
  });

  it('lists a trace as settled as soon as it settles', () => {
    const time = clock();
    const store = new TraceStore({ settleMs: 100 }, time.now);
    store.add([a]);
    assert.equal(store.summaries()[0]!.settled, false);
    time.advance(100);
    store.settle();
    assert.equal(store.summaries()[0]!.settled, true);
  });
});
