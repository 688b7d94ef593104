/**
 * The call sites over the stored traces, computed in the ingest worker (see
 * store-views.ts): each recent trace in the budget is analysed for its
 * findings, and every call whose span says where its code is lands on that line
 * (its place's tries: tree-places.ts, the same as the trace view's).
 */
import { analyzeTree } from '../analysis/analyze-trace';
import { callSites, type AnalysedTrace, type Locate } from '../analysis/call-sites';
import type { AnalysisSettings } from '../analysis/settings';
import type { TraceTree } from '../analysis/trace-tree';
import type { SpanRecord } from '../model/span';
import type { CallSitesView } from '../protocol/call-sites';
import { frameSkipper } from '../source/skip-frames';
import { spanPlace } from './tree-places';
import { newestTraces, StoreCache, STORE_VIEW_BUDGET, treeOf, type StoreBudget, type TraceSource } from './store-views';
import type { TraceSummary } from './trace-store';

export type { Locate } from '../analysis/call-sites';

/** Call sites are about recent traces: one that received nothing for this long has aged out of them (it stays in the store). */
export const CALL_SITES_WINDOW_MS = 15 * 60_000;

export interface CallSitesOptions {
  /** Where a span's code is; by default `spanPlace`, passing over the `skipFrames`. */
  locate?: Locate;
  /** `hopscope.sourceLines.skipFrames` (see skip-frames.ts). */
  skipFrames?: readonly string[];
  settings?: AnalysisSettings | undefined;
  budget?: StoreBudget;
  /** Traces that last changed before this (store clock, ms) are left out. */
  receivedSinceMs?: number;
  now?: number;
}

export function callSitesOf(store: TraceSource, options: CallSitesOptions = {}, memo?: AnalysisMemo): CallSitesView {
  const { settings, budget = STORE_VIEW_BUDGET, receivedSinceMs, now = Date.now() } = options;
  const skip = frameSkipper(options.skipFrames);
  const locate = options.locate ?? ((span: SpanRecord, tree: TraceTree) => spanPlace(span, tree, skip));
  const analyse = (summary: TraceSummary): AnalysedTrace | undefined => {
    const tree = treeOf(store, summary.traceId);
    return tree && { tree, findings: analyzeTree(tree, settings).findings };
  };
  const { items, omitted } = newestTraces(store, budget, memo ? (summary) => memo.get(store, summary, analyse) : analyse, { receivedSinceMs });
  let traces = 0;
  function* counted(): Generator<AnalysedTrace> {
    for (const item of items) {
      traces++;
      yield item;
    }
  }
  const view: CallSitesView = { sites: callSites(counted(), locate), traces, computedAt: now };
  if (omitted() > 0) view.omittedTraces = omitted();
  memo?.prune();
  return view;
}

/**
 * Each trace's tree and findings, kept until the trace changes, so that a
 * store receiving a few traces a second does not analyse a thousand again
 * every second. Entries not asked for in a pass are dropped after it. The
 * live analysis offers what it has just analysed for the headlines, so a
 * trace is analysed once for both, while call sites are being asked for.
 */
export class AnalysisMemo {
  private entries = new Map<string, { key: string; value: AnalysedTrace }>();
  private used = new Set<string>();
  private lastPassMs = -Infinity;

  constructor(private readonly clock: () => number = Date.now) {}

  get(store: TraceSource, summary: TraceSummary, analyse: (summary: TraceSummary) => AnalysedTrace | undefined): AnalysedTrace | undefined {
    const key = memoKey(store, summary.traceId, summary.spanCount);
    this.used.add(summary.traceId);
    const known = this.entries.get(summary.traceId);
    if (known?.key === key) return known.value;
    const value = analyse(summary);
    if (value) this.entries.set(summary.traceId, { key, value });
    else this.entries.delete(summary.traceId);
    return value;
  }

  /**
   * An analysis made elsewhere (same settings) of the trace as it is stored
   * now, with `spanCount` spans. Taken only while passes are being made (in
   * the last minute): nobody asking for call sites, nothing is kept.
   */
  offer(store: TraceSource, traceId: string, spanCount: number, value: AnalysedTrace): void {
    if (this.clock() - this.lastPassMs > OFFERS_KEPT_AFTER_PASS_MS) return;
    this.entries.set(traceId, { key: memoKey(store, traceId, spanCount), value });
  }

  /** Forget everything (the analysis settings changed). */
  clear(): void {
    this.entries.clear();
  }

  prune(): void {
    for (const id of this.entries.keys()) if (!this.used.has(id)) this.entries.delete(id);
    this.used = new Set();
    this.lastPassMs = this.clock();
  }
}

const OFFERS_KEPT_AFTER_PASS_MS = 60_000;
const memoKey = (store: TraceSource, traceId: string, spanCount: number) => `${spanCount}:${store.lastChangeMs(traceId)}`;

/**
 * `callSitesOf` the traces received in the last `windowMs`, computed again
 * only after the store changed, the settings did, or a minute passed (so aged
 * traces drop out).
 */
export class CallSitesCache extends StoreCache<CallSitesView> {
  private readonly memo: AnalysisMemo;
  private readonly frames: { skip: readonly string[] };

  constructor(store: TraceSource, settings: () => AnalysisSettings | undefined, options: { windowMs?: number; clock?: () => number; budget?: StoreBudget } = {}) {
    const { windowMs = CALL_SITES_WINDOW_MS, clock = Date.now, budget = STORE_VIEW_BUDGET } = options;
    const memo = new AnalysisMemo(clock);
    const frames = { skip: [] as readonly string[] };
    super(store, (s) => callSitesOf(s, { settings: settings(), skipFrames: frames.skip, budget, receivedSinceMs: clock() - windowMs, now: clock() }, memo), () => Math.floor(clock() / 60_000));
    this.memo = memo;
    this.frames = frames;
    this.traces = store;
  }

  /** `hopscope.sourceLines.skipFrames` changed: the places are found again (the analyses are kept). */
  setSkipFrames(patterns: readonly string[]): void {
    this.frames.skip = patterns;
    super.invalidate();
  }

  private readonly traces: TraceSource;

  /** A trace the live analysis has just analysed, with the same settings (see AnalysisMemo.offer). */
  offer(traceId: string, spanCount: number, analysed: AnalysedTrace): void {
    this.memo.offer(this.traces, traceId, spanCount, analysed);
  }

  /** The analysis settings changed: every trace is analysed again. */
  override invalidate(): void {
    this.memo.clear();
    super.invalidate();
  }
}
