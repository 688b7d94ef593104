/**
 * One window's receiver lifecycle, with real workers, real sockets and a real
 * OTLP exporter: listening, a foreign program on the port, a second window that
 * follows the first and takes the port over when the first one goes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { ExportResult } from '@opentelemetry/core';
import { DEFAULT_INGEST_CONFIG } from '../../src/ingest/ingest-config';
import type { IngestStats } from '../../src/ingest/ingest-core';
import { EMPTY_STATS as EMPTY, ReceiverController, type ReceiverState, type TracesUpdate } from '../../src/ingest/receiver-controller';
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

describe('the receiver controller across restarts of its worker', () => {
  const hooks = (run: () => Promise<void>) => async () => {
    process.env.HOPSCOPE_TEST_HOOKS = '1';
    try {
      await run();
    } finally {
      delete process.env.HOPSCOPE_TEST_HOOKS;
      delete process.env.HOPSCOPE_TEST_UNBINDABLE;
    }
  };
  /** A file the unbindable worker reads: how many of the next starts cannot bind (test/support/unbindable-worker.cjs). */
  const unbindable = () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hopscope-')), 'unbindable');
    writeFileSync(file, '0');
    process.env.HOPSCOPE_TEST_UNBINDABLE = file;
    return (starts: number) => writeFileSync(file, String(starts));
  };
  const statsOf = async (port: number) => JSON.parse((await request(port, 'GET', '/api/stats')).text) as IngestStats;

  it('carries the counters on: the new worker counts on from what the one that died had counted', hooks(async () => {
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const w = window('counting');
    let latest = EMPTY;
    w.controller.onTraces((update) => (latest = update.stats));
    try {
      await w.controller.start(settings(httpPort, grpcPort));
      await sendTrace(httpPort, 'c0000000000000000000000000000007');
      const spans = (await shopTrace()).length;
      // The counters a worker that dies takes with it are those of its last update.
      await eventually(() => (latest.spansReceived === spans ? true : undefined));
      const before = latest;
      w.controller.crashWorkerForTest();
      await eventually(() => (w.controller.state.kind === 'listening' && w.controller.state.restarts === 1 ? true : undefined));
      const after = await statsOf(httpPort);
      assert.deepEqual([after.requests, after.spansReceived, after.restarts], [before.requests, spans, 1], 'what /api/stats says after the restart');
      assert.deepEqual([after.spansStored, after.tracesStored], [0, 0], 'what it holds starts from none');
      await sendTrace(httpPort, 'c0000000000000000000000000000008');
      await eventually(() => (latest.spansReceived === 2 * spans ? true : undefined));
      assert.deepEqual([latest.requests, latest.restarts, latest.tracesStored], [before.requests + 1, 1, 1], 'the status bar\'s counters');
    } finally {
      await w.controller.dispose();
    }
  }));

  it('tries a worker whose address is not available again with the backoff, each try counted and logged with the reason', hooks(async () => {
    const failNext = unbindable();
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const controller = new ReceiverController({ ...options, runner: 'unbindable', workerPath: 'test/support/unbindable-worker.cjs', restartBackoff: { firstMs: 20, maxMs: 40 } });
    const logs: string[] = [];
    controller.onLog(({ level, message }) => logs.push(`${level}: ${message}`));
    try {
      await controller.start(settings(httpPort, grpcPort));
      assert.equal(controller.state.kind, 'listening');
      await sendTrace(httpPort, 'c0000000000000000000000000000009');
      failNext(2);
      controller.crashWorkerForTest();
      // The crash is restart 1; the two starts that cannot bind are restarts 2 and 3; the third start listens.
      await eventually(() => (controller.state.kind === 'listening' && controller.state.restarts === 3 ? true : undefined));
      const state = controller.state;
      assert.ok(state.kind === 'listening');
      assert.deepEqual(state.endpoints, { http: { host: '127.0.0.1', port: httpPort }, grpc: { host: '127.0.0.1', port: grpcPort } });
      assert.match(state.lastCrash ?? '', /EADDRNOTAVAIL/);
      const tries = logs.filter((l) => /could not start again/.test(l));
      assert.equal(tries.length, 2, logs.join('\n'));
      assert.match(tries[0]!, /^error: the ingest worker could not start again \(1 failed in a row\): .*EADDRNOTAVAIL.*Trying again in 0\.0 s \(restart 2\)$/);
      assert.match(tries[1]!, /\(2 failed in a row\).*\(restart 3\)$/);
      assert.equal((await statsOf(httpPort)).restarts, 3);
      await sendTrace(httpPort, 'c000000000000000000000000000000a');
    } finally {
      await controller.dispose();
    }
  }));

  it('gives up after the backoff\'s limit of failed starts with an error that says why, and starts again on Retry', hooks(async () => {
    const failNext = unbindable();
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const controller = new ReceiverController({ ...options, runner: 'given up', workerPath: 'test/support/unbindable-worker.cjs', restartBackoff: { firstMs: 20, maxMs: 40, maxFailedStarts: 3 } });
    const states: ReceiverState[] = [];
    controller.onState((state) => states.push(state));
    try {
      await controller.start(settings(httpPort, grpcPort));
      failNext(100);
      controller.crashWorkerForTest();
      await eventually(() => (controller.state.kind === 'error' ? true : undefined));
      const state = controller.state;
      assert.ok(state.kind === 'error');
      assert.equal(state.reason, 'bind');
      assert.match(state.message, /^gave up starting the ingest worker again after 3 failed starts in a row; the last: .*EADDRNOTAVAIL/);
      assert.deepEqual(states.map((s) => s.kind), ['starting', 'listening', 'starting', 'starting', 'error'], 'starting until it gives up');
      failNext(0);
      await controller.start(settings(httpPort, grpcPort)); // the status bar's Retry
      assert.equal(controller.state.kind, 'listening');
      assert.equal((await statsOf(httpPort)).restarts, 0, 'a start by hand counts from none');
    } finally {
      await controller.dispose();
    }
  }));
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
