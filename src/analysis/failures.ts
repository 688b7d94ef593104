/**
 * Where failures started, how far they spread, and where they stopped.
 *
 *   gateway  POST /orders     ✗ propagated      ← the cascade reaches the root
 *   orders     POST /orders   ✗ propagated
 *   orders       POST /charge ✗ propagated
 *   payments       charge     ✗ origin          (no failed sync descendant)
 *
 *   orders   POST /orders     ✓ contained       ← a fallback absorbed it
 *   orders     GET /quote     ✗ origin
 *
 *   email    process order.created ✗ origin, isolated (behind an async edge)
 *
 * Timeouts: a failed caller that a callee outlived (the caller gave up while
 * the callee kept working). Retries: repeated sibling calls after a failure,
 * multiplied across layers.
 */
import { isFailed } from '../model/failure';
import { isCall, requestKey } from './calls';
import { tolerance } from './clock';
import { answered, CALL_TOLERANCE_US, isBlocking } from './edge-modes';
import type { TraceNode } from './trace-tree';

export interface Cascade {
  originSpanId: string;
  /** Failed spans above the origin that the failure reached, nearest first. */
  propagatedSpanIds: string[];
  /** The nearest non-failed sync ancestor above the failure: where it was contained. */
  containedBySpanId: string | null;
  /** The failure stopped at an async or fire-and-forget edge: it never reached the caller. */
  isolated: boolean;
  services: string[];
  /** How far it reached: the services and spans that failed with it. */
  blastRadius: { services: number; spans: number };
}

export interface Timeout {
  callerSpanId: string;
  calleeSpanId: string;
  /** How long the callee worked on after the caller gave up, µs. */
  overrunUs: number;
}

export interface Retry {
  parentSpanId: string;
  /** The attempts, in order. */
  spanIds: string[];
  /** Attempts here times the worst amplification below. */
  amplification: number;
}

export interface Failures {
  cascades: Cascade[];
  timeouts: Timeout[];
  retries: Retry[];
}

export const failed = (node: TraceNode): boolean => node.span !== undefined && isFailed(node.span);

/** Cascades listed at most; the largest reach first when there are more (a sender can fail every span). */
export const MAX_CASCADES = 1000;
/** Propagated spans listed per cascade, nearest first; `blastRadius.spans` counts them all. */
export const MAX_PROPAGATED_LISTED = 200;

export function analyzeFailures(nodes: readonly TraceNode[]): Failures {
  // Nodes come in depth-first order: walking them backwards meets every child before its parent.
  const failedBelow = new Uint8Array(nodes.length);
  const failedHere = new Uint8Array(nodes.length);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    if (failed(node)) failedHere[node.index] = 1;
    for (const child of node.blocking) if (failedHere[child.index] || failedBelow[child.index]) failedBelow[node.index] = 1;
  }
  const hasFailedSyncDescendant = (node: TraceNode): boolean => failedBelow[node.index] === 1;
  const gaveUp = timeouts(nodes);
  const timedOutOn = new Map(gaveUp.map((t) => [t.caller, t.callee]));
  // A failure climbs from a span to its parent while the span was waited for. Per span, worked out parents
  // first (so that a chain of any depth costs one pass): the nearest and the farthest failed span on that
  // climb from the span itself, how many failed on it, and where it stops (the first span not waited for).
  const count = nodes.length;
  const nearest = new Array<TraceNode | undefined>(count);
  const farthest = new Array<TraceNode | undefined>(count);
  const failedOnClimb = new Int32Array(count);
  const stop = new Array<TraceNode>(count);
  for (const node of nodes) {
    const i = node.index;
    const up = isBlocking(node) ? node.parent : undefined;
    const here = failedHere[i] === 1;
    nearest[i] = here ? node : up && nearest[up.index];
    farthest[i] = (up && farthest[up.index]) ?? (here ? node : undefined);
    failedOnClimb[i] = (here ? 1 : 0) + (up ? failedOnClimb[up.index]! : 0);
    stop[i] = up ? stop[up.index]! : node;
  }
  const climbFrom = (node: TraceNode): TraceNode | undefined => (isBlocking(node) ? node.parent : undefined);
  const cascades: Cascade[] = [];
  for (const node of nodes) {
    if (!failedHere[node.index] || hasFailedSyncDescendant(node)) continue;
    // It climbs to its parent if it was waited for; the failed spans on the way are propagated up to the
    // farthest one, and the span above that contained it (none when the climb stopped there).
    const above = climbFrom(node);
    const top = above && farthest[above.index];
    const propagated: TraceNode[] = [];
    for (let n = above && nearest[above.index]; n && propagated.length < MAX_PROPAGATED_LISTED; ) {
      propagated.push(n);
      const next = climbFrom(n);
      n = next && nearest[next.index];
    }
    const container = top ? climbFrom(top) : above;
    const isolatedAt = stop[node.index]!.parent !== undefined;
    // A caller that timed out failed because its callee was slow: the callee's service is where it started.
    const slow = timedOutOn.get(node);
    const services = [...new Set([...(slow ? [slow] : []), node, ...propagated].map((n) => n.service))];
    cascades.push({
      originSpanId: node.spanId,
      propagatedSpanIds: propagated.map((n) => n.spanId),
      containedBySpanId: container?.spanId ?? null,
      isolated: !container && isolatedAt,
      services,
      blastRadius: { services: services.length, spans: (above ? failedOnClimb[above.index]! : 0) + 1 },
    });
  }
  const found = gaveUp.map(({ caller, callee, overrunUs }) => ({ callerSpanId: caller.spanId, calleeSpanId: callee.spanId, overrunUs }));
  return { cascades: largest(cascades, MAX_CASCADES), timeouts: found, retries: retries(nodes, new Set(gaveUp.map((t) => t.caller))) };
}

/** At most `max` cascades, those that reached the most spans, in their order. */
function largest(cascades: Cascade[], max: number): Cascade[] {
  if (cascades.length <= max) return cascades;
  const kept = new Set(cascades.map((c, i) => ({ c, i })).sort((a, b) => b.c.blastRadius.spans - a.c.blastRadius.spans || a.i - b.i).slice(0, max).map(({ c }) => c));
  return cascades.filter((c) => kept.has(c));
}

/**
 * The caller gave up: its span ended, failed (whatever the instrumentation
 * calls the error: an abort, ETIMEDOUT, a 504), while the callee in another
 * service worked on past it by more than the jitter of a call. The callee's
 * server span itself may end with the caller (node's http server ends it when
 * the socket closes); its own work then runs on underneath:
 *
 *   shop     ✗ POST ─► payments [=250=]                gave up
 *   payments      POST /charge  [=250=]                ended on 'close'
 *   payments        INSERT …          [====1250====]   still working
 *
 * A caller that stopped waiting without failing did not time out; it did not wait.
 */
function timeouts(nodes: readonly TraceNode[]): { caller: TraceNode; callee: TraceNode; overrunUs: number }[] {
  const out: { caller: TraceNode; callee: TraceNode; overrunUs: number }[] = [];
  let ends: Float64Array | undefined;
  for (const caller of nodes) {
    if (!failed(caller) && !(caller.kind === 'client' && caller.parent !== undefined && failed(caller.parent))) continue;
    // A caller that got an answer did not give up, however late the callee's span closed.
    if (caller.kind === 'client' && answered(caller)) continue;
    for (const callee of caller.children) {
      if (callee.service === caller.service || callee.kind === 'consumer' || callee.mode === 'async') continue;
      ends ??= latestEnds(nodes);
      const overrunUs = ends[callee.index]! - caller.endUs;
      if (overrunUs > Math.max(CALL_TOLERANCE_US, tolerance(caller, callee))) out.push({ caller, callee, overrunUs });
    }
  }
  return out;
}

/** Per node, when the last span under it (itself included) ended, async work left out: the callee's own work.
 * Children before parents (nodes come depth-first), so each span is looked at once. */
function latestEnds(nodes: readonly TraceNode[]): Float64Array {
  const ends = new Float64Array(nodes.length);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    let end = node.endUs + node.trimmedUs;
    for (const child of node.children) if (child.mode !== 'async') end = Math.max(end, ends[child.index]!);
    ends[node.index] = end;
  }
  return ends;
}

/** The same call (what the caller asked for) repeated by one span after an attempt failed or timed out. */
function retries(nodes: readonly TraceNode[], timedOut: ReadonlySet<TraceNode>): Retry[] {
  const gaveUp = (n: TraceNode) => failed(n) || timedOut.has(n);
  const found = new Map<TraceNode, Retry[]>();
  // Per node, the worst amplification of the retries at or below it (0: none). Children before parents
  // (nodes come depth-first), so amplification below is known when a parent is looked at.
  const worstBelow = new Float64Array(nodes.length);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const parent = nodes[i]!;
    let worst = 0;
    for (const child of parent.children) worst = Math.max(worst, worstBelow[child.index]!);
    if (parent.children.length >= 2 && parent.children.some(gaveUp)) {
      const groups = new Map<string, TraceNode[]>();
      for (const child of parent.children) {
        if (!isCall(child)) continue;
        const key = requestKey(child);
        const list = groups.get(key);
        if (list) list.push(child);
        else groups.set(key, [child]);
      }
      for (const attempts of groups.values()) {
        if (attempts.length < 2 || !attempts.slice(0, -1).some(gaveUp)) continue;
        let below = 1;
        for (const a of attempts) below = Math.max(below, worstBelow[a.index]!);
        const retry: Retry = { parentSpanId: parent.spanId, spanIds: attempts.map((a) => a.spanId), amplification: attempts.length * below };
        const here = found.get(parent);
        if (here) here.push(retry);
        else found.set(parent, [retry]);
        worst = Math.max(worst, retry.amplification);
      }
    }
    worstBelow[parent.index] = worst;
  }
  // Deepest first (in node order on a level), as they are reported.
  return [...found.keys()].sort((a, b) => b.depth - a.depth || a.index - b.index).flatMap((parent) => found.get(parent)!);
}
