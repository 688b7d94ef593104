/**
 * The receiver's lifecycle for one editor window: run an ingest worker on the
 * configured ports; when the port is already held by another Hopscope (another
 * window, or `hopscope serve`), follow that one's traces instead of failing,
 * and take the port over when it goes away. Only a port held by a foreign
 * program is an error. No `vscode` here, so it is tested with real sockets.
 *
 *   start ─► listening ─► (the worker dies) starting ─► listening again, same ports (backoff, counted, counters carried on)
 *                                                    └─ cannot listen (any bind failure) ─► again with backoff … ─► error after the limit
 *      │
 *      └─ port in use ─► probe /api/stats ─► Hopscope? ─► following ─► (it left) start again
 *                                        └─ no ───────► error (port-in-use)
 */
import type { OpenedFile } from './trace-files';
import type { AnalysisSettings } from '../analysis/settings';
import type { DebugPause } from '../model/pause';
import type { CallSitesView } from './worker-protocol';
import type { ServiceMapView } from '../protocol/service-map';
import type { TraceDocument } from '../protocol/trace-document';
import type { ResourceLimits } from 'node:worker_threads';
import { Emitter } from '../common/emitter';
import type { Endpoints } from './api-routes';
import type { IngestConfig } from './ingest-config';
import { carriedStats, type CarriedStats, type IngestStats } from './ingest-core';
import { IngestStartError, IngestWorker } from './ingest-worker';
import { gaveUpText, lostText, RestartBackoff, type BackoffLimits } from './restart-backoff';
import { PauseBook } from './pause-book';
import { fetchRemoteCallSites, fetchRemoteQuery, fetchRemoteServiceMap, fetchRemoteTrace, fetchRemoteTraceExport, fetchRemoteTraceView, postRemotePauses, probeHopscope, RemoteReceiver } from './remote-receiver';
import type { QueryAnswer } from './trace-queries';
import type { StoredTrace, TraceSummary } from './trace-store';

export type ReceiverState =
  | { kind: 'stopped'; why: 'disabled' | 'stopped' }
  | { kind: 'starting' }
  /** `restarts`: how often the worker died and was started again (with the last reason), when it has. */
  | { kind: 'listening'; endpoints: Endpoints; restarts?: number; lastCrash?: string }
  /** Another Hopscope holds the port; its traces are shown live. */
  | { kind: 'following'; endpoints: Endpoints; runner: string; pid: number }
  | { kind: 'error'; reason: IngestStartError['reason']; message: string; port?: number };

/** Trace summaries to apply; `reset` replaces everything held so far. */
export interface TracesUpdate {
  reset: boolean;
  changed: TraceSummary[];
  removed: string[];
  stats: IngestStats;
}

export interface ReceiverSettings {
  enabled: boolean;
  config: IngestConfig;
}

export interface ReceiverControllerOptions {
  runner: string;
  version: string;
  workerPath?: string;
  /** The worker's heap limits (tests only; Node's defaults otherwise). */
  resourceLimits?: ResourceLimits;
  /** Waits between attempts to take a port over from a Hopscope that is closing. */
  takeoverDelaysMs?: number[];
  /** The restart backoff's limits (tests only; restart-backoff.ts otherwise). */
  restartBackoff?: Partial<BackoffLimits>;
}

export const EMPTY_STATS: IngestStats = {
  requests: 0, badRequests: 0, busyResponses: 0, spansReceived: 0, spansRejected: 0, duplicateSpans: 0,
  spansStored: 0, spansEvicted: 0, tracesStored: 0, tracesEvicted: 0, logsStored: 0, logsPending: 0, logsDropped: 0,
  bytesStored: 0, maxStoreBytes: 0, valuesTruncated: 0, heapUsedBytes: 0,
  eventClients: 0, eventBytesQueued: 0, eventUpdatesCoalesced: 0, eventClientsDropped: 0, restarts: 0, journal: null,
};

export class ReceiverController {
  private readonly states = new Emitter<ReceiverState>();
  private readonly traces = new Emitter<TracesUpdate>();
  private readonly logs = new Emitter<{ level: 'info' | 'warn' | 'error'; message: string }>();
  readonly onState = this.states.event;
  readonly onTraces = this.traces.event;
  readonly onLog = this.logs.event;

  private current: ReceiverState = { kind: 'stopped', why: 'stopped' };
  private generation = 0;
  private worker: IngestWorker | undefined;
  private remote: RemoteReceiver | undefined;
  /** Event streams that failed before their first event, in a row. */
  private failedFollows = 0;
  private skipFrames: string[] = [];
  private readonly pauses = new PauseBook();
  /** Workers started again since start() (after one died, or could not listen again). */
  private restarts = 0;
  private lastCrash = '';
  private backoff: RestartBackoff;
  /** The counters of this window's workers that ended, which the next one continues. */
  private carried: CarriedStats | undefined;

  constructor(private readonly options: ReceiverControllerOptions) {
    this.backoff = new RestartBackoff(options.restartBackoff);
  }

  get state(): ReceiverState {
    return this.current;
  }

  /** (Re)starts with these settings; whatever ran before is stopped first. */
  async start(settings: ReceiverSettings): Promise<void> {
    this.failedFollows = 0;
    this.restarts = 0;
    this.carried = undefined;
    this.backoff = new RestartBackoff(this.options.restartBackoff);
    await this.run(++this.generation, settings, 'start');
  }

  /** Stops receiving (ports freed); `why` tells the status bar whether a setting or the user did it. */
  async stop(why: 'disabled' | 'stopped' = 'stopped'): Promise<void> {
    ++this.generation;
    await this.teardown();
    this.setState({ kind: 'stopped', why });
    this.traces.fire({ reset: true, changed: [], removed: [], stats: EMPTY_STATS });
  }

  getTrace(traceId: string): Promise<StoredTrace | undefined> {
    if (this.worker) return this.worker.getTrace(traceId);
    if (this.remote) return fetchRemoteTrace(this.remote.host, this.remote.port, traceId);
    return Promise.resolve(undefined);
  }

  /**
   * Gives this window's worker a trace document kept with a panel back (after a reload restarted the receiver;
   * the bytes are transferred) and answers with the trace's document; undefined when this window follows another
   * Hopscope, whose store it cannot write to.
   */
  restoreTrace(document: Uint8Array): Promise<TraceDocument | undefined> {
    return this.worker ? this.worker.restoreTrace(document) : Promise.resolve(undefined);
  }

  /**
   * Opens a trace file into this window's receiver; undefined when it has none running (a window that follows
   * another Hopscope cannot write to it).
   */
  openFile(name: string, bytes: Uint8Array): Promise<OpenedFile | undefined> {
    return this.worker ? this.worker.openFile(name, bytes) : Promise.resolve(undefined);
  }

  /** A stored trace as OTLP JSON lines, from this window's worker or the Hopscope it follows. */
  exportTrace(traceId: string): Promise<Uint8Array | undefined> {
    if (this.worker) return this.worker.exportTrace(traceId);
    return this.remote ? fetchRemoteTraceExport(this.remote.host, this.remote.port, traceId) : Promise.resolve(undefined);
  }

  /** What a trace panel draws, as the trace document the worker that holds the trace built (this window's, or the Hopscope it follows). */
  getTraceView(traceId: string): Promise<TraceDocument | undefined> {
    if (this.worker) return this.worker.getTraceView(traceId);
    if (this.remote) return fetchRemoteTraceView(this.remote.host, this.remote.port, traceId);
    return Promise.resolve(undefined);
  }

  /** The service map over the stored traces (this window's worker, or the Hopscope it follows); undefined when there is neither. */
  getServiceMap(): Promise<ServiceMapView | undefined> {
    if (this.worker) return this.worker.getServiceMap();
    if (this.remote) return fetchRemoteServiceMap(this.remote.host, this.remote.port);
    return Promise.resolve(undefined);
  }
  /** The ids of the traces a query picks (this window's worker, or the Hopscope it follows); undefined when there is neither. */
  queryTraces(query: string): Promise<QueryAnswer | undefined> {
    if (this.worker) return this.worker.queryTraces(query);
    if (this.remote) return fetchRemoteQuery(this.remote.host, this.remote.port, query);
    return Promise.resolve(undefined);
  }

  /** The call sites over the stored traces, in both modes; undefined when there is no receiver. */
  getCallSites(): Promise<CallSitesView | undefined> {
    if (this.worker) return this.worker.getCallSites();
    if (this.remote) return fetchRemoteCallSites(this.remote.host, this.remote.port);
    return Promise.resolve(undefined);
  }


  /**
   * Debugger pauses of this window's debug sessions: to this window's worker, or to the Hopscope it follows
   * (POST /api/pauses). Every pause is kept here too (bounded, pause-book.ts), so that a worker started later
   * — after a crash, a restart or a takeover — gets them all.
   */
  recordPauses(pauses: DebugPause[]): void {
    this.pauses.record(pauses);
    if (this.worker) this.worker.recordPauses(pauses);
    else if (this.remote) {
      const { host, port } = this.remote;
      void postRemotePauses(host, port, pauses).then((problem) => problem && this.log('warn', `could not send debugger pauses to the Hopscope this window follows: ${problem}`));
    }
  }

  /** New analysis thresholds for the running worker (no restart: traces are kept). */
  setAnalysisSettings(settings: AnalysisSettings): void {
    this.worker?.setAnalysisSettings(settings);
  }

  /**
   * Stack frames that are never a call's place (`hopscope.sourceLines.skipFrames`), for this
   * window's worker now and every worker it starts later. A Hopscope that is followed finds
   * places with its own settings.
   */
  setSkipFrames(patterns: readonly string[]): void {
    this.skipFrames = [...patterns];
    this.worker?.setSkipFrames(this.skipFrames);
  }

  /** Clears the stored traces; while following, only this window's list (the API is read-only). */
  clear(): void {
    if (this.worker) this.worker.clear();
    else this.traces.fire({ reset: true, changed: [], removed: [], stats: EMPTY_STATS });
  }

  /** Supervision tests only: makes this window's worker throw (it obeys only when HOPSCOPE_TEST_HOOKS=1 was set). */
  crashWorkerForTest(): void {
    this.worker?.crashForTest();
  }

  async dispose(): Promise<void> {
    ++this.generation;
    await this.teardown();
    this.states.dispose();
    this.traces.dispose();
    this.logs.dispose();
  }

  /** `restart`: after this window's worker died; `takeover`: after the Hopscope this window followed went. */
  private async run(generation: number, settings: ReceiverSettings, why: 'start' | 'restart' | 'takeover'): Promise<void> {
    await this.teardown();
    if (generation !== this.generation) return;
    if (!settings.enabled) return this.setState({ kind: 'stopped', why: 'disabled' });
    this.setState({ kind: 'starting' });
    const { config } = settings;
    const delays = why === 'takeover' ? (this.options.takeoverDelaysMs ?? [100, 250, 500, 1000, 2000]) : [];
    for (let attempt = 0; ; attempt++) {
      const carried = this.restarts > 0 ? carriedStats(undefined, this.carried, this.restarts) : undefined;
      const worker = new IngestWorker(config, carried ? { ...this.options, carried } : this.options);
      try {
        const endpoints = await worker.ready;
        if (generation !== this.generation) {
          await worker.stop();
          return;
        }
        this.adopt(worker, generation, settings, endpoints);
        this.log('info', `listening: OTLP/HTTP ${endpoints.http.host}:${endpoints.http.port}, OTLP/gRPC ${endpoints.grpc ? `${endpoints.grpc.host}:${endpoints.grpc.port}` : 'off'}${this.restarts > 0 ? ` (after restart ${this.restarts})` : ''}`);
        this.traces.fire({ reset: true, changed: [], removed: [], stats: this.carriedOnly() });
        return this.setState(this.restarts > 0 ? { kind: 'listening', endpoints, restarts: this.restarts, lastCrash: this.lastCrash } : { kind: 'listening', endpoints });
      } catch (caught) {
        if (generation !== this.generation) return;
        const error = caught instanceof IngestStartError ? caught : new IngestStartError('crashed', String(caught));
        if (error.reason === 'port-in-use' && error.port === config.httpPort) {
          const other = await probeHopscope(config.host, config.httpPort);
          if (generation !== this.generation) return;
          if (other) return this.follow(generation, settings, other.runner);
        }
        // A worker that cannot listen again after it died (the port or address not available, for now) is
        // tried again with the backoff, each try counted as a restart, until the backoff's limit.
        if (why === 'restart' && error.reason !== 'config') {
          const again = this.backoff.afterFailedStart();
          if (again === undefined) {
            const message = gaveUpText(this.backoff.failedInARow, error.message);
            this.log('error', message);
            return this.setState({ kind: 'error', reason: error.reason, message, ...(error.port === undefined ? {} : { port: error.port }) });
          }
          this.restarts++;
          this.lastCrash = error.message;
          this.log('error', `the ingest worker could not start again (${this.backoff.failedInARow} failed in a row): ${error.message}. Trying again in ${(again / 1000).toFixed(1)} s (restart ${this.restarts})`);
          await sleep(again);
          if (generation !== this.generation) return;
          continue;
        }
        const delay = error.reason === 'port-in-use' ? delays[attempt] : undefined;
        if (delay === undefined) {
          this.log('error', error.message);
          return this.setState({ kind: 'error', reason: error.reason, message: error.message, ...(error.port === undefined ? {} : { port: error.port }) });
        }
        await sleep(delay);
        if (generation !== this.generation) return;
      }
    }
  }

  private adopt(worker: IngestWorker, generation: number, settings: ReceiverSettings, endpoints: Endpoints): void {
    this.worker = worker;
    const upSince = performance.now();
    if (this.skipFrames.length > 0) worker.setSkipFrames(this.skipFrames);
    if (this.pauses.size > 0) worker.recordPauses(this.pauses.records());
    worker.onLog(({ level, message }) => this.log(level, message));
    worker.onUpdate(({ changed, removed, stats }) => this.traces.fire({ reset: false, changed, removed, stats }));
    worker.onExit((failure) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (!failure || generation !== this.generation) return;
      // A worker that dies is started again on the ports it had (so senders find it where they were sending), with backoff.
      const delay = this.backoff.next(performance.now() - upSince);
      this.restarts++;
      this.lastCrash = failure.message;
      this.carried = carriedStats(worker.lastStats, this.carried, this.restarts);
      this.log('error', `${failure.message}; ${lostText(worker.lastStats)}. Restarting it in ${(delay / 1000).toFixed(1)} s (restart ${this.restarts})`);
      this.setState({ kind: 'starting' });
      this.traces.fire({ reset: true, changed: [], removed: [], stats: this.carriedOnly() });
      const again = { ...settings, config: { ...settings.config, httpPort: endpoints.http.port, grpcPort: endpoints.grpc?.port ?? settings.config.grpcPort } };
      void sleep(delay).then(() => {
        if (generation === this.generation) return this.run(generation, again, 'restart');
      });
    });
  }

  private follow(generation: number, settings: ReceiverSettings, runner: string): void {
    const { host, httpPort } = settings.config;
    this.log('info', `port ${httpPort} is held by another Hopscope (${runner}); showing its traces`);
    const remote = new RemoteReceiver(host, httpPort);
    this.remote = remote;
    let greeted = false;
    remote.onHello(({ stats, traces }) => {
      // The followed Hopscope learns this window's pauses once it greets (again after a resync: they are upserts).
      if (!greeted && this.pauses.size > 0) void postRemotePauses(host, httpPort, this.pauses.records().slice(-256)).then((problem) => problem && this.log('warn', `could not send debugger pauses to the Hopscope this window follows: ${problem}`));
      greeted = true;
      this.failedFollows = 0;
      this.traces.fire({ reset: true, changed: traces, removed: [], stats });
      this.setState({ kind: 'following', endpoints: stats.endpoints, runner: stats.runner, pid: stats.pid });
    });
    remote.onUpdate(({ changed, removed, stats }) => this.traces.fire({ reset: false, changed, removed, stats }));
    remote.onClose((error) => {
      if (this.remote !== remote) return;
      this.remote = undefined;
      if (generation !== this.generation) return;
      if (!greeted && ++this.failedFollows >= 3) {
        const message = `another Hopscope holds port ${httpPort} but its event stream failed${error ? `: ${error.message}` : ''}`;
        this.log('error', message);
        return this.setState({ kind: 'error', reason: 'port-in-use', message, port: httpPort });
      }
      if (greeted) this.log('info', `the Hopscope that held port ${httpPort} went away; taking the port over`);
      void sleep(greeted ? 0 : 300).then(() => {
        if (generation === this.generation) return this.run(generation, settings, 'takeover');
      });
    });
  }

  private async teardown(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.remote?.close();
    this.remote = undefined;
    await worker?.stop();
  }

  /** The stats of a worker that holds nothing yet: what this window's workers counted before it. */
  private carriedOnly(): IngestStats {
    return { ...EMPTY_STATS, ...this.carried, restarts: this.restarts };
  }

  private setState(state: ReceiverState): void {
    this.current = state;
    this.states.fire(state);
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.logs.fire({ level, message });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
