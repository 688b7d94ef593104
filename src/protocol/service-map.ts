/**
 * What the service-map webview draws: the aggregate over the stored traces
 * (src/analysis/aggregate.ts is its source; src/views/service-map.ts builds it),
 * with each edge's slowest calls so that selecting an edge can list them.
 *
 *   gateway ──sync──► orders        edge gateway→orders, slowest:
 *                                     1. POST /orders  680 ms  (trace 0af7…)
 *                                     2. POST /orders  540 ms  failed
 */

/** One call behind an edge, to open its trace (one per trace). */
export interface EdgeExample {
  traceId: string;
  /** The trace's root operation, e.g. `GET /orders`. */
  rootName: string;
  /** The call's duration, µs. */
  durationUs: number;
  failed: boolean;
}

/** One operation of one service over the traces. */
export interface ServiceMapEndpoint {
  service: string;
  operation: string;
  count: number;
  errorRate: number;
  p50Us: number;
  p95Us: number;
  p99Us: number;
  /** Of all the time these spans took, the share that was on their trace's critical path (0–1). */
  criticalShare: number;
}

export interface ServiceMapNode {
  name: string;
  /** False for peers that send no spans, known only from their callers. */
  instrumented: boolean;
  spans: number;
}

export interface ServiceMapEdge {
  from: string;
  to: string;
  mode: 'sync' | 'async';
  calls: number;
  errors: number;
  p50Us: number;
  p95Us: number;
  /** The slowest calls along this edge, slowest first (at most five, each from a different trace). */
  slowest: EdgeExample[];
}

export interface ServiceMapView {
  traces: number;
  spans: number;
  endpoints: ServiceMapEndpoint[];
  services: ServiceMapNode[];
  edges: ServiceMapEdge[];
  /** When it was computed, ms since the epoch. */
  computedAt: number;
  /** Stored traces left out to bound the work (the oldest ones); absent when none were. */
  omittedTraces?: number;
  /** Traces still arriving (not settled yet), not counted until they settle; absent when none are. */
  arrivingTraces?: number;
}
