/**
 * What a hostile sender costs everyone else: `hopscope serve` under one attack
 * at a time, while a well-behaved exporter sends a small valid trace every
 * 25 ms. For each attack, the worst latency of those valid POSTs and the
 * receiver's peak RSS; beside them, the same exporter against an idle receiver.
 *
 *   deep chain     one request holding a 10,000-deep chain (analysed at settle)
 *   hostile stacks 200 spans with 64 KB stack traces a regex could backtrack on,
 *                  and the call sites asked for every 250 ms, as the editor does
 *   slow uploads   50 uploads announcing 19 MiB each, trickling a few bytes a second
 *   stuck SSE      an event-stream client that never reads, while traffic flows
 *
 * Loopback only; every attack is bounded in count and time and stops by itself.
 * Usage: node dist/bench/attacks.js   (prints JSON)
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { deepChain } from './deep';
import { syntheticTrace } from './synthetic';
import { toOtlpJson } from '../test/support/timeline';

interface Served {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

function serve(): Promise<Served> {
  const child = spawn(process.execPath, ['dist/cli.js', 'serve', '--http-port', '0', '--grpc-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const port = /OTLP\/HTTP http:\/\/[^:]+:(\d+)/.exec(out)?.[1];
      if (port) resolve({ port: Number(port), pid: child.pid!, stop: () => new Promise((done) => (child.once('exit', () => done()), child.kill('SIGINT'))) });
    });
    child.stderr.resume();
    child.once('exit', (code) => reject(new Error(`hopscope serve exited with ${code}`)));
  });
}

const rssMiB = (pid: number): number => {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Number(line[1]) / 1024 : 0;
};

const post = async (port: number, body: string): Promise<number> => {
  const res = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' }, signal: AbortSignal.timeout(30_000) });
  await res.arrayBuffer();
  return res.status;
};

/** The well-behaved exporter: one small trace every 25 ms for `ms`; the worst latency of its POSTs and the peak RSS. */
async function exporter(served: Served, ms: number): Promise<{ worstMs: number; refused: number; peakRssMiB: number }> {
  let worst = 0;
  let refused = 0;
  let peak = rssMiB(served.pid);
  const until = performance.now() + ms;
  for (let n = 0; performance.now() < until; n++) {
    const started = performance.now();
    const status = await post(served.port, toOtlpJson(syntheticTrace(900_000 + n, 13)));
    if (status !== 200) refused++;
    worst = Math.max(worst, performance.now() - started);
    peak = Math.max(peak, rssMiB(served.pid));
    await new Promise((r) => setTimeout(r, 25));
  }
  return { worstMs: worst, refused, peakRssMiB: peak };
}

/** A V8-like stack whose frames make a naive `at (.*) \((.*):(\d+):(\d+)\)` regex work hard. */
const hostileStack = (n: number): string => `Error: boom ${n}\n${'    at f (((((((((((((((((((((((((((((((((((((((:1:1\n'.repeat(1500)}`.slice(0, 64 * 1024);

const scenarios: Record<string, (served: Served) => Promise<() => void>> = {
  async 'deep chain'(served) {
    void post(served.port, toOtlpJson(deepChain(10_000, 77)));
    return () => undefined;
  },
  async 'hostile stacks'(served) {
    const stack = hostileStack(1);
    const spans = deepChain(200, 78, { clientsOnly: true, attributes: { 'code.stacktrace': stack }, events: [{ name: 'exception', timeUs: 1_700_000_000_000_000, attributes: { 'exception.stacktrace': stack }, droppedAttributesCount: 0 }] });
    void post(served.port, toOtlpJson(spans));
    const asking = setInterval(() => void fetch(`http://127.0.0.1:${served.port}/api/call-sites`).then((r) => r.arrayBuffer()).catch(() => undefined), 250);
    return () => clearInterval(asking);
  },
  async 'slow uploads'(served) {
    const sockets: Socket[] = [];
    for (let i = 0; i < 50; i++) {
      const socket = connect(served.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(`POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${19 * 1024 * 1024}\r\n\r\n`);
      sockets.push(socket);
    }
    const trickle = setInterval(() => {
      for (const s of sockets) if (!s.destroyed) s.write(Buffer.alloc(64 * 1024));
    }, 200);
    return () => {
      clearInterval(trickle);
      for (const s of sockets) s.destroy();
    };
  },
  async 'stuck SSE client'(served) {
    const socket = connect(served.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    socket.pause();
    // Traffic that makes updates to stream: a batch of traces every 100 ms.
    const traffic = setInterval(() => void post(served.port, toOtlpJson(syntheticTrace(Math.floor(Math.random() * 1e9), 200))).catch(() => undefined), 100);
    return () => {
      clearInterval(traffic);
      socket.destroy();
    };
  },
};

async function main(): Promise<void> {
  const out: Record<string, { worstMs: number; refused: number; peakRssMiB: number }> = {};
  {
    const served = await serve();
    out.idle = await exporter(served, 4000);
    await served.stop();
  }
  for (const [name, attack] of Object.entries(scenarios)) {
    const served = await serve();
    try {
      const stop = await attack(served);
      out[name] = await exporter(served, 8000);
      stop();
    } finally {
      await served.stop();
    }
  }
  console.log(JSON.stringify(out));
}

void main();
