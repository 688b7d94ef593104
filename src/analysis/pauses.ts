/**
 * Debugger pauses taken out of a trace: the spans as they would have been
 * recorded had the debugger not stopped anything, so that everything after
 * this (tree, chains, critical path, failures, findings, what-ifs) describes
 * the request and not the breakpoint.
 *
 * A span is stopped for the part of its time that overlaps its own session's
 * pauses (its resource's `hopscope.debug.session`; `pauses` lists that per
 * span); an open pause lasts to the end of the trace's last span. What is
 * taken out is the pause in a span's *own time*, the pieces of its timeline
 * that the replay (as what-if.ts replays) keeps as they were, in which its
 * next step waited on its own process and not on a call it made:
 *
 *   P  [lead₁]──A──[lead₂]──B──[tail]     lead: from what a child waited for (the
 *                                          sibling that ended last before it, else
 *                                          P's start) to the child's start
 *   a span with no blocking child: all of its time is own time
 *
 * That is its time not covered by its children, with two differences: a child
 * it did not wait for (fire-and-forget, async) covers nothing, and the lead
 * to a call started while an earlier one was in flight is own time too (the
 * process had to get to that call).
 *
 * 1. A pause in a leaf of the stopped service (▒ = payments stopped):
 *
 *   shop      POST /orders  [0──────────────────────────────2100]
 *   shop        POST ─►       [10─────────────────────────2090]
 *   payments      charge        [20──▒▒▒▒▒▒▒▒2000▒▒▒▒▒▒▒──2080]   own time 2060, 2000 of it paused
 *   compensated:
 *   shop      POST /orders  [0──────100]     every waiting caller shrinks by the replay,
 *   shop        POST ─►       [10──90]       not by overlap: the pause was never theirs
 *   payments      charge        [20─80]
 *
 * 2. Nested spans of one stopped service: the innermost span whose own time
 *    holds the pause loses it; its ancestors shrink because the replay ends
 *    them when their children are done, not by counting it again:
 *
 *   payments  charge   [0───────────────────────1100]     own time: lead 0-10, tail 1090-1100
 *   payments    INSERT   [10──▒▒▒▒1000▒▒▒▒──1090]          loses 1000
 *   compensated: charge [0──100], INSERT [10──90]
 *
 * 3. A child starts as long after what it waited for as it did, less the
 *    pause in that lead; so spans after a pause move earlier, and a branch
 *    that waited on nothing paused keeps its times:
 *
 *   orders  POST /orders [0─────────────────────────────1300]
 *   orders    ─► payments  [0──▒▒▒▒1000▒▒▒▒─1100]             payments stopped
 *   orders    ─► pricing   [0──────200]                        running meanwhile: untouched
 *   orders    ─► email                     [1120──────1300]   started 20 after payments answered
 *   compensated: payments [0─100], pricing [0─200] (unchanged), email [220─400] (20 after
 *                the later of the two), POST /orders [0─400]
 *
 * 4. A call that arrived while its process was stopped waited for the
 *    resume: a span that starts within `RESUME_US` after one of its own
 *    session's pauses ended, with that pause in its lead, was held by it; the
 *    lead loses the pause too (its parent, in another session, was waiting):
 *
 *   shop      POST ─►   [0──────────────1050]          the request reached payments at 0,
 *   payments    charge          [1000───1050]          stopped since before it came, until 1000
 *   payments stopped  ▒▒▒▒▒▒▒▒▒▒▒1000
 *   compensated: POST ─► [0──50], charge [0──50]
 *
 *    The lead's pause is unknown time: a lead of the caller's own work that
 *    ran into the callee's pause is taken as having ended when the pause began.
 *
 * Async children (behind a broker) keep their queue time and move with the
 * producer: as its end moved, when they started after it (as a consumer
 * does), else as its timeline moved up to their start; a pause of their own
 * session that held them comes off too. Pauses never touch a span of another
 * session but through the replay. A span's events move with the part of its
 * timeline they fall in (before its tail, or in it: after its last blocking child).
 *
 * Times are compared on each span's own clock: a span the tree moved for clock
 * skew is matched to the pauses at its recorded times.
 *
 * No pause that touches a span: the same array comes back, no tree is built.
 * The replay keeps its own stack: a sender decides how deep a trace is.
 */
import type { DebugPause, SpanPause } from '../model/pause';
import type { SpanEvent, SpanRecord } from '../model/span';
import { isBlocking } from './edge-modes';
import { popMin, pushMin } from './min-heap';
import { JITTER_US } from './clock';
import { holdingPause, stopIndex, stoppedWithin, stopsByNode, stopsOf, touches, traceEnd, type Stops } from './pause-stops';
import { buildTree, type TraceNode, type TraceTree } from './trace-tree';

export interface PauseCompensation {
  /** The spans as if the debugger had not stopped them, in the input's order; the input itself when nothing moved. */
  spans: readonly SpanRecord[];
  /** Every span whose time overlapped its own session's pauses, by how much (what a view says: "paused 12.3 s"). */
  pauses: SpanPause[];
  /** How much the pauses inflated the request: its root's duration minus the compensated root's, µs. */
  pausedUs: number;
  /** Whether any span moved (else `spans` are the spans as they came). */
  moved: boolean;
}

export { RESUME_US, sessionOf } from './pause-stops';

/** The spans without the debugger's pauses (see the module comment), in their order. */
export function compensatePauses(spans: readonly SpanRecord[], pauses: readonly DebugPause[]): PauseCompensation {
  const index = spans.length === 0 ? undefined : stopIndex(pauses, pauses.some((p) => p.endUs === null) ? traceEnd(spans) : -Infinity);
  // Most traces: no span of a stopped session, nothing built.
  if (!index || !spans.some((span) => touches(span, stopsOf(span, index)))) return untouched(spans);
  const tree = buildTree(spans)!;
  return replayWithout(tree, stopsByNode(tree, index) ?? [], spans);
}

/**
 * The same from a tree already built: its spans, compensated, in the tree's order (duplicates it left out
 * are not among them); its spans as they are when nothing moved.
 */
export function compensateTree(tree: TraceTree, pauses: readonly DebugPause[]): PauseCompensation {
  // Only an open pause needs the trace's end.
  let end = -Infinity;
  if (pauses.some((p) => p.endUs === null)) for (const node of tree.nodes) if (node.span) end = Math.max(end, node.span.startUs, node.span.endUs);
  const index = stopIndex(pauses, end);
  const stops = index && stopsByNode(tree, index);
  if (!stops) return untouched(spansOf(tree));
  return replayWithout(tree, stops, undefined);
}

/** A tree's spans, in its order. */
export function spansOf(tree: TraceTree): SpanRecord[] {
  const out: SpanRecord[] = [];
  for (const node of tree.nodes) if (node.span) out.push(node.span);
  return out;
}

const untouched = (spans: readonly SpanRecord[]): PauseCompensation => ({ spans, pauses: [], pausedUs: 0, moved: false });

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

/**
 * The replay (see the module comment). Per node, by index: its replayed start and end. Per child, by index,
 * worked out from the recorded times when its parent is entered, as the what-if replay plans it: the
 * latest recorded end of the blocking siblings that had ended by its start (what it waited for), and how
 * many entries of `done` those are.
 */
function replayWithout(tree: TraceTree, stops: readonly (Stops | undefined)[], spans: readonly SpanRecord[] | undefined): PauseCompensation {
  const { nodes } = tree;
  const n = nodes.length;
  // Node times are the tree's (moved for clock skew); pauses are matched at the recorded times: node − shift.
  const shift = new Float64Array(n);
  for (const node of nodes) shift[node.index] = (node.parent ? shift[node.parent.index]! : 0) + node.skewUs;
  const stopped = (node: TraceNode, from: number, to: number): number => {
    const s = stops[node.index];
    return s && to > from ? stoppedWithin(s, from - shift[node.index]!, to - shift[node.index]!) : 0;
  };
  /** The pause that held `child` back (its index in the child's session's stops), or -1. */
  const heldBy = (child: TraceNode): number => {
    const s = stops[child.index];
    return s ? holdingPause(s, child.startUs - shift[child.index]!, child.resolutionUs + JITTER_US) : -1;
  };
  /** Pause taken out of the lead [from, to] before `child` of `parent` starts. */
  const leadPause = (parent: TraceNode, child: TraceNode, from: number, to: number): number => {
    let paused = stopped(parent, from, to);
    const held = heldBy(child);
    if (held >= 0) {
      const s = stops[child.index]!;
      const hs = Math.max(from, s.starts[held]! + shift[child.index]!);
      const he = Math.min(to, s.ends[held]! + shift[child.index]!);
      // Counted once where the parent's own pause already covers it.
      if (he > hs) paused += he - hs - stopped(parent, hs, he);
    }
    return Math.min(paused, to - from);
  };
  /**
   * An async child moves with its producer: as the producer's end moved when it started after it (its
   * queue time kept), else as the producer's timeline moved up to its start; less a pause of its own
   * session that held it. On recorded times: the tree may have moved a consumer for clock skew.
   */
  const asyncStart = (parent: TraceNode, child: TraceNode): number => {
    const start = child.startUs - shift[child.index]!;
    const parentStart = parent.startUs - shift[parent.index]!;
    const parentEnd = parent.endUs - shift[parent.index]!;
    const after = start >= parentEnd;
    const from = after ? parentEnd : parentStart;
    let moved = after ? newEnd[parent.index]! - parent.endUs : newStart[parent.index]! - parent.startUs - stopped(parent, parent.startUs, parent.startUs + Math.max(0, start - parentStart));
    const held = heldBy(child);
    if (held >= 0) {
      const s = stops[child.index]!;
      moved -= Math.max(0, Math.min(start, s.ends[held]!) - Math.max(from, s.starts[held]!));
    }
    return child.startUs + moved;
  };
  const newStart = new Float64Array(n);
  const newEnd = new Float64Array(n);
  const tailFrom = new Float64Array(n).fill(-Infinity);
  const anchor = new Float64Array(n);
  const doneUntil = new Int32Array(n);
  // Each child is entered in `done` at most once, under its one parent: n entries in all.
  const done = new Int32Array(n);
  let used = 0;
  const heap: TraceNode[] = [];
  const enter = (node: TraceNode): Frame => {
    const base = used;
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
    return { node, i: 0, base, popped: 0, doneEnd: -Infinity, latest: -Infinity, lastBlockingEnd, waitsUntil, asyncChildren, ended: false };
  };
  const ownEnd = (node: TraceNode): number => newStart[node.index]! + (node.endUs - node.startUs) - stopped(node, node.startUs, node.endUs);
  for (const top of [tree.root, ...tree.detached]) {
    newStart[top.index] = top.startUs;
    if (top.children.length === 0) {
      newEnd[top.index] = ownEnd(top);
      continue;
    }
    const stack: Frame[] = [enter(top)];
    while (stack.length > 0) {
      const f = stack[stack.length - 1]!;
      const { node } = f;
      const children = node.children;
      if (f.i < children.length) {
        const child = children[f.i]!;
        const c = child.index;
        // Async children once the span's end is known; the others before.
        if ((child.mode === 'async') !== f.ended) {
          f.i++;
          continue;
        }
        if (f.ended) newStart[c] = asyncStart(node, child);
        else {
          for (; f.popped < doneUntil[c]!; f.popped++) f.doneEnd = Math.max(f.doneEnd, newEnd[done[f.base + f.popped]!]!);
          const anchored = anchor[c]! > -Infinity;
          const from = anchored ? anchor[c]! : node.startUs;
          const lead = child.startUs - from;
          newStart[c] = (anchored ? f.doneEnd : newStart[node.index]!) + lead - (lead > 0 ? leadPause(node, child, from, child.startUs) : 0);
        }
        if (child.children.length > 0) {
          stack.push(enter(child));
          continue;
        }
        newEnd[c] = ownEnd(child);
        settle(f, child, newEnd[c]!);
        continue;
      }
      if (!f.ended) {
        // Done with its children: it ends its tail after the last blocking one (all of its time is its own without).
        const last = f.lastBlockingEnd;
        if (last === -Infinity) newEnd[node.index] = ownEnd(node);
        else {
          const tail = Math.max(0, node.endUs - last);
          newEnd[node.index] = Math.max(newStart[node.index]!, f.latest + tail - (tail > 0 ? stopped(node, last, node.endUs) : 0));
          tailFrom[node.index] = last;
        }
        f.ended = true;
        if (f.asyncChildren > 0) {
          f.i = 0;
          continue;
        }
      }
      stack.pop();
      const up = stack[stack.length - 1];
      if (up) settle(up, node, newEnd[node.index]!);
    }
  }
  const root = tree.root;
  const pausedUs = Math.max(0, root.endUs - root.startUs - (newEnd[root.index]! - newStart[root.index]!));
  const found: SpanPause[] = [];
  let moved = false;
  const emit = (node: TraceNode, span: SpanRecord): SpanRecord => {
    const i = node.index;
    const own = stops[i];
    const paused = own ? stoppedWithin(own, span.startUs, span.endUs) : 0;
    if (paused > 0) found.push({ spanId: span.spanId, pausedUs: paused });
    const ds = newStart[i]! - node.startUs;
    const de = newEnd[i]! - node.endUs;
    if (ds === 0 && de === 0) return span;
    moved = true;
    const startUs = span.startUs + ds;
    const copy: SpanRecord = { ...span, startUs, endUs: Math.max(startUs, span.endUs + de) };
    if (span.events.length > 0) copy.events = span.events.map((e) => movedEvent(e, node, shift[i]!, newStart[i]!, newEnd[i]!, tailFrom[i]!, stopped));
    return copy;
  };
  const out: SpanRecord[] = [];
  if (!spans) {
    for (const node of nodes) if (node.span) out.push(emit(node, node.span));
  } else {
    // In the caller's order; a span the tree left out (a duplicate id) as it came.
    for (const span of spans) {
      const node = tree.byId.get(span.spanId);
      out.push(node && node.span === span ? emit(node, span) : span);
    }
  }
  // Nothing moved: the spans as they came (a tree's own, when it was given no list).
  return { spans: moved ? out : (spans ?? out), pauses: found, pausedUs, moved };
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
