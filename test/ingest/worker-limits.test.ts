/**
 * Issue 13, the worker's side: what an attacker on the loopback port found
 * and what the worker does now. Real worker, real sockets; figures (memory,
 * latencies) are recorded as diagnostics, never asserted against a clock.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_INGEST_CONFIG } from '../../src/ingest/ingest-config';
import { IngestWorker } from '../../src/ingest/ingest-worker';
import type { IngestStats } from '../../src/ingest/ingest-core';
import { request } from '../support/http-client';

const options = { runner: 'test', version: '0.0.0', workerPath: 'dist/worker.js' };
const MiB = 1024 * 1024;
const traceId = (i: number) => (0xd0000000 + i).toString(16).padStart(32, '0');

interface TestSpan {
  traceId: string;
  spanId?: string;
  attributes?: Record<string, string>;
}

/** An OTLP/JSON traces request. */
function tracesBody(spans: TestSpan[]): string {
  return JSON.stringify({
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'limits' } }] },
      scopeSpans: [{
        scope: { name: 'test' },
        spans: spans.map((s, i) => ({
          traceId: s.traceId, spanId: s.spanId ?? (i + 1).toString(16).padStart(16, '0'), name: 'GET /things', kind: 2,
          startTimeUnixNano: '1763900000000000000', endTimeUnixNano: '1763900000005000000',
          attributes: Object.entries(s.attributes ?? {}).map(([key, value]) => ({ key, value: { stringValue: value } })),
        })),
      }],
    }],
  });
}

function logsBody(traceIds: string[]): string {
  return JSON.stringify({
    resourceLogs: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'limits' } }] },
      scopeLogs: [{ scope: { name: 'test' }, logRecords: traceIds.map((id) => ({ timeUnixNano: '1763900000001000000', severityNumber: 9, body: { stringValue: 'a log line' }, traceId: id, spanId: '0000000000000001' })) }],
    }],
  });
}

const post = (port: number, path: string, body: string) => request(port, 'POST', path, body, { 'Content-Type': 'application/json' });
const stats = async (port: number) => JSON.parse((await request(port, 'GET', '/api/stats')).text) as IngestStats;

async function timedPost(port: number, body: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const reply = await post(port, '/v1/traces', body);
  return { status: reply.status, ms: performance.now() - started };
}

/** An event-stream client that connects and then never reads a byte. */
function stuckClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`);
      socket.pause();
      resolve(socket);
    });
    socket.on('error', reject);
  });
}

async function fillStore(port: number, traces: number): Promise<void> {
  for (let first = 0; first < traces; first += 500) {
    const reply = await post(port, '/v1/traces', tracesBody(Array.from({ length: Math.min(500, traces - first) }, (_, i) => ({ traceId: traceId(first + i) }))));
    assert.equal(reply.status, 200);
  }
}

describe('the worker under the attacks of issue 13', () => {
  let worker: IngestWorker;
  let port: number;

  before(async () => {
    worker = new IngestWorker({ ...DEFAULT_INGEST_CONFIG, httpPort: 0, grpcEnabled: false }, options);
    port = (await worker.ready).http.port;
  });
  after(() => worker.stop());

  it('takes 54 one-span requests with a 19 MiB attribute: all 200, each cut, the worker alive and within its budget', async (t) => {
    const blob = 'x'.repeat(19 * MiB);
    for (let i = 0; i < 54; i++) {
      const reply = await post(port, '/v1/traces', tracesBody([{ traceId: traceId(100_000 + i), attributes: { blob } }]));
      assert.equal(reply.status, 200, reply.text);
    }
    const after = await stats(port);
    assert.equal(after.tracesStored, 54);
    assert.equal(after.valuesTruncated, 54);
    assert.ok(after.bytesStored <= after.maxStoreBytes);
    const trace = JSON.parse((await request(port, 'GET', `/api/traces/${traceId(100_053)}`)).text) as { spans: { attributes: { blob: string } }[] };
    assert.equal(trace.spans[0]!.attributes.blob, `${'x'.repeat(64 * 1024)}…[truncated ${19 * MiB - 64 * 1024} bytes]`);
    t.diagnostic(`store ${(after.bytesStored / MiB).toFixed(1)} MiB estimated; worker heap in use ${(after.heapUsedBytes / MiB).toFixed(0)} MiB (54 × 19 MiB = ${54 * 19} MiB sent)`);
    assert.ok(after.heapUsedBytes < after.maxStoreBytes + 128 * MiB, `worker heap ${after.heapUsedBytes} bytes`);
  });

  it('files 2,000 log records of unknown traces aside: nothing evicted, each joins its trace when it comes', async () => {
    worker.clear();
    await fillStore(port, 2_000);
    const before = await stats(port);
    assert.equal(before.tracesStored, 2_000);
    const unknown = Array.from({ length: 2_000 }, (_, i) => traceId(200_000 + i));
    assert.equal((await post(port, '/v1/logs', logsBody(unknown))).status, 200);
    const afterLogs = await stats(port);
    assert.deepEqual([afterLogs.tracesStored, afterLogs.tracesEvicted - before.tracesEvicted, afterLogs.logsPending], [2_000, 0, 2_000]);
    const listed = JSON.parse((await request(port, 'GET', '/api/traces')).text) as { traces: unknown[] };
    assert.equal(listed.traces.length, 2_000);
    assert.equal((await post(port, '/v1/traces', tracesBody([{ traceId: unknown[42]! }]))).status, 200);
    const joined = JSON.parse((await request(port, 'GET', `/api/traces/${unknown[42]}`)).text) as { logs: { body: string }[] };
    assert.deepEqual(joined.logs.map((l) => l.body), ['a log line']);
  });

  it('keeps a client that stops reading from growing the worker: its updates are coalesced, and a POST still gets 200', async (t) => {
    const stuck = await stuckClient(port);
    try {
      const heapBefore = (await stats(port)).heapUsedBytes;
      // Every trace changes over and over: ≈ 700 KB of updates a round, far more than the socket buffers hold.
      for (let round = 0; round < 20; round++) {
        for (let first = 0; first < 2_000; first += 500) {
          await post(port, '/v1/traces', tracesBody(Array.from({ length: 500 }, (_, i) => ({ traceId: traceId(first + i), spanId: (0x1000 + round).toString(16).padStart(16, '0') }))));
        }
        await new Promise((resolve) => setTimeout(resolve, 110)); // let an update go out
      }
      const valid = await timedPost(port, tracesBody([{ traceId: traceId(300_000) }]));
      assert.equal(valid.status, 200);
      const now = await stats(port);
      t.diagnostic(`stuck client: ${(now.eventBytesQueued / 1024).toFixed(0)} KiB queued for it, ${now.eventUpdatesCoalesced} updates coalesced, worker heap ${(heapBefore / MiB).toFixed(0)} → ${(now.heapUsedBytes / MiB).toFixed(0)} MiB; a valid POST took ${valid.ms.toFixed(1)} ms`);
      assert.ok(now.eventUpdatesCoalesced > 0, 'the client fell behind and was coalesced');
      assert.ok(now.eventBytesQueued <= 16 * MiB, `${now.eventBytesQueued} bytes queued`);
    } finally {
      stuck.destroy();
    }
  });

  it('answers a valid POST with 200 after 2,000 event-stream connects to a full store', async (t) => {
    const sockets: Socket[] = [];
    const started = performance.now();
    try {
      for (let i = 0; i < 2_000; i += 100) sockets.push(...(await Promise.all(Array.from({ length: 100 }, () => stuckClient(port)))));
      const connectsMs = performance.now() - started;
      const valid = await timedPost(port, tracesBody([{ traceId: traceId(300_001) }]));
      assert.equal(valid.status, 200);
      const now = await stats(port);
      t.diagnostic(`2,000 connects in ${connectsMs.toFixed(0)} ms (${now.eventClients} streaming, ${now.eventClientsDropped} refused or dropped); then a valid POST took ${valid.ms.toFixed(1)} ms; worker heap ${(now.heapUsedBytes / MiB).toFixed(0)} MiB`);
      assert.ok(now.tracesStored >= 2_000);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });
});
