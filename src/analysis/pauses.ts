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
import type { SpanRecord } from '../model/span';
import { replayWithout } from './pause-replay';
import { stopIndex, stopsByNode, stopsOf, touches, traceEnd } from './pause-stops';
import { buildTree, type TraceTree } from './trace-tree';

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
