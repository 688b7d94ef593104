/**
 * Calls: where one service waits on another. A CLIENT (or PRODUCER) span is
 * the caller's side of a call; a span whose parent is in another service and
 * is not a client stands for the call when the caller recorded no client span.
 *
 * A call's identity is its peer plus its operation as the semantic
 * conventions give it (span-operation.ts), never the span name alone:
 *
 *   shop ─GET─► pricing     url.path=/price    →  pricing  GET /price
 *   shop ─GET─► pricing     url.path=/stock    →  pricing  GET /stock     (another call)
 *   shop ─pg-pool.connect                      →  plumbing: not a call
 *   shop ─pg.query:SELECT─► postgresql         →  postgresql  SELECT items
 *   shop ─publish─► rabbitmq                   →  rabbitmq  publish order.placed
 */
import { isBlocking } from './edge-modes';
import { peerName, spanOperation } from './span-operation';
import type { TraceNode } from './trace-tree';

/** Plumbing (pool checkouts, acks, connects): part of the call it serves, not a call. Worked out with the tree. */
export const isPlumbing = (node: TraceNode): boolean => node.plumbing;

export function isCall(node: TraceNode): boolean {
  if (!node.parent || isPlumbing(node)) return false;
  if (node.kind === 'client' || node.kind === 'producer') return true;
  return node.parent.service !== node.service && node.parent.kind !== 'client' && node.parent.kind !== 'producer';
}

export const isBlockingCall = (node: TraceNode): boolean => isCall(node) && isBlocking(node);

/** The instrumented span that answered a call: its server child in another service. */
const answeredBy = (node: TraceNode): TraceNode | undefined => node.children.find((c) => c.service !== node.service && c.mode !== 'async' && c.kind !== 'client' && c.kind !== 'producer');

/**
 * Who answers a call: the service of its server child, else the peer by what
 * it is (`peer.service`, the messaging or database system, then the address).
 * A publish is answered by its broker, never by the consumer behind it.
 */
export function callee(node: TraceNode): string {
  if (node.kind !== 'producer') {
    const server = answeredBy(node);
    if (server) return server.service;
  }
  const named = node.span ? peerName(node.span.attributes) : undefined;
  // A span standing for a call its caller did not record is the callee's own span.
  return named ?? node.service;
}

/** What a span does, by the semantic conventions: `GET /price`, `SELECT items`; the name when they say nothing. */
export function operationOf(node: TraceNode): string {
  // Asked of every span by several rules: worked out once per node.
  return (node.operation ??= node.span ? spanOperation(node.span) : node.name);
}

/** The operation the callee ran: its server span's operation (the route it matched), else the call's own. */
export function calleeOperation(node: TraceNode): string {
  const server = node.kind === 'producer' ? undefined : answeredBy(node);
  const own = operationOf(node);
  if (!server) return own;
  const theirs = operationOf(server);
  // A server span that knows only its method (`GET`) says less than the client's path.
  return theirs.includes(' ') || !own.includes(' ') ? theirs : own;
}

/** What identifies "the same call": callee and operation. */
export const callTarget = (node: TraceNode): string => `${callee(node)}\u0000${calleeOperation(node)}`;

/**
 * What the caller asked for, from its own span alone: the same for an attempt
 * the callee answered and one it never saw (a retry after a refused
 * connection has no server span to take a route from).
 */
export const requestKey = (node: TraceNode): string => `${node.span ? peerName(node.span.attributes) ?? '' : ''}\u0000${operationOf(node)}`;
