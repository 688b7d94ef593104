/**
 * The worker boundary: servers, decoding and the store run in a worker_thread;
 * the host side only ever receives small, throttled summaries.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { DEFAULT_INGEST_CONFIG } from '../../src/ingest/ingest-config';
import { IngestStartError, IngestWorker, type WorkerUpdate } from '../../src/ingest/ingest-worker';
import { UPDATE_INTERVAL_MS } from '../../src/ingest/worker-protocol';
import { readTraceView } from '../../src/views/trace-document';
import type { TraceDocument } from '../../src/protocol/trace-document';
import { shopTrace } from '../support/otel-trace';
import { request } from '../support/http-client';
import { eventually } from '../support/free-port';
import { nPlusOneQueries } from '../support/shop-drawings';
import { toOtlpJson } from '../support/timeline';

const WORKER = 'dist/worker.js';

async function drawable(answer: Promise<TraceDocument | undefined>): Promise<Uint8Array> {
  const document = await answer;
  assert.ok(document instanceof Uint8Array, `a trace document, not ${JSON.stringify(document)}`);
  return document;
}
const options = { runner: 'test', version: '0.0.0', workerPath: WORKER };
const SUMMARY_KEYS = ['traceId', 'rootService', 'rootName', 'spanCount', 'startUs', 'durationUs', 'rootDurationUs', 'rootStatus', 'errorCount', 'services', 'settled', 'logCount'];

describe('the ingest worker', () => {
  let worker: IngestWorker;
  let httpPort: number;
  const updates: { at: number; update: WorkerUpdate }[] = [];

  before(async () => {
    worker = new IngestWorker({ ...DEFAULT_INGEST_CONFIG, httpPort: 0, grpcPort: 0, settleMs: 200 }, options);
    worker.onUpdate((update) => updates.push({ at: performance.now(), update }));
    httpPort = (await worker.ready).http.port;
  });
  after(() => worker.stop());

  it('sends the host only trace summaries, never spans, and at most one update per interval', async () => {
    const started = performance.now();
    for (let i = 0; i < 40; i++) {
      const traceId = (0x2b000000 + i).toString(16).padStart(32, '0');
      const reply = await request(httpPort, 'POST', '/v1/traces', ProtobufTraceSerializer.serializeRequest(await shopTrace(traceId)), { 'Content-Type': 'application/x-protobuf' });
      assert.equal(reply.status, 200);
    }
    while (!updates.some(({ update }) => update.stats.tracesStored === 40)) await new Promise((resolve) => setTimeout(resolve, 20));
    const elapsed = performance.now() - started;
    for (const { update } of updates) {
      for (const summary of update.changed) assert.deepEqual(Object.keys(summary).filter((k) => k !== 'headline').sort(), [...SUMMARY_KEYS].sort());
      assert.ok(!('spans' in update));
    }
    // Throttled: never more than one update per interval (plus the one in flight at each end).
    assert.ok(updates.length <= Math.ceil(elapsed / UPDATE_INTERVAL_MS) + 2, `${updates.length} updates in ${elapsed.toFixed(0)} ms`);
    const seen = new Set(updates.flatMap(({ update }) => update.changed.map((s) => s.traceId)));
    assert.equal(seen.size, 40);
  });

  it('carries the analysis headline of a settled trace: duration, hops, failure origin, findings', async () => {
    const traceId = (0x2b000003).toString(16).padStart(32, '0');
    const settled = () => updates.flatMap(({ update }) => update.changed).find((s) => s.traceId === traceId && s.settled && s.headline);
    const { headline, durationUs } = await eventually(settled);
    assert.ok(headline!.durationUs > 0 && headline!.durationUs <= durationUs);
    assert.equal(headline!.hops, 1, 'gateway → orders; email consumes a message, off the blocking chain');
    assert.equal(headline!.failureOrigin?.service, 'orders');
    assert.equal(headline!.findings, 0, 'the shop trace breaks no rule');
  });

  it('counts in the headline the findings the trace view lists', async () => {
    const traceId = (0x2c000001).toString(16).padStart(32, '0');
    const spans = nPlusOneQueries.spans.map((span) => ({ ...span, traceId }));
    assert.equal((await request(httpPort, 'POST', '/v1/traces', toOtlpJson(spans), { 'Content-Type': 'application/json' })).status, 200);
    const { headline } = await eventually(() => updates.flatMap(({ update }) => update.changed).find((s) => s.traceId === traceId && s.settled && s.headline));
    const view = readTraceView(await drawable(worker.getTraceView(traceId)));
    assert.ok(view.analysis.findings.some((f) => f.rule === 'n-plus-one'), view.analysis.findings.map((f) => f.rule).join());
    assert.equal(headline!.findings, view.analysis.findings.length);
  });

  it('reports a trace as settled once it has been quiet, with all its spans, and it stays settled', async () => {
    const traceId = (0x2b000000).toString(16).padStart(32, '0');
    const summaries = () => updates.flatMap(({ update }) => update.changed).filter((s) => s.traceId === traceId);
    const settled = await eventually(() => summaries().find((s) => s.settled));
    assert.equal(settled.spanCount, (await shopTrace()).length);
    assert.equal(summaries().at(-1)!.settled, true, 'nothing arrived since: no later summary unsettles it');
  });

  it('hands the host a whole trace when asked, and nothing for an unknown id', async () => {
    const trace = await worker.getTrace((0x2b000001).toString(16).padStart(32, '0'));
    assert.equal(trace?.spans.length, (await shopTrace()).length);
    assert.equal(await worker.getTrace('f'.repeat(32)), undefined);
  });

  it('answers a trace query with the ids of the traces it picks, and a bad one with its column', async () => {
    const all = await worker.queryTraces('service:gateway');
    assert.ok(all?.ok);
    assert.equal(new Set(all.traceIds).size, 40);
    assert.deepEqual(await worker.queryTraces('service:nobody'), { ok: true, traceIds: [], unchecked: 0 });
    const bad = await worker.queryTraces('duration>1 second');
    assert.deepEqual(bad && !bad.ok && bad.error.column, 11);
  });

  it('clears every trace on request and says which went', async () => {
    const stored = updates.at(-1)!.update.stats.tracesStored;
    assert.equal(stored, 41, 'the 40 shop traces and the N+1 one');
    const before = updates.length;
    worker.clear();
    const cleared = await eventually(() => updates.slice(before).find(({ update }) => update.removed.length > 0)?.update);
    assert.equal(cleared.stats.tracesStored, 0);
    assert.equal(cleared.removed.length, stored);
  });
});

describe('starting the ingest worker', () => {
  it('fails with the port and what to change when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const worker = new IngestWorker({ ...DEFAULT_INGEST_CONFIG, httpPort: port, grpcPort: 0, portHints: { http: 'the hopscope.receiver.httpPort setting', grpc: 'x' } }, options);
    try {
      await assert.rejects(worker.ready, (error: unknown) => {
        assert.ok(error instanceof IngestStartError);
        assert.equal(error.reason, 'port-in-use');
        assert.equal(error.port, port);
        assert.match(error.message, /hopscope\.receiver\.httpPort setting/);
        return true;
      });
    } finally {
      await worker.stop();
      blocker.close();
    }
  });

  it('refuses settings that make no sense, naming each', async () => {
    const worker = new IngestWorker({ ...DEFAULT_INGEST_CONFIG, httpPort: 70000, maxSpans: 0 }, options);
    await assert.rejects(worker.ready, /httpPort must be a whole number from 0 to 65535, not 70000.*maxSpans must be a whole number of at least 1, not 0/);
    await worker.stop();
  });

  it('frees its ports when stopped', async () => {
    const worker = new IngestWorker({ ...DEFAULT_INGEST_CONFIG, httpPort: 0, grpcPort: 0 }, options);
    const { http } = await worker.ready;
    await worker.stop();
    await assert.rejects(request(http.port, 'GET', '/api/stats'), /ECONNREFUSED/);
  });
});
