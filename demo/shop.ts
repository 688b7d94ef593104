/**
 * Starts the demo shop programmatically: the queue and six services, each its
 * own Node process, with the ports of the services it calls in its env.
 *
 *   const demo = await startDemo({ endpoint: 'http://127.0.0.1:4318' });
 *   await demo.sendOrder('events');   // { mode, status, ms, traceId }
 *   await demo.stop();                // children flush their spans and exit
 *
 * demo/run.ts is the command line around it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { callJson, errorText } from './lib/client';
import type { Mode } from './lib/order';
import type { Behaviour, Switches } from './lib/switches';

export type { Mode } from './lib/order';

/** In port order: with a base port, gateway gets base, orders base + 1, ... */
export const SERVICES = ['gateway', 'orders', 'payments', 'inventory', 'email', 'analytics', 'queue'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Who calls whom: each service is told where these answer (`<NAME>_URL`). */
const CALLS: Record<ServiceName, ServiceName[]> = {
  gateway: ['orders'],
  orders: ['payments', 'inventory', 'email', 'analytics', 'queue'],
  payments: [],
  inventory: [],
  email: ['queue'],
  analytics: ['queue'],
  queue: [],
};

export interface DemoOptions {
  /** OTLP/HTTP endpoint for spans; default OTEL_EXPORTER_OTLP_ENDPOINT, else http://127.0.0.1:4318. */
  endpoint?: string;
  /** Ports basePort .. basePort + 6 (see SERVICES); 0 or unset picks free ports. */
  basePort?: number;
  payments?: Extract<Behaviour, 'ok' | 'fail' | 'slow'>;
  email?: Extract<Behaviour, 'ok' | 'slow' | 'down'>;
  /** Initial switches of any service (merged over `payments` / `email`). */
  switches?: Partial<Record<ServiceName, Partial<Switches>>>;
  /** Each line a service prints; default: stderr lines go to this process's stderr. */
  onLog?: (service: ServiceName, line: string, stream: 'stdout' | 'stderr') => void;
  /** How long each service may take to answer /health; default 90 s (a shared machine can be that slow). */
  startTimeoutMs?: number;
}

export interface OrderResult {
  mode: Mode;
  /** HTTP status from the gateway, 0 when it could not be reached. */
  status: number;
  ms: number;
  /** The order's trace, from the gateway's `x-trace-id` header. */
  traceId?: string;
  error?: string;
}

export interface Demo {
  gatewayUrl: string;
  urls: Record<ServiceName, string>;
  sendOrder(mode: Mode, items?: number): Promise<OrderResult>;
  /** Changes a service's switches at run time (`POST /_demo/switches`). */
  setSwitches(service: ServiceName, switches: Partial<Switches>): Promise<void>;
  stop(): Promise<void>;
}

interface Child {
  name: ServiceName;
  process: ChildProcess;
  stderr: string;
  exited: Promise<number | null>;
}

const ROOT = join(__dirname, '..');

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const ports = options.basePort ? SERVICES.map((_, i) => options.basePort! + i) : await freePorts(SERVICES.length);
  const urls = Object.fromEntries(SERVICES.map((name, i) => [name, `http://127.0.0.1:${ports[i]}`])) as Record<ServiceName, string>;
  const children = SERVICES.map((name, i) => launch(name, ports[i]!, urls, options));
  const stop = () => stopAll(children);
  try {
    await Promise.all(children.map((child) => waitHealthy(child, urls[child.name], options.startTimeoutMs ?? 90_000)));
    await warmUp(urls.gateway);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    gatewayUrl: urls.gateway,
    urls,
    sendOrder: (mode, items = 1 + Math.floor(Math.random() * 3)) => sendOrder(urls.gateway, mode, items),
    setSwitches: async (service, switches) => {
      const reply = await callJson(`${urls[service]}/_demo/switches`, { body: switches });
      if (reply.status !== 200) throw new Error(`${service} refused the switches: ${errorText(reply)}`);
    },
    stop,
  };
}

function launch(name: ServiceName, port: number, urls: Record<ServiceName, string>, options: DemoOptions): Child {
  const shorthand = name === 'payments' ? options.payments : name === 'email' ? options.email : undefined;
  const switches = { ...(shorthand ? { behaviour: shorthand } : {}), ...options.switches?.[name] };
  const env: NodeJS.ProcessEnv = { ...process.env, OTEL_SERVICE_NAME: name, PORT: String(port), DEMO_SWITCHES: JSON.stringify(switches) };
  delete env.NODE_TEST_CONTEXT; // a service is not a test, even when a test starts it
  if (options.endpoint) {
    env.OTEL_EXPORTER_OTLP_ENDPOINT = options.endpoint;
    delete env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; // the explicit option wins
  } else if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:4318';
  }
  for (const peer of CALLS[name]) env[`${peer.toUpperCase()}_URL`] = urls[peer];

  // The IPC channel is unused except that it closes when this process dies,
  // which tells the service to exit (see lib/lifecycle.ts).
  const proc = spawn(process.execPath, ['--import', 'tsx', join('demo', 'services', `${name}.ts`)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  // 'close' rather than 'exit': by then its last output has been read too.
  const child: Child = { name, process: proc, stderr: '', exited: new Promise((resolve) => proc.once('close', (code) => resolve(code))) };
  const log = options.onLog ?? ((service, line, stream) => stream === 'stderr' && process.stderr.write(`[${service}] ${line}\n`));
  lines(proc.stdout!, (line) => log(name, line, 'stdout'));
  lines(proc.stderr!, (line) => {
    child.stderr = (child.stderr + line + '\n').slice(-8_000);
    log(name, line, 'stderr');
  });
  return child;
}

function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts) onLine(line);
  });
  stream.on('end', () => rest && onLine(rest));
}

async function waitHealthy(child: Child, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void child.exited.then((code) => (exitCode = code));
  while (exitCode === undefined) {
    try {
      if ((await callJson(`${url}/health`, { method: 'GET', timeoutMs: 1_000 })).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${child.name} did not answer ${url}/health within ${timeoutMs} ms${tail(child.stderr)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${child.name} exited (code ${exitCode}) before it answered ${url}/health${tail(child.stderr)}`);
}

const tail = (stderr: string) => (stderr.trim() ? `; its stderr:\n${stderr.trim()}` : '');

async function stopAll(children: Child[]): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      if (child.process.exitCode !== null || child.process.signalCode !== null) return;
      child.process.kill('SIGTERM'); // the service flushes its spans, then exits
      const killer = setTimeout(() => child.process.kill('SIGKILL'), 10_000); // drains take up to 4 s each
      await child.exited;
      clearTimeout(killer);
    }),
  );
}

/**
 * One order of each mode before the first traced one, with an unsampled `traceparent` so that no span is
 * recorded: a cold service (tsx compiling, first connections) would otherwise make the first order time out
 * and plant a cascading failure in the editor that no later order has.
 */
async function warmUp(gatewayUrl: string): Promise<void> {
  const unsampled = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;
  for (const mode of ['sync', 'events'] as const) {
    await callJson(`${gatewayUrl}/orders`, { body: { mode, items: 1 }, timeoutMs: 30_000, headers: { traceparent: unsampled() } }).catch(() => undefined);
  }
}

async function sendOrder(gatewayUrl: string, mode: Mode, items: number): Promise<OrderResult> {
  const started = performance.now();
  try {
    const reply = await callJson(`${gatewayUrl}/orders`, { body: { mode, items }, timeoutMs: 30_000 });
    const traceId = reply.headers['x-trace-id'];
    const result: OrderResult = { mode, status: reply.status, ms: Math.round(performance.now() - started) };
    if (typeof traceId === 'string') result.traceId = traceId;
    if (reply.status >= 300) result.error = errorText(reply);
    return result;
  } catch (error) {
    return { mode, status: 0, ms: Math.round(performance.now() - started), error: error instanceof Error ? error.message : String(error) };
  }
}

/** `count` distinct free loopback ports (held open together so none repeats). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
