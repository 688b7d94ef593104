/**
 * Blocking chains: paths from the root along sync/parallel edges that cross
 * service boundaries, with the latency-accumulation breakdown per hop.
 *
 *   gateway  [0====================================650]  server
 *   gateway    [5================================645]    client → orders
 *   orders       [10============================640]     server
 *   orders         [12=100] payments   [120=====620] email  …
 *
 * Each chain span splits into: self (covered by no blocking child), wait
 * (blocked on a child that is not on this chain) and the next chain span.
 * Per hop (a run of spans in one service): self, the network/queue gap into
 * the next hop (the client span's time not covered by the server span), and
 * wait. Summed over the hops, self + network + wait is the first span's
 * time; self + network is what the chain accumulated, and ranks chains.
 */
import { isBlocking } from './edge-modes';
import type { TraceNode } from './trace-tree';

export interface HopBreakdown {
  service: string;
  /** The hop's first span on the chain. */
  spanId: string;
  selfUs: number;
  networkUs: number;
  waitUs: number;
}

export interface BlockingChain {
  spanIds: string[];
  services: string[];
  hops: number;
  accumulatedUs: number;
  breakdown: HopBreakdown[];
}

/** Chains with at least one hop, largest accumulation first (at most `limit`). */
export function blockingChains(root: TraceNode, limit = 10): BlockingChain[] {
  const chains: BlockingChain[] = [];
  const path: TraceNode[] = [];
  const visit = (node: TraceNode) => {
    path.push(node);
    const next = node.children.filter(isBlocking);
    if (next.length === 0) {
      const chain = describe(path);
      if (chain.hops > 0) chains.push(chain);
    } else for (const child of next) visit(child);
    path.pop();
  };
  visit(root);
  chains.sort((a, b) => b.accumulatedUs - a.accumulatedUs || b.hops - a.hops);
  const seen = new Set<string>();
  return chains.filter((c) => {
    const key = c.spanIds.join();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  }).slice(0, limit);
}

/** Time covered by a union of intervals, clipped to [from, to]. */
function covered(intervals: [number, number][], from: number, to: number): number {
  const clipped = intervals.map(([s, e]) => [Math.max(s, from), Math.min(e, to)] as [number, number]).filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [s, e] of clipped) {
    if (s > end) {
      total += e - s;
      end = e;
    } else if (e > end) {
      total += e - end;
      end = e;
    }
  }
  return total;
}

export function describe(path: readonly TraceNode[]): BlockingChain {
  const breakdown: HopBreakdown[] = [];
  let from = path[0]!.startUs;
  let to = path[0]!.endUs;
  let hop: HopBreakdown | undefined;
  let accumulated = 0;
  for (let i = 0; i < path.length; i++) {
    const node = path[i]!;
    const next = path[i + 1];
    if (!hop || hop.service !== node.service) {
      hop = { service: node.service, spanId: node.spanId, selfUs: 0, networkUs: 0, waitUs: 0 };
      breakdown.push(hop);
    }
    const span = Math.max(0, to - from);
    const blocking = node.children.filter(isBlocking).map((c) => [c.startUs, c.endUs] as [number, number]);
    const busy = covered(blocking, from, to);
    const onChain = next ? covered([[next.startUs, next.endUs]], from, to) : 0;
    const self = span - busy;
    // The last span of a hop before another service answers: its uncovered time is the wire.
    if (next && next.service !== node.service) hop.networkUs += self;
    else hop.selfUs += self;
    hop.waitUs += busy - onChain;
    accumulated += self;
    if (next) {
      from = Math.max(from, next.startUs);
      to = Math.min(to, next.endUs);
    }
  }
  return {
    spanIds: path.map((n) => n.spanId),
    services: breakdown.map((h) => h.service),
    hops: breakdown.length - 1,
    accumulatedUs: accumulated,
    breakdown,
  };
}
