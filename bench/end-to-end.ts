/**
 * End-to-end over loopback, with the load generator in another process:
 * spans/s accepted by our worker and by the peer receiver, per protocol; and
 * the event-loop delay (p99) of the host thread while the worker ingests at
 * full speed, beside a receiver running on that thread itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { apiHandler, PROGRAM_ID } from '../src/ingest/api-routes';
import { EventStream } from '../src/ingest/event-stream';
import { freshViews } from '../src/ingest/fresh-views';
import { DEFAULT_INGEST_CONFIG } from '../src/ingest/ingest-config';
import { IngestCore } from '../src/ingest/ingest-core';
import { IngestWorker } from '../src/ingest/ingest-worker';
import { startHttpReceiver } from '../src/ingest/http-receiver';

const [payloadDir, workerPath, seconds = '5'] = process.argv.slice(2) as [string, string, string?];
const MODES = ['http-protobuf', 'http-json', 'grpc'] as const;
type Mode = (typeof MODES)[number];

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited with ${code}`))));
  });
}

const load = async (mode: Mode, port: number) =>
  JSON.parse(await run(process.execPath, ['bench/loadgen.mjs', mode, String(port), payloadDir, seconds, '8'])) as { spansPerSecond: number; refused: number };

function startPeer(mode: Mode): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['dist/bench/peer-receiver.js', mode === 'grpc' ? 'grpc' : 'http'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => child.stdout.once('data', (c: Buffer) => resolve({ port: Number(c.toString().trim()), child })));
}

async function ours(mode: Mode): Promise<{ spansPerSecond: number; refused: number; hostDelayP99Ms?: number }> {
  const worker = new IngestWorker({ ...DEFAULT_INGEST_CONFIG, httpPort: 0, grpcPort: 0 }, { runner: 'bench', version: '0', workerPath });
  let updates = 0;
  worker.onUpdate(() => updates++); // the host does what the extension does: take the summaries
  const endpoints = await worker.ready;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const result = await load(mode, mode === 'grpc' ? endpoints.grpc!.port : endpoints.http.port);
  delay.disable();
  await worker.stop();
  return { ...result, hostDelayP99Ms: delay.percentile(99) / 1e6 };
}

async function peer(mode: Mode) {
  const { port, child } = await startPeer(mode);
  try {
    return await load(mode, port);
  } finally {
    child.kill();
  }
}

/** The same receiver on the measuring thread itself: what the host would suffer without the worker. */
async function onHostThread(): Promise<number> {
  const config = { ...DEFAULT_INGEST_CONFIG, httpPort: 0, grpcEnabled: false };
  const core = new IngestCore(config);
  const events = new EventStream();
  const receiver = await startHttpReceiver(config, core, apiHandler(config, core, events, () => ({ program: PROGRAM_ID, runner: 'bench', version: '0', pid: 0, endpoints: { http: { host: '', port: 0 }, grpc: null }, ...core.stats() }), freshViews(core.store)), () => undefined);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  await load('http-protobuf', receiver.port);
  delay.disable();
  events.close();
  await receiver.close();
  return delay.percentile(99) / 1e6;
}

/** The run with the median throughput of several. */
function median<T extends { spansPerSecond: number }>(runs: T[]): T {
  return [...runs].sort((a, b) => a.spansPerSecond - b.spansPerSecond)[Math.floor(runs.length / 2)]!;
}

const ROUNDS = 3;

void (async () => {
  const results: Record<string, unknown> = {};
  for (const mode of MODES) {
    // Interleaved rounds (ours, peer, ours, peer …): this machine's speed drifts, so both meet the same conditions.
    const oursRuns: Awaited<ReturnType<typeof ours>>[] = [];
    const peerRuns: Awaited<ReturnType<typeof peer>>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      oursRuns.push(await ours(mode));
      peerRuns.push(await peer(mode));
    }
    results[mode] = { ours: median(oursRuns), peer: median(peerRuns), oursRuns: oursRuns.map((r) => r.spansPerSecond) };
  }
  results.hostDelayWithReceiverOnHostThreadMs = await onHostThread();
  process.stdout.write(JSON.stringify(results));
})();
