/**
 * Named findings: what a developer should change, each with a sentence and,
 * where a what-if can price it, the latency the change would save.
 */
import { formatDuration } from '../common/format';
import type { BlockingChain } from './blocking-chains';
import { callee, calleeOperation, isBlockingCall } from './calls';
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
  const saving = (changes: [string, Change][]) => Math.max(0, rootUs - projectedDuration(tree.root, new Map(changes), settings.publishCostUs));
  const inRequest = tree.nodes.filter((n) => n === tree.root || reachesRoot(n, tree.root));
  const out: Finding[] = [];

  const deepest = [...chains].sort((a, b) => b.hops - a.hops)[0];
  if (deepest && deepest.hops > settings.maxSyncHops) {
    out.push({
      rule: 'deep-sync-chain', severity: 'warning', spanIds: deepest.spanIds, savingUs: null,
      message: `The request waits through ${deepest.hops} service hops in a row (${deepest.services.join(' → ')}): every hop adds its latency and can fail the whole request.`,
    });
  }

  const nonCritical = settings.nonCriticalPatterns.map((p) => new RegExp(p, 'i'));
  for (const call of inRequest.filter((n) => isBlockingCall(n) && n.kind !== 'producer')) {
    const target = callee(call);
    const label = `${target} ${calleeOperation(call)}`;
    if (!nonCritical.some((p) => p.test(label))) continue;
    const caller = call.parent!.service;
    if (caller === target) continue;
    const saved = saving([[call.spanId, 'async']]);
    out.push({
      rule: 'sync-non-critical', severity: 'warning', spanIds: [call.spanId], savingUs: saved,
      message: `${caller} waits ${formatDuration(duration(call))} for ${label} on every request, work it does not need to wait for: publish an event instead (−${formatDuration(saved)}).`,
    });
  }

  for (const parent of inRequest) {
    const calls = parent.children.filter(isBlockingCall);
    const byName = group(calls, (c) => `${callee(c)}\u0000${calleeOperation(c)}`);
    for (const same of byName.values()) {
      if (same.length < settings.nPlusOneMin) continue;
      const saved = saving(same.slice(1).map((c) => [c.spanId, 'parallel']));
      out.push({
        rule: 'n-plus-one', severity: 'warning', spanIds: same.map((c) => c.spanId), savingUs: saved,
        message: `${parent.service} calls ${callee(same[0]!)} ${calleeOperation(same[0]!)} ${same.length} times for one request: batch them into one call (or at least run them in parallel: −${formatDuration(saved)}).`,
      });
    }
    const run = sequentialRun(calls.filter((c) => (byName.get(`${callee(c)}\u0000${calleeOperation(c)}`)?.length ?? 0) < settings.nPlusOneMin));
    if (run.length >= 2 && new Set(run.map(callee)).size >= 2) {
      const saved = saving(run.slice(1).map((c) => [c.spanId, 'parallel']));
      if (saved > 0) {
        out.push({
          rule: 'sequential-calls', severity: 'info', spanIds: run.map((c) => c.spanId), savingUs: saved,
          message: `${parent.service} calls ${run.map(callee).join(', ')} one after another; if they do not depend on each other, run them in parallel (−${formatDuration(saved)}).`,
        });
      }
    }
  }

  for (const call of inRequest.filter(isBlockingCall)) {
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

  for (const node of inRequest) {
    const producer = node.children.find((c) => c.kind === 'producer');
    if (!producer || node.kind === 'producer') continue;
    const reply = inRequest.find((r) => r.kind === 'consumer' && r.service === node.service && r.startUs >= producer.endUs && r.endUs <= node.endUs && isMessaging(r) && isDescendant(r, node));
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
