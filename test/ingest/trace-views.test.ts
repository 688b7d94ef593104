/**
 * What a trace panel draws is built in the ingest worker, once per trace
 * version, as a trace document (a small head, then the view), and handed to
 * the extension host (or to a window following over the API) as bytes: the
 * host's thread does not rebuild, re-analyse or even parse traces.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { DEFAULT_ANALYSIS_SETTINGS } from '../../src/analysis/settings';
import { DerivedTraces } from '../../src/ingest/derived-traces';
import { DEFAULT_INGEST_CONFIG } from '../../src/ingest/ingest-config';
import { IngestWorker } from '../../src/ingest/ingest-worker';
import { fetchRemoteTraceView } from '../../src/ingest/remote-receiver';
import { TraceStore } from '../../src/ingest/trace-store';
import { deepChain } from '../../bench/deep';
import { DRAW_LIMITS, TooLargeToDraw, traceDocument, TraceViews } from '../../src/ingest/trace-views';
import { readTraceHead, readTraceView, TRACE_DOCUMENT_TYPE } from '../../src/views/trace-document';
import type { TraceDocument } from '../../src/protocol/trace-document';
import { toTraceView } from '../../src/views/trace-view';
import { request } from '../support/http-client';
import { shopTrace } from '../support/otel-trace';
import { timeline, toOtlpJson } from '../support/timeline';

/** The answer, which must be a document (not a reason why there is none). */
function bytes(answer: TraceDocument | undefined): Uint8Array {
  assert.ok(answer instanceof Uint8Array, `a document, not ${JSON.stringify(answer)}`);
  return answer;
}

const drawn = timeline(`
  gateway | POST /orders | server | 0-100
    gateway | POST | client | 1-99 | peer.service=orders
      orders | POST /orders | server | 2-98
`);

describe('the views of stored traces', () => {
  it('builds a trace\'s view once while it does not change, and again when a span arrives', () => {
    const store = new TraceStore();
    store.add(drawn.spans.slice(0, 2));
    const views = new TraceViews(new DerivedTraces(store));
    const traceId = drawn.spans[0]!.traceId;
    const first = bytes(views.get(traceId));
    assert.equal(views.get(traceId), first, 'the same document, not built again');
    assert.equal(readTraceView(first).nodes.length, 2);
    assert.deepEqual(readTraceHead(first), { format: 1, traceId, spans: 2, logs: 0, places: [], root: { name: 'POST /orders', durationUs: 100_000, startUs: drawn.spans[0]!.startUs } });
    store.add(drawn.spans.slice(2));
    const grown = bytes(views.get(traceId));
    assert.notEqual(grown, first);
    assert.deepEqual(readTraceView(grown), toTraceView(traceId, store.get(traceId)!.spans, [], undefined));
    assert.equal(views.get('f'.repeat(32)), undefined);
  });

  it('lists the code places its spans name in the head, and on each node the ones to try for its line', () => {
    const store = new TraceStore();
    const placed = timeline(`
      gateway | POST /orders | server | 0-100 | code.file.path=/app/src/routes.ts code.line.number=12
        gateway | POST | client | 1-99 | peer.service=orders
          orders | POST /orders | server | 2-98
    `);
    store.add(placed.spans);
    const views = new TraceViews(new DerivedTraces(store));
    const document = bytes(views.get(placed.spans[0]!.traceId));
    assert.deepEqual(readTraceHead(document).places, [[{ from: 'attributes', path: '/app/src/routes.ts', line: 12 }]]);
    assert.deepEqual(readTraceView(document).nodes.map((n) => n.places), [[0], [0], undefined], 'the client call is on its caller\'s line; the callee\'s entry is not');
  });

  it('reads the places again when the frames to skip change', () => {
    const store = new TraceStore();
    store.add(drawn.spans);
    const views = new TraceViews(new DerivedTraces(store));
    const traceId = drawn.spans[0]!.traceId;
    const before = bytes(views.get(traceId));
    views.setSkipFrames(['**/lib/**']);
    assert.notEqual(views.get(traceId), before);
  });

  it('builds the views again when the analysis settings change', () => {
    const store = new TraceStore();
    store.add(drawn.spans);
    const derived = new DerivedTraces(store);
    const views = new TraceViews(derived);
    const traceId = drawn.spans[0]!.traceId;
    const before = bytes(views.get(traceId));
    derived.setSettings({ ...DEFAULT_ANALYSIS_SETTINGS, longSyncCallUs: 1 });
    const after = bytes(views.get(traceId));
    assert.notEqual(after, before);
    assert.deepEqual(readTraceView(after).analysis, toTraceView(traceId, drawn.spans, [], { ...DEFAULT_ANALYSIS_SETTINGS, longSyncCallUs: 1 })!.analysis, 'analysed with the new settings');
  });
});

describe('traces too large to draw', () => {
  it('says why instead of building a view past the span bound, and keeps saying it until the trace changes', () => {
    const store = new TraceStore();
    store.add(drawn.spans);
    const traceId = drawn.spans[0]!.traceId;
    const views = new TraceViews(new DerivedTraces(store), { maxSpans: 2, maxBytes: DRAW_LIMITS.maxBytes });
    const answer = views.get(traceId);
    assert.deepEqual(answer, { undrawable: 'it has 3 spans, and the trace view draws traces of at most 2' });
    assert.equal(views.get(traceId), answer, 'not tried again while the trace is the same');
    assert.throws(() => traceDocument(traceId, drawn.spans, [], undefined, undefined, { maxSpans: 2, maxBytes: DRAW_LIMITS.maxBytes }), TooLargeToDraw);
  });

  it('says why when the document would pass the byte bound', () => {
    const store = new TraceStore();
    store.add(drawn.spans);
    const views = new TraceViews(new DerivedTraces(store), { maxSpans: DRAW_LIMITS.maxSpans, maxBytes: 100 });
    assert.deepEqual(views.get(drawn.spans[0]!.traceId), { undrawable: 'its view would be larger than the 100 B the trace view draws' });
  });
});

describe('the worker\'s trace views', () => {
  let worker: IngestWorker;
  let httpPort: number;
  const traceId = '3c000000000000000000000000000001';

  before(async () => {
    worker = new IngestWorker({ ...DEFAULT_INGEST_CONFIG, httpPort: 0, grpcPort: 0, settleMs: 200 }, { runner: 'test', version: '0.0.0', workerPath: 'dist/worker.js' });
    httpPort = (await worker.ready).http.port;
    const reply = await request(httpPort, 'POST', '/v1/traces', ProtobufTraceSerializer.serializeRequest(await shopTrace(traceId)), { 'Content-Type': 'application/x-protobuf' });
    assert.equal(reply.status, 200);
  });
  after(() => worker.stop());

  it('answers the host with the document the worker built: nodes, labels and analysis', async () => {
    const document = bytes(await worker.getTraceView(traceId));
    const trace = (await worker.getTrace(traceId))!;
    assert.deepEqual(document, traceDocument(traceId, trace.spans, trace.logs, DEFAULT_INGEST_CONFIG.analysis));
    assert.equal(readTraceHead(document).spans, trace.spans.length);
    assert.equal(await worker.getTraceView('f'.repeat(32)), undefined);
  });

  it('serves the same document to a following window at /api/traces/{id}/view, and 404 for a trace it does not hold', async () => {
    const reply = await request(httpPort, 'GET', `/api/traces/${traceId}/view`);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], `${TRACE_DOCUMENT_TYPE}; charset=utf-8`);
    assert.deepEqual(new Uint8Array(Buffer.from(reply.text)), await worker.getTraceView(traceId));
    const lines = reply.text.split('\n');
    assert.equal(lines.length, 2, 'NDJSON: the head, then the view');
    assert.equal(JSON.parse(lines[1]!).traceId, traceId);
    assert.equal((await request(httpPort, 'GET', `/api/traces/${'f'.repeat(32)}/view`)).status, 404);
  });

  it('takes a kept copy back after a restart, merged by span id with what arrived since, and answers with its view', async () => {
    const kept = timeline(`
      web | GET / | server | 0-50
        web | GET | client | 1-40 | peer.service=api
    `);
    const keptId = '3c000000000000000000000000000002';
    const spans = kept.spans.map((s) => ({ ...s, traceId: keptId }));
    // A stray span of another trace in the file is not taken in.
    const stray = { ...kept.spans[0]!, traceId: '3c000000000000000000000000000003', spanId: 'abababababababab' };
    const copy = traceDocument(keptId, [...spans, stray], [])!;
    const sent = copy.slice();
    const document = bytes(await worker.restoreTrace(sent));
    assert.equal(sent.byteLength, 0, 'the bytes were transferred, not copied');
    assert.equal(readTraceView(document).nodes.length, 2);
    const again = bytes(await worker.restoreTrace(copy.slice()));
    assert.equal(readTraceHead(again).spans, 2, 'the same spans twice are one trace, not two copies');
    assert.equal(await worker.getTrace('3c000000000000000000000000000003'), undefined);
  });

  it('answers a kept copy it cannot read with nothing, and stays up', async () => {
    assert.equal(await worker.restoreTrace(new TextEncoder().encode('{"format":1}\n{')), undefined);
    assert.equal(await worker.restoreTrace(new TextEncoder().encode('not a document')), undefined);
    assert.ok(await worker.getTraceView(traceId));
  });
});

describe('a trace past what the trace view draws, in a real worker', () => {
  let worker: IngestWorker;
  let httpPort: number;
  // One root and 200,000 calls below it: one more span than the trace view draws (the store allows it here).
  const wide = deepChain(DRAW_LIMITS.maxSpans + 1, 7).map((span, i) => (i < 2 ? span : { ...span, parentSpanId: '0000000000000001' }));
  const traceId = wide[0]!.traceId;

  before(async () => {
    worker = new IngestWorker({ ...DEFAULT_INGEST_CONFIG, httpPort: 0, grpcPort: 0, settleMs: 200, maxSpans: 250_000 }, { runner: 'test', version: '0.0.0', workerPath: 'dist/worker.js' });
    httpPort = (await worker.ready).http.port;
    for (let from = 0; from < wide.length; from += 25_000) {
      const reply = await request(httpPort, 'POST', '/v1/traces', toOtlpJson(wide.slice(from, from + 25_000)), { 'Content-Type': 'application/json' });
      assert.equal(reply.status, 200);
    }
  });
  after(() => worker.stop());

  it('answers the panel and /api/traces/{id}/view with why it is not drawn, and goes on drawing others', async () => {
    const why = 'it has 200,001 spans, and the trace view draws traces of at most 200,000';
    assert.deepEqual(await worker.getTraceView(traceId), { undrawable: why });
    const reply = await request(httpPort, 'GET', `/api/traces/${traceId}/view`);
    assert.equal(reply.status, 422);
    assert.deepEqual(JSON.parse(reply.text), { code: 9, message: `trace ${traceId} is too large to draw: ${why}`, undrawable: why });
    assert.deepEqual(await fetchRemoteTraceView('127.0.0.1', httpPort, traceId), { undrawable: why }, 'a window following this one says the same');
    const small = drawn.spans.map((span) => ({ ...span, traceId: '3c0000000000000000000000000000aa' }));
    assert.equal((await request(httpPort, 'POST', '/v1/traces', toOtlpJson(small), { 'Content-Type': 'application/json' })).status, 200);
    assert.equal(readTraceHead(bytes(await worker.getTraceView('3c0000000000000000000000000000aa'))).spans, 3);
  });
});
