/**
 * The bounded, incremental trace store of the ingest worker.
 *
 * Spans arrive out of order, across batches and services; each is filed under
 * its trace at once, and the trace's summary (root, duration, services, errors)
 * is kept up to date in O(1) per span. A trace is *settled* once nothing has
 * arrived for `settleMs`, and unsettles if more arrives.
 *
 * Bounds are hard: past `maxSpans` or `maxTraces` whole traces are evicted,
 * least recently changed first, and counted. A single trace that alone exceeds
 * `maxSpans` is evicted too.
 */
import type { AnalysisHeadline } from '../analysis/headline';
import { isFailed } from '../model/failure';
import type { LogRecord, SpanRecord } from '../model/span';

export interface StoreLimits {
  maxSpans: number;
  maxTraces: number;
  settleMs: number;
}

export const DEFAULT_STORE_LIMITS: StoreLimits = { maxSpans: 200_000, maxTraces: 2_000, settleMs: 1_500 };

/** Logs kept per trace; more are counted in `droppedLogs`. */
export const MAX_LOGS_PER_TRACE = 10_000;

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
  errorCount: number;
  services: string[];
  settled: boolean;
  logCount: number;
  /** The analysis headline, once the worker has analysed the trace. */
  headline?: AnalysisHeadline;
}

export interface StoredTrace {
  traceId: string;
  spans: SpanRecord[];
  logs: LogRecord[];
}

export interface StoreStats {
  spansStored: number;
  tracesStored: number;
  logsStored: number;
  duplicateSpans: number;
  evictedSpans: number;
  evictedTraces: number;
  droppedLogs: number;
}

export interface TraceChanges {
  changed: TraceSummary[];
  removed: string[];
}

interface Entry {
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
}

export class TraceStore {
  private readonly traces = new Map<string, Entry>();
  private readonly changed = new Set<string>();
  private readonly removed = new Set<string>();
  private limits: StoreLimits;
  private spanTotal = 0;
  private logTotal = 0;
  private duplicates = 0;
  private evictedSpans = 0;
  private evictedTraces = 0;
  private droppedLogs = 0;
  private changes = 0;

  constructor(limits: Partial<StoreLimits> = {}, private readonly now: () => number = Date.now) {
    this.limits = { ...DEFAULT_STORE_LIMITS, ...limits };
  }

  get stats(): StoreStats {
    return {
      spansStored: this.spanTotal,
      tracesStored: this.traces.size,
      logsStored: this.logTotal,
      duplicateSpans: this.duplicates,
      evictedSpans: this.evictedSpans,
      evictedTraces: this.evictedTraces,
      droppedLogs: this.droppedLogs,
    };
  }

  /** Goes up whenever any trace is added to, evicted or cleared, so derived views can be cached. */
  get version(): number {
    return this.changes;
  }

  add(spans: readonly SpanRecord[]): { stored: number; duplicates: number } {
    const now = this.now();
    let stored = 0;
    let duplicates = 0;
    let entry: Entry | undefined;
    let lastService = '';
    for (const span of spans) {
      if (entry === undefined || entry.traceId !== span.traceId) {
        entry = this.touch(span.traceId, now);
        lastService = '';
      }
      if (entry.spans.has(span.spanId)) {
        duplicates++;
        continue;
      }
      span.traceId = entry.traceId;
      entry.spans.set(span.spanId, span);
      stored++;
      if (span.startUs < entry.minStart) entry.minStart = span.startUs;
      if (span.endUs > entry.maxEnd) entry.maxEnd = span.endUs;
      if (isFailed(span)) entry.errorCount++;
      if (span.service !== lastService) {
        entry.services.add(span.service);
        lastService = span.service;
      }
      if (span.parentSpanId === '' && (entry.root === undefined || span.startUs < entry.root.startUs)) entry.root = span;
    }
    this.spanTotal += stored;
    this.duplicates += duplicates;
    this.enforceLimits();
    return { stored, duplicates };
  }

  addLogs(logs: readonly LogRecord[]): number {
    const now = this.now();
    let kept = 0;
    let entry: Entry | undefined;
    for (const log of logs) {
      if (entry === undefined || entry.traceId !== log.traceId) entry = this.touch(log.traceId, now);
      if (entry.logs.length >= MAX_LOGS_PER_TRACE) {
        this.droppedLogs++;
        continue;
      }
      entry.logs.push(log);
      kept++;
    }
    this.logTotal += kept;
    this.enforceLimits();
    return kept;
  }

  /** When the trace last received a span or log (this store's clock, ms); undefined for traces it does not hold. */
  lastChangeMs(traceId: string): number | undefined {
    return this.traces.get(traceId)?.lastChangeMs;
  }

  get(traceId: string): StoredTrace | undefined {
    const entry = this.traces.get(traceId);
    return entry && { traceId: entry.traceId, spans: [...entry.spans.values()], logs: [...entry.logs] };
  }

  summary(traceId: string): TraceSummary | undefined {
    const entry = this.traces.get(traceId);
    return entry && entry.spans.size > 0 ? summarize(entry) : undefined;
  }

  /** Summaries of every trace with spans, newest first (by start time). */
  summaries(): TraceSummary[] {
    const out: TraceSummary[] = [];
    for (const entry of this.traces.values()) if (entry.spans.size > 0) out.push(summarize(entry));
    return out.sort((a, b) => b.startUs - a.startUs || (a.traceId < b.traceId ? -1 : 1));
  }

  /** What changed since the last call: summaries of changed traces (with spans) and ids removed. */
  takeChanges(): TraceChanges {
    const changed: TraceSummary[] = [];
    for (const id of this.changed) {
      const summary = this.summary(id);
      if (summary) changed.push(summary);
    }
    const removed = [...this.removed];
    this.changed.clear();
    this.removed.clear();
    return { changed, removed };
  }

  /** Marks traces quiet for at least `settleMs` as settled; returns how many it settled. */
  settle(): number {
    const quietSince = this.now() - this.limits.settleMs;
    let settled = 0;
    // Entries are in order of last change, so the quiet ones come first.
    for (const entry of this.traces.values()) {
      if (entry.lastChangeMs > quietSince) break;
      if (entry.settled) continue;
      entry.settled = true;
      this.changed.add(entry.traceId);
      settled++;
    }
    return settled;
  }

  clear(): void {
    this.changes++;
    for (const id of this.traces.keys()) this.removed.add(id);
    this.traces.clear();
    this.changed.clear();
    this.spanTotal = 0;
    this.logTotal = 0;
  }

  setLimits(limits: Partial<StoreLimits>): void {
    this.limits = { ...this.limits, ...limits };
    this.enforceLimits();
  }

  /** The trace's entry, created if new, moved to the most-recently-changed end, unsettled. */
  private touch(traceId: string, now: number): Entry {
    let entry = this.traces.get(traceId);
    if (entry) {
      this.traces.delete(traceId);
    } else {
      entry = {
        traceId, spans: new Map(), logs: [], root: undefined, minStart: Infinity, maxEnd: -Infinity,
        errorCount: 0, services: new Set(), lastChangeMs: now, settled: false,
      };
      this.removed.delete(traceId);
    }
    this.traces.set(traceId, entry);
    this.changes++;
    entry.lastChangeMs = now;
    entry.settled = false;
    this.changed.add(traceId);
    return entry;
  }

  private enforceLimits(): void {
    const { maxSpans, maxTraces } = this.limits;
    if (this.spanTotal <= maxSpans && this.traces.size <= maxTraces) return;
    for (const entry of this.traces.values()) {
      if (this.spanTotal <= maxSpans && this.traces.size <= maxTraces) break;
      this.changes++;
      this.traces.delete(entry.traceId);
      this.spanTotal -= entry.spans.size;
      this.logTotal -= entry.logs.length;
      this.evictedSpans += entry.spans.size;
      this.evictedTraces++;
      this.changed.delete(entry.traceId);
      this.removed.add(entry.traceId);
    }
  }
}

function summarize(entry: Entry): TraceSummary {
  const root = entry.root ?? provisionalRoot(entry);
  return {
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
