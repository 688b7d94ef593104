/**
 * The ingest worker's analysis thread, in a real worker: receiving never waits
 * for an analysis, and a dead analysis thread is started again while the
 * receiver stays up. Deterministic: the analysis thread is held inside an
 * analysis by a test hook (a SharedArrayBuffer it waits on), not timed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deepChain } from '../../bench/deep';
import { DEFAULT_INGEST_CONFIG } from '../../src/ingest/ingest-config';
import { IngestWorker, type WorkerUpdate } from '../../src/ingest/ingest-worker';
import type { SpanRecord } from '../../src/model/span';
import { eventually } from '../support/free-port';
import { request } from '../support/http-client';
import { timeline, toOtlpJson } from '../support/timeline';

const small = (n: number): SpanRecord[] => {
  const traceId = (0x5a000000 + n).toString(16).padStart(32, '0');
  return timeline(`
    shop | GET /cart | server | 0-30
      shop | shop → stock | client | 5-25
        stock | GET /stock | server | 6-24
  `).spans.map((span) => ({ ...span, traceId }));
};

describe('the ingest worker\'s analysis thread', () => {
  let worker: IngestWorker;
  let httpPort: number;
  const updates: WorkerUpdate[] = [];
  const logs: string[] = [];
  const post = async (spans: SpanRecord[]) => (await request(httpPort, 'POST', '/v1/traces', toOtlpJson(spans), { 'Content-Type': 'application/json' })).status;
  const headlineOf = (traceId: string) => updates.flatMap((u) => u.changed).find((s) => s.traceId === traceId && s.headline)?.headline;

  before(async () => {
    process.env.HOPSCOPE_TEST_HOOKS = '1';
    try {
      worker = new IngestWorker({ ...DEFAULT_INGEST_CONFIG, httpPort: 0, grpcPort: 0, settleMs: 200 }, { runner: 'test', version: '0.0.0', workerPath: 'dist/worker.js' });
    } finally {
      delete process.env.HOPSCOPE_TEST_HOOKS;
    }
    worker.onUpdate((update) => updates.push(update));
    worker.onLog((entry) => logs.push(entry.message));
    httpPort = (await worker.ready).http.port;
  });
  after(() => worker.stop());

  it('answers valid requests while a 10,000-deep chain is being analysed, and brings its headline when the analysis ends', async () => {
    const signal = new Int32Array(new SharedArrayBuffer(8));
    worker.holdAnalysisForTest(signal);
    const deep = deepChain(10_000, 91);
    assert.equal(await post(deep), 200);
    // The analysis thread has begun the deep chain's analysis (the first trace it got) and waits inside it.
    await eventually(() => Atomics.load(signal, 1) === 1 || undefined);

    const waiting = small(1);
    assert.equal(await post(waiting), 200, 'a valid POST is answered meanwhile');
    const listed = await eventually(async () => {
      const traces = (JSON.parse((await request(httpPort, 'GET', '/api/traces')).body.toString()) as { traces: { traceId: string }[] }).traces;
      return traces.length === 2 ? traces : undefined;
    });
    assert.deepEqual(listed.map((t) => t.traceId).sort(), [deep[0]!.traceId, waiting[0]!.traceId].sort());
    assert.equal((await request(httpPort, 'GET', '/api/stats')).status, 200);
    const sites = worker.getCallSites(); // answered once the analysis thread is free again
    assert.equal(headlineOf(deep[0]!.traceId), undefined, 'no headline while its analysis is held');

    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
    const headline = await eventually(() => headlineOf(deep[0]!.traceId));
    assert.equal(headline.hops, 4_999, '5,000 calls between two services');
    assert.ok((await sites)!.traces >= 1);
    await eventually(() => headlineOf(waiting[0]!.traceId));
  });

  it('keeps receiving when the analysis thread dies, logs why, and sends the stored traces to the one started again', async () => {
    worker.crashAnalysisForTest();
    await eventually(() => logs.find((line) => /the analysis thread stopped .*crash requested by a test/s.test(line)));
    const during = small(2);
    assert.equal(await post(during), 200, 'the receiver stays up');
    await eventually(() => logs.find((line) => line.includes('the analysis thread is back')));
    await eventually(() => headlineOf(during[0]!.traceId));
    const sites = await eventually(async () => {
      const view = await worker.getCallSites();
      return view && view.traces === 3 ? view : undefined;
    });
    assert.equal(sites.traces, 3, 'the traces stored before the restart are analysed again');
  });
});
