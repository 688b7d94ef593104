/**
 * How each parent called each child (exactly one mode per edge):
 *
 *   P [==========]            sync             C ends before P ends
 *      [==C==]
 *   P [==========]            parallel         sync, overlapping a sibling sync call
 *      [==C1==]
 *        [==C2==]
 *   P [=====]                 fire-and-forget  C outlives P: P did not wait
 *        [====C====]
 *   P(producer) ··· C(consumer)  async          through a broker (kinds, messaging.*)
 */
import type { TraceNode } from './trace-tree';

export type EdgeMode = 'sync' | 'parallel' | 'fire-and-forget' | 'async';

export const isBlocking = (node: TraceNode): boolean => node.mode === 'sync' || node.mode === 'parallel';

/** A child may end this much after its parent and still count as waited for (clock jitter). */
function endTolerance(parent: TraceNode): number {
  return Math.max(100, (parent.endUs - parent.startUs) * 0.01);
}

export function isMessaging(node: TraceNode): boolean {
  const attributes = node.span?.attributes;
  if (!attributes) return false;
  for (const key in attributes) if (key.startsWith('messaging.')) return true;
  return false;
}

/**
 * A server may record its span as ending after its client saw the answer (the response is flushed,
 * then 'finish' fires, and a busy machine can put milliseconds between them). A CLIENT → SERVER pair is
 * one call: when the client got a response status, the server answered it and the call was waited
 * for; without one, only an overrun beyond the jitter of a call (a caller that gave up) makes the
 * server fire-and-forget.
 */
export const CALL_TOLERANCE_US = 2000;

const isCallPair = (parent: TraceNode, child: TraceNode): boolean => parent.kind === 'client' && child.kind === 'server' && parent.service !== child.service;

function callTolerance(client: TraceNode, tolerance: number): number {
  const a = client.span?.attributes;
  const answered = a !== undefined && (a['http.response.status_code'] !== undefined || a['http.status_code'] !== undefined || a['rpc.grpc.status_code'] !== undefined);
  return answered ? Infinity : Math.max(tolerance, CALL_TOLERANCE_US);
}

function asyncEdge(parent: TraceNode, child: TraceNode): boolean {
  if (child.kind === 'consumer' || parent.kind === 'producer') return true;
  // A span carrying messaging.* attributes that is not itself the send or a call.
  return isMessaging(child) && child.kind !== 'producer' && child.kind !== 'client' && child.service !== parent.service;
}

/** Sets `mode` on every node under `top`. */
export function classifyEdges(top: TraceNode): void {
  const stack = [top];
  while (stack.length > 0) {
    const parent = stack.pop()!;
    if (parent.children.length === 0) continue;
    const tolerance = endTolerance(parent);
    const blocking: TraceNode[] = [];
    for (const child of parent.children) {
      if (asyncEdge(parent, child)) child.mode = 'async';
      else if (child.endUs > parent.endUs + (isCallPair(parent, child) ? callTolerance(parent, tolerance) : tolerance)) child.mode = 'fire-and-forget';
      else {
        child.mode = 'sync';
        blocking.push(child);
      }
      stack.push(child);
    }
    // Children are sorted by start: a sync child overlapping any other sync sibling is parallel.
    let reach = -Infinity;
    let reachOwner: TraceNode | undefined;
    for (const child of blocking) {
      const overlap = Math.min(reach, child.endUs) - child.startUs;
      if (reachOwner && overlap > Math.max(100, 0.05 * Math.min(child.endUs - child.startUs, reachOwner.endUs - reachOwner.startUs))) {
        child.mode = 'parallel';
        reachOwner.mode = 'parallel';
      }
      if (child.endUs > reach) {
        reach = child.endUs;
        reachOwner = child;
      }
    }
    if (blocking.length > 0) parent.blocking = blocking;
  }
}
