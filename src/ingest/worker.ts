/**
 * The ingest worker: receivers, decoders and the trace store, off the thread
 * that hosts the editor. Started by IngestWorker with a WorkerStart.
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { apiHandler, PROGRAM_ID, type Endpoints, type StatsDocument } from './api-routes';
import { configProblems } from './ingest-config';
import { IngestCore } from './ingest-core';
import { LiveAnalysis } from './live-analysis';
import { EventStream } from './event-stream';
import { startGrpcReceiver, type GrpcReceiver } from './grpc-receiver';
import { startHttpReceiver, type HttpReceiver, type Logger } from './http-receiver';
import { PortError } from './listen';
import { CallSitesCache } from './call-site-source';
import { ServiceMapCache } from './service-map-source';
import { keptTrace, TraceViews } from './trace-views';
import type { TraceSummary } from './trace-store';
import { UPDATE_INTERVAL_MS, type HostToWorker, type WorkerStart, type WorkerToHost } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('the ingest worker must run in a worker_thread');
const post = (message: WorkerToHost, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);
/** A trace document to the host: a copy is transferred (the cache keeps its own), so the host's thread copies nothing. */
const postDocument = (requestId: number, document: Uint8Array | undefined) => {
  const copy = document?.slice();
  post({ type: 'traceView', requestId, document: copy ?? null }, copy && [copy.buffer]);
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
  let analysisSettings = config.analysis;
  const callSites = new CallSitesCache(core.store, () => analysisSettings);
  // A trace the headlines were just worked out for need not be analysed again for the call sites.
  const analysis = new LiveAnalysis(core.store, config.analysis, undefined, (traceId, spanCount, analysed) => callSites.offer(traceId, spanCount, analysed));
  // The state a new event-stream client starts from: taken at most once per update sent (any snapshot
  // taken after the last update is consistent with the updates that follow it), with the headlines.
  let updatesSent = 0;
  let snapshot: { at: number; traces: readonly TraceSummary[] } | undefined;
  const snapshotTraces = (): readonly TraceSummary[] => {
    if (snapshot?.at !== updatesSent) {
      const traces = core.store.summaries().map((s) => {
        const headline = analysis.headlineOf(s.traceId);
        return headline ? { ...s, headline } : s;
      });
      snapshot = { at: updatesSent, traces };
    }
    return snapshot.traces;
  };
  const events = new EventStream(() => ({ stats: stats(), traces: snapshotTraces() }));
  core.eventStats = () => events.stats;
  core.heapUsed = () => getHeapStatistics().used_heap_size;
  const serviceMap = new ServiceMapCache(core.store);
  const traceViews = new TraceViews(core.store, config.analysis);
  let endpoints: Endpoints = { http: { host: config.host, port: config.httpPort }, grpc: null };
  const stats = (): StatsDocument => ({ program: PROGRAM_ID, runner: start.runner, version: start.version, pid: process.pid, endpoints, ...core.stats() });

  let http: HttpReceiver | undefined;
  let grpc: GrpcReceiver | undefined;
  try {
    http = await startHttpReceiver(config, core, apiHandler(config, core, events, stats, { serviceMap: () => serviceMap.get(), callSites: () => callSites.get(), traceView: (traceId) => traceViews.get(traceId) }), log);
    endpoints = { ...endpoints, http: { host: config.host, port: http.port } };
    if (config.grpcEnabled) {
      grpc = await startGrpcReceiver(config, core, log);
      endpoints = { ...endpoints, grpc: { host: config.host, port: grpc.port } };
    }
  } catch (error) {
    await http?.close();
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof PortError) post({ type: 'failed', reason: error.code === 'EADDRINUSE' ? 'port-in-use' : 'bind', port: error.port, message });
    else post({ type: 'failed', reason: 'bind', message });
    return;
  }
  post({ type: 'listening', endpoints });

  let lastRequests = -1;
  const flush = () => {
    core.store.settle();
    const taken = core.store.takeChanges();
    const { removed } = taken;
    // Headlines analysed since the last flush ride along with the traces that changed.
    const changed = [...taken.changed, ...analysis.annotate(taken.changed, removed, core.queue.length > 0)];
    const current = core.stats();
    const activity = current.requests + current.spansEvicted;
    if (changed.length === 0 && removed.length === 0 && activity === lastRequests) return;
    lastRequests = activity;
    const update: WorkerToHost = { type: 'update', changed, removed, stats: current };
    post(update);
    updatesSent++;
    events.update(changed, removed, stats());
  };
  const timer = setInterval(flush, UPDATE_INTERVAL_MS);

  port!.on('message', (message: HostToWorker) => {
    switch (message.type) {
      case 'getTrace':
        post({ type: 'trace', requestId: message.requestId, trace: core.store.get(message.traceId.toLowerCase()) ?? null });
        break;
      case 'getTraceView':
        postDocument(message.requestId, traceViews.get(message.traceId.toLowerCase()));
        break;
      case 'restoreTrace': {
        const kept = keptTrace(message.document, log);
        if (kept) {
          core.store.add(kept.spans);
          core.store.addLogs(kept.logs);
        }
        postDocument(message.requestId, kept && traceViews.get(kept.traceId));
        break;
      }
      case 'getServiceMap':
        post({ type: 'serviceMap', requestId: message.requestId, map: serviceMap.get() });
        break;
      case 'getCallSites':
        post({ type: 'callSites', requestId: message.requestId, sites: callSites.get() });
        break;
      case 'skipFrames':
        callSites.setSkipFrames(message.patterns);
        traceViews.setSkipFrames(message.patterns);
        break;
      case 'analysisSettings':
        analysis.setSettings(message.settings);
        analysisSettings = message.settings;
        traceViews.setSettings(message.settings);
        callSites.invalidate();
        break;
      case 'clear':
        core.store.clear();
        analysis.clear();
        traceViews.clear();
        flush();
        break;
      case 'crashForTest':
        // Supervision tests only: the host sends this only when started with HOPSCOPE_TEST_HOOKS=1 (never from the network).
        if (start.testHooks) setImmediate(() => { throw new Error('crash requested by a test'); });
        break;
      case 'stop':
        clearInterval(timer);
        events.close();
        void Promise.all([http?.close(), grpc?.close()]).then(() => {
          post({ type: 'stopped' });
          port!.close();
        });
        break;
    }
  });
}

main(workerData as WorkerStart).catch((error: unknown) => {
  post({ type: 'failed', reason: 'bind', message: `the ingest worker failed to start: ${error instanceof Error ? error.message : String(error)}` });
});
