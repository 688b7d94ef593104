/**
 * The receiving thread's side of the analysis: which traces the analysis
 * thread must hear about, and what it has been sent of each. The receiving
 * thread computes nothing per trace; it copies spans (structured clone) to
 * the analysis thread and keeps the headlines that come back.
 *
 *   flush ─► offer(changed, removed) ─► pending ─► pump(budget) ─► delta parts ─► analysis thread
 *                                                     │  each trace's spans since the last part sent, ≤ 500 spans
 *                                                     │  and ≤ 1 MiB a part; at most 16 MiB sent and not yet applied;
 *                                                     │  at most `budgetMs` of copying per flush (at least one part)
 *   headlines ◄── analysis thread ── annotate(summaries) on the updates and the event stream
 *
 * A trace is sent once, then only what it gains (a trace only grows); a
 * trace the store let go of, or that the analysis thread need not hold any
 * more (over COPY_LIMITS, least recently sent first), is forgotten there, and
 * sent whole if it changes again or a view of it is asked for (`sync`).
 */
import type { AnalysisHeadline } from '../analysis/headline';
import type { LogRecord, SpanRecord } from '../model/span';
import type { HeadlineUpdate, ToAnalysis } from './analysis-protocol';
import { logBytes, spanBytes } from './retained-size';
import type { TraceStore, TraceSummary } from './trace-store';

export interface FeedLimits {
  /** Spans and estimated bytes in one message. */
  partSpans: number;
  partBytes: number;
  /** Estimated bytes sent and not yet taken off the analysis thread's queue. */
  inflightBytes: number;
  /** What the analysis thread may hold: least recently sent traces are forgotten past it. */
  copyBytes: number;
  copySpans: number;
}

export const DEFAULT_FEED_LIMITS: FeedLimits = {
  partSpans: 500,
  partBytes: 1024 * 1024,
  inflightBytes: 16 * 1024 * 1024,
  copyBytes: 64 * 1024 * 1024,
  copySpans: 100_000,
};

/** Time spent copying per flush, and per turn while a view waits for its trace (ms). */
export const FEED_BUDGET_MS = 10;
/** While requests wait to be decoded, copying yields: receiving comes first. */
export const BUSY_FEED_BUDGET_MS = 2;

/** What a message costs besides its spans and logs (estimated bytes). */
const MESSAGE_BYTES = 256;

/** The analysis thread, as the feed sees it. */
export interface AnalysisLink {
  readonly up: boolean;
  post(message: ToAnalysis): void;
}

interface Sent {
  generation: number;
  spans: number;
  logs: number;
  bytes: number;
  /** The store's live iterator over the trace's spans, just past the last one sent. */
  cursor: Iterator<SpanRecord>;
  /** Every part of the trace's last delta has been sent (the copy there is a version of the trace). */
  whole: boolean;
}

export class AnalysisFeed {
  /** Traces to send (what they gained, or their summary), oldest change first; the summary offered, if any. */
  private readonly pending = new Map<string, TraceSummary | undefined>();
  /** Traces a view waits for: sent before the others. */
  private readonly urgent = new Set<string>();
  private readonly waiters = new Map<string, ((held: boolean) => void)[]>();
  /** What the analysis thread holds of each trace, least recently sent first. */
  private readonly sent = new Map<string, Sent>();
  private heldBytes = 0;
  private heldSpans = 0;
  private inflight = 0;
  private readonly headlines = new Map<string, { generation: number; headline: AnalysisHeadline }>();
  private readonly refreshed = new Set<string>();
  private urgentScheduled = false;
  /** Parts sent so far (tests, stats). */
  partsSent = 0;

  constructor(
    private readonly store: TraceStore,
    private readonly link: AnalysisLink,
    private readonly limits: FeedLimits = DEFAULT_FEED_LIMITS,
    private readonly now: () => number = () => performance.now(),
    /** How a turn of urgent sending is scheduled (tests run it by hand). */
    private readonly schedule: (run: () => void) => void = (run) => setImmediate(run),
  ) {}

  /** Estimated bytes sent and not yet applied by the analysis thread. */
  get inflightBytes(): number {
    return this.inflight;
  }

  /** Estimated bytes of the copies the analysis thread holds. */
  get heldCopyBytes(): number {
    return this.heldBytes;
  }

  /** What the store's takeChanges said: traces to send, and traces to forget. */
  offer(changed: readonly TraceSummary[], removed: readonly string[]): void {
    const forgotten: string[] = [];
    for (const id of removed) {
      this.pending.delete(id);
      this.urgent.delete(id);
      this.headlines.delete(id);
      this.refreshed.delete(id);
      if (this.dropSent(id)) forgotten.push(id);
      this.release(id, false);
    }
    if (forgotten.length > 0 && this.link.up) this.link.post({ type: 'forget', traceIds: forgotten });
    for (const summary of changed) this.pending.set(summary.traceId, summary);
  }

  /** Sends pending traces for at most `budgetMs` (at least one part), within the in-flight bound. */
  pump(budgetMs: number): void {
    if (!this.link.up) return;
    const started = this.now();
    let sentAny = false;
    while (this.inflight < this.limits.inflightBytes && (!sentAny || this.now() - started < budgetMs)) {
      const id = this.next();
      if (id === undefined) break;
      sentAny = true;
      if (this.sendPart(id)) {
        // Views were waiting for it: their requests go first; what is left is sent in the next turn.
        if (this.urgent.size > 0) this.scheduleUrgent();
        break;
      }
    }
  }

  /** The analysis thread took this many bytes of parts off its queue. */
  applied(bytes: number): void {
    this.inflight = Math.max(0, this.inflight - bytes);
    if (this.urgent.size > 0) this.scheduleUrgent();
  }

  /** Headlines from the analysis thread: kept for the trace's entry they were worked out for. */
  receive(items: readonly HeadlineUpdate[]): void {
    for (const { traceId, generation, headline } of items) {
      if (this.store.extent(traceId)?.generation !== generation) continue;
      this.headlines.set(traceId, { generation, headline });
      this.refreshed.add(traceId);
    }
  }

  /** Puts each trace's last headline on its summary. */
  annotate(summaries: readonly TraceSummary[]): void {
    for (const s of summaries) {
      const h = this.headlines.get(s.traceId);
      if (h) s.headline = h.headline;
    }
  }

  headlineOf(traceId: string): AnalysisHeadline | undefined {
    return this.headlines.get(traceId)?.headline;
  }

  /** Summaries (with headlines) of traces whose headline came since the last call and that are not among `changed`. */
  takeRefreshed(changed: readonly TraceSummary[]): TraceSummary[] {
    for (const s of changed) this.refreshed.delete(s.traceId);
    const out: TraceSummary[] = [];
    for (const id of this.refreshed) {
      const summary = this.store.summary(id);
      if (summary) out.push(summary);
    }
    this.refreshed.clear();
    this.annotate(out);
    return out;
  }

  /**
   * Brings the analysis thread's copy of the trace up to what is stored, sending before anything else (a turn
   * at a time, within the in-flight bound); resolves true once the last part is sent — a message posted
   * after it reaches the thread after the copy is up to date — and false when the store does not hold it.
   */
  sync(traceId: string): Promise<boolean> {
    const extent = this.store.extent(traceId);
    if (!extent || !this.link.up) return Promise.resolve(false);
    const sent = this.sent.get(traceId);
    if (sent?.whole && sent.generation === extent.generation && sent.spans === extent.spans && sent.logs === extent.logs) return Promise.resolve(true);
    if (!this.pending.has(traceId)) this.pending.set(traceId, undefined);
    this.urgent.add(traceId);
    return new Promise((resolve) => {
      const list = this.waiters.get(traceId) ?? [];
      list.push(resolve);
      this.waiters.set(traceId, list);
      this.scheduleUrgent();
    });
  }

  /** A new analysis thread started: it holds nothing, so every stored trace is sent again (headlines are kept). */
  reset(): void {
    this.sent.clear();
    this.heldBytes = 0;
    this.heldSpans = 0;
    this.inflight = 0;
    for (const summary of this.store.summaries()) if (!this.pending.has(summary.traceId)) this.pending.set(summary.traceId, undefined);
    if (this.urgent.size > 0) this.scheduleUrgent();
  }

  /** Every trace was cleared (the thread is told by the caller). */
  clear(): void {
    this.pending.clear();
    this.urgent.clear();
    this.sent.clear();
    this.heldBytes = 0;
    this.heldSpans = 0;
    this.headlines.clear();
    this.refreshed.clear();
    for (const id of [...this.waiters.keys()]) this.release(id, false);
  }

  private next(): string | undefined {
    for (const id of this.urgent) return id;
    for (const id of this.pending.keys()) return id;
    return undefined;
  }

  private scheduleUrgent(): void {
    if (this.urgentScheduled) return;
    this.urgentScheduled = true;
    this.schedule(() => {
      this.urgentScheduled = false;
      if (!this.link.up) return;
      const started = this.now();
      let sentAny = false;
      while (this.urgent.size > 0 && this.inflight < this.limits.inflightBytes && (!sentAny || this.now() - started < FEED_BUDGET_MS)) {
        sentAny = true;
        if (this.sendPart(this.urgent.values().next().value as string)) break;
      }
      // Yield to the requests waiting, then go on (or wait for `applied` when the bound is reached).
      if (this.urgent.size > 0 && this.inflight < this.limits.inflightBytes) this.scheduleUrgent();
    });
  }

  /**
   * Sends the next part of the trace's delta (its new spans, then its new logs); the trace leaves `pending`
   * with its last part. Returns true when that released views waiting for the trace: the caller stops
   * sending for this turn, so that their requests are posted before anything could make the thread forget it.
   */
  private sendPart(traceId: string): boolean {
    const extent = this.store.extent(traceId);
    const summary = extent && this.summaryFor(traceId, extent);
    let sent = this.sent.get(traceId);
    if (!extent || !summary) {
      this.pending.delete(traceId);
      this.urgent.delete(traceId);
      if (this.dropSent(traceId)) this.link.post({ type: 'forget', traceIds: [traceId] });
      this.release(traceId, false);
      return false;
    }
    if (sent && sent.generation !== extent.generation) {
      // The trace was let go of and received again: a new entry, sent whole.
      this.dropSent(traceId);
      this.link.post({ type: 'forget', traceIds: [traceId] });
      sent = undefined;
    }
    if (!sent) {
      sent = { generation: extent.generation, spans: 0, logs: 0, bytes: 0, cursor: this.store.spanCursor(traceId)!, whole: false };
    } else {
      this.sent.delete(traceId); // moves to the most recently sent end
    }
    this.sent.set(traceId, sent);

    const spans: SpanRecord[] = [];
    let logs: LogRecord[] = [];
    let bytes = MESSAGE_BYTES;
    const { partSpans, partBytes } = this.limits;
    // The cursor is read only while the store holds more spans than were sent (an ended iterator stays ended).
    while (sent.spans + spans.length < extent.spans && spans.length < partSpans && bytes < partBytes) {
      const span = sent.cursor.next().value as SpanRecord;
      spans.push(span);
      bytes += spanBytes(span);
    }
    if (sent.spans + spans.length === extent.spans && sent.logs < extent.logs && spans.length < partSpans && bytes < partBytes) {
      const more = this.store.logsFrom(traceId, sent.logs);
      let n = 0;
      while (n < more.length && spans.length + n < partSpans && bytes < partBytes) bytes += logBytes(more[n++]!);
      logs = n === more.length ? more : more.slice(0, n);
    }
    const last = sent.spans + spans.length === extent.spans && sent.logs + logs.length === extent.logs;
    this.link.post({
      type: 'trace', traceId, generation: extent.generation, spansFrom: sent.spans, spans, logsFrom: sent.logs, logs, bytes,
      ...(last ? { summary, lastChangeMs: this.store.lastChangeMs(traceId) ?? 0 } : {}),
    });
    this.partsSent++;
    this.inflight += bytes;
    sent.spans += spans.length;
    sent.logs += logs.length;
    sent.bytes += bytes;
    sent.whole = last;
    this.heldBytes += bytes;
    this.heldSpans += spans.length;
    this.forgetOverBound(traceId);
    if (!last) return false;
    this.pending.delete(traceId);
    this.urgent.delete(traceId);
    return this.release(traceId, true);
  }

  /** The summary to send with the trace's last part (no headline): the one offered if it is still current. */
  private summaryFor(traceId: string, extent: { spans: number; logs: number }): TraceSummary | undefined {
    const offered = this.pending.get(traceId);
    const current = offered && offered.spanCount === extent.spans && offered.logCount === extent.logs ? offered : this.store.summary(traceId);
    if (!current) return undefined;
    const { headline: _, ...plain } = current;
    return plain;
  }

  /** Past COPY_LIMITS the least recently sent traces (but `keep`) are forgotten by the analysis thread. */
  private forgetOverBound(keep: string): void {
    const forgotten: string[] = [];
    for (const id of this.sent.keys()) {
      if (this.heldBytes <= this.limits.copyBytes && this.heldSpans <= this.limits.copySpans) break;
      if (id === keep) continue;
      this.dropSent(id);
      forgotten.push(id);
    }
    if (forgotten.length > 0) this.link.post({ type: 'forget', traceIds: forgotten });
  }

  /** Forgets what was sent of the trace; true when something was. */
  private dropSent(traceId: string): boolean {
    const sent = this.sent.get(traceId);
    if (!sent) return false;
    this.sent.delete(traceId);
    this.heldBytes -= sent.bytes;
    this.heldSpans -= sent.spans;
    return true;
  }

  /** Resolves the views waiting for the trace; true when there were any. */
  private release(traceId: string, held: boolean): boolean {
    const list = this.waiters.get(traceId);
    if (!list) return false;
    this.waiters.delete(traceId);
    for (const resolve of list) resolve(held);
    return true;
  }
}
