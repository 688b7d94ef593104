/**
 * Calls: where one service waits on another. A CLIENT (or PRODUCER) span is
 * the caller's side of a call; a span whose parent is in another service and
 * is not a client stands for the call when the caller recorded no client span.
 */
import { isBlocking } from './edge-modes';
import type { TraceNode } from './trace-tree';

export function isCall(node: TraceNode): boolean {
  if (!node.parent) return false;
  if (node.kind === 'client' || node.kind === 'producer') return true;
  return node.parent.service !== node.service && node.parent.kind !== 'client' && node.parent.kind !== 'producer';
}

export const isBlockingCall = (node: TraceNode): boolean => isCall(node) && isBlocking(node);

/** Who answers a call: the service of its server child, else the peer named in its attributes. */
export function callee(node: TraceNode): string {
  const server = node.children.find((c) => c.service !== node.service && c.mode !== 'async');
  if (server) return server.service;
  const a = node.span?.attributes ?? {};
  const named = a['peer.service'] ?? a['db.system.name'] ?? a['db.system'] ?? a['server.address'] ?? a['net.peer.name'] ?? a['messaging.destination.name'];
  return typeof named === 'string' && named !== '' ? named : node.service;
}

/** The operation the callee ran (its server span's name), else the call's own name. */
export function calleeOperation(node: TraceNode): string {
  return node.children.find((c) => c.service !== node.service && c.mode !== 'async')?.name ?? node.name;
}
