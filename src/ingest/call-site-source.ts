/**
 * The call sites over the stored traces, computed in the ingest worker (see
 * store-views.ts): each trace in the budget is analysed for its findings, and
 * every call whose span says where its code is lands on that line.
 */
import { analyzeTree } from '../analysis/analyze-trace';
import { callSites, type AnalysedTrace, type CodePlace } from '../analysis/call-sites';
import type { AnalysisSettings } from '../analysis/settings';
import type { TraceTree } from '../analysis/trace-tree';
import type { SpanRecord } from '../model/span';
import type { CallSitesView } from '../protocol/call-sites';
import { attributeCandidates } from '../source/span-source';
import { newestTrees, StoreCache, STORE_VIEW_BUDGET, type StoreBudget } from './store-views';
import type { TraceStore } from './trace-store';

export type Locate = (span: SpanRecord, tree: TraceTree) => CodePlace | undefined;

/**
 * Where the span itself says its code is, as the telemetry names it (the
 * extension resolves the path against the workspace): its `code.*`
 * attributes, the older names, or the first application frame of `code.stacktrace`.
 */
export function spanPlace(span: SpanRecord): CodePlace | undefined {
  const found = attributeCandidates(span)[0];
  if (!found) return undefined;
  const place: CodePlace = { path: found.path, line: found.line };
  if (found.column !== undefined) place.column = found.column;
  if (found.functionName !== undefined) place.functionName = found.functionName;
  return place;
}

export function callSitesOf(store: TraceStore, locate: Locate = spanPlace, settings?: AnalysisSettings, budget: StoreBudget = STORE_VIEW_BUDGET, now = Date.now()): CallSitesView {
  const { trees, omitted } = newestTrees(store, budget);
  let traces = 0;
  function* analysed(): Generator<AnalysedTrace> {
    for (const tree of trees) {
      traces++;
      yield { tree, findings: analyzeTree(tree, settings).findings };
    }
  }
  const view: CallSitesView = { sites: callSites(analysed(), locate), traces, computedAt: now };
  if (omitted() > 0) view.omittedTraces = omitted();
  return view;
}

/** `callSitesOf` for one store, computed again only after the store changed (or the settings did). */
export class CallSitesCache extends StoreCache<CallSitesView> {
  constructor(store: TraceStore, settings: () => AnalysisSettings | undefined, locate: Locate = spanPlace, budget: StoreBudget = STORE_VIEW_BUDGET) {
    super(store, (s) => callSitesOf(s, locate, settings(), budget));
  }
}
