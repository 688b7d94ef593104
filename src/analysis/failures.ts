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
  const cascades: Cascade[] = [];
  for (const node of nodes) {
    if (!failedHere[node.index] || hasFailedSyncDescendant(node)) continue;
    const ancestors: TraceNode[] = [];
    let isolatedAt = false;
    for (let current = node; current.parent; current = current.parent) {
      if (!isBlocking(current)) {
        isolatedAt = true;
        break;
      }
      ancestors.push(current.parent);
    }
    let top = -1;
    ancestors.forEach((a, i) => {
      if (failed(a)) top = i;
    });
    const propagated = ancestors.slice(0, top + 1).filter(failed);
    const container = ancestors[top + 1];
    // A caller that timed out failed because its callee was slow: the callee's service is where it started.
    const slow = timedOutOn.get(node);
    const services = [...new Set([...(slow ? [slow] : []), node, ...propagated].map((n) => n.service))];
    cascades.push({
      originSpanId: node.spanId,
      propagatedSpanIds: propagated.map((n) => n.spanId),
      containedBySpanId: container?.spanId ?? null,
      isolated: !container && isolatedAt,
      services,
      blastRadius: { services: services.length, spans: propagated.length + 1 },
    });
  }
  const found = gaveUp.map(({ caller, callee, overrunUs }) => ({ callerSpanId: caller.spanId, calleeSpanId: callee.spanId, overrunUs }));
  return { cascades, timeouts: found, retries: retries(nodes, new Set(gaveUp.map((t) => t.caller))) };
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
  for (const caller of nodes) {
    if (!failed(caller) && !(caller.kind === 'client' && caller.parent !== undefined && failed(caller.parent))) continue;
    // A caller that got an answer did not give up, however late the callee's span closed.
    if (caller.kind === 'client' && answered(caller)) continue;
    for (const callee of caller.children) {
      if (callee.service === caller.service || callee.kind === 'consumer' || callee.mode === 'async') continue;
      const overrunUs = latestEnd(callee) - caller.endUs;
      if (overrunUs > Math.max(CALL_TOLERANCE_US, tolerance(caller, callee))) out.push({ caller, callee, overrunUs });
    }
  }
  return out;
}

/** When the last span under `node` (itself included) ended, async work left out: the callee's own work. */
function latestEnd(node: TraceNode): number {
  let end = node.endUs + node.trimmedUs;
  const stack = [...node.children];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.mode === 'async') continue;
    end = Math.max(end, n.endUs + n.trimmedUs);
    for (const child of n.children) stack.push(child);
  }
  return end;
}

/** The same call (what the caller asked for) repeated by one span after an attempt failed or timed out. */
function retries(nodes: readonly TraceNode[], timedOut: ReadonlySet<TraceNode>): Retry[] {
  const gaveUp = (n: TraceNode) => failed(n) || timedOut.has(n);
  const found = new Map<TraceNode, Retry[]>();
  const out: Retry[] = [];
  // Deepest first, so amplification below is known when a parent is looked at.
  const byDepth = nodes.filter((n) => n.children.length >= 2 && n.children.some(gaveUp)).sort((a, b) => b.depth - a.depth);
  for (const parent of byDepth) {
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
      const below = Math.max(1, ...attempts.flatMap((a) => amplificationUnder(a, found)));
      const retry: Retry = { parentSpanId: parent.spanId, spanIds: attempts.map((a) => a.spanId), amplification: attempts.length * below };
      found.set(parent, [...(found.get(parent) ?? []), retry]);
      out.push(retry);
    }
  }
  return out;
}

function amplificationUnder(node: TraceNode, found: Map<TraceNode, Retry[]>): number[] {
  const out: number[] = [];
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    for (const r of found.get(n) ?? []) out.push(r.amplification);
    stack.push(...n.children);
  }
  return out;
}
