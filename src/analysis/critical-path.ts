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
 * A child that started earlier but had not finished at a point is not what
 * the parent waited for before that point (Jaeger's rule: the child that
 * finished last *before* the point):
 *
 *   P [0==========================100]      segments: P 0-20, B 20-100
 *   A    [0=========60]                     (A had not finished at 20:
 *   B          [20===================100]    it bounded nothing)
 *
 * "Before the point" allows the clocks' resolution: a millisecond-floored
 * start may read a little earlier than the previous call's end.
 *
 * The segments tile [root.start, root.end] exactly. The walk keeps its own
 * stack: a sender decides how deep a trace is.
 */
import { tolerance } from './clock';
import type { TraceNode } from './trace-tree';

export interface PathSegment {
  spanId: string;
  startUs: number;
  endUs: number;
}

interface Frame {
  node: TraceNode;
  from: number;
  /** Everything after it inside the node's window is already on the path. */
  cursor: number;
  /** The node's blocking children, latest end first (earliest start on ties). */
  candidates: readonly TraceNode[];
  next: number;
}

export function criticalPath(root: TraceNode): PathSegment[] {
  const out: PathSegment[] = [];
  const stack: Frame[] = [frame(root, root.startUs, root.endUs)];
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.cursor <= f.from) {
      stack.pop();
      continue;
    }
    // The cursor only moves back: a child that starts at or after it, or that had not finished by it,
    // never can be chosen later, so one pass over this order finds each next child.
    let best: TraceNode | undefined;
    while (f.next < f.candidates.length) {
      const c = f.candidates[f.next]!;
      if (c.startUs < f.cursor && c.endUs <= f.cursor + tolerance(c, f.node)) {
        best = c;
        break;
      }
      f.next++;
    }
    const bestEnd = best ? Math.min(best.endUs, f.cursor) : -Infinity;
    if (!best || bestEnd <= f.from || bestEnd <= best.startUs) {
      out.push({ spanId: f.node.spanId, startUs: f.from, endUs: f.cursor });
      stack.pop();
      continue;
    }
    f.next++;
    if (bestEnd < f.cursor) out.push({ spanId: f.node.spanId, startUs: bestEnd, endUs: f.cursor });
    const start = Math.max(best.startUs, f.from);
    f.cursor = start;
    stack.push(frame(best, start, bestEnd));
  }
  out.reverse();
  return merge(out);
}

function frame(node: TraceNode, from: number, to: number): Frame {
  const candidates = node.blocking.length <= 1 ? node.blocking : [...node.blocking].sort((a, b) => b.endUs - a.endUs || a.startUs - b.startUs);
  return { node, from, cursor: to, candidates, next: 0 };
}

function merge(segments: PathSegment[]): PathSegment[] {
  const out: PathSegment[] = [];
  for (const s of segments) {
    const last = out[out.length - 1];
    if (last && last.spanId === s.spanId && last.endUs === s.startUs) last.endUs = s.endUs;
    else if (s.endUs > s.startUs) out.push(s); // segments are fresh objects from the walk
  }
  return out;
}
