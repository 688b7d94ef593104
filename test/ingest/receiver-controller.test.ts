/**
 * One window's receiver lifecycle, with real workers, real sockets and a real
 * OTLP exporter: listening, a foreign program on the port, a second window that
 * follows the first and takes the port over when the first one goes.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, describe, it } from 'node:test';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { ExportResult } from '@opentelemetry/core';
import { DEFAULT_INGEST_CONFIG } from '../../src/ingest/ingest-config';
import { ReceiverController, type ReceiverState, type TracesUpdate } from '../../src/ingest/receiver-controller';
import type { TraceSummary } from '../../src/ingest/trace-store';
import { shopTrace } from '../support/otel-trace';
import { eventually, freePort } from '../support/free-port';
import { request } from '../support/http-client';

const options = { runner: 'test window', version: '0.0.0', workerPath: 'dist/worker.js', takeoverDelaysMs: [50, 100, 200, 400, 800] };

/** A controller and what it reported: its states and the traces it holds. */
function window(name: string) {
  const controller = new ReceiverController({ ...options, runner: name });
  const states: ReceiverState[] = [];
  const traces = new Map<string, TraceSummary>();
  controller.onState((state) => states.push(state));
  controller.onTraces((update: TracesUpdate) => {
    if (update.reset) traces.clear();
    for (const id of update.removed) traces.delete(id);
    for (const summary of update.changed) traces.set(summary.traceId, summary);
  });
  return { controller, states, traces, kind: () => controller.state.kind };
}

async function sendTrace(port: number, traceId: string): Promise<void> {
  const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces` });
  const result = await new Promise<ExportResult>(async (resolve) => exporter.export(await shopTrace(traceId), resolve));
  assert.equal(result.code, 0, String(result.error));
  await exporter.shutdown();
}

const settings = (httpPort: number, grpcPort: number, enabled = true) => ({ enabled, config: { ...DEFAULT_INGEST_CONFIG, httpPort, grpcPort, settleMs: 200 } });

describe('the receiver controller', () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('listens on the configured ports and reports traces a real exporter sends', async () => {
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const w = window('first');
    cleanup.push(() => w.controller.dispose());
    await w.controller.start(settings(httpPort, grpcPort));
    assert.deepEqual(w.controller.state, { kind: 'listening', endpoints: { http: { host: '127.0.0.1', port: httpPort }, grpc: { host: '127.0.0.1', port: grpcPort } } });
    await sendTrace(httpPort, 'c0000000000000000000000000000001');
    const summary = await eventually(() => w.traces.get('c0000000000000000000000000000001'));
    assert.equal(summary.rootService, 'gateway');
  });

  it('stops when disabled and frees its ports', async () => {
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const w = window('disabled');
    cleanup.push(() => w.controller.dispose());
    await w.controller.start(settings(httpPort, grpcPort));
    await w.controller.start(settings(httpPort, grpcPort, false));
    assert.deepEqual(w.controller.state, { kind: 'stopped', why: 'disabled' });
    const probe: Server = createServer();
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(httpPort, '127.0.0.1', resolve));
    await new Promise((resolve) => probe.close(resolve));
  });

  it('shows an error naming the port when a foreign program holds it', async () => {
    const foreign = createServer((_req, res) => res.end('I am an OpenTelemetry Collector'));
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => foreign.close(() => resolve())));
    const port = (foreign.address() as { port: number }).port;
    const w = window('blocked');
    cleanup.push(() => w.controller.dispose());
    await w.controller.start(settings(port, await freePort()));
    const state = w.controller.state;
    assert.equal(state.kind, 'error');
    assert.ok(state.kind === 'error' && state.reason === 'port-in-use' && state.port === port);
    assert.match(state.kind === 'error' ? state.message : '', new RegExp(`port ${port} .*in use`));
  });

  it('follows another Hopscope on the same port live, then takes the port over when it goes', async () => {
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const first = window('first window');
    const second = window('second window');
    cleanup.push(() => first.controller.dispose(), () => second.controller.dispose());
    await first.controller.start(settings(httpPort, grpcPort));
    await sendTrace(httpPort, 'c0000000000000000000000000000002');
    await eventually(() => first.traces.get('c0000000000000000000000000000002'));

    await second.controller.start(settings(httpPort, grpcPort));
    await eventually(() => (second.kind() === 'following' ? true : undefined));
    assert.ok(second.controller.state.kind === 'following' && second.controller.state.runner === 'first window');
    assert.ok(second.traces.has('c0000000000000000000000000000002'), 'the traces held so far arrive with the hello');
    await sendTrace(httpPort, 'c0000000000000000000000000000003');
    await eventually(() => second.traces.get('c0000000000000000000000000000003'));
    assert.equal((await second.controller.getTrace('c0000000000000000000000000000003'))?.spans.length, (await shopTrace()).length);

    await first.controller.stop();
    await eventually(() => (second.kind() === 'listening' ? true : undefined));
    await sendTrace(httpPort, 'c0000000000000000000000000000004');
    await eventually(() => second.traces.get('c0000000000000000000000000000004'));
    assert.deepEqual(second.states.map((s) => s.kind), ['starting', 'following', 'starting', 'listening']);
  });
});

describe('the receiver controller when its worker dies', () => {
  it('starts the worker again on the same ports, counts the restart and says what was lost', async () => {
    process.env.HOPSCOPE_TEST_HOOKS = '1';
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const w = window('crashing');
    const logs: string[] = [];
    w.controller.onLog(({ level, message }) => logs.push(`${level}: ${message}`));
    try {
      await w.controller.start(settings(httpPort, grpcPort));
      await sendTrace(httpPort, 'c0000000000000000000000000000005');
      await eventually(() => w.traces.get('c0000000000000000000000000000005'));
      w.controller.crashWorkerForTest();
      await eventually(() => (w.controller.state.kind === 'listening' && w.controller.state.restarts === 1 ? true : undefined));
      const state = w.controller.state;
      assert.ok(state.kind === 'listening');
      assert.deepEqual(state.endpoints, { http: { host: '127.0.0.1', port: httpPort }, grpc: { host: '127.0.0.1', port: grpcPort } });
      assert.equal(state.restarts, 1);
      assert.match(state.lastCrash ?? '', /crash requested by a test/);
      assert.ok(logs.some((l) => /^error: .*crash requested by a test.*the 1 traces \(\d+ spans, 0 logs\) it held are lost.*restart 1/.test(l)), logs.join('\n'));
      assert.equal(w.traces.size, 0, 'the list is emptied: the traces went with the worker');
      await sendTrace(httpPort, 'c0000000000000000000000000000006');
      await eventually(() => w.traces.get('c0000000000000000000000000000006'));
    } finally {
      delete process.env.HOPSCOPE_TEST_HOOKS;
      await w.controller.dispose();
    }
  });
});

describe('the receiver controller when its worker runs out of heap', () => {
  it('starts it again on the same ports, naming the reason', async () => {
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    // A heap far smaller than the store's budget, so the store cannot save it: the worker dies of memory.
    const controller = new ReceiverController({ ...options, runner: 'oom', resourceLimits: { maxOldGenerationSizeMb: 48 } });
    try {
      await controller.start({ enabled: true, config: { ...DEFAULT_INGEST_CONFIG, httpPort, grpcPort, maxStoreBytes: 4 * 1024 * 1024 * 1024, maxTraces: 1_000_000, maxSpans: 5_000_000 } });
      assert.equal(controller.state.kind, 'listening');
      for (let round = 0; round < 200 && controller.state.kind === 'listening'; round++) {
        const spans = Array.from({ length: 100 }, (_, i) => ({
          traceId: (0xf0000000 + round).toString(16).padStart(32, '0'), spanId: (i + 1).toString(16).padStart(16, '0'), name: 'x', kind: 2,
          startTimeUnixNano: '1', endTimeUnixNano: '2', attributes: [{ key: 'payload', value: { stringValue: `${round}-${i}-${'y'.repeat(60_000)}` } }],
        }));
        const body = JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 't' }, spans }] }] });
        await request(httpPort, 'POST', '/v1/traces', body, { 'Content-Type': 'application/json' }).catch(() => undefined); // the worker may die mid-request
      }
      await eventually(() => (controller.state.kind === 'listening' && controller.state.restarts === 1 ? true : undefined));
      const state = controller.state;
      assert.ok(state.kind === 'listening');
      assert.equal(state.endpoints.http.port, httpPort);
      assert.match(state.lastCrash ?? '', /memory/i);
    } finally {
      await controller.dispose();
    }
  });
});
