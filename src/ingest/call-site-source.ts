/**
 * The call sites over the stored traces, computed in the ingest worker (see
 * store-views.ts): each recent trace in the budget is analysed for its
 * findings, and every call whose span says where its code is lands on that line
 * (its place's tries: tree-places.ts, the same as the trace view's).
 */
import { callSites, type AnalysedTrace, type Locate } from '../analysis/call-sites';
import type { AnalysisSettings } from '../analysis/settings';
import type { TraceTree } from '../analysis/trace-tree';
import type { SpanRecord } from '../model/span';
import type { CallSitesView } from './worker-protocol';
import { frameSkipper } from '../source/skip-frames';
import { spanPlace } from './tree-places';
import { DerivedTraces } from './derived-traces';
import { newestTraces, StoreCache, STORE_VIEW_BUDGET, type StoreBudget, type TraceSource } from './store-views';
import type { TraceSummary } from './trace-store';

export type { Locate } from '../analysis/call-sites';

/** Call sites are about recent traces: one that received nothing for this long has aged out of them (it stays in the store). */
export const CALL_SITES_WINDOW_MS = 15 * 60_000;

export interface CallSitesOptions {
  /** Where a span's code is; by default `spanPlace`, passing over the `skipFrames`. */
  locate?: Locate;
  /** `hopscope.sourceLines.skipFrames` (see skip-frames.ts). */
  skipFrames?: readonly string[];
  /** The analysis settings, when no `derived` is given (else its own apply). */
  settings?: AnalysisSettings | undefined;
  budget?: StoreBudget;
  /** Traces that last changed before this (store clock, ms) are left out. */
  receivedSinceMs?: number;
  now?: number;
}

/** The call sites of the newest traces in the budget; their trees and findings from `derived` (by default made for this view alone, with `options.settings`). */
export function callSitesOf(store: TraceSource, options: CallSitesOptions = {}, derived = new DerivedTraces(store, options.settings)): CallSitesView {
  const { budget = STORE_VIEW_BUDGET, receivedSinceMs, now = Date.now() } = options;
  const skip = frameSkipper(options.skipFrames);
  const locate = options.locate ?? ((span: SpanRecord, tree: TraceTree) => spanPlace(span, tree, skip));
  const analysed = (summary: TraceSummary): AnalysedTrace | undefined => {
    const found = derived.get(summary.traceId);
    return found && { tree: found.tree, findings: found.analysis().findings };
  };
  const { items, omitted } = newestTraces(store, budget, analysed, { receivedSinceMs });
  let traces = 0;
  function* counted(): Generator<AnalysedTrace> {
    for (const item of items) {
      traces++;
      yield item;
    }
  }
  const view: CallSitesView = { sites: callSites(counted(), locate), traces, computedAt: now };
  if (omitted() > 0) view.omittedTraces = omitted();
  return view;
}

/**
 * `callSitesOf` the traces received in the last `windowMs`, computed again
 * only after the store changed, the settings did, or a minute passed (so aged
 * traces drop out). Each trace's tree and analysis are the ones `derived`
 * keeps for its version, shared with the headlines, the map and the views.
 */
export class CallSitesCache extends StoreCache<CallSitesView> {
  private readonly frames: { skip: readonly string[] };

  constructor(store: TraceSource, derived: DerivedTraces = new DerivedTraces(store), options: { windowMs?: number; clock?: () => number; budget?: StoreBudget } = {}) {
    const { windowMs = CALL_SITES_WINDOW_MS, clock = Date.now, budget = STORE_VIEW_BUDGET } = options;
    const frames = { skip: [] as readonly string[] };
    super(store, (s) => callSitesOf(s, { skipFrames: frames.skip, budget, receivedSinceMs: clock() - windowMs, now: clock() }, derived), () => Math.floor(clock() / 60_000));
    this.frames = frames;
  }

  /** `hopscope.sourceLines.skipFrames` changed: the places are found again (the analyses are kept). */
  setSkipFrames(patterns: readonly string[]): void {
    this.frames.skip = patterns;
    super.invalidate();
  }
}
