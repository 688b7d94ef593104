/**
 * Messages between the ingest worker's receiving thread and the analysis
 * thread it starts (analysis-worker.ts). The receiving thread sends the spans
 * and logs each trace gained since it last sent it (trace-copies.ts keeps them
 * there) and asks for views; the analysis thread answers with headlines, call
 * sites, the service map and trace documents. Plain data only.
 *
 *   receiving thread ── trace deltas (chunked, byte-bounded) ──► analysis thread
 *                    ◄── applied (bytes), headlines, views ────
 */
import type { AnalysisHeadline } from '../analysis/headline';
import type { AnalysisSettings } from '../analysis/settings';
import type { DebugPause } from '../model/pause';
import type { LogRecord, SpanRecord } from '../model/span';
import type { CallSitesView } from './worker-protocol';
import type { ServiceMapView } from '../protocol/service-map';
import type { TraceSummary } from './trace-store';

/** What the analysis thread starts with (its workerData): the settings in force when it (re)starts. */
export interface AnalysisStart {
  settings: AnalysisSettings;
  skipFrames: readonly string[];
  testHooks: boolean;
  /** The debugger pauses known so far (pause-book.ts); later ones come as `pauses` messages. */
  pauses?: DebugPause[];
}

/**
 * Part of what a trace gained: `spans` follow the first `spansFrom` spans the analysis thread already
 * holds of this entry of the trace (`generation`), `logs` its first `logsFrom` logs. The last part of a
 * delta (`summary` set) makes the copy this version of the trace; the parts before it are held aside.
 * `bytes` is the sender's estimate of what the part holds (retained-size.ts), acknowledged by `applied`.
 */
export interface TraceDelta {
  type: 'trace';
  traceId: string;
  generation: number;
  spansFrom: number;
  spans: SpanRecord[];
  logsFrom: number;
  logs: LogRecord[];
  bytes: number;
  /** On the last part: the trace's summary as the store has it with these spans (no headline), and when it last changed (store clock, ms). */
  summary?: TraceSummary;
  lastChangeMs?: number;
}

export type ToAnalysis =
  | TraceDelta
  /** The analysis thread need not hold these traces any more (the store let them go, or its copies are over their bound). */
  | { type: 'forget'; traceIds: string[] }
  /** Every trace was cleared. */
  | { type: 'clear' }
  | { type: 'settings'; settings: AnalysisSettings }
  | { type: 'skipFrames'; patterns: readonly string[] }
  /** Debugger pauses that are new or changed: the traces they overlap are analysed again. */
  | { type: 'pauses'; pauses: DebugPause[] }
  | { type: 'getCallSites'; requestId: number }
  | { type: 'getServiceMap'; requestId: number }
  /** The trace document of a trace whose copy was just brought up to date (the deltas before this message). */
  | { type: 'getTraceView'; requestId: number; traceId: string }
  /** A kept trace document to read back into spans and logs (transferred). */
  | { type: 'readKept'; requestId: number; document: Uint8Array }
  /** Tests only (ignored unless started with testHooks): the next analysis waits until `signal[0]` is not 0, after setting `signal[1]` to 1. */
  | { type: 'holdForTest'; signal: Int32Array }
  /** Tests only: the analysis thread throws. */
  | { type: 'crashForTest' };

export interface HeadlineUpdate {
  traceId: string;
  generation: number;
  headline: AnalysisHeadline;
}

export type FromAnalysis =
  /** The thread has loaded and listens. */
  | { type: 'ready' }
  /** The messages of this many bytes (TraceDelta.bytes) have been taken off the queue. */
  | { type: 'applied'; bytes: number }
  /** Headlines worked out since the last ones sent. */
  | { type: 'headlines'; items: HeadlineUpdate[] }
  | { type: 'callSites'; requestId: number; sites: CallSitesView }
  | { type: 'serviceMap'; requestId: number; map: ServiceMapView }
  /** The answer to getTraceView (the bytes transferred); null when the copy makes no view, with `undrawable` when it is too large to draw. */
  | { type: 'traceView'; requestId: number; document: Uint8Array | null; undrawable?: string }
  /** The answer to readKept; null when the document could not be read (logged). */
  | { type: 'kept'; requestId: number; trace: { traceId: string; spans: SpanRecord[]; logs: LogRecord[] } | null }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };
