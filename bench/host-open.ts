/**
 * The extension host's main-thread time to open a 10,000-span trace, doing
 * what trace-panel.ts does: take the trace document the worker built
 * (transferred), read its head, place its code-place lists in a workspace,
 * and post it to the webview (VS Code serialises the message around the
 * bytes and copies them once into its IPC). Spans name 160 distinct lines
 * in 8 workspace files, as a service's instrumented calls do.
 * Beside it, the peer: the host building and analysing the view itself from
 * the trace's spans and serialising it as JSON (what every panel refresh did
 * before the worker built views).
 * Main-thread time is measured as the event loop's active time while it waits.
 * Usage: node dist/bench/host-open.js <workerPath>   (prints JSON)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_INGEST_CONFIG } from '../src/ingest/ingest-config';
import { IngestWorker } from '../src/ingest/ingest-worker';
import { readTraceHead } from '../src/views/trace-document';
import { toTraceView } from '../src/views/trace-view';
import { SourceLocator } from '../src/source/locator';
import { syntheticTrace } from './synthetic';
import { toOtlpJson } from '../test/support/timeline';

async function activeMs<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const before = performance.eventLoopUtilization();
  const value = await work();
  const used = performance.eventLoopUtilization(before);
  return { ms: used.active, value };
}

/** What VS Code's webview postMessage does on the host's thread with a message holding bytes: JSON around them, one copy. */
function postToWebview(message: { type: string; document: Uint8Array; places: (string | null)[] }): number {
  const envelope = JSON.stringify({ ...message, document: { $$vscode_array_buffer_reference$$: 0 } });
  return envelope.length + Buffer.from(message.document).length;
}

async function main(): Promise<void> {
  const workerPath = process.argv[2] ?? 'dist/worker.js';
  const workspace = mkdtempSync(join(tmpdir(), 'hopscope-bench-ws-'));
  mkdirSync(join(workspace, 'src'));
  for (let f = 0; f < 8; f++) writeFileSync(join(workspace, 'src', `service-${f}.ts`), '// code\n'.repeat(200));
  const spans = syntheticTrace(7, 10_000).map((span, i) => (span.kind === 'client' ? { ...span, attributes: { ...span.attributes, 'code.file.path': `/app/src/service-${i % 8}.ts`, 'code.line.number': 10 + (i % 20) } } : span));
  const worker = new IngestWorker({ ...DEFAULT_INGEST_CONFIG, httpPort: 0, grpcPort: 0, settleMs: 100 }, { runner: 'bench', version: '0', workerPath });
  const { http } = await worker.ready;
  const res = await fetch(`http://127.0.0.1:${http.port}/v1/traces`, { method: 'POST', body: toOtlpJson(spans), headers: { 'Content-Type': 'application/json' } });
  if (res.status !== 200) throw new Error(`the bench trace was refused: ${res.status}`);
  const traceId = spans[0]!.traceId;
  const ours: number[] = [];
  const peer: number[] = [];
  let placed = 0;
  for (let round = 0; round < 7; round++) {
    // A new window's locator each round: nothing resolved before.
    const locator = new SourceLocator([{ name: 'app', path: workspace }], { mappings: [{ from: '/app', to: workspace }] });
    ours.push((await activeMs(async () => {
      const document = await worker.getTraceView(traceId);
      if (!(document instanceof Uint8Array)) throw new Error(`no document for trace ${traceId}`);
      const head = readTraceHead(document);
      const places = await locator.placesOf(head.places);
      placed = places.filter(Boolean).length;
      return postToWebview({ type: 'trace', document, places: places.map((p) => p?.label ?? null) });
    })).ms);
    peer.push((await activeMs(async () => {
      const trace = (await worker.getTrace(traceId))!;
      const view = toTraceView(traceId, trace.spans, trace.logs)!;
      await new SourceLocator([{ name: 'app', path: workspace }], { mappings: [{ from: '/app', to: workspace }] }).locateAll(view.spans, view.nodes);
      return JSON.stringify(view).length;
    })).ms);
  }
  await worker.stop();
  rmSync(workspace, { recursive: true, force: true });
  if (placed === 0) throw new Error('no place of the bench trace was found in its workspace');
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(JSON.stringify({ spans: spans.length, places: placed, oursMs: median(ours), peerMs: median(peer), oursRuns: ours }));
}

void main();
