/**
 * Views computed over the stored traces in the ingest worker (the service map,
 * the call sites): the newest traces within a trace and span budget, so that
 * a full store never stalls receiving for long, and a cache per store version
 * (every open view, in every window, asks at most once a second).
 */
import type { TraceTree } from '../analysis/trace-tree';
import type { DerivedTraces } from './derived-traces';
import type { StoredTrace, TraceSummary } from './trace-store';

/**
 * What views over stored traces read: the TraceSource itself, or the analysis
 * thread's copies of its traces (trace-copies.ts).
 */
export interface TraceSource {
  /** Goes up whenever a trace is added to or let go of. */
  readonly version: number;
  /** Goes up whenever a summary's `settled` flag changed without `version` going up (a trace settled). */
  readonly settles: number;
  /** Newest first (by start time); the same array until the source changes: do not modify it. */
  summaries(): readonly TraceSummary[];
  summary(traceId: string): TraceSummary | undefined;
  get(traceId: string): StoredTrace | undefined;
  /** When the trace last received a span or log (the store's clock, ms). */
  lastChangeMs(traceId: string): number | undefined;
  /** What names the trace's spans as held now (changes whenever they do), where the source knows it (TraceCopies). */
  versionOf?(traceId: string): string | undefined;
}

export interface StoreBudget {
  maxTraces: number;
  maxSpans: number;
}

export const STORE_VIEW_BUDGET: StoreBudget = { maxTraces: 1_000, maxSpans: 50_000 };

/** Which stored traces a view reads at all (those it does not are neither read nor counted as omitted). */
export interface TraceSelection {
  /** Traces that last changed before this (the store's clock, ms) have aged out. */
  receivedSinceMs?: number;
  /** Only settled traces: a trace still arriving may lack the spans that place its parts (see serviceMapOf). */
  settledOnly?: boolean;
}

/**
 * The newest traces within the budget, read one at a time by `read` (only one
 * is alive at once unless `read` keeps it); a trace too big for what is left
 * of the budget is skipped. Traces `select` leaves out are neither read nor
 * counted. `omitted()` counts the traces left out once the items have been read.
 */
export function newestTraces<T>(store: TraceSource, budget: StoreBudget, read: (summary: TraceSummary) => T | undefined, select: TraceSelection = {}): { items: Iterable<T>; omitted: () => number } {
  const { receivedSinceMs, settledOnly = false } = select;
  const all = store.summaries();
  const summaries = receivedSinceMs === undefined && !settledOnly ? all : all.filter((s) => (!settledOnly || s.settled) && (receivedSinceMs === undefined || (store.lastChangeMs(s.traceId) ?? 0) >= receivedSinceMs));
  let included = 0;
  function* items(): Generator<T> {
    let spans = 0;
    for (const summary of summaries) {
      if (included >= budget.maxTraces) return;
      if (spans + summary.spanCount > budget.maxSpans) continue;
      const item = read(summary);
      if (item === undefined) continue;
      spans += summary.spanCount;
      included++;
      yield item;
    }
  }
  return { items: items(), omitted: () => summaries.length - included };
}

/** The newest traces' trees within the budget (see newestTraces), each the one `derived` keeps for its version. */
export function newestTrees(derived: DerivedTraces, budget: StoreBudget, select: TraceSelection = {}): { trees: Iterable<TraceTree>; omitted: () => number } {
  const { items, omitted } = newestTraces(derived.source, budget, (summary) => derived.get(summary.traceId)?.tree, select);
  return { trees: items, omitted };
}

/**
 * A view of one store, computed again only after the store changed (or
 * `epoch()` did: a view of recent traces changes as time passes, a view of
 * settled ones as traces settle).
 */
export class StoreCache<T> {
  private cached: { version: string; value: T } | undefined;

  constructor(private readonly store: TraceSource, private readonly compute: (store: TraceSource) => T, private readonly epoch: () => number = () => 0) {}

  /** Forget the cached value (what it depends on besides the store changed). */
  invalidate(): void {
    this.cached = undefined;
  }

  get(): T {
    const version = `${this.store.version}:${this.epoch()}`;
    if (this.cached?.version !== version) this.cached = { version, value: this.compute(this.store) };
    return this.cached.value;
  }
}
