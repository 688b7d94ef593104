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
import { JITTER_US, tolerance } from './clock';
import type { TraceNode } from './trace-node';

export type { EdgeMode } from './trace-node';

export const isBlocking = (node: TraceNode): boolean => node.mode === 'sync' || node.mode === 'parallel';

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

/**
 * How long a same-service INTERNAL leaf may trail its parent and still be
 * waited for. Express's and router's layer spans end on the response's
 * 'close', the server span on 'finish': usually within 1 ms in our
 * recordings, ≈ 8 ms under load, once 122 ms on a machine at load 15. A layer
 * with spans of its own under it is judged by them instead: when they all
 * ended in time, its trailing end is bookkeeping, however late. Work that
 * really goes on after the answer (a job started and not awaited) makes its
 * calls after the parent's end, or, as a leaf, trails it by more than this.
 */
export const LAYER_TRAIL_US = 25_000;

/**
 * A web framework's layer (middleware, router, request handler), as its instrumentation marks it: part of
 * answering the request by what it is, so waited for however late its bookkeeping end comes (its 'close'
 * can trail the server span by 100 ms and more on a busy machine).
 */
const LAYER_KEYS = ['express.type', 'koa.type', 'fastify.type', 'connect.type', 'restify.type', 'hapi.type'];
const isFrameworkLayer = (node: TraceNode): boolean => node.span !== undefined && LAYER_KEYS.some((key) => node.span!.attributes[key] !== undefined);

const isCallPair = (parent: TraceNode, child: TraceNode): boolean => parent.kind === 'client' && child.kind === 'server' && parent.service !== child.service;

/** The client got a response status: whatever its span says next, the callee answered it. */
export const answered = (client: TraceNode): boolean => {
  const a = client.span?.attributes;
  return a !== undefined && (a['http.response.status_code'] !== undefined || a['http.status_code'] !== undefined || a['rpc.grpc.status_code'] !== undefined);
};

/** Every child of `node` ended by `end`: the work it did was over then. */
const workEndedBy = (node: TraceNode, end: number): boolean => node.children.every((c) => c.mode === 'async' || c.endUs <= end);

/** When the parent's own clock saw it end: before it was trimmed into its own parent. */
const recordedEnd = (node: TraceNode): number => node.endUs + node.trimmedUs;

/** How far `child` may end after `parent`'s recorded end and still have been waited for, µs. */
function allowance(parent: TraceNode, child: TraceNode): number {
  const base = Math.max(tolerance(parent, child), (parent.endUs - parent.startUs) * 0.01);
  if (isCallPair(parent, child)) return answered(parent) ? Infinity : Math.max(base, CALL_TOLERANCE_US);
  if (child.service === parent.service && child.kind === 'internal' && parent.span !== undefined) {
    if (isFrameworkLayer(child)) return Infinity;
    if (child.children.length === 0) return Math.max(base, LAYER_TRAIL_US);
    if (workEndedBy(child, recordedEnd(parent) + base)) return Infinity;
  }
  return base;
}

function asyncEdge(parent: TraceNode, child: TraceNode): boolean {
  if (child.kind === 'consumer' || parent.kind === 'producer') return true;
  // A span carrying messaging.* attributes that is not itself the send or a call.
  return isMessaging(child) && child.kind !== 'producer' && child.kind !== 'client' && child.service !== parent.service;
}

/**
 * Sets `mode` on every node under `top`, parents before children. A waited-for
 * child that ends past its parent (within the allowance) is trimmed to the
 * parent's end, so everything after this sees children inside their parents.
 */
export function classifyEdges(top: TraceNode): void {
  const stack = [top];
  while (stack.length > 0) {
    const parent = stack.pop()!;
    if (parent.children.length === 0) continue;
    const blocking: TraceNode[] = [];
    let resolution = 0;
    for (const child of parent.children) {
      if (asyncEdge(parent, child)) child.mode = 'async';
      // Against the parent's own recorded end: whether it waited is its own clock's word, not its caller's.
      else if (child.endUs - recordedEnd(parent) > allowance(parent, child)) child.mode = 'fire-and-forget';
      else {
        child.mode = 'sync';
        trimInto(child, parent);
        blocking.push(child);
        resolution = Math.max(resolution, child.resolutionUs);
      }
      stack.push(child);
    }
    markParallel(blocking, resolution + JITTER_US);
    if (blocking.length > 0) parent.blocking = blocking;
  }
}

/** A waited-for child sits inside its parent: a later end is trimmed and counted (`trimmedUs`); a start before
 * the parent's, on a clock skew repair could not move, is moved to it. Starts only move later, so the order of
 * children holds. */
function trimInto(child: TraceNode, parent: TraceNode): void {
  if (child.endUs > parent.endUs) {
    child.trimmedUs = child.endUs - parent.endUs;
    child.endUs = parent.endUs;
  }
  if (child.startUs < parent.startUs) child.startUs = parent.startUs;
  if (child.endUs < child.startUs) child.endUs = child.startUs;
}

/**
 * Children come sorted by start: a sync child overlapping another sync sibling
 * by more than the clocks can tell apart (and more than a sliver of either) is
 * parallel. With millisecond starts, an await that begins 0.7 ms "before" the
 * previous one ended is the next step, not a fan-out. Plumbing (undici's
 * `tcp.connect` is a sibling of the fetch it opens a socket for) is never
 * parallel with anything.
 */
function markParallel(blocking: readonly TraceNode[], toleranceUs: number): void {
  let reach = -Infinity;
  let reachOwner: TraceNode | undefined;
  for (const child of blocking) {
    // A socket connect or pool checkout beside a call serves it: no fan-out.
    if (child.plumbing) continue;
    const overlap = Math.min(reach, child.endUs) - child.startUs;
    if (reachOwner && overlap > Math.max(toleranceUs, 0.05 * Math.min(child.endUs - child.startUs, reachOwner.endUs - reachOwner.startUs))) {
      child.mode = 'parallel';
      reachOwner.mode = 'parallel';
    }
    if (child.endUs > reach) {
      reach = child.endUs;
      reachOwner = child;
    }
  }
}
