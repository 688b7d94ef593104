/**
 * The critical path: the segments of spans that determined the root's end.
 * Walk backwards from the root's end; at each point the blocking child that
 * finished last before it is what the parent was waiting for; recurse into it,
 * then continue from where it started. Async and fire-and-forget children are
 * never on it; of parallel siblings, the one that bounded the parent is.
 *
 *   root [0==========================100]     segments: root 0-10, A 10-40,
 *   A        [10====40]                                 root 40-50, B 50-90,
 *   B                     [50========90]                root 90-100
 *   C (async)        [30==========95]
 *
 * The segments tile [root.start, root.end] exactly.
 */
import type { TraceNode } from './trace-tree';

export interface PathSegment {
  spanId: string;
  startUs: number;
  endUs: number;
}

export function criticalPath(root: TraceNode): PathSegment[] {
  const out: PathSegment[] = [];
  walk(root, root.startUs, root.endUs, out);
  out.reverse();
  return merge(out);
}

/** Appends, latest first, the segments that cover [from, to] inside `node`. */
function walk(node: TraceNode, from: number, to: number, out: PathSegment[]): void {
  let cursor = to;
  // Latest end first (earliest start on ties). The cursor only moves back, so a child that starts at or
  // after it can never be chosen later: one pass over this order finds each next child.
  const candidates = node.blocking.length === 0 ? node.blocking : [...node.blocking].sort((a, b) => b.endUs - a.endUs || a.startUs - b.startUs);
  let i = 0;
  while (cursor > from) {
    while (i < candidates.length && candidates[i]!.startUs >= cursor) i++;
    const best = candidates[i];
    const bestEnd = best ? Math.min(best.endUs, cursor) : -Infinity;
    if (!best || bestEnd <= from || bestEnd <= best.startUs) {
      out.push({ spanId: node.spanId, startUs: from, endUs: cursor });
      return;
    }
    i++;
    if (bestEnd < cursor) out.push({ spanId: node.spanId, startUs: bestEnd, endUs: cursor });
    const start = Math.max(best.startUs, from);
    walk(best, start, bestEnd, out);
    cursor = start;
  }
}

function merge(segments: PathSegment[]): PathSegment[] {
  const out: PathSegment[] = [];
  for (const s of segments) {
    const last = out[out.length - 1];
    if (last && last.spanId === s.spanId && last.endUs === s.startUs) last.endUs = s.endUs;
    else if (s.endUs > s.startUs) out.push(s); // segments are fresh objects from walk()
  }
  return out;
}
