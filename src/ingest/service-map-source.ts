/**
 * The service map over the stored traces, computed in the ingest worker. The
 * newest traces are taken up to a trace and span budget, so that a full store
 * never stalls receiving for long; the result is cached until the store changes
 * (every open map, in every window, asks at most once a second).
 */
import { buildTree, type TraceTree } from '../analysis/trace-tree';
import { toServiceMapView, type ServiceMapView } from '../protocol/service-map';
import type { TraceStore } from './trace-store';

export interface ServiceMapBudget {
  maxTraces: number;
  maxSpans: number;
}

export const SERVICE_MAP_BUDGET: ServiceMapBudget = { maxTraces: 1_000, maxSpans: 50_000 };

/** The map over the newest traces within the budget; a trace too big for what is left of it is skipped. */
export function serviceMapOf(store: TraceStore, budget: ServiceMapBudget = SERVICE_MAP_BUDGET, now = Date.now()): ServiceMapView {
  const summaries = store.summaries();
  let included = 0;
  function* trees(): Generator<TraceTree> {
    let spans = 0;
    for (const summary of summaries) {
      if (included >= budget.maxTraces) return;
      if (spans + summary.spanCount > budget.maxSpans) continue;
      const trace = store.get(summary.traceId);
      const tree = trace && buildTree(trace.spans);
      if (!tree) continue;
      spans += summary.spanCount;
      included++;
      // Built one at a time and dropped after aggregating: only one tree is alive at once.
      yield tree;
    }
  }
  const view = toServiceMapView(trees(), now);
  if (summaries.length > included) view.omittedTraces = summaries.length - included;
  return view;
}

/** `serviceMapOf` for one store, computed again only after the store changed. */
export class ServiceMapCache {
  private cached: { version: number; map: ServiceMapView } | undefined;

  constructor(private readonly store: TraceStore, private readonly budget: ServiceMapBudget = SERVICE_MAP_BUDGET) {}

  get(): ServiceMapView {
    if (this.cached?.version !== this.store.version) this.cached = { version: this.store.version, map: serviceMapOf(this.store, this.budget) };
    return this.cached.map;
  }
}
