/**
 * Store views computed on the calling thread, afresh on each request: for
 * receivers that tests and benches run in their own thread (each trace's tree
 * made once per version all the same, derived-traces.ts). The ingest worker
 * never uses these: its views come from its analysis thread (analysis-views.ts).
 */
import type { StoreViews } from './api-routes';
import { callSitesOf } from './call-site-source';
import { DerivedTraces } from './derived-traces';
import { serviceMapOf } from './service-map-source';
import type { TraceStore } from './trace-store';
import { TraceViews } from './trace-views';

export function freshViews(store: TraceStore): StoreViews {
  const derived = new DerivedTraces(store);
  const views = new TraceViews(derived);
  return {
    serviceMap: () => Promise.resolve(serviceMapOf(store, undefined, undefined, derived)),
    callSites: () => Promise.resolve(callSitesOf(store, {}, derived)),
    traceView: (traceId) => Promise.resolve(views.get(traceId) ?? 'not-found'),
  };
}
