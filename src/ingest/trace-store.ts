/**
 * The bounded, incremental trace store of the ingest worker.
 *
 * Spans arrive out of order, across batches and services; each is filed under
 * its trace at once, and the trace's summary (root, duration, services, errors)
 * is kept up to date in O(1) per span. A trace is *settled* once nothing has
 * arrived for `settleMs`, and unsettles if more arrives.
 *
 * Bounds are hard: past `maxSpans`, `maxTraces` or `maxBytes` (the estimated
 * retained size, see retained-size.ts) whole traces are evicted, least
 * recently changed first, and counted. A single trace that alone exceeds
 * `maxSpans` or `maxBytes` is evicted too. Attribute values (and log bodies)
 * over `maxAttributeBytes` are cut as they are stored, and counted.
 *
 * Logs never make a trace: a log record of a trace the store does not hold
 * waits in a side buffer, bounded by count and bytes (the oldest trace's
 * records are dropped first, counted), and joins its trace when the trace's
 * first span arrives.
 */
import { isFailed } from '../model/failure';
import { isStarted, type LogRecord, type Resource, type SpanRecord } from '../model/span';
import { limitAndMeasureSpan, limitAttributes, limitLog, logBytes, resourceBytes, type Truncations } from './retained-size';
import { PendingLogs } from './pending-logs';
import { DEFAULT_STORE_LIMITS, MAX_LOGS_PER_TRACE, type StoreLimits } from './store-limits';
import { summarize, type Entry, type StoredTrace, type TraceChanges, type TraceSummary } from './trace-summary';

export type { StoredTrace, TraceChanges, TraceSummary } from './trace-summary';

export interface StoreStats {
  spansStored: number;
  tracesStored: number;
  logsStored: number;
  duplicateSpans: number;
  evictedSpans: number;
  evictedTraces: number;
  /** Logs not kept: beyond MAX_LOGS_PER_TRACE, or dropped from the side buffer (a trace's evicted logs are not counted here). */
  droppedLogs: number;
  /** Estimated retained bytes of what is stored (the side buffer not included). */
  bytesStored: number;
  /** Log records waiting for their trace, and their estimated bytes. */
  logsPending: number;
  pendingLogBytes: number;
  /** Attribute values and log bodies cut to maxAttributeBytes. */
  truncatedValues: number;
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
  private byteTotal = 0;
  /** Logs of traces not (yet) stored, oldest trace first. */
  private readonly pending = new PendingLogs();
  private readonly truncations: Truncations = { count: 0 };
  /** Resources whose attributes have been limited already (they are shared by a batch). */
  private readonly limitedResources = new WeakMap<Resource, number>();
  private summaryCache: { version: number; settles: number; summaries: TraceSummary[] } | undefined;
  /** Rounds of settle() that settled something: a summary's `settled` changes without the store's version. */
  private settleRounds = 0;
  private generations = 0;

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
      bytesStored: this.byteTotal,
      logsPending: this.pending.count,
      pendingLogBytes: this.pending.bytes,
      truncatedValues: this.truncations.count,
    };
  }

  /** Goes up whenever any trace is added to, evicted or cleared, so derived views can be cached. */
  get version(): number {
    return this.changes;
  }

  /** Goes up with every round of settle() that settled a trace (the version does not). */
  get settles(): number {
    return this.settleRounds;
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
      const known = entry.spans.get(span.spanId);
      if (known) {
        // Only a finished span takes the place of its started record; anything else with a known id is a duplicate.
        if (!isStarted(known) || isStarted(span)) {
          duplicates++;
          continue;
        }
        this.forgetStarted(entry, known);
      }
      span.traceId = entry.traceId;
      if (isStarted(span)) entry.running++;
      let bytes = limitAndMeasureSpan(span, this.limits.maxAttributeBytes, this.truncations);
      if (!entry.resources.has(span.resource)) {
        entry.resources.add(span.resource);
        bytes += this.resourceSize(span.resource);
      }
      entry.bytes += bytes;
      this.byteTotal += bytes;
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

  /** Stores logs with their traces; a log of a trace not stored waits for it (see the module comment). Returns how many were kept or wait. */
  addLogs(logs: readonly LogRecord[]): number {
    const now = this.now();
    let kept = 0;
    let entry: Entry | undefined;
    for (const log of logs) {
      limitLog(log, this.limits.maxAttributeBytes, this.truncations);
      if (entry === undefined || entry.traceId !== log.traceId) {
        entry = this.traces.has(log.traceId) ? this.touch(log.traceId, now) : undefined;
      }
      if (entry === undefined) {
        if (this.addPending(log)) kept++;
        continue;
      }
      if (entry.logs.length >= MAX_LOGS_PER_TRACE) {
        this.droppedLogs++;
        continue;
      }
      const bytes = logBytes(log);
      entry.logs.push(log);
      entry.bytes += bytes;
      this.byteTotal += bytes;
      this.logTotal++;
      kept++;
    }
    this.trimPending();
    this.enforceLimits();
    return kept;
  }

  /** When the trace last received a span or log (this store's clock, ms); undefined for traces it does not hold. */
  lastChangeMs(traceId: string): number | undefined {
    return this.traces.get(traceId)?.lastChangeMs;
  }

  /**
   * The entry's number (see Entry.generation) and how many spans and logs it holds, without copying anything.
   * A trace only grows: its spans and logs stay in the order they were stored, new ones after them.
   */
  extent(traceId: string): { generation: number; spans: number; logs: number; bytes: number } | undefined {
    const entry = this.traces.get(traceId);
    return entry && { generation: entry.generation, spans: entry.spans.size, logs: entry.logs.length, bytes: entry.bytes };
  }

  /**
   * The trace's spans in the order they were stored, as a live iterator: spans stored after it was made come
   * at its end. Read it only while `extent` says there are more (an iterator that has ended stays ended).
   */
  spanCursor(traceId: string): Iterator<SpanRecord> | undefined {
    return this.traces.get(traceId)?.spans.values();
  }

  /** The trace's logs from the `from`-th on (a copy of that part of the list). */
  logsFrom(traceId: string, from: number): LogRecord[] {
    return this.traces.get(traceId)?.logs.slice(from) ?? [];
  }

  get(traceId: string): StoredTrace | undefined {
    const entry = this.traces.get(traceId);
    return entry && { traceId: entry.traceId, spans: [...entry.spans.values()], logs: [...entry.logs] };
  }

  summary(traceId: string): TraceSummary | undefined {
    const entry = this.traces.get(traceId);
    return entry && entry.spans.size > 0 ? summarize(entry) : undefined;
  }

  /**
   * Summaries of every trace with spans, newest first (by start time). The same array is returned
   * until the store changes (every reader of an unchanged store shares it): do not modify it.
   */
  summaries(): readonly TraceSummary[] {
    if (this.summaryCache?.version === this.changes && this.summaryCache.settles === this.settleRounds) return this.summaryCache.summaries;
    const out: TraceSummary[] = [];
    for (const entry of this.traces.values()) if (entry.spans.size > 0) out.push(summarize(entry));
    out.sort((a, b) => b.startUs - a.startUs || (a.traceId < b.traceId ? -1 : 1));
    this.summaryCache = { version: this.changes, settles: this.settleRounds, summaries: out };
    return out;
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
    if (settled > 0) this.settleRounds++;
    return settled;
  }

  clear(): void {
    this.changes++;
    for (const id of this.traces.keys()) this.removed.add(id);
    this.traces.clear();
    this.changed.clear();
    this.spanTotal = 0;
    this.logTotal = 0;
    this.byteTotal = 0;
    this.pending.clear();
  }

  setLimits(limits: Partial<StoreLimits>): void {
    this.limits = { ...this.limits, ...limits };
    this.trimPending();
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
        errorCount: 0, services: new Set(), lastChangeMs: now, settled: false, bytes: 0, resources: new Set(), generation: ++this.generations, running: 0,
      };
      this.removed.delete(traceId);
      const waiting = this.pending.take(traceId);
      if (waiting) {
        const logs = waiting.logs.length > MAX_LOGS_PER_TRACE ? waiting.logs.slice(0, MAX_LOGS_PER_TRACE) : waiting.logs;
        this.droppedLogs += waiting.logs.length - logs.length;
        entry.logs = logs;
        entry.bytes = waiting.bytes;
        this.byteTotal += waiting.bytes;
        this.logTotal += logs.length;
      }
    }
    this.traces.set(traceId, entry);
    this.changes++;
    entry.lastChangeMs = now;
    entry.settled = false;
    this.changed.add(traceId);
    return entry;
  }

  /**
   * Takes a started span out of its entry for its finished one. The entry becomes another version of the trace
   * (a new generation): what was copied of it elsewhere (the analysis thread's copy) is sent again whole, since
   * a span changed, not only more came.
   */
  private forgetStarted(entry: Entry, started: SpanRecord): void {
    entry.spans.delete(started.spanId);
    entry.running--;
    const bytes = limitAndMeasureSpan(started, this.limits.maxAttributeBytes, this.truncations);
    entry.bytes -= bytes;
    this.byteTotal -= bytes;
    this.spanTotal--;
    if (entry.root === started) entry.root = undefined;
    entry.generation = ++this.generations;
  }

  /** A resource's estimated size, its attribute values limited the first time it is seen. */
  private resourceSize(resource: Resource): number {
    let bytes = this.limitedResources.get(resource);
    if (bytes === undefined) {
      limitAttributes(resource.attributes, this.limits.maxAttributeBytes, this.truncations);
      bytes = resourceBytes(resource);
      this.limitedResources.set(resource, bytes);
    }
    return bytes;
  }

  private addPending(log: LogRecord): boolean {
    const bytes = logBytes(log);
    if (bytes > this.limits.maxPendingLogBytes) {
      this.droppedLogs++;
      return false;
    }
    this.pending.add(log, bytes);
    return true;
  }

  /** Drops the oldest traces' waiting logs until the side buffer is within its bounds. */
  private trimPending(): void {
    this.droppedLogs += this.pending.trim(this.limits.maxPendingLogs, this.limits.maxPendingLogBytes);
  }

  private withinLimits(): boolean {
    const { maxSpans, maxTraces, maxBytes } = this.limits;
    return this.spanTotal <= maxSpans && this.traces.size <= maxTraces && this.byteTotal <= maxBytes;
  }

  private enforceLimits(): void {
    if (this.withinLimits()) return;
    for (const entry of this.traces.values()) {
      if (this.withinLimits()) break;
      this.changes++;
      this.traces.delete(entry.traceId);
      this.spanTotal -= entry.spans.size;
      this.logTotal -= entry.logs.length;
      this.byteTotal -= entry.bytes;
      this.evictedSpans += entry.spans.size;
      this.evictedTraces++;
      this.changed.delete(entry.traceId);
      this.removed.add(entry.traceId);
    }
  }
}
