/**
 * The ingest worker: receivers, decoders and the trace store, off the thread
 * that hosts the editor. Started by IngestWorker with a WorkerStart.
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { errorText } from '../common/errors';
import { isUndrawable } from '../views/trace-document';
import { apiHandler, PROGRAM_ID, type Endpoints, type StatsDocument } from './api-routes';
import { AnalysisFeed, BUSY_FEED_BUDGET_MS, FEED_BUDGET_MS, type AnalysisLink } from './analysis-feed';
import type { FromAnalysis } from './analysis-protocol';
import { AnalysisThread } from './analysis-thread';
import { AnalysisViews, type TraceViewAnswer } from './analysis-views';
import { configProblems } from './ingest-config';
import { IngestCore } from './ingest-core';
import { restoreJournal, restoreSummary } from './journal/journal-restore';
import { exportTrace, openTraceFile } from './trace-files';
import { DEFAULT_JOURNAL_OPTIONS, JournalWriter } from './journal/journal-writer';
import { EventStream } from './event-stream';
import { startGrpcReceiver, type GrpcReceiver } from './grpc-receiver';
import { startHttpReceiver, type HttpReceiver, type Logger } from './http-receiver';
import { PortError } from './listen';
import { PauseBook } from './pause-book';
import type { DebugPause } from '../model/pause';
import { TraceQueries } from './trace-queries';
import type { TraceSummary } from './trace-store';
import { UPDATE_INTERVAL_MS, type HostToWorker, type WorkerStart, type WorkerToHost } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('the ingest worker must run in a worker_thread');
const post = (message: WorkerToHost, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);
/** A trace document to the host: bytes of its own (from the analysis thread, or a copy) are transferred, so no thread copies it again. */
const postDocument = (requestId: number, document: TraceViewAnswer) => {
  const bytes = document instanceof Uint8Array ? document : null;
  const undrawable = isUndrawable(document) ? { undrawable: document.undrawable } : {};
  post({ type: 'traceView', requestId, document: bytes, ...undrawable }, bytes ? [bytes.buffer as ArrayBuffer] : undefined);
};
const log: Logger = (level, message) => post({ type: 'log', level, message });

async function main(start: WorkerStart): Promise<void> {
  const { config } = start;
  const problems = configProblems(config);
  if (problems.length > 0) {
    post({ type: 'failed', reason: 'config', message: `invalid receiver settings: ${problems.join('; ')}` });
    return;
  }
  const core = new IngestCore(config);
  core.carried = start.carried;
  const journal = await openJournal(config, core);
  const { analysis, feed, views } = startAnalysis(start, core);
  // Debugger pauses, from this window's debug sessions or (through the API) a window that follows this one.
  const pauses = new PauseBook();
  const recordPauses = (given: DebugPause[]) => {
    // Recorded first: a thread started after this must be given these too.
    const changed = pauses.record(given);
    analysis.setPauses(() => pauses.records(), changed);
  };
  const queries = new TraceQueries(core.store, (traceId) => feed.headlineOf(traceId));
  const at: { endpoints: Endpoints } = { endpoints: { http: { host: config.host, port: config.httpPort }, grpc: null } };
  const stats = (): StatsDocument => ({ program: PROGRAM_ID, runner: start.runner, version: start.version, pid: process.pid, endpoints: at.endpoints, ...core.stats() });
  const updates = new Updates(core, feed, stats);
  core.eventStats = () => updates.events.stats;
  core.heapUsed = () => getHeapStatistics().used_heap_size;

  const receivers = await listen(config, core, apiHandler(config, core, updates.events, stats, views, queries, recordPauses), at);
  if ('failed' in receivers) {
    await analysis.stop();
    postListenFailure(receivers.failed);
    return;
  }
  await analysis.ready;
  post({ type: 'listening', endpoints: at.endpoints });
  if (journal) restore(config, core, journal);

  const timer = setInterval(updates.flush, UPDATE_INTERVAL_MS);
  const running: Running = { start, core, journal: journal?.writer, analysis, feed, views, queries, recordPauses, updates, timer, ...receivers };
  port!.on('message', (message: HostToWorker) => onHostMessage(message, running));
}

interface Journal {
  writer: JournalWriter;
  restored: { restoring: boolean; spans: number; logs: number; damaged: number };
}

/**
 * With a data folder, every accepted request is journaled before its answer, and what the folder holds
 * comes back into the store (`restore`, after the receivers listen: restoring never keeps a sender waiting).
 */
async function openJournal(config: WorkerStart['config'], core: IngestCore): Promise<Journal | undefined> {
  if (!config.journal) return undefined;
  const writer = new JournalWriter({ ...DEFAULT_JOURNAL_OPTIONS, ...config.journal, log });
  const restored = { restoring: false, spans: 0, logs: 0, damaged: 0 };
  await writer.start();
  core.journal = writer;
  core.journalStatus = () => ({
    dir: config.journal!.dir, writing: writer.stats.writing, problem: writer.stats.problem, recordsWritten: writer.stats.recordsWritten,
    recordsNotWritten: writer.stats.recordsNotWritten, restoring: restored.restoring, restoredSpans: restored.spans, restoredLogs: restored.logs, damaged: restored.damaged,
  });
  return { writer, restored };
}

function restore(config: WorkerStart['config'], core: IngestCore, { writer, restored }: Journal): void {
  const dir = config.journal!.dir;
  restored.restoring = true;
  const limits = { maxSpans: config.maxSpans, maxTraces: config.maxTraces, maxBytes: config.maxStoreBytes };
  void restoreJournal(core.store, { dir, skip: writer.segment, limits, log }).then((report) => {
    Object.assign(restored, { restoring: false, spans: report.spans, logs: report.logs, damaged: report.damage.length });
    log(report.damage.length > 0 || report.undecodable > 0 ? 'warn' : 'info', restoreSummary(report, dir));
  });
}

/**
 * Every computation over a trace runs on the analysis thread; this thread receives, stores, and sends
 * it each trace's new spans (analysis-feed.ts), and passes on what comes back.
 */
function startAnalysis(start: WorkerStart, core: IngestCore): { analysis: AnalysisThread; feed: AnalysisFeed; views: AnalysisViews } {
  let thread: AnalysisThread | undefined;
  const link: AnalysisLink = { get up() { return thread?.up ?? false; }, post: (message) => thread?.post(message) };
  const feed = new AnalysisFeed(core.store, link);
  const fromAnalysis = (message: FromAnalysis) => {
    if (message.type === 'applied') feed.applied(message.bytes);
    else if (message.type === 'headlines') feed.receive(message.items);
    else if (message.type === 'log') log(message.level, message.message);
  };
  const settings = { settings: start.config.analysis, skipFrames: [], testHooks: start.testHooks === true };
  const analysis = (thread = new AnalysisThread(settings, { onMessage: fromAnalysis, onStart: () => feed.reset(), log }));
  return { analysis, feed, views: new AnalysisViews(core.store, feed, analysis) };
}

/** The OTLP/HTTP receiver (with the API), then OTLP/gRPC; their ports into `at`. When one cannot listen, why (the other closed). */
async function listen(
  config: WorkerStart['config'], core: IngestCore, api: Parameters<typeof startHttpReceiver>[2], at: { endpoints: Endpoints },
): Promise<{ http: HttpReceiver; grpc: GrpcReceiver | undefined } | { failed: unknown }> {
  let http: HttpReceiver | undefined;
  let grpc: GrpcReceiver | undefined;
  try {
    http = await startHttpReceiver(config, core, api, log);
    at.endpoints = { ...at.endpoints, http: { host: config.host, port: http.port } };
    if (config.grpcEnabled) {
      grpc = await startGrpcReceiver(config, core, log);
      at.endpoints = { ...at.endpoints, grpc: { host: config.host, port: grpc.port } };
    }
    return { http, grpc };
  } catch (error) {
    await http?.close();
    return { failed: error };
  }
}

function postListenFailure(error: unknown): void {
  const message = errorText(error);
  if (error instanceof PortError) post({ type: 'failed', reason: error.code === 'EADDRINUSE' ? 'port-in-use' : 'bind', port: error.port, message });
  else post({ type: 'failed', reason: 'bind', message });
}

/** What changed, to the host and the event stream, once per UPDATE_INTERVAL_MS (`flush`) and when the store is cleared. */
class Updates {
  readonly events: EventStream;
  private sent = 0;
  private snapshot: { at: number; traces: readonly TraceSummary[] } | undefined;
  /** Requests answered plus spans evicted at the last update: either changes the counters a view shows. */
  private lastActivity = -1;

  constructor(private readonly core: IngestCore, private readonly feed: AnalysisFeed, private readonly stats: () => StatsDocument) {
    this.events = new EventStream(() => ({ stats: stats(), traces: this.snapshotTraces() }));
  }

  /**
   * The state a new event-stream client starts from: taken at most once per update sent (any snapshot
   * taken after the last update is consistent with the updates that follow it), with the headlines.
   */
  private snapshotTraces(): readonly TraceSummary[] {
    if (this.snapshot?.at !== this.sent) {
      const traces = this.core.store.summaries().map((s) => {
        const headline = this.feed.headlineOf(s.traceId);
        return headline ? { ...s, headline } : s;
      });
      this.snapshot = { at: this.sent, traces };
    }
    return this.snapshot.traces;
  }

  readonly flush = (): void => {
    const { core, feed } = this;
    core.store.settle();
    const taken = core.store.takeChanges();
    const { removed } = taken;
    feed.offer(taken.changed, removed);
    // Copying spans to the analysis thread yields to requests waiting to be decoded: receiving comes first.
    feed.pump(core.queue.length > 0 ? BUSY_FEED_BUDGET_MS : FEED_BUDGET_MS);
    // Headlines that came back since the last flush ride along with the traces that changed.
    feed.annotate(taken.changed);
    const changed = [...taken.changed, ...feed.takeRefreshed(taken.changed)];
    const current = core.stats();
    const activity = current.requests + current.spansEvicted;
    if (changed.length === 0 && removed.length === 0 && activity === this.lastActivity) return;
    this.lastActivity = activity;
    const update: WorkerToHost = { type: 'update', changed, removed, stats: current };
    post(update);
    this.sent++;
    this.events.update(changed, removed, this.stats());
  };
}

/** What a listening worker answers the host with. */
interface Running {
  start: WorkerStart;
  core: IngestCore;
  journal: JournalWriter | undefined;
  analysis: AnalysisThread;
  feed: AnalysisFeed;
  views: AnalysisViews;
  queries: TraceQueries;
  recordPauses: (given: DebugPause[]) => void;
  updates: Updates;
  timer: ReturnType<typeof setInterval>;
  http: HttpReceiver;
  grpc: GrpcReceiver | undefined;
}

function onHostMessage(message: HostToWorker, w: Running): void {
  const { start, core, analysis, views } = w;
  switch (message.type) {
    case 'getTrace':
      post({ type: 'trace', requestId: message.requestId, trace: core.store.get(message.traceId.toLowerCase()) ?? null });
      break;
    case 'getTraceView':
      void views.traceView(message.traceId.toLowerCase()).then((document) => postDocument(message.requestId, document));
      break;
    case 'restoreTrace':
      void views.restore(message.document).then((document) => postDocument(message.requestId, document));
      break;
    case 'openFile':
      post({ type: 'openedFile', requestId: message.requestId, opened: openTraceFile(core, message.name, message.bytes) });
      break;
    case 'exportTrace': {
      const bytes = exportTrace(core, message.traceId.toLowerCase());
      post({ type: 'exportedTrace', requestId: message.requestId, bytes }, bytes ? [bytes.buffer as ArrayBuffer] : undefined);
      break;
    }
    case 'queryTraces':
      post({ type: 'queriedTraces', requestId: message.requestId, answer: w.queries.run(message.query) });
      break;
    case 'getServiceMap':
      void views.serviceMap().then((map) => post({ type: 'serviceMap', requestId: message.requestId, map }));
      break;
    case 'getCallSites':
      void views.callSites().then((sites) => post({ type: 'callSites', requestId: message.requestId, sites }));
      break;
    case 'skipFrames':
      analysis.setSkipFrames(message.patterns);
      break;
    case 'analysisSettings':
      analysis.setSettings(message.settings);
      break;
    case 'pauses':
      w.recordPauses(message.pauses);
      break;
    case 'clear':
      void w.journal?.clear();
      core.store.clear();
      w.feed.clear();
      analysis.post({ type: 'clear' });
      w.updates.flush();
      break;
    case 'holdAnalysisForTest':
      if (start.testHooks) analysis.post({ type: 'holdForTest', signal: message.signal });
      break;
    case 'crashAnalysisForTest':
      if (start.testHooks) analysis.post({ type: 'crashForTest' });
      break;
    case 'crashForTest':
      // Supervision tests only: the host sends this only when started with HOPSCOPE_TEST_HOOKS=1 (never from the network).
      if (start.testHooks) setImmediate(() => { throw new Error('crash requested by a test'); });
      break;
    case 'stop':
      clearInterval(w.timer);
      w.updates.events.close();
      void Promise.all([w.http.close(), w.grpc?.close(), analysis.stop()]).then(() => w.journal?.close()).then(() => {
        post({ type: 'stopped' });
        port!.close();
      });
      break;
  }
}

main(workerData as WorkerStart).catch((error: unknown) => {
  post({ type: 'failed', reason: 'bind', message: `the ingest worker failed to start: ${errorText(error)}` });
});
