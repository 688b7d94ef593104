/**
 * What the register module (dist/instrument.mjs → dist/instrument.js) costs an
 * app it is loaded into with `NODE_OPTIONS=--import=<its file URL>`:
 *
 * - per span: a CommonJS app makes CALLS sequential `http.request` calls to a
 *   local server (keep-alive, one socket), each a CLIENT span exported as
 *   OTLP/protobuf to a local sink; its time per call with tracing minus its
 *   time per call with no `--import` at all. Peer: "the SDK alone"
 *   (bench/sdk-alone.mjs: NodeSDK + HttpInstrumentation + BatchSpanProcessor,
 *   the same exporter; no call-site or started-span processor).
 * - start-up: wall time of `node -e 0` with the `--import` minus without.
 *   Peer: `@opentelemetry/auto-instrumentations-node/register`, the official
 *   way (its file in node_modules, as `--import` of the package name resolves it).
 *
 * The apps run in a temporary folder with no package.json (the register module
 * steps aside for an app whose package.json depends on an SDK, as this
 * repository's does), with no inspector (so no pause probe). Runs of the three
 * variants are interleaved so that they all meet the same machine; figures are
 * medians. The sink (in this process) answers 200 to every POST (an empty
 * response: no bytes to OTLP/protobuf, `{}` to OTLP/JSON) and counts the spans
 * each variant sent to /v1/traces (they tell whether any were dropped).
 *
 * Usage: node dist/bench/instrument.js [processes per variant, default 3] [start-up runs, default 7]
 * (after `node esbuild.mjs --production`). Prints JSON.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeTracesProto } from '../src/wire/otlp-proto-traces';

const CALLS = 2000;
const ROUNDS = 5;
const WARM_UP_CALLS = 2000;
const processes = Number(process.argv[2] ?? 3);
const startUpRuns = Number(process.argv[3] ?? 7);

const REGISTER = pathToFileURL(resolve('dist/instrument.mjs')).href;
const SDK_ALONE = pathToFileURL(resolve('bench/sdk-alone.mjs')).href;
const OFFICIAL = pathToFileURL(require.resolve('@opentelemetry/auto-instrumentations-node/register', { paths: [process.cwd()] })).href;

/** The app: warms up, then ROUNDS rounds of CALLS calls; prints µs per call of each round (wall and CPU). */
const APP = `
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const port = Number(process.env.TARGET_PORT);
const call = () => new Promise((resolve, reject) => {
  const req = http.request({ host: '127.0.0.1', port, path: '/charge', agent }, (res) => { res.resume(); res.on('end', resolve); });
  req.on('error', reject);
  req.end();
});
async function calls(n) { for (let i = 0; i < n; i++) await call(); }
(async () => {
  await calls(${WARM_UP_CALLS});
  const wallUs = [], cpuUs = [];
  for (let r = 0; r < ${ROUNDS}; r++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await calls(${CALLS});
    wallUs.push((performance.now() - start) * 1000 / ${CALLS});
    const used = process.cpuUsage(cpu);
    cpuUs.push((used.user + used.system) / ${CALLS});
  }
  agent.destroy();
  process.stdout.write(JSON.stringify({ wallUs, cpuUs }));
})();
`;

const median = (list: number[]): number => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;

function listen(server: Server): Promise<number> {
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done((server.address() as AddressInfo).port)));
}

/** Spans received per variant: each exports to its own path prefix, `/<variant>/v1/traces`. */
const received = new Map<string, number>();
const sink = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const match = /^\/([^/]+)\/v1\/traces$/.exec(req.url ?? '');
    if (match && req.headers['content-type'] === 'application/x-protobuf') {
      try {
        const spans = decodeTracesProto(Buffer.concat(chunks)).spans.length;
        received.set(match[1]!, (received.get(match[1]!) ?? 0) + spans);
      } catch {
        // Counted as not received.
      }
    }
    // An empty ExportTraceServiceResponse: `{}` as JSON, no bytes as protobuf (the exporter parses the answer as it sent).
    if (req.headers['content-type'] === 'application/x-protobuf') res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
const target = createServer({ keepAliveTimeout: 60_000 }, (_req, res) => res.end('charged'));

const dir = mkdtempSync(join(tmpdir(), 'hopscope-instrument-bench-'));
writeFileSync(join(dir, 'app.cjs'), APP);

function envFor(variant: string, sinkPort: number, preload: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // No inspector, no debug session: the pause probe does not start; no NODE_OPTIONS but ours.
  for (const name of ['NODE_OPTIONS', 'VSCODE_INSPECTOR_OPTIONS', 'OTEL_RESOURCE_ATTRIBUTES', 'HOPSCOPE_INSTRUMENT']) delete env[name];
  for (const name of Object.keys(env)) if (name.startsWith('OTEL_')) delete env[name];
  return {
    ...env,
    ...(preload ? { NODE_OPTIONS: `--import=${preload}` } : {}),
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}/${variant}`,
    OTEL_SERVICE_NAME: `bench-${variant}`,
  };
}

interface AppRun { wallUs: number[]; cpuUs: number[] }

function runApp(variant: string, sinkPort: number, targetPort: number, preload: string | undefined): Promise<AppRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['app.cjs'], { cwd: dir, env: { ...envFor(variant, sinkPort, preload), TARGET_PORT: String(targetPort) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => {
      if (code !== 0) return fail(new Error(`${variant} app exited with ${code}: ${err.trim()}`));
      try {
        done(JSON.parse(out) as AppRun);
      } catch {
        fail(new Error(`${variant} app printed no figures: ${out.slice(0, 200)} ${err.trim()}`));
      }
    });
  });
}

/** Wall time of one `node -e 0`, spawn to exit, ms (spawned asynchronously: the sink in this process answers meanwhile). */
function startUpMs(variant: string, sinkPort: number, preload: string | undefined): Promise<number> {
  return new Promise((done, fail) => {
    const start = performance.now();
    const child = spawn(process.execPath, ['-e', '0'], { cwd: dir, env: envFor(variant, sinkPort, preload), stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => {
      const taken = performance.now() - start;
      if (code !== 0) fail(new Error(`node -e 0 (${variant}) exited with ${code}: ${err.trim()}`));
      else done(taken);
    });
  });
}

const VARIANTS = [
  { name: 'bare', preload: undefined },
  { name: 'ours', preload: REGISTER },
  { name: 'sdk', preload: SDK_ALONE },
] as const;

async function main(): Promise<void> {
  const sinkPort = await listen(sink);
  const targetPort = await listen(target);

  // Per span: processes interleaved, who goes first rotating.
  const runs: Record<string, AppRun[]> = { bare: [], ours: [], sdk: [] };
  for (let p = 0; p < processes; p++) {
    for (let v = 0; v < VARIANTS.length; v++) {
      const { name, preload } = VARIANTS[(p + v) % VARIANTS.length]!;
      runs[name]!.push(await runApp(name, sinkPort, targetPort, preload));
    }
  }
  const perCall = (name: string, key: keyof AppRun) => median(runs[name]!.flatMap((run) => run[key]));
  const sent = processes * (WARM_UP_CALLS + ROUNDS * CALLS);

  // Start-up: `node -e 0` without, with ours, with the official register; one warm-up each, then interleaved.
  const startUp: Record<string, number[]> = { bare: [], ours: [], official: [] };
  const startUpVariants = [{ name: 'bare', preload: undefined }, { name: 'ours', preload: REGISTER }, { name: 'official', preload: OFFICIAL }];
  for (const { name, preload } of startUpVariants) await startUpMs(name, sinkPort, preload);
  for (let r = 0; r < startUpRuns; r++) {
    for (let v = 0; v < startUpVariants.length; v++) {
      const { name, preload } = startUpVariants[(r + v) % startUpVariants.length]!;
      startUp[name]!.push(await startUpMs(name, sinkPort, preload));
    }
  }
  const bareStart = median(startUp.bare!);

  process.stdout.write(JSON.stringify({
    calls: CALLS, rounds: processes * ROUNDS, processes,
    bareCallUs: perCall('bare', 'wallUs'),
    oursCallUs: perCall('ours', 'wallUs'),
    sdkCallUs: perCall('sdk', 'wallUs'),
    oursSpanUs: perCall('ours', 'wallUs') - perCall('bare', 'wallUs'),
    sdkSpanUs: perCall('sdk', 'wallUs') - perCall('bare', 'wallUs'),
    oursSpanCpuUs: perCall('ours', 'cpuUs') - perCall('bare', 'cpuUs'),
    sdkSpanCpuUs: perCall('sdk', 'cpuUs') - perCall('bare', 'cpuUs'),
    roundsUs: Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, list.flatMap((run) => run.wallUs)])),
    spansSent: sent, spansReceived: { ours: received.get('ours') ?? 0, sdk: received.get('sdk') ?? 0 },
    startUpRuns,
    bareStartMs: bareStart,
    oursStartAddedMs: median(startUp.ours!) - bareStart,
    officialStartAddedMs: median(startUp.official!) - bareStart,
    startUpMs: startUp,
  }));
}

main().then(
  () => {
    sink.close();
    target.close();
    target.closeAllConnections();
    rmSync(dir, { recursive: true, force: true });
  },
  (error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
