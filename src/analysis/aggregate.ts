/**
 * Across traces: per endpoint (service + operation) the count, error rate,
 * latency percentiles and share of time on the critical path; and a service
 * graph whose edges are calls and whose nodes include peers that send no
 * spans (databases, caches, external APIs), named from the client span.
 *
 *   gateway ──sync 120× p50 650 ms──► orders ──sync──► payments
 *                                        └──async──► email     postgresql ◄── orders (peer)
 *
 * Asked for, each edge also keeps its slowest calls (one per trace, so that
 * each one opens a different request) to show where the edge's tail comes from.
 */
import { percentile } from '../common/percentile';
import { isFailed } from '../model/failure';
import { callee, isCall, operationOf } from './calls';
import { criticalPath } from './critical-path';
import type { TraceTree } from './trace-tree';
import { duration } from './trace-tree';

export interface EndpointStats {
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

export interface ServiceEdge {
  from: string;
  to: string;
  mode: 'sync' | 'async';
  calls: number;
  errors: number;
  p50Us: number;
  p95Us: number;
  /** With `slowestCalls`: the slowest calls along this edge, slowest first, at most one per trace. */
  slowest?: EdgeCall[];
}

/** One call behind an edge, to open its trace. */
export interface EdgeCall {
  traceId: string;
  /** The trace's root operation, e.g. `GET /orders`. */
  rootName: string;
  /** The call's duration, µs. */
  durationUs: number;
  failed: boolean;
}

export interface AggregateOptions {
  /** Keep this many slowest calls per edge (0, the default: none). */
  slowestCalls?: number;
}

export interface ServiceNode {
  name: string;
  /** False for peers that send no spans, known only from their callers. */
  instrumented: boolean;
  spans: number;
}

export interface Aggregate {
  traces: number;
  spans: number;
  endpoints: EndpointStats[];
  services: ServiceNode[];
  edges: ServiceEdge[];
}

export function aggregate(trees: Iterable<TraceTree>, options: AggregateOptions = {}): Aggregate {
  const keep = options.slowestCalls ?? 0;
  const endpoints = new Map<string, { service: string; operation: string; durations: number[]; errors: number; onPath: number; total: number }>();
  const edges = new Map<string, { from: string; to: string; mode: 'sync' | 'async'; durations: number[]; errors: number; slowest: EdgeCall[] }>();
  const services = new Map<string, ServiceNode>();
  let traces = 0;
  let spans = 0;
  for (const tree of trees) {
    traces++;
    const onPath = pathTimeUnder(tree);
    /** This trace's slowest call per edge key. */
    const slowestHere = new Map<string, EdgeCall>();
    for (const node of tree.nodes) {
      if (!node.span) continue;
      spans++;
      const service = services.get(node.service) ?? { name: node.service, instrumented: true, spans: 0 };
      service.instrumented = true;
      service.spans++;
      services.set(node.service, service);
      const failedSpan = isFailed(node.span);
      if (node.kind === 'server' || node.kind === 'consumer' || !node.parent) {
        const operation = operationOf(node);
        const key = `${node.service}\u0000${operation}`;
        const e = endpoints.get(key) ?? { service: node.service, operation, durations: [], errors: 0, onPath: 0, total: 0 };
        e.durations.push(duration(node));
        if (failedSpan) e.errors++;
        e.total += duration(node);
        e.onPath += onPath.get(node) ?? 0;
        endpoints.set(key, e);
      }
      const edge = edgeOf(node);
      if (!edge) continue;
      for (const peer of [edge.from, edge.to]) if (!services.has(peer)) services.set(peer, { name: peer, instrumented: false, spans: 0 });
      const key = `${edge.from}\u0000${edge.to}\u0000${edge.mode}`;
      const e = edges.get(key) ?? { ...edge, durations: [], errors: 0, slowest: [] };
      e.durations.push(duration(node));
      if (failedSpan) e.errors++;
      edges.set(key, e);
      if (keep > 0 && duration(node) > (slowestHere.get(key)?.durationUs ?? -1)) {
        slowestHere.set(key, { traceId: tree.traceId, rootName: tree.root.name, durationUs: duration(node), failed: failedSpan });
      }
    }
    for (const [key, call] of slowestHere) keepSlowest(edges.get(key)!.slowest, call, keep);
  }
  return {
    traces,
    spans,
    endpoints: [...endpoints.values()].map((e) => {
      const sorted = e.durations.sort((a, b) => a - b);
      return { service: e.service, operation: e.operation, count: sorted.length, errorRate: e.errors / sorted.length, p50Us: percentile(sorted, 0.5), p95Us: percentile(sorted, 0.95), p99Us: percentile(sorted, 0.99), criticalShare: e.total > 0 ? e.onPath / e.total : 0 };
    }).sort((a, b) => b.count - a.count || a.service.localeCompare(b.service)),
    services: [...services.values()].sort((a, b) => a.name.localeCompare(b.name)),
    edges: [...edges.values()].map((e) => {
      const sorted = e.durations.sort((a, b) => a - b);
      const out: ServiceEdge = { from: e.from, to: e.to, mode: e.mode, calls: sorted.length, errors: e.errors, p50Us: percentile(sorted, 0.5), p95Us: percentile(sorted, 0.95) };
      if (keep > 0) out.slowest = e.slowest;
      return out;
    }).sort((a, b) => b.calls - a.calls),
  };
}

/** Inserts `call` into `list` (slowest first, ties by trace id) and trims it to `keep`. */
function keepSlowest(list: EdgeCall[], call: EdgeCall, keep: number): void {
  const before = (a: EdgeCall, b: EdgeCall) => a.durationUs > b.durationUs || (a.durationUs === b.durationUs && a.traceId < b.traceId);
  if (list.length >= keep && !before(call, list[list.length - 1]!)) return;
  let at = list.length;
  while (at > 0 && before(call, list[at - 1]!)) at--;
  list.splice(at, 0, call);
  if (list.length > keep) list.pop();
}

/**
 * A call from one service to another: the caller's client span, or a span
 * under another service's span. Messages go through their broker, which is a
 * peer of its own: producer ─async→ rabbitmq ─async→ consumer.
 */
function edgeOf(node: TraceTree['root']): { from: string; to: string; mode: 'sync' | 'async' } | undefined {
  if (!node.parent) return undefined;
  if (node.kind === 'consumer' && node.parent.service !== node.service) {
    const broker = node.parent.kind === 'producer' ? callee(node.parent) : undefined;
    return { from: broker && broker !== node.parent.service ? broker : node.parent.service, to: node.service, mode: 'async' };
  }
  if (!isCall(node)) return undefined;
  const to = callee(node);
  const from = node.kind === 'client' || node.kind === 'producer' ? node.service : node.parent.service;
  if (to === from) return undefined;
  return { from, to, mode: node.mode === 'async' || node.kind === 'producer' ? 'async' : 'sync' };
}

/** Per node, the critical-path time spent in it or its descendants. */
function pathTimeUnder(tree: TraceTree): Map<TraceTree['root'], number> {
  const own = new Map<string, number>();
  for (const s of criticalPath(tree.root)) own.set(s.spanId, (own.get(s.spanId) ?? 0) + s.endUs - s.startUs);
  const under = new Map<TraceTree['root'], number>();
  // Nodes are in depth-first order, so walking them backwards meets children before parents.
  for (let i = tree.nodes.length - 1; i >= 0; i--) {
    const node = tree.nodes[i]!;
    const total = (own.get(node.spanId) ?? 0) + node.children.reduce((sum, c) => sum + (under.get(c) ?? 0), 0);
    under.set(node, total);
  }
  return under;
}
