/**
 * The service map (src/protocol/service-map.ts) over stored traces: the
 * aggregate, with each edge's slowest calls so that selecting an edge can
 * list them.
 */
import { aggregate } from '../analysis/aggregate';
import type { TraceTree } from '../analysis/trace-tree';
import type { ServiceMapView } from '../protocol/service-map';

/** How many of an edge's slowest calls the map lists. */
export const EDGE_EXAMPLES = 5;

/** The map over these trees (the caller bounds how many). */
export function toServiceMapView(trees: Iterable<TraceTree>, computedAt: number): ServiceMapView {
  const { edges, ...rest } = aggregate(trees, { slowestCalls: EDGE_EXAMPLES });
  return { ...rest, edges: edges.map((edge) => ({ ...edge, slowest: edge.slowest ?? [] })), computedAt };
}
