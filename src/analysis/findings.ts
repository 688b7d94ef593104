/**
 * Named findings: what a developer should change, each with a sentence and,
 * where a what-if can price it, the latency the change would save.
 */
import { formatDuration } from '../common/format';
import type { BlockingChain } from './blocking-chains';
import { callee as calleeOf, calleeOperation as operationOf, isBlockingCall } from './calls';
import { isMessaging } from './edge-modes';
import type { Failures } from './failures';
import type { AnalysisSettings } from './settings';
import { duration, type TraceNode, type TraceTree } from './trace-tree';
import { projectedDuration, type Change } from './what-if';

export type Rule =
  | 'deep-sync-chain'
  | 'sync-non-critical'
  | 'sequential-calls'
  | 'n-plus-one'
  | 'long-sync-call'
  | 'retry-amplification'
  | 'request-reply-over-messaging'
  | 'cascading-failure';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  rule: Rule;
  severity: Severity;
  spanIds: string[];
  message: string;
  /** Latency the suggested change would save end to end, µs; null when it cannot be priced. */
  savingUs: number | null;
}

export function findings(tree: TraceTree, chains: BlockingChain[], failures: Failures, settings: AnalysisSettings): Finding[] {
  const rootUs = duration(tree.root);
  const saving = (changes: [string, Change][]) => Math.max(0, rootUs - projectedDuration(tree.root, new Map(changes), settings.publishCostUs, tree.byId));
  const inRequest = tree.detached.length === 0 ? tree.nodes : tree.nodes.filter((n) => n === tree.root || reachesRoot(n, tree.root));
  const out: Finding[] = [];

  const deepest = [...chains].sort((a, b) => b.hops - a.hops)[0];
  if (deepest && deepest.hops > settings.maxSyncHops) {
    out.push({
      rule: 'deep-sync-chain', severity: 'warning', spanIds: deepest.spanIds, savingUs: null,
      message: `The request waits through ${deepest.hops} service hops in a row (${deepest.services.join(' → ')}): every hop adds its latency and can fail the whole request.`,
    });
  }

  // The same pattern repeated across a trace (every item's N+1, every order's email) is one finding,
  // priced with every occurrence changed at once.
  const nonCritical = new RegExp(settings.nonCriticalPatterns.map((p) => `(?:${p})`).join('|'), 'i');
  const verdicts = new Map<string, boolean>();
  const isNonCritical = (label: string): boolean => {
    let verdict = verdicts.get(label);
    if (verdict === undefined) verdicts.set(label, (verdict = settings.nonCriticalPatterns.length > 0 && nonCritical.test(label)));
    return verdict;
  };
  // Memos by node index: every call's callee is asked for several times below.
  const calleeMemo: (string | undefined)[] = new Array(tree.nodes.length);
  const callee = (node: TraceNode): string => (calleeMemo[node.index] ??= calleeOf(node));
  const operationMemo: (string | undefined)[] = new Array(tree.nodes.length);
  const calleeOperation = (node: TraceNode): string => (operationMemo[node.index] ??= operationOf(node));
  const targetMemo: (string | undefined)[] = new Array(tree.nodes.length);
  const target = (node: TraceNode): string => (targetMemo[node.index] ??= `${callee(node)}\u0000${calleeOperation(node)}`);
  const slowCalls = new Map<string, TraceNode[]>();
  const blockingCalls = inRequest.filter(isBlockingCall);
  for (const call of blockingCalls) {
    if (call.kind === 'producer') continue;
    if (call.parent!.service === callee(call) || !(isNonCritical(callee(call)) || isNonCritical(calleeOperation(call)))) continue;
    push(slowCalls, `${call.parent!.service}\u0000${target(call)}`, call);
  }
  for (const calls of slowCalls.values()) {
    const first = calls[0]!;
    const saved = saving(calls.map((c) => [c.spanId, 'async']));
    out.push({
      rule: 'sync-non-critical', severity: 'warning', spanIds: calls.map((c) => c.spanId), savingUs: saved,
      message: `${first.parent!.service} waits ${formatDuration(duration(first))} for ${callee(first)} ${calleeOperation(first)}${times(calls.length)}, work it does not need to wait for: publish an event instead (−${formatDuration(saved)}).`,
    });
  }

  const repeated = new Map<string, { parent: TraceNode; calls: TraceNode[] }[]>();
  const sequential = new Map<string, { parent: TraceNode; run: TraceNode[] }[]>();
  for (const parent of inRequest) {
    if (parent.children.length < 2) continue;
    const calls = parent.children.filter(isBlockingCall);
    if (calls.length < 2) continue;
    // Too few calls for an N+1: no need to group them by name.
    const byName = calls.length >= settings.nPlusOneMin ? group(calls, target) : undefined;
    for (const [name, same] of byName ?? []) {
      if (same.length >= settings.nPlusOneMin) push(repeated, `${parent.service}\u0000${parent.name}\u0000${name}`, { parent, calls: same });
    }
    const run = sequentialRun(byName ? calls.filter((c) => (byName.get(target(c))?.length ?? 0) < settings.nPlusOneMin) : calls);
    if (run.length >= 2 && new Set(run.map(callee)).size >= 2) push(sequential, `${parent.service}\u0000${parent.name}\u0000${run.map(callee).join()}`, { parent, run });
  }
  for (const places of repeated.values()) {
    const { parent, calls } = places[0]!;
    const saved = saving(places.flatMap((p) => p.calls.slice(1).map((c): [string, Change] => [c.spanId, 'parallel'])));
    out.push({
      rule: 'n-plus-one', severity: 'warning', spanIds: places.flatMap((p) => p.calls.map((c) => c.spanId)), savingUs: saved,
      message: `${parent.service} calls ${callee(calls[0]!)} ${calleeOperation(calls[0]!)} ${calls.length} times for one ${parent.name}${times(places.length)}: batch them into one call (or at least run them in parallel: −${formatDuration(saved)}).`,
    });
  }
  for (const places of sequential.values()) {
    const { parent, run } = places[0]!;
    const saved = saving(places.flatMap((p) => p.run.slice(1).map((c): [string, Change] => [c.spanId, 'parallel'])));
    if (saved <= 0) continue;
    out.push({
      rule: 'sequential-calls', severity: 'info', spanIds: places.flatMap((p) => p.run.map((c) => c.spanId)), savingUs: saved,
      message: `${parent.service} calls ${run.map(callee).join(', ')} one after another${times(places.length)}; if they do not depend on each other, run them in parallel (−${formatDuration(saved)}).`,
    });
  }

  for (const call of blockingCalls) {
    if (duration(call) <= settings.longSyncCallUs) continue;
    out.push({
      rule: 'long-sync-call', severity: 'info', spanIds: [call.spanId], savingUs: null,
      message: `${call.parent!.service} waited ${formatDuration(duration(call))} for ${callee(call)} ${calleeOperation(call)}; give the call a timeout shorter than the caller's own deadline.`,
    });
  }

  for (const retry of failures.retries) {
    if (retry.amplification < 3 && retry.spanIds.length < 3) continue;
    const node = tree.byId.get(retry.spanIds[0]!)!;
    out.push({
      rule: 'retry-amplification', severity: 'warning', spanIds: retry.spanIds, savingUs: null,
      message: `${node.parent?.service ?? node.service} retried ${callee(node)} ${retry.spanIds.length} times${retry.amplification > retry.spanIds.length ? `, ${retry.amplification} attempts in all counting retries below it` : ''}: retries at several layers multiply; retry at one layer, with backoff.`,
    });
  }

  const consumersByService = new Map<string, TraceNode[]>();
  for (const r of inRequest) if (r.kind === 'consumer' && isMessaging(r)) push(consumersByService, r.service, r);
  for (const node of consumersByService.size === 0 ? [] : inRequest) {
    const producer = node.children.find((c) => c.kind === 'producer');
    if (!producer || node.kind === 'producer') continue;
    const reply = (consumersByService.get(node.service) ?? []).find((r) => r.kind === 'consumer' && r.service === node.service && r.startUs >= producer.endUs && r.endUs <= node.endUs && isMessaging(r) && isDescendant(r, node));
    if (!reply) continue;
    out.push({
      rule: 'request-reply-over-messaging', severity: 'warning', spanIds: [node.spanId, producer.spanId, reply.spanId], savingUs: null,
      message: `${node.service} publishes a message and then blocks ${formatDuration(reply.startUs - producer.endUs)} for the reply: this messaging decouples nothing; make it a direct call, or stop waiting.`,
    });
  }

  for (const cascade of failures.cascades) {
    if (cascade.propagatedSpanIds.length === 0 || cascade.services.length < 2) continue;
    const reachedRoot = cascade.containedBySpanId === null && !cascade.isolated;
    const origin = tree.byId.get(cascade.originSpanId)!;
    out.push({
      rule: 'cascading-failure', severity: reachedRoot ? 'error' : 'warning', spanIds: [cascade.originSpanId, ...cascade.propagatedSpanIds], savingUs: null,
      message: reachedRoot
        ? `A failure in ${origin.service} (${origin.name}) cascaded through ${cascade.services.join(' → ')} and failed the request: add a fallback or make the call asynchronous.`
        : `A failure in ${origin.service} (${origin.name}) spread through ${cascade.services.join(' → ')} before it was contained.`,
    });
  }
  return out;
}

function reachesRoot(node: TraceNode, root: TraceNode): boolean {
  for (let n: TraceNode | undefined = node; n; n = n.parent) if (n === root) return true;
  return false;
}

function isDescendant(node: TraceNode, ancestor: TraceNode): boolean {
  for (let n = node.parent; n; n = n.parent) if (n === ancestor) return true;
  return false;
}

/** ` (4 times in this trace)` when a pattern repeats. */
const times = (n: number): string => (n > 1 ? ` (${n} times in this trace)` : '');

function push<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

function group<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** The longest run of calls each starting after the previous one ended (children come sorted by start). */
function sequentialRun(calls: TraceNode[]): TraceNode[] {
  let best: TraceNode[] = [];
  let run: TraceNode[] = [];
  for (const call of calls) {
    const last = run[run.length - 1];
    run = last && call.startUs >= last.endUs ? [...run, call] : [call];
    if (run.length > best.length) best = run;
  }
  return best;
}
