/**
 * What a trace panel draws is built in the ingest worker, once per trace
 * version, and handed to the extension host (or to a window following over
 * the API) as it is: the host's thread does not rebuild or re-analyse traces.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { DEFAULT_ANALYSIS_SETTINGS } from '../../src/analysis/settings';
import { DEFAULT_INGEST_CONFIG } from '../../src/ingest/ingest-config';
import { IngestWorker } from '../../src/ingest/ingest-worker';
import { TraceStore } from '../../src/ingest/trace-store';
import { TraceViews } from '../../src/ingest/trace-views';
import { toTraceView } from '../../src/protocol/trace-view';
import { request } from '../support/http-client';
import { shopTrace } from '../support/otel-trace';
import { timeline } from '../support/timeline';

const drawn = timeline(`
  gateway | POST /orders | server | 0-100
    gateway | POST | client | 1-99 | peer.service=orders
      orders | POST /orders | server | 2-98
`);

describe('the views of stored traces', () => {
  it('builds a trace\'s view once while it does not change, and again when a span arrives', () => {
    const store = new TraceStore();
    store.add(drawn.spans.slice(0, 2));
    const views = new TraceViews(store);
    const traceId = drawn.spans[0]!.traceId;
    const first = views.get(traceId)!;
    assert.equal(views.get(traceId), first, 'the same view, not built again');
    assert.equal(first.nodes.length, 2);
    store.add(drawn.spans.slice(2));
    const grown = views.get(traceId)!;
    assert.notEqual(grown, first);
    assert.deepEqual(grown, toTraceView(traceId, store.get(traceId)!.spans, [], undefined));
    assert.equal(views.get('f'.repeat(32)), undefined);
  });

  it('builds the views again when the analysis settings change', () => {
    const store = new TraceStore();
    store.add(drawn.spans);
    const views = new TraceViews(store);
    const traceId = drawn.spans[0]!.traceId;
    const before = views.get(traceId)!;
    views.setSettings({ ...DEFAULT_ANALYSIS_SETTINGS, longSyncCallUs: 1 });
    assert.notEqual(views.get(traceId), before);
  });
});

describe('the worker\'s trace views', () => {
  let worker: IngestWorker;
  let httpPort: number;
  const traceId = '3c000000000000000000000000000001';

  before(async () => {
    worker = new IngestWorker({ ...DEFAULT_INGEST_CONFIG, httpPort: 0, grpcPort: 0, settleMs: 200 }, { runner: 'test', version: '0.0.0', workerPath: 'dist/worker.js' });
    httpPort = (await worker.ready).http.port;
    const reply = await request(httpPort, 'POST', '/v1/traces', ProtobufTraceSerializer.serializeRequest(await shopTrace(traceId))!, { 'Content-Type': 'application/x-protobuf' });
    assert.equal(reply.status, 200);
  });
  after(() => worker.stop());

  it('answers the host with the view the worker built: nodes, labels and analysis', async () => {
    const view = (await worker.getTraceView(traceId))!;
    const trace = (await worker.getTrace(traceId))!;
    assert.deepEqual(view, toTraceView(traceId, trace.spans, trace.logs, DEFAULT_INGEST_CONFIG.analysis));
    assert.equal(await worker.getTraceView('f'.repeat(32)), undefined);
  });

  it('serves the same view to a following window at /api/traces/{id}/view, and 404 for a trace it does not hold', async () => {
    const reply = await request(httpPort, 'GET', `/api/traces/${traceId}/view`);
    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(reply.text), await worker.getTraceView(traceId));
    assert.equal((await request(httpPort, 'GET', `/api/traces/${'f'.repeat(32)}/view`)).status, 404);
  });

  it('takes a kept copy back after a restart, merged by span id with what arrived since, and answers with its view', async () => {
    const kept = timeline(`
      web | GET / | server | 0-50
        web | GET | client | 1-40 | peer.service=api
    `);
    const spans = kept.spans.map((s) => ({ ...s, traceId: '3c000000000000000000000000000002' }));
    const view = (await worker.restoreTrace({ traceId: spans[0]!.traceId, spans, logs: [] }))!;
    assert.equal(view.nodes.length, 2);
    const again = (await worker.restoreTrace({ traceId: spans[0]!.traceId, spans, logs: [] }))!;
    assert.equal(again.nodes.length, 2, 'the same spans twice are one trace, not two copies');
  });
});
