/**
 * Store views computed on the calling thread, afresh on each request: for
 * receivers that tests and benches run in their own thread. The ingest worker
 * never uses these: its views come from its analysis thread (analysis-views.ts).
 */
import type { StoreViews } from './api-routes';
import { callSitesOf } from './call-site-source';
import { serviceMapOf } from './service-map-source';
import type { TraceStore } from './trace-store';
import { TraceViews } from './trace-views';

export function freshViews(store: TraceStore): StoreViews {
  const views = new TraceViews(store);
  return {
    serviceMap: () => Promise.resolve(serviceMapOf(store)),
    callSites: () => Promise.resolve(callSitesOf(store)),
    traceView: (traceId) => Promise.resolve(views.get(traceId) ?? 'not-found'),
  };
}
