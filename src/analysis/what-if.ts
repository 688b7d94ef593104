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
export function projectedDuration(root: TraceNode, changes: ReadonlyMap<string, Change>, publishCostUs = PUBLISH_COST_US): number {
  return replay(root, root.startUs, changes, publishCostUs) - root.startUs;
}

function replay(node: TraceNode, start: number, changes: ReadonlyMap<string, Change>, publishCostUs: number): number {
  const children = node.children.filter(isBlocking);
  if (children.length === 0) return start + duration(node);
  const newStart = new Map<TraceNode, number>();
  const newEnd = new Map<TraceNode, number>();
  const runHead = new Map<TraceNode, TraceNode>();
  let lastEnd = -Infinity;
  // Children come sorted by start; siblings that ended by the current start leave the heap for good,
  // and the one that ended last among them is what the current child waited for.
  const pending = new EndHeap();
  let waitedFor: TraceNode | undefined;
  for (const child of children) {
    while (pending.size > 0 && pending.peek().endUs <= child.startUs) {
      const done = pending.pop();
      if (!waitedFor || done.endUs > waitedFor.endUs) waitedFor = done;
    }
    pending.push(child);
    runHead.set(child, waitedFor ? runHead.get(waitedFor)! : child);
    let s = waitedFor ? newEnd.get(waitedFor)! + (child.startUs - waitedFor.endUs) : start + (child.startUs - node.startUs);
    if (changes.get(child.spanId) === 'parallel') {
      const head = runHead.get(child)!;
      s = head === child ? s : newStart.get(head)!;
    }
    newStart.set(child, s);
    const change = changes.get(child.spanId);
    const end = change === 'async' ? s + Math.min(duration(child), publishCostUs) : replay(child, s, changes, publishCostUs);
    newEnd.set(child, end);
    lastEnd = Math.max(lastEnd, child.endUs);
  }
  let latest = -Infinity;
  for (const end of newEnd.values()) latest = Math.max(latest, end);
  return Math.max(start, latest + Math.max(0, node.endUs - lastEnd));
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
