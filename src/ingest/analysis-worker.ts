/**
 * The analysis thread: a worker_thread the ingest worker starts (analysis-thread.ts)
 * so that no analysis ever runs on the thread that receives. Built as dist/analysis.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AnalysisStart, FromAnalysis, ToAnalysis } from './analysis-protocol';
import { AnalysisCore } from './analysis-core';
import { UPDATE_INTERVAL_MS } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('the analysis thread must run in a worker_thread');
const core = new AnalysisCore(workerData as AnalysisStart, (message, transfer) => port.postMessage(message, transfer));
port.on('message', (message: ToAnalysis) => core.handle(message));
setInterval(() => core.flush(), UPDATE_INTERVAL_MS);
port.postMessage({ type: 'ready' } satisfies FromAnalysis);
