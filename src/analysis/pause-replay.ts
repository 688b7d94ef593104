/**
 * The replay that takes debugger pauses out of a trace (pauses.ts says what
 * it does and why; this is how). Per node, by index: its replayed start and
 * end. Per child, by index, worked out from the recorded times when its parent
 * is entered, as the what-if replay plans it: the latest recorded end of the
 * blocking siblings that had ended by its start (what it waited for), and how
 * many entries of `done` those are. It keeps its own stack: a sender decides
 * how deep a trace is.
 */
import type { SpanPause } from '../model/pause';
import type { SpanEvent, SpanRecord } from '../model/span';
import { JITTER_US } from './clock';
import { isBlocking } from './edge-modes';
import { popMin, pushMin } from './min-heap';
import { holdingPause, stoppedWithin, type Stops } from './pause-stops';
import type { PauseCompensation } from './pauses';
import type { TraceNode, TraceTree } from './trace-tree';

/** The replay of `tree` without the pauses in `stops` (by node index); `spans` give the order of the answer (else the tree's). */
export function replayWithout(tree: TraceTree, stops: readonly (Stops | undefined)[], spans: readonly SpanRecord[] | undefined): PauseCompensation {
  const replay = new PauseReplay(tree, stops);
  for (const top of [tree.root, ...tree.detached]) replay.replay(top);
  return replay.compensation(spans);
}

const endOf = (node: TraceNode): number => node.endUs;

/** A span being replayed: how far through its children, and what the blocking ones it passed ended at. */
interface Frame {
  node: TraceNode;
  i: number;
  /** Its children's entries in `done` (the blocking children that had ended by each child's start, in the order
   * they ended) start here; `popped` of them are in `doneEnd`. */
  base: number;
  popped: number;
  /** The latest replayed end of the blocking children `done[base .. base + popped)`. */
  doneEnd: number;
  /** The latest replayed end of its blocking children so far. */
  latest: number;
  /** The latest recorded end of a blocking child it waited for; -Infinity without one. */
  lastBlockingEnd: number;
  /** A blocking child that ended after this (its end plus the clocks' slack) did not hold it up: its end is not waited for. */
  waitsUntil: number;
  asyncChildren: number;
  /** Its end is replayed: on to its async children, which move with it. */
  ended: boolean;
}

class PauseReplay {
  private readonly nodes: readonly TraceNode[];
  /** Node times are the tree's (moved for clock skew); pauses are matched at the recorded times: node − shift. */
  private readonly shift: Float64Array;
  private readonly newStart: Float64Array;
  private readonly newEnd: Float64Array;
  /** Where a span's tail (after its last blocking child) starts; -Infinity without one. */
  private readonly tailFrom: Float64Array;
  private readonly anchor: Float64Array;
  private readonly doneUntil: Int32Array;
  /** Each child is entered in `done` at most once, under its one parent: n entries in all. */
  private readonly done: Int32Array;
  private used = 0;
  private readonly heap: TraceNode[] = [];

  constructor(private readonly tree: TraceTree, private readonly stops: readonly (Stops | undefined)[]) {
    const { nodes } = tree;
    const n = nodes.length;
    this.nodes = nodes;
    this.shift = new Float64Array(n);
    for (const node of nodes) this.shift[node.index] = (node.parent ? this.shift[node.parent.index]! : 0) + node.skewUs;
    this.newStart = new Float64Array(n);
    this.newEnd = new Float64Array(n);
    this.tailFrom = new Float64Array(n).fill(-Infinity);
    this.anchor = new Float64Array(n);
    this.doneUntil = new Int32Array(n);
    this.done = new Int32Array(n);
  }

  /** How long `node`'s session was stopped within [from, to] of the tree's times. */
  private readonly stopped = (node: TraceNode, from: number, to: number): number => {
    const s = this.stops[node.index];
    return s && to > from ? stoppedWithin(s, from - this.shift[node.index]!, to - this.shift[node.index]!) : 0;
  };

  /** The pause that held `child` back (its index in the child's session's stops), or -1. */
  private heldBy(child: TraceNode): number {
    const s = this.stops[child.index];
    return s ? holdingPause(s, child.startUs - this.shift[child.index]!, child.resolutionUs + JITTER_US) : -1;
  }

  /** Pause taken out of the lead [from, to] before `child` of `parent` starts. */
  private leadPause(parent: TraceNode, child: TraceNode, from: number, to: number): number {
    let paused = this.stopped(parent, from, to);
    const held = this.heldBy(child);
    if (held >= 0) {
      const s = this.stops[child.index]!;
      const hs = Math.max(from, s.starts[held]! + this.shift[child.index]!);
      const he = Math.min(to, s.ends[held]! + this.shift[child.index]!);
      // Counted once where the parent's own pause already covers it.
      if (he > hs) paused += he - hs - this.stopped(parent, hs, he);
    }
    return Math.min(paused, to - from);
  }

  /**
   * An async child moves with its producer: as the producer's end moved when it started after it (its
   * queue time kept), else as the producer's timeline moved up to its start; less a pause of its own
   * session that held it. On recorded times: the tree may have moved a consumer for clock skew.
   */
  private asyncStart(parent: TraceNode, child: TraceNode): number {
    const shift = this.shift;
    const start = child.startUs - shift[child.index]!;
    const parentStart = parent.startUs - shift[parent.index]!;
    const parentEnd = parent.endUs - shift[parent.index]!;
    const after = start >= parentEnd;
    const from = after ? parentEnd : parentStart;
    let moved = after
      ? this.newEnd[parent.index]! - parent.endUs
      : this.newStart[parent.index]! - parent.startUs - this.stopped(parent, parent.startUs, parent.startUs + Math.max(0, start - parentStart));
    const held = this.heldBy(child);
    if (held >= 0) {
      const s = this.stops[child.index]!;
      moved -= Math.max(0, Math.min(start, s.ends[held]!) - Math.max(from, s.starts[held]!));
    }
    return child.startUs + moved;
  }

  /** A span entered: for each child, what it waited for (`anchor`) and how many entries of `done` that is. */
  private enter(node: TraceNode): Frame {
    const { heap, done, anchor, doneUntil } = this;
    const base = this.used;
    let used = base;
    let resolution = 0;
    for (const c of node.blocking) resolution = Math.max(resolution, c.resolutionUs);
    const slack = resolution + JITTER_US;
    const waitsUntil = node.endUs + slack;
    let lastBlockingEnd = -Infinity;
    for (const c of node.blocking) if (c.endUs <= waitsUntil) lastBlockingEnd = Math.max(lastBlockingEnd, c.endUs);
    // Blocking children started and not yet ended, in a heap by end: those that ended by a child's start leave it.
    heap.length = 0;
    let latest = -Infinity;
    let asyncChildren = 0;
    for (const child of node.children) {
      if (child.mode === 'async') asyncChildren++;
      while (heap.length > 0 && heap[0]!.endUs <= child.startUs + slack) {
        const ended = popMin(heap, endOf);
        done[used++] = ended.index;
        latest = Math.max(latest, ended.endUs);
      }
      anchor[child.index] = latest;
      doneUntil[child.index] = used - base;
      if (isBlocking(child)) pushMin(heap, child, endOf);
    }
    this.used = used;
    return { node, i: 0, base, popped: 0, doneEnd: -Infinity, latest: -Infinity, lastBlockingEnd, waitsUntil, asyncChildren, ended: false };
  }

  /** The end of a span whose time is all its own: its start, its duration less its pause. */
  private ownEnd(node: TraceNode): number {
    return this.newStart[node.index]! + (node.endUs - node.startUs) - this.stopped(node, node.startUs, node.endUs);
  }

  /** Replays the tree under `top` (the root or a detached span). */
  replay(top: TraceNode): void {
    this.newStart[top.index] = top.startUs;
    if (top.children.length === 0) {
      this.newEnd[top.index] = this.ownEnd(top);
      return;
    }
    const stack: Frame[] = [this.enter(top)];
    while (stack.length > 0) {
      const f = stack[stack.length - 1]!;
      const children = f.node.children;
      if (f.i < children.length) {
        const child = children[f.i]!;
        // Async children once the span's end is known; the others before.
        if ((child.mode === 'async') !== f.ended) {
          f.i++;
          continue;
        }
        this.newStart[child.index] = f.ended ? this.asyncStart(f.node, child) : this.childStart(f, child);
        if (child.children.length > 0) {
          stack.push(this.enter(child));
          continue;
        }
        this.newEnd[child.index] = this.ownEnd(child);
        settle(f, child, this.newEnd[child.index]!);
        continue;
      }
      if (!f.ended) {
        this.endAfterChildren(f);
        if (f.asyncChildren > 0) {
          f.i = 0;
          continue;
        }
      }
      stack.pop();
      const up = stack[stack.length - 1];
      if (up) settle(up, f.node, this.newEnd[f.node.index]!);
    }
  }

  /** A blocking child starts as long after what it waited for (else its parent's start) as it did, less the pause in that lead. */
  private childStart(f: Frame, child: TraceNode): number {
    const c = child.index;
    const { node } = f;
    for (; f.popped < this.doneUntil[c]!; f.popped++) f.doneEnd = Math.max(f.doneEnd, this.newEnd[this.done[f.base + f.popped]!]!);
    const anchored = this.anchor[c]! > -Infinity;
    const from = anchored ? this.anchor[c]! : node.startUs;
    const lead = child.startUs - from;
    return (anchored ? f.doneEnd : this.newStart[node.index]!) + lead - (lead > 0 ? this.leadPause(node, child, from, child.startUs) : 0);
  }

  /** Done with its blocking children: a span ends its tail after the last of them (all of its time is its own without). */
  private endAfterChildren(f: Frame): void {
    const { node } = f;
    const last = f.lastBlockingEnd;
    if (last === -Infinity) this.newEnd[node.index] = this.ownEnd(node);
    else {
      const tail = Math.max(0, node.endUs - last);
      this.newEnd[node.index] = Math.max(this.newStart[node.index]!, f.latest + tail - (tail > 0 ? this.stopped(node, last, node.endUs) : 0));
      this.tailFrom[node.index] = last;
    }
    f.ended = true;
  }

  /** The replayed spans, in the order of `spans` (else the tree's), with what the pauses took. */
  compensation(spans: readonly SpanRecord[] | undefined): PauseCompensation {
    const root = this.tree.root;
    const pausedUs = Math.max(0, root.endUs - root.startUs - (this.newEnd[root.index]! - this.newStart[root.index]!));
    const found: SpanPause[] = [];
    let moved = false;
    const emit = (node: TraceNode, span: SpanRecord): SpanRecord => {
      const copy = this.moved(node, span, found);
      if (copy !== span) moved = true;
      return copy;
    };
    const out: SpanRecord[] = [];
    if (!spans) {
      for (const node of this.nodes) if (node.span) out.push(emit(node, node.span));
    } else {
      // In the caller's order; a span the tree left out (a duplicate id) as it came.
      for (const span of spans) {
        const node = this.tree.byId.get(span.spanId);
        out.push(node && node.span === span ? emit(node, span) : span);
      }
    }
    // Nothing moved: the spans as they came (a tree's own, when it was given no list).
    return { spans: moved ? out : (spans ?? out), pauses: found, pausedUs, moved };
  }

  /** `span` (of `node`) at its replayed times, itself when it did not move; its own pause noted in `found`. */
  private moved(node: TraceNode, span: SpanRecord, found: SpanPause[]): SpanRecord {
    const i = node.index;
    const own = this.stops[i];
    const paused = own ? stoppedWithin(own, span.startUs, span.endUs) : 0;
    if (paused > 0) found.push({ spanId: span.spanId, pausedUs: paused });
    const ds = this.newStart[i]! - node.startUs;
    const de = this.newEnd[i]! - node.endUs;
    if (ds === 0 && de === 0) return span;
    const startUs = span.startUs + ds;
    const copy: SpanRecord = { ...span, startUs, endUs: Math.max(startUs, span.endUs + de) };
    if (span.events.length > 0) {
      copy.events = span.events.map((e) => movedEvent(e, node, this.shift[i]!, this.newStart[i]!, this.newEnd[i]!, this.tailFrom[i]!, this.stopped));
    }
    return copy;
  }
}

/** The child just replayed ended at `end`: on to the next. */
function settle(f: Frame, child: TraceNode, end: number): void {
  if (isBlocking(child) && child.endUs <= f.waitsUntil) f.latest = Math.max(f.latest, end);
  f.i++;
}

/**
 * An event moves with its side of the span's timeline: in its tail (after the last blocking child) it
 * keeps its distance to the end, less the pause between; before, its distance to the start, less the
 * pause between. Outside the span, it moves with the nearer end.
 */
function movedEvent(event: SpanEvent, node: TraceNode, shift: number, start: number, end: number, tailFrom: number, stopped: (node: TraceNode, from: number, to: number) => number): SpanEvent {
  const t = event.timeUs + shift;
  let moved: number;
  if (t < node.startUs) moved = t + start - node.startUs;
  else if (t > node.endUs) moved = t + end - node.endUs;
  else if (t >= tailFrom) moved = end - (node.endUs - t) + stopped(node, t, node.endUs);
  else moved = start + (t - node.startUs) - stopped(node, node.startUs, t);
  if (t >= node.startUs && t <= node.endUs) moved = Math.min(end, Math.max(start, moved));
  const timeUs = moved - shift;
  return timeUs === event.timeUs ? event : { ...event, timeUs };
}
