/**
 * The host side of the ingest worker: starts it, turns its messages into
 * events, and asks it for whole traces and the service map. Used by the
 * extension and the CLI.
 */
import type { OpenedFile } from './trace-files';
import type { DebugPause } from '../model/pause';
import { join, resolve } from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { Emitter } from '../common/emitter';
import type { AnalysisSettings } from '../analysis/settings';
import type { CallSitesView } from './worker-protocol';
import type { ServiceMapView } from '../protocol/service-map';
import type { TraceDocument } from '../protocol/trace-document';
import type { Endpoints } from './api-routes';
import type { IngestConfig } from './ingest-config';
import type { CarriedStats, IngestStats } from './ingest-core';
import type { QueryAnswer } from './trace-queries';
import type { StoredTrace } from './trace-store';
import type { HostToWorker, WorkerStart, WorkerToHost } from './worker-protocol';

export type WorkerUpdate = Extract<WorkerToHost, { type: 'update' }>;
export type WorkerLog = Extract<WorkerToHost, { type: 'log' }>;

/** Start-up failed: the message says what and how to fix it. */
export class IngestStartError extends Error {
  override readonly name = 'IngestStartError';
  constructor(readonly reason: 'port-in-use' | 'config' | 'bind' | 'crashed', message: string, readonly port?: number) {
    super(message);
  }
}

export interface IngestWorkerOptions {
  runner: string;
  version: string;
  /** The worker bundle; defaults to `worker.js` beside this bundle. */
  workerPath?: string;
  /** The worker's heap limits (tests make it run out of memory on purpose); Node's defaults otherwise. */
  resourceLimits?: ResourceLimits;
  /** The counters of the workers before this one, which it continues. */
  carried?: CarriedStats;
}

export class IngestWorker {
  private readonly updates = new Emitter<WorkerUpdate>();
  private readonly logs = new Emitter<WorkerLog>();
  private readonly exits = new Emitter<IngestStartError | undefined>();
  readonly onUpdate = this.updates.event;
  readonly onLog = this.logs.event;
  /** The worker ended: undefined after stop(), an error when it died. */
  readonly onExit = this.exits.event;
  /** Resolves with the bound endpoints, or rejects with an IngestStartError. */
  readonly ready: Promise<Endpoints>;

  private readonly worker: Worker;
  /** Answers awaited from the worker, by request id; resolved with undefined if the worker ends first. */
  private readonly pending = new Map<number, (answer: unknown) => void>();
  private nextRequest = 1;
  private stopping: Promise<void> | undefined;
  private exited = false;
  /** The counters of the last update: what a worker that dies takes with it. */
  lastStats: IngestStats | undefined;
  /** Why the worker crashed (its uncaught error), once it has. */
  private crashReason: string | undefined;

  constructor(config: IngestConfig, options: IngestWorkerOptions) {
    const start: WorkerStart = { config, runner: options.runner, version: options.version, testHooks: process.env.HOPSCOPE_TEST_HOOKS === '1', ...(options.carried ? { carried: options.carried } : {}) };
    this.worker = new Worker(resolve(options.workerPath ?? join(__dirname, 'worker.js')), { workerData: start, name: 'hopscope-ingest', ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}) });
    let settle: { resolve: (e: Endpoints) => void; reject: (e: Error) => void } | undefined;
    this.ready = new Promise<Endpoints>((resolve, reject) => (settle = { resolve, reject }));
    this.ready.catch(() => undefined); // observed by callers; never an unhandled rejection
    this.worker.on('message', (message: WorkerToHost) => {
      switch (message.type) {
        case 'listening':
          settle?.resolve(message.endpoints);
          break;
        case 'failed':
          settle?.reject(new IngestStartError(message.reason, message.message, message.port));
          void this.worker.terminate();
          break;
        case 'update':
          this.lastStats = message.stats;
          this.updates.fire(message);
          break;
        case 'log':
          this.logs.fire(message);
          break;
        case 'trace':
          this.answer(message.requestId, message.trace ?? undefined);
          break;
        case 'traceView':
          this.answer(message.requestId, message.undrawable !== undefined ? { undrawable: message.undrawable } : message.document ?? undefined);
          break;
        case 'queriedTraces':
          this.answer(message.requestId, message.answer);
          break;
        case 'serviceMap':
          this.answer(message.requestId, message.map);
          break;
        case 'callSites':
          this.answer(message.requestId, message.sites);
          break;
        case 'openedFile':
          this.answer(message.requestId, message.opened);
          break;
        case 'exportedTrace':
          this.answer(message.requestId, message.bytes ?? undefined);
          break;
        case 'stopped':
          break;
      }
    });
    this.worker.on('error', (error) => {
      this.crashReason = error.message;
      const failure = new IngestStartError('crashed', `the ingest worker crashed: ${error.message}`);
      settle?.reject(failure);
      this.logs.fire({ type: 'log', level: 'error', message: failure.message + (error.stack ? `\n${error.stack}` : '') });
    });
    this.worker.on('exit', (code) => {
      this.exited = true;
      for (const resolve of this.pending.values()) resolve(undefined);
      this.pending.clear();
      const failure = this.stopping || code === 0 ? undefined : new IngestStartError('crashed', `the ingest worker exited with code ${code}${this.crashReason ? ` (${this.crashReason})` : ''}`);
      settle?.reject(failure ?? new IngestStartError('crashed', 'the ingest worker stopped before it was listening'));
      this.exits.fire(failure);
    });
  }

  getTrace(traceId: string): Promise<StoredTrace | undefined> {
    return this.ask<StoredTrace>((requestId) => ({ type: 'getTrace', requestId, traceId }));
  }

  /**
   * Stores the spans of a kept trace document again (merged by span id with what arrived since) and answers with
   * the trace's document. The bytes are transferred to the worker: `document` is empty afterwards.
   */
  restoreTrace(document: Uint8Array): Promise<TraceDocument | undefined> {
    // Only a buffer the document has to itself is transferred (a Buffer from node's pool shares its ArrayBuffer).
    const own = document.byteOffset === 0 && document.byteLength === document.buffer.byteLength ? document : document.slice();
    return this.ask<TraceDocument>((requestId) => ({ type: 'restoreTrace', requestId, document: own }), [own.buffer as ArrayBuffer]);
  }

  /** Decodes a trace file into the store (the bytes are transferred: `bytes` is empty afterwards). */
  openFile(name: string, bytes: Uint8Array): Promise<OpenedFile | undefined> {
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    return this.ask<OpenedFile>((requestId) => ({ type: 'openFile', requestId, name, bytes: own }), [own.buffer as ArrayBuffer]);
  }

  /** A stored trace as OTLP JSON lines; undefined when it is not stored. */
  exportTrace(traceId: string): Promise<Uint8Array | undefined> {
    return this.ask<Uint8Array>((requestId) => ({ type: 'exportTrace', requestId, traceId }));
  }

  /** What a trace panel draws, built by the worker, as a trace document (or why it is not drawn); undefined when it does not hold the trace. */
  getTraceView(traceId: string): Promise<TraceDocument | undefined> {
    return this.ask<TraceDocument>((requestId) => ({ type: 'getTraceView', requestId, traceId }));
  }

  /** The ids of the stored traces a trace query picks, newest first, or where the query is wrong; undefined once the worker has ended. */
  queryTraces(query: string): Promise<QueryAnswer | undefined> {
    return this.ask<QueryAnswer>((requestId) => ({ type: 'queryTraces', requestId, query }));
  }

  /** The service map over the stored traces; undefined once the worker has ended. */
  getServiceMap(): Promise<ServiceMapView | undefined> {
    return this.ask<ServiceMapView>((requestId) => ({ type: 'getServiceMap', requestId }));
  }

  /** The call sites over the stored traces; undefined once the worker has ended. */
  getCallSites(): Promise<CallSitesView | undefined> {
    return this.ask<CallSitesView>((requestId) => ({ type: 'getCallSites', requestId }));
  }

  private ask<T>(message: (requestId: number) => HostToWorker, transfer?: ArrayBuffer[]): Promise<T | undefined> {
    if (this.exited) return Promise.resolve(undefined);
    const requestId = this.nextRequest++;
    return new Promise((resolve) => {
      this.pending.set(requestId, resolve as (answer: unknown) => void);
      this.send(message(requestId), transfer);
    });
  }

  private answer(requestId: number, value: unknown): void {
    this.pending.get(requestId)?.(value);
    this.pending.delete(requestId);
  }

  clear(): void {
    this.send({ type: 'clear' });
  }

  /** Tests of supervision only: makes the worker throw (it ignores this unless HOPSCOPE_TEST_HOOKS=1 was set when it started). */
  crashForTest(): void {
    this.send({ type: 'crashForTest' });
  }

  /**
   * Tests only (honoured with HOPSCOPE_TEST_HOOKS=1): the analysis thread's next analysis sets `signal[1]` to 1
   * and waits until `signal[0]` is not 0 (an Int32Array over a SharedArrayBuffer of 2).
   */
  holdAnalysisForTest(signal: Int32Array): void {
    this.send({ type: 'holdAnalysisForTest', signal });
  }

  /** Tests only (honoured with HOPSCOPE_TEST_HOOKS=1): makes the analysis thread throw; the worker starts another. */
  crashAnalysisForTest(): void {
    this.send({ type: 'crashAnalysisForTest' });
  }

  setAnalysisSettings(settings: AnalysisSettings): void {
    this.send({ type: 'analysisSettings', settings });
  }

  /** Debugger pauses of this window's debug sessions, as they change. */
  recordPauses(pauses: DebugPause[]): void {
    this.send({ type: 'pauses', pauses });
  }

  /** Stack frames that are never a call's place (`hopscope.sourceLines.skipFrames`). */
  setSkipFrames(patterns: readonly string[]): void {
    this.send({ type: 'skipFrames', patterns: [...patterns] });
  }

  /** Closes the ports and ends the worker; safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      if (this.exited) return resolve();
      const timer = setTimeout(() => void this.worker.terminate(), 3000);
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.send({ type: 'stop' });
    });
    return this.stopping;
  }

  private send(message: HostToWorker, transfer?: ArrayBuffer[]): void {
    if (!this.exited) this.worker.postMessage(message, transfer);
  }
}
