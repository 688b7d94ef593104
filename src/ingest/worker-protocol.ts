/**
 * Messages between the ingest worker and the thread that started it (the
 * extension host or the CLI). Plain data, and trace documents as transferred
 * bytes; the host never receives raw spans in bulk, only throttled summaries
 * and a trace it asked for.
 */
import type { OpenedFile } from './trace-files';
import type { CallSite } from '../analysis/call-sites';
import type { AnalysisSettings } from '../analysis/settings';
import type { DebugPause } from '../model/pause';
import type { ServiceMapView } from '../protocol/service-map';
import type { Endpoints } from './api-routes';
import type { IngestConfig } from './ingest-config';
import type { CarriedStats, IngestStats } from './ingest-core';
import type { QueryAnswer } from './trace-queries';
import type { StoredTrace, TraceSummary } from './trace-store';

/**
 * The call sites over the stored traces, as the worker sends them to the
 * editor (and `GET /api/call-sites` serves them): each line of code that made
 * calls, with what the calls cost. Paths are as the telemetry gives them; the
 * extension resolves them against the workspace.
 */
export interface CallSitesView {
  sites: CallSite[];
  /** How many traces were read. */
  traces: number;
  /** When it was computed, ms since the epoch. */
  computedAt: number;
  /** Stored traces left out to bound the work (the oldest ones); absent when none were. */
  omittedTraces?: number;
}

/** `workerData` the worker starts with. */
export interface WorkerStart {
  config: IngestConfig;
  /** Who runs it (`hopscope serve`, `VS Code window`), reported by /api/stats. */
  runner: string;
  version: string;
  /** Honour `crashForTest` (set only when the host runs with HOPSCOPE_TEST_HOOKS=1). */
  testHooks?: boolean;
  /** Started again after a worker died: the counters to continue from (ingest-core.ts CUMULATIVE_STATS). */
  carried?: CarriedStats;
}

export type HostToWorker =
  /** The host wants one whole trace (e.g. to open it). */
  | { type: 'getTrace'; requestId: number; traceId: string }
  /** The host wants what a trace panel draws: the trace's document (trace-document.ts), built here once per trace version. */
  | { type: 'getTraceView'; requestId: number; traceId: string }
  /** A panel restored after a reload brings the document it kept (transferred): its spans are stored again (merged by span id), answered with its document. */
  | { type: 'restoreTrace'; requestId: number; document: Uint8Array }
  /** The host wants the ids of the stored traces a trace query picks (the Traces view's filter; trace-queries.ts). */
  | { type: 'queryTraces'; requestId: number; query: string }
  /** The host wants the service map over the stored traces (an open map, at most once a second). */
  | { type: 'getServiceMap'; requestId: number }
  /** The host wants the call sites (the editor's CodeLens, hints and Problems). */
  | { type: 'getCallSites'; requestId: number }
  /** The user cleared the traces. */
  | { type: 'clear' }
  /** Open Trace File: a file's bytes (transferred) to decode into the store (trace-files.ts). */
  | { type: 'openFile'; requestId: number; name: string; bytes: Uint8Array }
  /** Export Trace: one stored trace as OTLP JSON lines. */
  | { type: 'exportTrace'; requestId: number; traceId: string }
  /** Debugger pauses of the sessions this window launched, as they open, learn their place and close. */
  | { type: 'pauses'; pauses: DebugPause[] }
  /** Tests only (honoured with testHooks): the analysis thread's next analysis waits until `signal[0]` is not 0, after setting `signal[1]` to 1 (a SharedArrayBuffer). */
  | { type: 'holdAnalysisForTest'; signal: Int32Array }
  /** Tests only (honoured with testHooks): the analysis thread throws; the ingest worker starts it again. */
  | { type: 'crashAnalysisForTest' }
  /** The analysis settings changed; traces are analysed again with them. */
  | { type: 'analysisSettings'; settings: AnalysisSettings }
  /** `hopscope.sourceLines.skipFrames` (valid entries): stack frames that are never a call's place. */
  | { type: 'skipFrames'; patterns: string[] }
  /** Tests of supervision only: throw from the worker (ignored unless started with `testHooks`). */
  | { type: 'crashForTest' }
  /** Close the ports and finish; the worker answers `stopped`. */
  | { type: 'stop' };

export type WorkerToHost =
  /** Both receivers are bound (ports resolved when 0 was asked for). */
  | { type: 'listening'; endpoints: Endpoints }
  /** Start-up failed; nothing is bound. `port` is set when a port was the problem. */
  | { type: 'failed'; reason: 'port-in-use' | 'config' | 'bind'; port?: number; message: string }
  /** At most ~10 a second: traces that changed or went since the last update, and the counters. */
  | { type: 'update'; changed: TraceSummary[]; removed: string[]; stats: IngestStats }
  /** A line for the log. */
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  /** The answer to `getTrace`; null when the trace is not stored. */
  | { type: 'trace'; requestId: number; trace: StoredTrace | null }
  /** The answer to `getTraceView` and `restoreTrace` (the bytes transferred, not copied); null when the trace is not stored, or is too large to draw (`undrawable` says why). */
  | { type: 'traceView'; requestId: number; document: Uint8Array | null; undrawable?: string }
  /** The answer to `queryTraces`: the matching ids newest first, or where the query is wrong. */
  | { type: 'queriedTraces'; requestId: number; answer: QueryAnswer }
  /** The answer to `getServiceMap`. */
  | { type: 'serviceMap'; requestId: number; map: ServiceMapView }
  /** The answer to `getCallSites`. */
  | { type: 'callSites'; requestId: number; sites: CallSitesView }
  /** The answer to `openFile`. */
  | { type: 'openedFile'; requestId: number; opened: OpenedFile }
  /** The answer to `exportTrace` (the bytes transferred); null when the trace is not stored. */
  | { type: 'exportedTrace'; requestId: number; bytes: Uint8Array | null }
  /** Answer to `stop`: ports are closed. */
  | { type: 'stopped' };

/** How often the worker may post an update. */
export const UPDATE_INTERVAL_MS = 100;
