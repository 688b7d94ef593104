/**
 * The real stack, for the live test and the fixture recorder: PostgreSQL,
 * Redis and RabbitMQ (test/support/servers.ts), `hopscope serve` from dist/,
 * the recording relay in front of it, and the seven services of plan.ts, each
 * its own Node process instrumented only by services/otel.ts.
 *
 *   const stack = await startStack();
 *   const { traceId } = await stack.order('sync');
 *   const spans = await stack.settledTrace(traceId, 'sync');
 *   await stack.stop();   // always: every process and temporary directory goes
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { SpanRecord } from '../../src/model/span';
import { freePort } from '../support/free-port';
import { request } from '../support/http-client';
import { serve, type Served } from '../support/serve-process';
import { killOnExit, startPostgres, startRabbitMQ, startRedis, type RunningServer } from '../support/servers';
import { EXPORT_PROTOCOL, SCHEMA_SQL, SERVICES, type Scenario, type ServiceName } from './plan';
import { startRecorder, type Recorder } from './recorder';

export interface OrderReply {
  scenario: Scenario;
  status: number;
  traceId: string;
  body: string;
  /** Wall-clock time the client waited, ms (for the record; never asserted). */
  ms: number;
}

export interface Stack {
  hopscope: Served;
  recorder: Recorder;
  order(scenario: Scenario): Promise<OrderReply>;
  /** The trace's spans once Hopscope calls it settled and it has everything `scenario` makes (bounded wait). */
  settledTrace(traceId: string, scenario: Scenario, timeoutMs?: number): Promise<SpanRecord[]>;
  /** Each service's output so far (for failure messages). */
  logs(): string;
  stop(): Promise<void>;
}

interface ServiceProcess {
  name: ServiceName;
  child: ChildProcess;
  output: string;
  exited: Promise<number | null>;
  alive: boolean;
}

const ROOT = join(__dirname, '..', '..');
const SERVICES_DIR = join(__dirname, 'services');

/** The spans (service, kind, and a name or attribute test) a finished trace of each scenario has. */
function missingParts(spans: SpanRecord[], scenario: Scenario): string[] {
  const has = (service: string, kind: SpanRecord['kind'], test: (s: SpanRecord) => boolean = () => true) => spans.some((s) => s.service === service && s.kind === kind && test(s));
  const path = (s: SpanRecord) => String(s.attributes['url.path'] ?? s.attributes['http.target'] ?? '').split('?')[0];
  const want: [string, boolean][] = [
    ['edge server span', has('edge', 'server')],
    ['shop server span', has('shop', 'server')],
    ['pricing /reviews server span', has('pricing', 'server', (s) => path(s) === '/reviews')],
    ['payments server span', has('payments', 'server')],
  ];
  if (scenario !== 'failure') want.push(['payments INSERT span', has('payments', 'client', (s) => /INSERT/i.test(String(s.attributes['db.query.text'] ?? s.attributes['db.statement'] ?? s.name)))]);
  if (scenario !== 'failure' && scenario !== 'timeout') {
    want.push(['warehouse consumer span', has('warehouse', 'consumer')]);
    want.push(['warehouse UPDATE span', has('warehouse', 'client', (s) => /UPDATE/i.test(String(s.attributes['db.query.text'] ?? s.attributes['db.statement'] ?? s.name)))]);
    want.push(scenario === 'events' ? ['notify consumer span', has('notify', 'consumer')] : ['notify server span', has('notify', 'server')]);
  }
  if (scenario === 'retry') want.push(['three pricing /quote server spans', spans.filter((s) => s.service === 'pricing' && s.kind === 'server' && path(s) === '/quote').length === 3]);
  if (scenario === 'fallback') want.push(['recommend server span', has('recommend', 'server')]);
  const ids = new Set(spans.map((s) => s.spanId));
  const orphans = spans.filter((s) => s.parentSpanId !== '' && !ids.has(s.parentSpanId));
  if (orphans.length > 0) want.push([`the parents of ${orphans.length} span(s) (${orphans.slice(0, 3).map((s) => `${s.service} ${s.name}`).join(', ')})`, false]);
  return want.filter(([, ok]) => !ok).map(([what]) => what);
}

export interface StackOptions {
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const log = options.log ?? (() => undefined);
  const started: { stop(): Promise<unknown> }[] = [];
  const services: ServiceProcess[] = [];
  let hopscope: Served | undefined;
  let recorder: Recorder | undefined;
  let edgePort = 0;

  const stop = async () => {
    // Services first (they flush their last spans on SIGTERM), then the relay and Hopscope, then the servers.
    await Promise.all(services.map((s) => stopService(s)));
    await recorder?.stop().catch(() => undefined);
    if (hopscope) {
      const served = hopscope;
      await bounded(served.stop(), 10_000, 'hopscope serve did not exit').catch(() => served.child.kill('SIGKILL'));
    }
    await Promise.all(started.map((s) => s.stop().catch(() => undefined)));
  };
  const logs = () => services.map((s) => `--- ${s.name}${s.alive ? '' : ' (exited)'} ---\n${s.output.trimEnd().split('\n').slice(-15).join('\n')}`).join('\n');

  try {
    const t0 = Date.now();
    const track = <T extends RunningServer>(what: string, server: Promise<T>): Promise<T> =>
      server.then((s) => {
        started.push(s);
        log(`${what} up on ${s.port} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        return s;
      });
    // All at once: RabbitMQ alone takes ~10 s (more on a busy machine). allSettled, so that whatever
    // did come up is stopped even when another failed.
    const results = await Promise.allSettled([
      track('PostgreSQL', startPostgres({ database: 'shop', setupSql: SCHEMA_SQL })),
      track('Redis', startRedis()),
      track('RabbitMQ', startRabbitMQ()),
      serve(['--http-port', '0', '--grpc-port', '0', '--quiet']).then((s) => {
        if (s.child.pid !== undefined) {
          const guard = killOnExit(s.child.pid);
          s.child.once('exit', () => guard.forget());
        }
        return (hopscope = s);
      }),
    ]);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) throw new Error(failed.map((r) => (r.reason instanceof Error ? r.reason.message : String(r.reason))).join('\n\n'));
    const [pg, redis, rabbit] = results.map((r) => (r as PromiseFulfilledResult<RunningServer>).value) as [RunningServer, RunningServer, RunningServer];
    recorder = await startRecorder({ httpPort: hopscope!.httpPort, grpcPort: hopscope!.grpcPort });

    const ports = Object.fromEntries(await Promise.all(SERVICES.map(async (name) => [name, await freePort()] as const))) as Record<ServiceName, number>;
    edgePort = ports.edge;
    const url = (name: ServiceName) => `http://127.0.0.1:${ports[name]}`;
    const common = {
      PG_PORT: String(pg.port),
      REDIS_PORT: String(redis.port),
      AMQP_URL: `amqp://guest:guest@127.0.0.1:${rabbit.port}`,
      SHOP_URL: url('shop'),
      PRICING_URL: url('pricing'),
      PAYMENTS_URL: url('payments'),
      NOTIFY_URL: url('notify'),
      RECOMMEND_URL: url('recommend'),
    };
    // Consumers and peers before shop and edge, so that every queue is bound before the first order.
    const order: ServiceName[][] = [['pricing', 'payments', 'notify', 'warehouse', 'recommend'], ['shop', 'edge']];
    for (const group of order) {
      await Promise.all(group.map(async (name) => {
        const endpoint = EXPORT_PROTOCOL[name] === 'grpc' ? `http://127.0.0.1:${recorder!.grpcPort}` : `http://127.0.0.1:${recorder!.httpPort}/v1/traces`;
        const service = spawnService(name, { ...common, PORT: String(ports[name]) }, EXPORT_PROTOCOL[name], endpoint);
        services.push(service);
        await waitReady(service, 60_000);
        log(`${name} ready after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }));
    }
  } catch (error) {
    const detail = logs();
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}${detail ? `\n${detail}` : ''}`);
  }

  return {
    hopscope: hopscope!,
    recorder: recorder,
    logs,
    stop,
    order: async (scenario) => {
      const started = Date.now();
      const reply = await bounded(request(edgePort, 'GET', `/order?scenario=${scenario}`), 30_000, `edge did not answer a ${scenario} order`);
      const traceId = String(reply.headers['x-trace-id'] ?? '');
      if (!/^[0-9a-f]{32}$/.test(traceId)) throw new Error(`edge answered ${reply.status} without a trace id: ${reply.text}\n${logs()}`);
      return { scenario, status: reply.status, traceId, body: reply.text, ms: Date.now() - started };
    },
    settledTrace: async (traceId, scenario, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      let spans: SpanRecord[] = [];
      let missing: string[] = ['the trace'];
      for (;;) {
        const list = await bounded(request(hopscope!.httpPort, 'GET', '/api/traces'), 10_000, 'Hopscope did not answer /api/traces');
        const summary = (JSON.parse(list.text) as { traces: { traceId: string; settled: boolean }[] }).traces.find((t) => t.traceId === traceId);
        if (summary) {
          const reply = await bounded(request(hopscope!.httpPort, 'GET', `/api/traces/${traceId}`), 10_000, `Hopscope did not answer /api/traces/${traceId}`);
          if (reply.status === 200) spans = (JSON.parse(reply.text) as { spans: SpanRecord[] }).spans;
          missing = missingParts(spans, scenario);
          if (!summary.settled) missing.push('(Hopscope has not settled it yet)');
          if (missing.length === 0) return spans;
        }
        if (Date.now() > deadline) {
          throw new Error(`trace ${traceId} (${scenario}) still lacks ${missing.join(', ')} after ${timeoutMs / 1000} s; it has ${spans.length} spans from ${[...new Set(spans.map((s) => s.service))].join(', ') || 'no service'}; relay failures: ${recorder.failures.join('; ') || 'none'}\n${logs()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
  };
}

/** The promise, or a failure naming `what` after `ms`. */
function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function spawnService(name: ServiceName, env: Record<string, string>, protocol: 'grpc' | 'http/protobuf', endpoint: string): ServiceProcess {
  // Nothing OTEL_* from the test's own environment: only what is set here.
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')));
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', join(SERVICES_DIR, 'otel.ts'), join(SERVICES_DIR, `${name}.ts`)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...base,
      ...env,
      OTEL_SERVICE_NAME: name,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      // No cloud metadata lookups (they would wait on network timeouts).
      OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
    },
  });
  const guard = child.pid === undefined ? undefined : killOnExit(child.pid);
  const service: ServiceProcess = { name, child, output: '', alive: true, exited: Promise.resolve(null) };
  const keep = (chunk: Buffer) => {
    service.output += chunk.toString('utf8');
    if (service.output.length > 100_000) service.output = service.output.slice(-50_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  service.exited = new Promise((resolve) => {
    child.once('exit', (code) => {
      service.alive = false;
      guard?.forget();
      resolve(code);
    });
    child.once('error', (error) => {
      keep(Buffer.from(`spawn failed: ${error.message}\n`));
      service.alive = false;
      resolve(null);
    });
  });
  return service;
}

async function waitReady(service: ServiceProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!/^ready$/m.test(service.output)) {
    if (!service.alive) throw new Error(`service ${service.name} exited (code ${await service.exited}) before it was ready:\n${service.output.trimEnd().split('\n').slice(-20).join('\n')}`);
    if (Date.now() > deadline) throw new Error(`service ${service.name} was not ready within ${timeoutMs / 1000} s:\n${service.output.trimEnd().split('\n').slice(-20).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopService(service: ServiceProcess): Promise<void> {
  if (service.alive) service.child.kill('SIGTERM');
  const late = await Promise.race([service.exited.then(() => false), new Promise<boolean>((resolve) => setTimeout(resolve, 6_000, true).unref())]);
  if (late) {
    service.child.kill('SIGKILL');
    await service.exited;
  }
}
