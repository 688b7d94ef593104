/**
 * The extension host's main-thread time to open a 10,000-span trace: the
 * worker builds the view, the host receives it (the message is deserialised
 * on its thread) and serialises it again for the webview, as postMessage does.
 * Beside it, the peer: the host building and analysing the view itself from
 * the trace's spans (what every panel refresh did before).
 * Main-thread time is measured as the event loop's active time while it waits.
 * Usage: node dist/bench/host-open.js <workerPath>   (prints JSON)
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_INGEST_CONFIG } from '../src/ingest/ingest-config';
import { IngestWorker } from '../src/ingest/ingest-worker';
import { toTraceView } from '../src/protocol/trace-view';
import { syntheticTrace } from './synthetic';
import { toOtlpJson } from '../test/support/timeline';

async function activeMs<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const before = performance.eventLoopUtilization();
  const value = await work();
  const used = performance.eventLoopUtilization(before);
  return { ms: used.active, value };
}

async function main(): Promise<void> {
  const workerPath = process.argv[2] ?? 'dist/worker.js';
  const worker = new IngestWorker({ ...DEFAULT_INGEST_CONFIG, httpPort: 0, grpcPort: 0, settleMs: 100 }, { runner: 'bench', version: '0', workerPath });
  const { http } = await worker.ready;
  const spans = syntheticTrace(7, 10_000);
  const res = await fetch(`http://127.0.0.1:${http.port}/v1/traces`, { method: 'POST', body: toOtlpJson(spans), headers: { 'Content-Type': 'application/json' } });
  if (res.status !== 200) throw new Error(`the bench trace was refused: ${res.status}`);
  const traceId = spans[0]!.traceId;
  const ours: number[] = [];
  const peer: number[] = [];
  for (let round = 0; round < 7; round++) {
    ours.push((await activeMs(async () => JSON.stringify(await worker.getTraceView(traceId)).length)).ms);
    peer.push((await activeMs(async () => {
      const trace = (await worker.getTrace(traceId))!;
      return JSON.stringify(toTraceView(traceId, trace.spans, trace.logs)).length;
    })).ms);
  }
  await worker.stop();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(JSON.stringify({ spans: spans.length, oursMs: median(ours), peerMs: median(peer), oursRuns: ours }));
}

void main();
