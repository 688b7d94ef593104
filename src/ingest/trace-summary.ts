/**
 * What the trace store keeps of each trace (an Entry) and the summary it
 * gives of it: root, duration, services, errors, kept up to date span by span
 * in trace-store.ts.
 */
import type { AnalysisHeadline } from '../analysis/headline';
import { responseStatus } from '../model/response-status';
import type { LogRecord, Resource, SpanRecord } from '../model/span';

export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootName: string;
  spanCount: number;
  startUs: number;
  /** From the first span's start to the last span's end, async work included. */
  durationUs: number;
  /** The root span's own duration: the request's latency as its caller saw it. */
  rootDurationUs: number;
  /** The root span's HTTP status code (`404`) or gRPC status name (`UNAVAILABLE`); absent when it carries neither. */
  rootStatus?: string;
  errorCount: number;
  services: string[];
  settled: boolean;
  logCount: number;
  /** Spans that have started and not finished (reported by Hopscope's register module): the request is still running. */
  runningSpans?: number;
  /** The analysis headline, once the worker has analysed the trace. */
  headline?: AnalysisHeadline;
}

export interface StoredTrace {
  traceId: string;
  spans: SpanRecord[];
  logs: LogRecord[];
}

export interface TraceChanges {
  changed: TraceSummary[];
  removed: string[];
}

/** One stored trace (trace-store.ts files spans into it). */
export interface Entry {
  traceId: string;
  spans: Map<string, SpanRecord>;
  logs: LogRecord[];
  /** A span without a parent (earliest wins), else undefined. */
  root: SpanRecord | undefined;
  minStart: number;
  maxEnd: number;
  errorCount: number;
  services: Set<string>;
  lastChangeMs: number;
  settled: boolean;
  /** Estimated retained bytes of its spans, logs and resources. */
  bytes: number;
  /** Resources its spans share, each counted once in `bytes`. */
  resources: Set<Resource>;
  /** Which entry this is: a trace evicted and received again is a new entry, with a new number (also when a
   * started span was replaced by its finished one: the copies elsewhere are then sent whole again). */
  generation: number;
  /** Spans reported as started that have not finished yet (model/span.ts isStarted). */
  running: number;
}

export function summarize(entry: Entry): TraceSummary {
  const root = entry.root ?? provisionalRoot(entry);
  const status = root ? responseStatus(root.attributes) : '';
  const summary: TraceSummary = {
    traceId: entry.traceId,
    rootService: root?.service ?? '',
    rootName: root?.name ?? '',
    spanCount: entry.spans.size,
    startUs: entry.minStart,
    durationUs: Math.max(0, entry.maxEnd - entry.minStart),
    rootDurationUs: root ? Math.max(0, root.endUs - root.startUs) : 0,
    errorCount: entry.errorCount,
    services: [...entry.services].sort(),
    settled: entry.settled,
    logCount: entry.logs.length,
  };
  if (status !== '') summary.rootStatus = status;
  if (entry.running > 0) summary.runningSpans = entry.running;
  return summary;
}

/** While the real root has not arrived: the earliest span whose parent is not in the trace. */
function provisionalRoot(entry: Entry): SpanRecord | undefined {
  let best: SpanRecord | undefined;
  for (const span of entry.spans.values()) {
    if (entry.spans.has(span.parentSpanId)) continue;
    if (best === undefined || span.startUs < best.startUs) best = span;
  }
  return best;
}
