/**
 * The journal's promise, end to end: `hopscope serve --data-dir` answers 200 only for what it has
 * journaled, so after a kill -9 under load and a restart on the same folder, every span that got a 200 is
 * there again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { IngestStats } from '../../src/ingest/ingest-core';
import { shopTrace } from '../support/otel-trace';
import { serve, type Served } from '../support/serve-process';

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'hopscope-serve-journal-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

const api = async <T>(served: Served, path: string): Promise<T> => {
  const res = await fetch(`http://127.0.0.1:${served.httpPort}${path}`, { signal: AbortSignal.timeout(30_000) });
  return (await res.json()) as T;
};

/** Waits until the receiver has read its journal back. */
async function restored(served: Served): Promise<IngestStats> {
  for (let i = 0; i < 600; i++) {
    const stats = await api<IngestStats>(served, '/api/stats');
    assert.ok(stats.journal, 'the receiver keeps a journal');
    if (!stats.journal.restoring) return stats;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the journal was not restored within 60 s');
}

const traceId = (n: number) => `7a${n.toString(16).padStart(30, '0')}`;

describe('hopscope serve --data-dir', () => {
  let sdkSpans: ReadableSpan[];
  before(async () => (sdkSpans = await shopTrace(traceId(0))));

  it('says where it keeps traces, and restores them after a clean stop with the same summaries', async () => {
    const folder = join(dir, 'clean');
    const first = await serve(['--http-port', '0', '--grpc-port', '0', '--data-dir', folder]);
    try {
      assert.equal((await restored(first)).spansStored, 0);
      const body = ProtobufTraceSerializer.serializeRequest(await shopTrace(traceId(1)))!;
      const res = await fetch(`http://127.0.0.1:${first.httpPort}/v1/traces`, { method: 'POST', body: body as Uint8Array<ArrayBuffer>, headers: { 'Content-Type': 'application/x-protobuf' } });
      assert.equal(res.status, 200);
      await new Promise((r) => setTimeout(r, 600));
    } finally {
      assert.equal(await first.stop(), 0);
    }
    const before = await (async () => {
      const again = await serve(['--http-port', '0', '--grpc-port', '0', '--data-dir', folder]);
      try {
        const stats = await restored(again);
        assert.equal(stats.journal!.restoredSpans, sdkSpans.length);
        assert.equal(stats.spansStored, sdkSpans.length);
        const trace = await api<{ spans: unknown[] }>(again, `/api/traces/${traceId(1)}`);
        assert.equal(trace.spans.length, sdkSpans.length);
        return await api<{ traces: { traceId: string; spanCount: number; rootName: string; durationUs: number }[] }>(again, '/api/traces');
      } finally {
        await again.stop();
      }
    })();
    assert.deepEqual(before.traces.map((t) => [t.traceId, t.spanCount, t.rootName]), [[traceId(1), sdkSpans.length, 'GET /orders']]);
  });

  it('after a kill -9 under load, every span that got a 200 is there again', async () => {
    const folder = join(dir, 'killed');
    const served = await serve(['--http-port', '0', '--grpc-port', '0', '--data-dir', folder]);
    const accepted = new Set<string>();
    let sent = 0;
    let stop = false;
    // Four senders, each posting one whole trace per request as fast as the receiver answers.
    const sender = async (lane: number) => {
      for (let n = 0; !stop; n++) {
        const id = traceId(1000 + lane * 100_000 + n);
        const body = ProtobufTraceSerializer.serializeRequest(await shopTrace(id))!;
        sent++;
        try {
          const res = await fetch(`http://127.0.0.1:${served.httpPort}/v1/traces`, { method: 'POST', body: body as Uint8Array<ArrayBuffer>, headers: { 'Content-Type': 'application/x-protobuf' } });
          if (res.status === 200) accepted.add(id);
          await res.arrayBuffer();
        } catch {
          // The receiver was killed while this request was in flight: no 200, no promise.
        }
      }
    };
    const senders = [0, 1, 2, 3].map(sender);
    while (accepted.size < 150) await new Promise((r) => setTimeout(r, 20));
    served.child.kill('SIGKILL');
    await new Promise((r) => served.child.once('exit', r));
    stop = true;
    await Promise.all(senders);
    assert.ok(sent > accepted.size, 'some requests were in flight when it died');

    const again = await serve(['--http-port', '0', '--grpc-port', '0', '--data-dir', folder]);
    try {
      const stats = await restored(again);
      const stored = new Set((await api<{ traces: { traceId: string; spanCount: number }[] }>(again, '/api/traces')).traces.filter((t) => t.spanCount === sdkSpans.length).map((t) => t.traceId));
      const missing = [...accepted].filter((id) => !stored.has(id));
      assert.deepEqual(missing, [], `${missing.length} of ${accepted.size} accepted traces are missing after the restart (${stats.journal!.restoredSpans} spans restored, ${stats.journal!.damaged} damaged stretches)`);
      assert.ok(stats.journal!.restoredSpans >= accepted.size * sdkSpans.length);
    } finally {
      await again.stop();
    }
  });
});
