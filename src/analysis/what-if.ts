/**
 * What-if: the request's end-to-end latency if calls were changed, by
 * replaying the tree with each blocking child starting the same time after
 * whatever it waited for (the sibling that ended last before it started), and
 * each span's own time kept.
 *
 *   orders [==================650==================]
 *            payments[100] inventory[20] email[500] analytics[50]
 *   email made async (publish ≈ 1 ms):
 *   orders [=====151=====]  → the request is 499 ms shorter
 *
 *   `async`     the caller pays only a publish cost;
 *   `parallel`  the call starts with the first of the run of sequential
 *               siblings it belongs to, instead of after its predecessor.
 */
import { isBlocking } from './edge-modes';
import { duration, type TraceNode } from './trace-tree';

export type Change = 'async' | 'parallel';

export interface WhatIf {
  spanId: string;
  change: Change;
  /** The root's duration after the change, µs. */
  durationUs: number;
}

export const PUBLISH_COST_US = 1000;

/** The root's duration with these changes applied. */
export function projectedDuration(root: TraceNode, changes: ReadonlyMap<string, Change>, publishCostUs = PUBLISH_COST_US, byId?: ReadonlyMap<string, TraceNode>): number {
  // Only spans above a change can move; every other subtree keeps its duration and is not walked.
  const affected = new Set<TraceNode>();
  for (const id of changes.keys()) {
    const node = byId ? byId.get(id) : find(root, id);
    for (let n = node?.parent; n && !affected.has(n); n = n.parent) affected.add(n);
  }
  return replay(root, root.startUs, { changes, publishCostUs, affected }) - root.startUs;
}

function find(root: TraceNode, spanId: string): TraceNode | undefined {
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.spanId === spanId) return node;
    for (const child of node.children) stack.push(child);
  }
  return undefined;
}

interface Replay {
  changes: ReadonlyMap<string, Change>;
  publishCostUs: number;
  affected: ReadonlySet<TraceNode>;
}

/**
 * Which blocking sibling each child waited for depends only on the recorded
 * times, so it is worked out once per span and reused by every projection.
 */
interface Plan {
  children: TraceNode[];
  /** Index of the sibling each child waited for, or -1 (it started at an offset from the parent). */
  waitedFor: Int32Array;
  /** Index of the first child of the sequential run each child belongs to. */
  runHead: Int32Array;
  /** The parent's own time after its last blocking child ended (never negative). */
  tailUs: number;
}

const plans = new WeakMap<TraceNode, Plan>();

function planOf(node: TraceNode): Plan {
  let plan = plans.get(node);
  if (plan) return plan;
  const children = node.children.filter(isBlocking);
  const waitedFor = new Int32Array(children.length).fill(-1);
  const runHead = new Int32Array(children.length);
  const index = new Map<TraceNode, number>(children.map((c, i) => [c, i]));
  // Children come sorted by start; siblings that ended by the current start leave the heap for good,
  // and the one that ended last among them is what the current child waited for.
  const pending = new EndHeap();
  let latest: TraceNode | undefined;
  let lastEnd = -Infinity;
  children.forEach((child, i) => {
    while (pending.size > 0 && pending.peek().endUs <= child.startUs) {
      const done = pending.pop();
      if (!latest || done.endUs > latest.endUs) latest = done;
    }
    pending.push(child);
    const w = latest ? index.get(latest)! : -1;
    waitedFor[i] = w;
    runHead[i] = w >= 0 ? runHead[w]! : i;
    lastEnd = Math.max(lastEnd, child.endUs);
  });
  plan = { children, waitedFor, runHead, tailUs: children.length > 0 ? Math.max(0, node.endUs - lastEnd) : 0 };
  plans.set(node, plan);
  return plan;
}

function replay(node: TraceNode, start: number, r: Replay): number {
  if (!r.affected.has(node)) return start + duration(node);
  const { children, waitedFor, runHead, tailUs } = planOf(node);
  if (children.length === 0) return start + duration(node);
  const newStart = new Float64Array(children.length);
  const newEnd = new Float64Array(children.length);
  let latest = -Infinity;
  for (let i = 0; i < children.length; i++) {
    const child = children[i]!;
    const w = waitedFor[i]!;
    let s = w >= 0 ? newEnd[w]! + (child.startUs - children[w]!.endUs) : start + (child.startUs - node.startUs);
    const change = r.changes.get(child.spanId);
    if (change === 'parallel' && runHead[i] !== i) s = newStart[runHead[i]!]!;
    newStart[i] = s;
    const end = change === 'async' ? s + Math.min(duration(child), r.publishCostUs) : replay(child, s, r);
    newEnd[i] = end;
    if (end > latest) latest = end;
  }
  return Math.max(start, latest + tailUs);
}

/** A min-heap of nodes by end time. */
class EndHeap {
  private readonly items: TraceNode[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): TraceNode {
    return this.items[0]!;
  }
  push(node: TraceNode): void {
    const a = this.items;
    a.push(node);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (a[p]!.endUs <= a[i]!.endUs) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): TraceNode {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]!.endUs < a[m]!.endUs) m = l;
        if (r < a.length && a[r]!.endUs < a[m]!.endUs) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}
