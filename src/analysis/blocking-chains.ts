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

/**
 * Chains with at least one hop, largest accumulation first (at most `limit`);
 * the chain with the most hops is always among them (last, when it would not
 * have made the cut), so a budget on hops sees it.
 */
export function blockingChains(root: TraceNode, limit = 10): BlockingChain[] {
  const chains: BlockingChain[] = [];
  let deepest: BlockingChain | undefined;
  // One frame per span on the current path: its window (clipped to its ancestors) and the blocked time in it.
  // Each span is visited once, so the intervals of its blocking children are merged once.
  const frames: Frame[] = [];
  const visit = (node: TraceNode, from: number, to: number) => {
    const next = node.blocking;
    frames.push({ node, from, to, busy: next.length === 0 ? 0 : covered(next, from, to) });
    if (next.length === 0) {
      // Only the largest `limit` chains are described in full; the rest only need their sum.
      const accumulated = frames.reduce((sum, f) => sum + Math.max(0, f.to - f.from) - f.busy, 0);
      const hops = hopsOf(frames);
      if (hops > 0 && (chains.length < limit || accumulated > chains[chains.length - 1]!.accumulatedUs)) {
        chains.push(describe(frames));
        chains.sort((a, b) => b.accumulatedUs - a.accumulatedUs || b.hops - a.hops);
        if (chains.length > limit) chains.pop();
      }
      if (hops > (deepest?.hops ?? 0)) deepest = describe(frames);
    } else for (const child of next) visit(child, Math.max(from, child.startUs), Math.max(Math.max(from, child.startUs), Math.min(to, child.endUs)));
    frames.pop();
  };
  visit(root, root.startUs, root.endUs);
  chains.sort((a, b) => b.accumulatedUs - a.accumulatedUs || b.hops - a.hops);
  const top = chains.slice(0, limit);
  if (deepest && !top.some((c) => c.hops >= deepest!.hops)) top.push(deepest);
  return top;
}

function hopsOf(frames: readonly Frame[]): number {
  let hops = 0;
  for (let i = 1; i < frames.length; i++) if (frames[i]!.node.service !== frames[i - 1]!.node.service) hops++;
  return hops;
}

interface Frame {
  node: TraceNode;
  from: number;
  to: number;
  busy: number;
}

/** Time covered by the spans (sorted by start, as `blocking` is), clipped to [from, to]. */
function covered(spans: readonly TraceNode[], from: number, to: number): number {
  let total = 0;
  let end = -Infinity;
  for (const span of spans) {
    // Clipping keeps the order: a later start never clips to an earlier one.
    const s = Math.max(span.startUs, from);
    const e = Math.min(span.endUs, to);
    if (e <= s) continue;
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

function describe(frames: readonly Frame[]): BlockingChain {
  const breakdown: HopBreakdown[] = [];
  let hop: HopBreakdown | undefined;
  let accumulated = 0;
  for (let i = 0; i < frames.length; i++) {
    const { node, from, to, busy } = frames[i]!;
    const next = frames[i + 1];
    if (!hop || hop.service !== node.service) {
      hop = { service: node.service, spanId: node.spanId, selfUs: 0, networkUs: 0, waitUs: 0 };
      breakdown.push(hop);
    }
    const self = Math.max(0, to - from) - busy;
    const onChain = next ? next.to - next.from : 0;
    // The last span of a hop before another service answers: its uncovered time is the wire.
    if (next && next.node.service !== node.service) hop.networkUs += self;
    else hop.selfUs += self;
    hop.waitUs += busy - onChain;
    accumulated += self;
  }
  return {
    spanIds: frames.map((f) => f.node.spanId),
    services: breakdown.map((h) => h.service),
    hops: breakdown.length - 1,
    accumulatedUs: accumulated,
    breakdown,
  };
}
