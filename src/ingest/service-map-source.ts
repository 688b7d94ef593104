/**
 * The service map over the stored traces, computed in the ingest worker (see store-views.ts).
 *
 * Only settled traces count (quiet for `settleMs`, see trace-store.ts): a
 * trace still arriving may have its orders span before its gateway span, and
 * counted then it would show a made-up endpoint ("orders POST /charge, count
 * 1") and move the map's numbers twice. The map says how many are arriving.
 */
import { toServiceMapView } from '../views/service-map';
import type { ServiceMapView } from '../protocol/service-map';
import { DerivedTraces } from './derived-traces';
import { newestTrees, StoreCache, STORE_VIEW_BUDGET, type StoreBudget, type TraceSource } from './store-views';

export type ServiceMapBudget = StoreBudget;
export const SERVICE_MAP_BUDGET = STORE_VIEW_BUDGET;

/** The map over the newest settled traces within the budget (their trees from `derived`: by default made for this map alone). */
export function serviceMapOf(store: TraceSource, budget: ServiceMapBudget = SERVICE_MAP_BUDGET, now = Date.now(), derived = new DerivedTraces(store)): ServiceMapView {
  const { trees, omitted } = newestTrees(derived, budget, { settledOnly: true });
  const view = toServiceMapView(trees, now);
  if (omitted() > 0) view.omittedTraces = omitted();
  let arriving = 0;
  for (const summary of store.summaries()) if (!summary.settled) arriving++;
  if (arriving > 0) view.arrivingTraces = arriving;
  return view;
}

/** `serviceMapOf` for one store, computed again only after the store changed or a trace in it settled. */
export class ServiceMapCache extends StoreCache<ServiceMapView> {
  constructor(store: TraceSource, budget: ServiceMapBudget = SERVICE_MAP_BUDGET, derived = new DerivedTraces(store)) {
    super(store, (s) => serviceMapOf(s, budget, Date.now(), derived), () => store.settles);
  }
}
