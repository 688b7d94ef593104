/**
 * What a trace view says about the debugger pauses that stopped its trace (ViewPauses in src/protocol/trace-view.ts): the
 * pauses, and each node's recorded times where the compensation moved it. The nodes themselves keep the
 * compensated times, what the analysis describes; a view that shows the wall clock reads these instead.
 *
 *   recorded     charge [20──▒▒▒▒▒▒▒▒▒▒ 2000 ▒▒▒▒▒▒▒▒──2080]   → wallClock {startUs 20, endUs 2080, pausedUs 2000}
 *   compensated  charge [20─80]                                 → the node as it is
 *
 * Pauses and span data come from outside (the editor, POST /api/pauses, senders): a trace touched by more
 * than MAX_VIEW_PAUSES pauses lists the longest of them (their strings were cut where they were recorded,
 * src/ingest/pause-book.ts).
 */
import type { TraceAnalysis } from '../analysis/analyze-trace';
import { sessionOf } from '../analysis/pauses';
import type { TraceTree } from '../analysis/trace-tree';
import type { DebugPause } from '../model/pause';
import type { ViewPause, ViewPauses, ViewStop, ViewWallClock } from '../protocol/trace-view';

export const MAX_VIEW_PAUSES = 200;

/**
 * The pauses of `recorded` (the tree as received) that `shown` (the tree the view draws: compensated) was
 * made without; undefined when they moved nothing and stopped no span.
 */
export function pausedView(recorded: TraceTree, shown: TraceTree, pauses: readonly DebugPause[], analysis: Pick<TraceAnalysis, 'pausedUs' | 'pauses'>): ViewPauses | undefined {
  if (pauses.length === 0) return undefined;
  const own = new Map((analysis.pauses ?? []).map((p) => [p.spanId, p.pausedUs]));
  const sessions = new Map<string, number>();
  const stopped = new Set(pauses.map((p) => p.session));
  const wallClock: ViewWallClock[] = [];
  for (const node of shown.nodes) {
    const before = recorded.byId.get(node.spanId);
    if (!before) continue;
    const pausedUs = own.get(node.spanId) ?? 0;
    if (before.startUs === node.startUs && before.endUs === node.endUs && pausedUs === 0) continue;
    const entry: ViewWallClock = { spanId: node.spanId, startUs: before.startUs, endUs: before.endUs, pausedUs };
    const session = before.span && sessionOf(before.span);
    if (session !== undefined && stopped.has(session)) entry.session = indexOf(sessions, session);
    wallClock.push(entry);
  }
  if (wallClock.length === 0) return undefined;
  // An open pause lasts to the trace's end (as the compensation counts it).
  let end = -Infinity;
  for (const node of recorded.nodes) if (node.span) end = Math.max(end, node.span.startUs, node.span.endUs);
  let kept = pauses.map((pause) => ({ pause, endUs: pause.endUs ?? Math.max(pause.startUs, end) }));
  const omitted = Math.max(0, kept.length - MAX_VIEW_PAUSES);
  if (omitted > 0) kept = kept.sort((a, b) => b.endUs - b.pause.startUs - (a.endUs - a.pause.startUs)).slice(0, MAX_VIEW_PAUSES);
  kept.sort((a, b) => a.pause.startUs - b.pause.startUs);
  const listed = kept.map(({ pause, endUs }): ViewPause => {
    const out: ViewPause = {
      session: indexOf(sessions, pause.session),
      startUs: pause.startUs,
      endUs,
      reason: pause.reason,
      sessionName: pause.sessionName,
      location: pause.location,
    };
    if (pause.endUs === null) out.open = true;
    return out;
  });
  return { pausedUs: Math.max(0, analysis.pausedUs ?? 0), pauses: listed, ...(omitted > 0 ? { omittedPauses: omitted } : {}), wallClock };
}

/** The open pauses of other sessions a running trace waits on, as the view names them (at most 8). */
export function stopsView(pauses: readonly DebugPause[]): ViewStop[] | undefined {
  if (pauses.length === 0) return undefined;
  return pauses.slice(0, 8).map(({ sessionName, startUs, reason, location }) => ({ sessionName, startUs, reason, location }));
}

function indexOf(sessions: Map<string, number>, session: string): number {
  let i = sessions.get(session);
  if (i === undefined) sessions.set(session, (i = sessions.size));
  return i;
}
