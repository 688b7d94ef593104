/**
 * What the service-map webview draws: the aggregate over the stored traces,
 * with each edge's slowest calls so that selecting an edge can list them.
 *
 *   gateway ──sync──► orders        edge gateway→orders, slowest:
 *                                     1. POST /orders  680 ms  (trace 0af7…)
 *                                     2. POST /orders  540 ms  failed
 */
import { aggregate, type Aggregate, type EdgeCall, type ServiceEdge } from '../analysis/aggregate';
import type { TraceTree } from '../analysis/trace-tree';

/** One call behind an edge, to open its trace (one per trace). */
export type EdgeExample = EdgeCall;

/** How many of an edge's slowest calls the map lists. */
export const EDGE_EXAMPLES = 5;

export interface ServiceMapEdge extends ServiceEdge {
  /** The slowest calls along this edge, slowest first (at most five, each from a different trace). */
  slowest: EdgeExample[];
}

export interface ServiceMapView extends Omit<Aggregate, 'edges'> {
  edges: ServiceMapEdge[];
  /** When it was computed, ms since the epoch. */
  computedAt: number;
  /** Stored traces left out to bound the work (the oldest ones); absent when none were. */
  omittedTraces?: number;
  /** Traces still arriving (not settled yet), not counted until they settle; absent when none are. */
  arrivingTraces?: number;
}

/** The map over these trees (the caller bounds how many). */
export function toServiceMapView(trees: Iterable<TraceTree>, computedAt: number): ServiceMapView {
  const { edges, ...rest } = aggregate(trees, { slowestCalls: EDGE_EXAMPLES });
  return { ...rest, edges: edges.map((edge) => ({ ...edge, slowest: edge.slowest ?? [] })), computedAt };
}
