/** The service map over the stored traces, computed in the ingest worker (see store-views.ts). */
import { toServiceMapView, type ServiceMapView } from '../protocol/service-map';
import { newestTrees, StoreCache, STORE_VIEW_BUDGET, type StoreBudget, type TraceSource } from './store-views';

export type ServiceMapBudget = StoreBudget;
export const SERVICE_MAP_BUDGET = STORE_VIEW_BUDGET;

/** The map over the newest traces within the budget. */
export function serviceMapOf(store: TraceSource, budget: ServiceMapBudget = SERVICE_MAP_BUDGET, now = Date.now()): ServiceMapView {
  const { trees, omitted } = newestTrees(store, budget);
  const view = toServiceMapView(trees, now);
  if (omitted() > 0) view.omittedTraces = omitted();
  return view;
}

/** `serviceMapOf` for one store, computed again only after the store changed. */
export class ServiceMapCache extends StoreCache<ServiceMapView> {
  constructor(store: TraceSource, budget: ServiceMapBudget = SERVICE_MAP_BUDGET) {
    super(store, (s) => serviceMapOf(s, budget));
  }
}
