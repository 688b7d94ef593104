/**
 * The register module (dist/instrument.mjs → dist/instrument.js) as a debug
 * session loads it: `NODE_OPTIONS=--import …` into apps with no OpenTelemetry
 * code, a CommonJS one and an ES module one calling each other over HTTP,
 * sending to a real `hopscope serve`.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { eventually, freePort } from '../support/free-port';
import { request } from '../support/http-client';
import { serve, type Served } from '../support/serve-process';

const REGISTER = pathToFileURL(resolve('dist/instrument.mjs')).href;

/** payments (CommonJS): /charge answers after `delay` ms and first asks orders' /ledger through fetch. */
const PAYMENTS = `
const http = require('node:http');
http.createServer(async (req, res) => {
  const delay = Number(new URL(req.url, 'http://x').searchParams.get('delay') ?? 20);
  const ledger = await fetch('http://127.0.0.1:' + process.env.ORDERS_PORT + '/ledger');
  await ledger.text();
  setTimeout(() => res.end('charged'), delay);
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
`;

/** orders (ES module): POST /orders calls payments' /charge with http.request (line 5). */
const ORDERS = `import http from 'node:http';
const delay = (url) => new URL(url, 'http://x').searchParams.get('delay') ?? '20';
function charge(ms) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: Number(process.env.PAYMENTS_PORT), path: '/charge?delay=' + ms, method: 'POST' }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject);
    req.end();
  });
}
http.createServer(async (req, res) => {
  if (req.url === '/ledger') return res.end('ok');
  await charge(delay(req.url));
  res.end('done');
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
`;

interface App {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function run(dir: string, file: string, env: Record<string, string>): App {
  const child = spawn(process.execPath, [file], { cwd: dir, env: { ...process.env, NODE_OPTIONS: `--import=${REGISTER}`, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', done));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

interface Summary { traceId: string; services: string[]; spanCount: number; runningSpans?: number; rootName: string }
interface SpanJson { spanId: string; name: string; kind: string; service: string; endUs: number; attributes: Record<string, unknown>; resource: { attributes: Record<string, unknown> } }

async function traces(port: number): Promise<Summary[]> {
  return (JSON.parse((await request(port, 'GET', '/api/traces')).body.toString()) as { traces: Summary[] }).traces;
}
async function spansOf(port: number, traceId: string): Promise<SpanJson[]> {
  return (JSON.parse((await request(port, 'GET', `/api/traces/${traceId}`)).body.toString()) as { spans: SpanJson[] }).spans;
}

describe('the register module loaded with --import', () => {
  let served: Served;
  let dir = '';
  const apps: App[] = [];
  let ordersPort = 0;
  let env: Record<string, string> = {};

  before(async () => {
    served = await serve(['--http-port', '0', '--grpc-port', '0', '--quiet']);
    dir = mkdtempSync(join(tmpdir(), 'hopscope-instrument-'));
    writeFileSync(join(dir, 'payments.js'), PAYMENTS);
    writeFileSync(join(dir, 'orders.mjs'), ORDERS);
    const paymentsPort = await freePort();
    ordersPort = await freePort();
    env = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${served.httpPort}`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_RESOURCE_ATTRIBUTES: 'hopscope.debug.session=0123456789abcdef' };
    apps.push(run(dir, 'payments.js', { ...env, OTEL_SERVICE_NAME: 'payments', PORT: String(paymentsPort), ORDERS_PORT: String(ordersPort) }));
    apps.push(run(dir, 'orders.mjs', { ...env, OTEL_SERVICE_NAME: 'orders', PORT: String(ordersPort), PAYMENTS_PORT: String(paymentsPort) }));
    await eventually(() => (apps.every((app) => app.stdout().includes('listening')) ? true : undefined));
  });

  after(async () => {
    for (const app of apps) app.child.kill('SIGKILL');
    await served.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('traces a CommonJS and an ES module app with no OpenTelemetry code, each call at the line that made it', async () => {
    assert.match(apps[0]!.stderr(), /\[hopscope\] tracing payments to http:\/\/127\.0\.0\.1:\d+/);
    assert.match(apps[1]!.stderr(), /\[hopscope\] tracing orders to/);
    assert.equal((await request(ordersPort, 'POST', '/orders?delay=20')).body.toString(), 'done');
    // orders SERVER → orders CLIENT → payments SERVER → payments fetch CLIENT → orders SERVER /ledger
    const trace = await eventually(async () => (await traces(served.httpPort)).find((t) => t.spanCount >= 5 && t.rootName.startsWith('POST')));
    assert.deepEqual(trace.services, ['orders', 'payments']);
    const spans = await spansOf(served.httpPort, trace.traceId);
    const clients = spans.filter((span) => span.kind === 'client');
    const esm = clients.find((span) => span.service === 'orders');
    const cjs = clients.find((span) => span.service === 'payments');
    assert.deepEqual([esm?.attributes['code.file.path'], esm?.attributes['code.line.number']], [join(dir, 'orders.mjs'), 5]);
    assert.deepEqual([cjs?.attributes['code.file.path'], cjs?.attributes['code.line.number']], [join(dir, 'payments.js'), 5]);
    for (const span of spans) assert.equal(span.resource.attributes['hopscope.debug.session'], '0123456789abcdef', span.name);
    assert.ok(spans.every((span) => span.attributes['hopscope.span.state'] === undefined), 'a request faster than the started-span delay sends no started records');
  });

  it('reports spans still running, and the finished spans replace them', async () => {
    const answered = request(ordersPort, 'POST', '/orders?delay=1500');
    const running = await eventually(async () => (await traces(served.httpPort)).find((t) => (t.runningSpans ?? 0) >= 2));
    const started = (await spansOf(served.httpPort, running.traceId)).filter((span) => span.endUs === 0);
    assert.ok(started.length >= 2, `started records: ${started.map((span) => span.name).join(', ')}`);
    assert.ok(started.every((span) => span.attributes['hopscope.span.state'] === 'started'));
    assert.equal((await answered).body.toString(), 'done');
    const done = await eventually(async () => (await traces(served.httpPort)).find((t) => t.traceId === running.traceId && t.runningSpans === undefined && t.spanCount >= 5));
    const spans = await spansOf(served.httpPort, done.traceId);
    assert.equal(new Set(spans.map((span) => span.spanId)).size, spans.length, 'no span twice');
    assert.ok(spans.every((span) => span.endUs > 0));
  });
});

describe('the register module under tsx', () => {
  it('traces a TypeScript app, with calls at their TypeScript lines', async () => {
    const served = await serve(['--http-port', '0', '--grpc-port', '0', '--quiet']);
    const dir = mkdtempSync(join(tmpdir(), 'hopscope-instrument-tsx-'));
    try {
      writeFileSync(join(dir, 'app.ts'), [
        "import http from 'node:http';",
        'const port: number = Number(process.env.PORT);',
        'function call(): Promise<void> {',
        "  return new Promise((resolve) => { http.get({ host: '127.0.0.1', port, path: '/x' }, (res) => { res.resume(); res.on('end', () => resolve()); }); });",
        '}',
        "const server = http.createServer((_req, res) => res.end('ok')).listen(port, '127.0.0.1', async () => { await call(); server.close(); console.log('ran'); });",
      ].join('\n'));
      const tsx = pathToFileURL(require.resolve('tsx')).href;
      const app = run(dir, 'app.ts', {
        NODE_OPTIONS: `--import=${tsx} --import=${REGISTER}`,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${served.httpPort}`,
        OTEL_SERVICE_NAME: 'typed',
        PORT: String(await freePort()),
      });
      assert.equal(await app.exited, 0, app.stderr());
      assert.equal(app.stdout(), 'ran\n');
      const trace = await eventually(async () => (await traces(served.httpPort)).find((t) => t.spanCount === 2));
      const client = (await spansOf(served.httpPort, trace.traceId)).find((span) => span.kind === 'client');
      assert.deepEqual([client?.service, client?.attributes['code.file.path'], client?.attributes['code.line.number']], ['typed', join(dir, 'app.ts'), 4]);
    } finally {
      await served.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the pause probe of the register module', () => {
  it('times a debugger stop from inside the process and sends it to /api/pauses', async () => {
    const posted: { pauses: { session: string; startUs: number; endUs: number; reason: string }[] }[] = [];
    const endpoint = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.url === '/api/pauses') posted.push(JSON.parse(Buffer.concat(chunks).toString()));
        res.end('{}');
      });
    });
    await new Promise<void>((done) => endpoint.listen(0, '127.0.0.1', done));
    const dir = mkdtempSync(join(tmpdir(), 'hopscope-instrument-probe-'));
    try {
      // A second inspector session (as a debugger is) stops the main thread for 600 ms and says when.
      writeFileSync(join(dir, 'app.js'), [
        "const { Worker } = require('node:worker_threads');",
        'const stopper = new Worker(`',
        "  const { Session } = require('node:inspector');",
        "  const { parentPort } = require('node:worker_threads');",
        "  const now = () => Math.round((performance.timeOrigin + performance.now()) * 1000);",
        '  const s = new Session();',
        '  s.connectToMainThread();',
        '  setInterval(() => {}, 1000);',
        "  s.post('Debugger.enable', () => setTimeout(() => {",
        '    const at = now();',
        "    s.post('Debugger.pause');",
        "    setTimeout(() => { const end = now(); s.post('Debugger.resume', () => { s.disconnect(); parentPort.postMessage(at + ' ' + end); }); }, 600);",
        '  }, 400));',
        '`, { eval: true });',
        // The stopper stays (a worker ending with a session on the main thread aborts Node 20); the app ends.
        'const keep = setInterval(() => {}, 50);',
        "stopper.once('message', (times) => { stopper.unref(); console.log(times); setTimeout(() => clearInterval(keep), 300); });",
      ].join('\n'));
      const { port } = endpoint.address() as AddressInfo;
      const app = run(dir, 'app.js', {
        NODE_OPTIONS: `--inspect=127.0.0.1:0 --import=${REGISTER}`,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_RESOURCE_ATTRIBUTES: 'hopscope.debug.session=feedfacecafebeef',
        OTEL_SERVICE_NAME: 'probed',
      });
      assert.equal(await app.exited, 0, app.stderr());
      assert.match(app.stderr(), /debugger pauses measured/);
      const [pausedAt, resumedAt] = app.stdout().trim().split(' ').map(Number) as [number, number];
      const stops = (await eventually(() => (posted.length > 0 ? posted : undefined))).flatMap((body) => body.pauses);
      const stop = stops.find((s) => s.endUs - s.startUs > 500_000);
      assert.ok(stop, JSON.stringify(stops));
      assert.deepEqual([stop.session, stop.reason], ['feedfacecafebeef', 'measured']);
      // Stopped when asked to (the main thread was idle: at its next beat), running again when resumed.
      assert.ok(Math.abs(stop.startUs - pausedAt) < 30_000, `stop measured from ${stop.startUs}, asked at ${pausedAt}`);
      assert.ok(stop.endUs >= resumedAt && stop.endUs - resumedAt < 30_000, `running again at ${stop.endUs}, resumed at ${resumedAt}`);
    } finally {
      endpoint.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the register module stays out of the way', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hopscope-instrument-alone-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** An app in its own folder, run to its end with the register module. */
  async function runApp(name: string, files: Record<string, string>, env: Record<string, string> = {}) {
    const root = join(dir, name);
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(join(root, file, '..'), { recursive: true });
      writeFileSync(join(root, file), text);
    }
    const app = run(root, 'app.js', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', ...env });
    return { code: await app.exited, stdout: app.stdout(), stderr: app.stderr() };
  }

  it('leaves an app with its own SDK alone, and says why', async () => {
    const { code, stdout, stderr } = await runApp('own-sdk', {
      'package.json': JSON.stringify({ name: 'own-sdk', dependencies: { '@opentelemetry/sdk-node': '^0.223.0' } }),
      'app.js': "console.log('ran');",
    });
    assert.equal(code, 0);
    assert.equal(stdout, 'ran\n');
    assert.match(stderr, /left tracing to the app: .*own-sdk[/\\]package\.json depends on @opentelemetry\/sdk-node/);
    assert.doesNotMatch(stderr, /tracing this process/);
  });

  it('keeps the app running when an instrumentation throws while patching', async () => {
    // instrumentation-pg patches pg-pool 3.x through its prototype; this one has none.
    const { code, stdout, stderr } = await runApp('throwing', {
      'package.json': JSON.stringify({ name: 'throwing', version: '1.0.0' }),
      'node_modules/pg-pool/package.json': JSON.stringify({ name: 'pg-pool', version: '3.6.2', main: 'index.js' }),
      'node_modules/pg-pool/index.js': 'module.exports = { pooled: true };',
      'app.js': "console.log('ran', require('pg-pool').pooled);",
    });
    assert.equal(code, 0, stderr);
    assert.equal(stdout, 'ran true\n');
    assert.match(stderr, /instrumentation-pg could not patch pg-pool, which runs untraced: .*connect/);
  });

  it('does nothing with HOPSCOPE_INSTRUMENT=off', async () => {
    const { code, stdout, stderr } = await runApp('off', { 'app.js': "console.log('ran');" }, { HOPSCOPE_INSTRUMENT: 'off' });
    assert.deepEqual([code, stdout, stderr], [0, 'ran\n', '']);
  });
});
