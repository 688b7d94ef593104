/**
 * The analysis thread's copies of the traces the receiving thread sent it
 * (analysis-feed.ts decides which, and when it lets one go): each trace as
 * the store had it when its last delta was sent, read by the live analysis,
 * the call sites, the service map and the trace views as a TraceSource.
 *
 *   delta part 1 ─► held aside ┐
 *   delta part 2 ─► held aside ├─► last part: the copy becomes this version (spans, logs, summary) at once
 *   delta part 3 (summary) ────┘
 *
 * A copy changes only on a delta's last part, so a reader never sees half of
 * one. The receiving thread bounds what is held here (by its estimate of the
 * bytes it sent); this side only applies what it is told.
 */
import type { LogRecord, SpanRecord } from '../model/span';
import type { TraceDelta } from './analysis-protocol';
import type { TraceSource } from './store-views';
import type { StoredTrace, TraceChanges, TraceSummary } from './trace-store';

interface Part {
  spans: SpanRecord[];
  logs: LogRecord[];
}

interface Copy {
  generation: number;
  spans: SpanRecord[];
  logs: LogRecord[];
  summary: TraceSummary;
  lastChangeMs: number;
  /** Parts of a delta whose last part has not come yet. */
  held: Part | undefined;
}

export class TraceCopies implements TraceSource {
  /** Least recently changed first. */
  private readonly copies = new Map<string, Copy>();
  /** Deltas begun for traces not held yet (their first parts). */
  private readonly starting = new Map<string, Part & { generation: number }>();
  private readonly changed = new Set<string>();
  private readonly removed = new Set<string>();
  private changes = 0;
  /** Summaries whose `settled` flag changed without a new version (the trace settled). */
  private settledChanges = 0;
  private summaryCache: { summaries: TraceSummary[] } | undefined;

  get version(): number {
    return this.changes;
  }

  get settles(): number {
    return this.settledChanges;
  }

  get size(): number {
    return this.copies.size;
  }

  /**
   * Applies a part of a delta. Returns a reason when it does not fit what is held (it then holds nothing
   * of the trace; the sender sends it whole again), else undefined.
   */
  apply(delta: TraceDelta): string | undefined {
    const { traceId, generation } = delta;
    let copy = this.copies.get(traceId);
    if (copy && copy.generation !== generation) {
      this.drop(traceId);
      copy = undefined;
    }
    const start = this.starting.get(traceId);
    const held: Part | undefined = copy ? (copy.held ??= { spans: [], logs: [] }) : start?.generation === generation ? start : undefined;
    const haveSpans = (copy?.spans.length ?? 0) + (held?.spans.length ?? 0);
    const haveLogs = (copy?.logs.length ?? 0) + (held?.logs.length ?? 0);
    if (delta.spansFrom !== haveSpans || delta.logsFrom !== haveLogs) {
      this.drop(traceId);
      return `a delta of trace ${traceId} starts at span ${delta.spansFrom} and log ${delta.logsFrom}, but ${haveSpans} spans and ${haveLogs} logs are held`;
    }
    let part = held;
    if (!part) {
      const begun = { generation, spans: [] as SpanRecord[], logs: [] as LogRecord[] };
      this.starting.set(traceId, begun);
      part = begun;
    }
    for (const span of delta.spans) part.spans.push(span);
    for (const log of delta.logs) part.logs.push(log);
    if (!delta.summary) return undefined;

    // The last part: the copy becomes this version at once.
    this.starting.delete(traceId);
    // A summary that only settled is not a new version of the trace (as in the store); the list of summaries is new.
    const grew = !copy || part.spans.length > 0 || part.logs.length > 0;
    if (copy) {
      if (!grew && copy.summary.settled !== delta.summary.settled) this.settledChanges++;
      copy.held = undefined;
      for (const span of part.spans) copy.spans.push(span);
      for (const log of part.logs) copy.logs.push(log);
      this.copies.delete(traceId);
    } else {
      copy = { generation, spans: part.spans, logs: part.logs, summary: delta.summary, lastChangeMs: 0, held: undefined };
    }
    copy.summary = delta.summary;
    copy.lastChangeMs = delta.lastChangeMs ?? copy.lastChangeMs;
    this.copies.set(traceId, copy);
    this.removed.delete(traceId);
    this.changed.add(traceId);
    if (grew) this.changes++;
    this.summaryCache = undefined;
    return undefined;
  }

  forget(traceIds: readonly string[]): void {
    for (const id of traceIds) this.drop(id);
  }

  clear(): void {
    for (const id of this.copies.keys()) this.removed.add(id);
    this.copies.clear();
    this.starting.clear();
    this.changed.clear();
    this.changes++;
    this.summaryCache = undefined;
  }

  generationOf(traceId: string): number | undefined {
    return this.copies.get(traceId)?.generation;
  }

  /** What changed since the last call (as TraceStore.takeChanges). */
  takeChanges(): TraceChanges {
    const changed: TraceSummary[] = [];
    for (const id of this.changed) {
      const copy = this.copies.get(id);
      if (copy) changed.push(copy.summary);
    }
    const removed = [...this.removed];
    this.changed.clear();
    this.removed.clear();
    return { changed, removed };
  }

  summaries(): readonly TraceSummary[] {
    if (this.summaryCache) return this.summaryCache.summaries;
    const out = [...this.copies.values()].map((c) => c.summary);
    out.sort((a, b) => b.startUs - a.startUs || (a.traceId < b.traceId ? -1 : 1));
    this.summaryCache = { summaries: out };
    return out;
  }

  summary(traceId: string): TraceSummary | undefined {
    return this.copies.get(traceId)?.summary;
  }

  get(traceId: string): StoredTrace | undefined {
    const copy = this.copies.get(traceId);
    return copy && { traceId, spans: [...copy.spans], logs: [...copy.logs] };
  }

  lastChangeMs(traceId: string): number | undefined {
    return this.copies.get(traceId)?.lastChangeMs;
  }

  /**
   * The copy's version as far as its spans go: its generation (a trace let go of and sent again is another) and
   * how many spans it holds (within a generation they only grow). What derived-traces.ts keys trees by.
   */
  versionOf(traceId: string): string | undefined {
    const copy = this.copies.get(traceId);
    return copy && `${copy.generation}:${copy.spans.length}`;
  }

  private drop(traceId: string): void {
    this.starting.delete(traceId);
    if (!this.copies.delete(traceId)) return;
    this.changed.delete(traceId);
    this.removed.add(traceId);
    this.changes++;
    this.summaryCache = undefined;
  }
}
