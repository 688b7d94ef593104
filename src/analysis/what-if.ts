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
 *   `parallel`  the call starts with the sibling call it followed (so it still
 *               waits for what that one waited for); the caller's own work
 *               between the two stays after the first, before what follows:
 *
 *     recorded   A[====] g B[======] C[==]      B made parallel:  A[====] g C[==]
 *                                                                 B[======]
 *
 *               a connection-pool checkout moves with the call it serves
 *               (checkout + query together stop waiting for the previous query);
 *   `faster`    the call takes half its time.
 *
 * Each projection is exact for the change it names: a saving is never more
 * than the changed call's own time on the critical path.
 */
import { isPlumbing } from './calls';
import { JITTER_US } from './clock';
import { isBlocking } from './edge-modes';
import { popMin, pushMin } from './min-heap';
import { duration, type TraceNode } from './trace-tree';

/**
 * `async`    the caller only publishes (pays the publish cost) and goes on;
 * `parallel` the call no longer waits for the sibling call it followed (it still waits for what that one waited for);
 * `faster`   the call takes half its time.
 */
export type Change = 'async' | 'parallel' | 'faster';

export interface WhatIf {
  spanId: string;
  change: Change;
  /** The root's duration after the change, µs. */
  durationUs: number;
  /** The request's duration minus `durationUs`: what the change saves end to end, µs (never negative). */
  savingUs: number;
}

export const PUBLISH_COST_US = 1000;

/** The root's duration with these changes applied. */
export function projectedDuration(root: TraceNode, changes: ReadonlyMap<string, Change>, publishCostUs = PUBLISH_COST_US, byId?: ReadonlyMap<string, TraceNode>): number {
  // Only spans above a change can move; every other subtree keeps its duration and is not walked.
  // Per node (by index): 1 when a change lies below it; the change made to it (1 async, 2 parallel).
  // Every node of the tree is in byId, and indexes run from 0 to its size.
  const nodes = byId ?? collect(root);
  const size = nodes.size;
  // Marks are kept per tree and wiped after use: a trace is priced many times.
  let marks = scratch.get(root);
  if (!marks || marks.affected.length < size) scratch.set(root, (marks = { affected: new Uint8Array(size), changed: new Uint8Array(size) }));
  const { affected, changed } = marks;
  const touched: number[] = [];
  for (const [id, change] of changes) {
    const named = nodes.get(id);
    const node = named && change === 'parallel' ? unitHead(named) : named;
    if (!node || node.index < 0 || node.index >= size) continue;
    changed[node.index] = CHANGE_CODE[change];
    touched.push(node.index);
    for (let n = node.parent; n && n.index >= 0 && !affected[n.index]; n = n.parent) {
      affected[n.index] = 1;
      touched.push(n.index);
    }
  }
  try {
    return replay(root, root.startUs, { changed, publishCostUs, affected }) - root.startUs;
  } finally {
    for (const i of touched) affected[i] = changed[i] = 0;
  }
}

const scratch = new WeakMap<TraceNode, { affected: Uint8Array; changed: Uint8Array }>();

function collect(root: TraceNode): Map<string, TraceNode> {
  const out = new Map<string, TraceNode>();
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.set(node.spanId, node);
    for (const child of node.children) stack.push(child);
  }
  return out;
}

const ASYNC = 1;
const PARALLEL = 2;
const FASTER = 3;
const CHANGE_CODE: Record<Change, number> = { async: ASYNC, parallel: PARALLEL, faster: FASTER };

/**
 * The end-to-end saving of these changes, µs: the replay's, bounded by what the
 * changed calls themselves can give back. Running a call in parallel with the
 * one it followed gives back at most the shorter of the two: the caller's own
 * work between calls is not assumed to overlap other calls in flight. Summed
 * over a run of calls that is at most their sum minus the longest.
 */
export function projectedSaving(root: TraceNode, changes: ReadonlyMap<string, Change>, publishCostUs = PUBLISH_COST_US, byId?: ReadonlyMap<string, TraceNode>): number {
  const replayed = duration(root) - projectedDuration(root, changes, publishCostUs, byId);
  let bound = 0;
  for (const [id, change] of changes) {
    const node = byId?.get(id);
    if (!node) return Math.max(0, replayed);
    const took = duration(node);
    if (change === 'async') bound += Math.max(0, took - Math.min(took, publishCostUs));
    else if (change === 'faster') bound += took / 2;
    else {
      const followed = followedSibling(node);
      bound += followed ? Math.min(took, duration(followed)) : 0;
    }
  }
  return Math.max(0, Math.min(replayed, bound));
}

/** The sibling call a blocking child waited for before it started (its pool checkout counts), if any. */
export function followedSibling(node: TraceNode): TraceNode | undefined {
  if (!node.parent || !isBlocking(node)) return undefined;
  const head = unitHead(node);
  const plan = planOf(node.parent);
  const w = plan.waitedFor[positionOf(plan, head)];
  const { children } = plan;
  return w !== undefined && w >= 0 ? children[w] : undefined;
}

/** The plumbing a call waited for (its pool checkout) comes with it: the first span of that unit. */
function unitHead(node: TraceNode): TraceNode {
  if (!node.parent) return node;
  const plan = planOf(node.parent);
  const { children, waitedFor } = plan;
  let i = positionOf(plan, node);
  while (i >= 0 && waitedFor[i]! >= 0 && isPlumbing(children[waitedFor[i]!]!)) i = waitedFor[i]!;
  return i >= 0 ? children[i]! : node;
}

interface Replay {
  changed: Uint8Array;
  publishCostUs: number;
  affected: Uint8Array;
}

/**
 * Which blocking sibling each child waited for depends only on the recorded
 * times, so it is worked out once per span and reused by every projection.
 */
interface Plan {
  children: readonly TraceNode[];
  /** Index of the sibling each child waited for (the one that ended last before it started), or -1 (it started
   * at an offset from the parent). */
  waitedFor: number[];
  /** Every sibling that had ended by a child's start, in the order they ended: `doneOrder[0 .. doneUntil[i])`
   * had ended before child i started, so child i waited for all of them, not just the last. */
  doneOrder: number[];
  doneUntil: number[];
  /** The parent's own time after its last blocking child ended (never negative). */
  tailUs: number;
  /** Scratch for a replay of this span (a span is never replayed inside its own replay). */
  newStart: number[];
  newEnd: number[];
  /** Each child's index in `children`, made when first asked for (an N+1 of thousands asks for every one). */
  positions?: Map<TraceNode, number>;
}

/** Where a child is among its parent's blocking children; -1 when it is not one of them. */
function positionOf(plan: Plan, node: TraceNode): number {
  if (plan.children.length <= 8) return plan.children.indexOf(node);
  plan.positions ??= new Map(plan.children.map((c, i) => [c, i]));
  return plan.positions.get(node) ?? -1;
}

const plans = new WeakMap<TraceNode, Plan>();

function planOf(node: TraceNode): Plan {
  let plan = plans.get(node);
  if (plan) return plan;
  const children = node.blocking;
  const n = children.length;
  const waitedFor = new Array<number>(n);
  const doneOrder: number[] = [];
  const doneUntil = new Array<number>(n);
  // A sibling "ended before" a start within the clocks' resolution (millisecond-floored starts).
  let resolution = 0;
  for (const child of children) resolution = Math.max(resolution, child.resolutionUs);
  const slack = resolution + JITTER_US;
  // Children come sorted by start; siblings that ended by the current start leave the heap (of
  // indexes, by end) for good, and the one that ended last among them is what the current child waited for.
  const heap: number[] = [];
  const end = (i: number) => children[i]!.endUs;
  let latest = -1;
  let lastEnd = -Infinity;
  for (let i = 0; i < n; i++) {
    const child = children[i]!;
    while (heap.length > 0 && end(heap[0]!) <= child.startUs + slack) {
      const done = popMin(heap, end);
      doneOrder.push(done);
      if (latest < 0 || end(done) > end(latest)) latest = done;
    }
    pushMin(heap, i, end);
    waitedFor[i] = latest;
    doneUntil[i] = doneOrder.length;
    if (child.endUs > lastEnd) lastEnd = child.endUs;
  }
  plan = { children, waitedFor, doneOrder, doneUntil, tailUs: n > 0 ? Math.max(0, node.endUs - lastEnd) : 0, newStart: new Array<number>(n).fill(0), newEnd: new Array<number>(n).fill(0) };
  plans.set(node, plan);
  return plan;
}

/**
 * A child starts as long after what it waited for as it did: after every sibling that had ended by its start
 * (they may end in another order once a call is changed), and after its own plumbing only, when it waited for
 * a checkout (the checkout carries the waiting). The walk keeps its own stack: a sender decides how deep a
 * trace is.
 */
function replay(root: TraceNode, rootStart: number, r: Replay): number {
  if (!r.affected[root.index]) return rootStart + duration(root);
  const first = replayFrame(root, rootStart);
  if (!first) return rootStart + duration(root);
  const stack: ReplayFrame[] = [first];
  /** The end a finished child frame returned to its parent's frame. */
  let returned: number | undefined;
  for (;;) {
    const f = stack[stack.length - 1]!;
    const { children } = f.plan;
    if (returned !== undefined) {
      settle(f, returned);
      returned = undefined;
    }
    let below: ReplayFrame | undefined;
    while (f.i < children.length) {
      const child = children[f.i]!;
      const s = startOf(f, r);
      const change = r.changed[child.index];
      const took = duration(child);
      if (change !== ASYNC && change !== FASTER && r.affected[child.index]) {
        below = replayFrame(child, s);
        if (below) break;
      }
      settle(f, change === ASYNC ? s + Math.min(took, r.publishCostUs) : change === FASTER ? s + took / 2 : s + took);
    }
    if (below) {
      stack.push(below);
      continue;
    }
    const end = Math.max(f.start, f.latest + f.plan.tailUs);
    stack.pop();
    if (stack.length === 0) return end;
    returned = end;
  }
}

/** One span being replayed: where it starts, and how far through its blocking children the replay is. */
interface ReplayFrame {
  node: TraceNode;
  start: number;
  plan: Plan;
  i: number;
  latest: number;
  doneEnd: number;
  popped: number;
  /** The caller's own work left after a sibling by a call made parallel runs on one thread, one piece at a time. */
  ownWorkUntil: number;
}

/** A frame for a span with blocking children; undefined for one without (it just keeps its time). */
function replayFrame(node: TraceNode, start: number): ReplayFrame | undefined {
  const plan = planOf(node);
  if (plan.children.length === 0) return undefined;
  return { node, start, plan, i: 0, latest: -Infinity, doneEnd: -Infinity, popped: 0, ownWorkUntil: -Infinity };
}

/** Where child `f.i` starts in the replay (it may move the end of the sibling it followed: see `parallel`). */
function startOf(f: ReplayFrame, r: Replay): number {
  const { node, start } = f;
  const { children, waitedFor, doneOrder, doneUntil, newStart, newEnd } = f.plan;
  const i = f.i;
  const child = children[i]!;
  for (; f.popped < doneUntil[i]!; f.popped++) f.doneEnd = Math.max(f.doneEnd, newEnd[doneOrder[f.popped]!]!);
  const w = waitedFor[i]!;
  const change = r.changed[child.index];
  let s: number;
  if (w < 0) s = start + (child.startUs - node.startUs);
  else {
    const gap = child.startUs - children[w]!.endUs;
    s = (children[w]!.plumbing ? newEnd[w]! : f.doneEnd) + gap;
    if (change === PARALLEL && newStart[w]! < s) {
      // Parallel: start with the sibling it followed. The caller's own work between the two (handling the
      // first one's answer, most likely) still comes after that sibling, before whatever follows.
      s = newStart[w]!;
      if (gap > 0) {
        newEnd[w] = Math.max(newEnd[w]!, f.ownWorkUntil) + gap;
        f.ownWorkUntil = newEnd[w]!;
        f.doneEnd = Math.max(f.doneEnd, newEnd[w]);
        if (newEnd[w] > f.latest) f.latest = newEnd[w]!;
      }
    }
  }
  newStart[i] = s;
  return s;
}

/** Child `f.i` ended at `end` in the replay: on to the next. */
function settle(f: ReplayFrame, end: number): void {
  f.plan.newEnd[f.i] = end;
  if (end > f.latest) f.latest = end;
  f.i++;
}
