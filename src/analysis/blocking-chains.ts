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
import { coveredUs, type TraceNode } from './trace-tree';

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
  // Candidates are kept as their last span and described once the walk is over: a chain is the path from
  // the root along blocking edges, so it can be walked again, and only the few kept are.
  const chains: Candidate[] = [];
  let deepest: Candidate | undefined;
  // The walk keeps its own stack (a sender decides how deep a trace is) and, per span on the current path,
  // the sums of what the chain accumulated and the hops it made down to it: a leaf's chain costs nothing more.
  const path: Frame[] = [];
  const stack: { node: TraceNode; from: number; to: number; depth: number }[] = [{ node: root, from: root.startUs, to: root.endUs, depth: 0 }];
  while (stack.length > 0) {
    const { node, from, to, depth } = stack.pop()!;
    path.length = depth;
    const next = node.blocking;
    const busy = next.length === 0 ? 0 : coveredUs(next, from, to);
    const above = path[depth - 1];
    const own = Math.max(0, to - from) - busy;
    path.push({ node, from, to, busy, accumulated: (above?.accumulated ?? 0) + own, hops: above ? above.hops + (above.node.service !== node.service ? 1 : 0) : 0 });
    if (next.length === 0) {
      // Only the largest `limit` chains are described in full; the rest only need their sum.
      const { accumulated, hops } = path[depth]!;
      if (hops > 0 && (chains.length < limit || accumulated > chains[chains.length - 1]!.accumulatedUs)) {
        chains.push({ leaf: node, accumulatedUs: accumulated, hops });
        chains.sort((a, b) => b.accumulatedUs - a.accumulatedUs || b.hops - a.hops);
        if (chains.length > limit) chains.pop();
      }
      if (hops > (deepest?.hops ?? 0)) deepest = { leaf: node, accumulatedUs: accumulated, hops };
      continue;
    }
    for (let i = next.length - 1; i >= 0; i--) {
      const child = next[i]!;
      const start = Math.max(from, child.startUs);
      stack.push({ node: child, from: start, to: Math.max(start, Math.min(to, child.endUs)), depth: depth + 1 });
    }
  }
  chains.sort((a, b) => b.accumulatedUs - a.accumulatedUs || b.hops - a.hops);
  const top = chains.slice(0, limit);
  if (deepest && !top.some((c) => c.hops >= deepest.hops)) top.push(deepest);
  return top.map((c) => describe(framesTo(root, c.leaf)));
}

/** A chain not yet described: its last span, and what it accumulated. */
interface Candidate {
  leaf: TraceNode;
  accumulatedUs: number;
  hops: number;
}

/** The frames of the chain from the root to `leaf` along blocking edges, windows clipped as the walk clips them. */
function framesTo(root: TraceNode, leaf: TraceNode): Frame[] {
  const nodes: TraceNode[] = [];
  for (let n: TraceNode | undefined = leaf; n && n !== root; n = n.parent) nodes.push(n);
  nodes.push(root);
  nodes.reverse();
  const frames: Frame[] = [];
  let from = root.startUs;
  let to = root.endUs;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (i > 0) {
      const start = Math.max(from, node.startUs);
      to = Math.max(start, Math.min(to, node.endUs));
      from = start;
    }
    frames.push({ node, from, to, busy: node.blocking.length === 0 ? 0 : coveredUs(node.blocking, from, to), accumulated: 0, hops: 0 });
  }
  return frames;
}

interface Frame {
  node: TraceNode;
  from: number;
  to: number;
  busy: number;
  /** Self time of the chain's spans down to this one (with the wire into each hop). */
  accumulated: number;
  /** Service changes down to this span. */
  hops: number;
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
