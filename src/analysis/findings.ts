/**
 * Named findings: what a developer should change, each with a sentence and,
 * where a what-if can price it, the latency the change would save.
 */
import { formatDuration, formatRoute } from '../common/format';
import type { BlockingChain } from './blocking-chains';
import { callee as calleeOf, calleeOperation as operationOf, isBlockingCall, operationOf as ownOperation } from './calls';
import { tolerance } from './clock';
import { isMessaging } from './edge-modes';
import type { Failures } from './failures';
import type { AnalysisSettings } from './settings';
import { duration, requestNodes, type TraceNode, type TraceTree } from './trace-tree';
import type { Rule } from './rules';
import { projectedSaving, type Change } from './what-if';

export type { Rule } from './rules';

export type Severity = 'error' | 'warning' | 'info';

/**
 * How severe a finding is is decided once, by its rule, where it is made (below); everything that shows
 * findings says that severity and ranks by it with these two, and re-derives nothing by rule.
 */
const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

/** Most severe first: the order of every list of findings. */
export const bySeverity = (a: { severity: Severity }, b: { severity: Severity }): number => RANK[b.severity] - RANK[a.severity];

/** The most severe of these findings' severities; null for none. */
export function worstSeverity(findings: Iterable<{ severity: Severity }>): Severity | null {
  let worst: Severity | null = null;
  for (const { severity } of findings) if (worst === null || RANK[severity] > RANK[worst]) worst = severity;
  return worst;
}

export interface Finding {
  rule: Rule;
  severity: Severity;
  spanIds: string[];
  message: string;
  /** Latency the suggested change would save end to end, µs; null when it cannot be priced. */
  savingUs: number | null;
}

/** What every rule needs, computed once per trace. */
interface Context {
  tree: TraceTree;
  settings: AnalysisSettings;
  /** Spans of the request itself (not detached parts of the trace). */
  inRequest: readonly TraceNode[];
  blockingCalls: TraceNode[];
  /** End-to-end latency saved by these changes, µs. */
  saving: (changes: [string, Change][]) => number;
  callee: (node: TraceNode) => string;
  calleeOperation: (node: TraceNode) => string;
  /** callee + operation: what identifies "the same call". */
  target: (node: TraceNode) => string;
  /** The request a span works for in its service (see `entryFinder`). */
  entry: (node: TraceNode) => TraceNode;
  /** The index in `tree.nodes` just past the node's subtree (a subtree is a run of the depth-first order). */
  subtreeEnd: (node: TraceNode) => number;
}

export function findings(tree: TraceTree, chains: BlockingChain[], failures: Failures, settings: AnalysisSettings): Finding[] {
  const ctx = context(tree, settings);
  return [
    ...deepSyncChain(ctx, chains),
    ...syncNonCritical(ctx),
    ...repeatedCalls(ctx, new Set(failures.retries.flatMap((r) => r.spanIds))),
    ...longSyncCalls(ctx),
    ...retryAmplification(ctx, failures),
    ...requestReplyOverMessaging(ctx),
    ...cascadingFailures(ctx, failures),
  ];
}

function context(tree: TraceTree, settings: AnalysisSettings): Context {
  const inRequest = requestNodes(tree);
  // Memos by node index: every call's callee is asked for several times.
  const calleeMemo = new Array<string | undefined>(tree.nodes.length);
  const operationMemo = new Array<string | undefined>(tree.nodes.length);
  const targetMemo = new Array<string | undefined>(tree.nodes.length);
  const ctx: Context = {
    tree,
    settings,
    inRequest,
    blockingCalls: inRequest.filter(isBlockingCall),
    saving: (changes) => projectedSaving(tree.root, new Map(changes), settings.publishCostUs, tree.byId),
    callee: (node) => (calleeMemo[node.index] ??= calleeOf(node)),
    calleeOperation: (node) => (operationMemo[node.index] ??= operationOf(node)),
    target: (node) => (targetMemo[node.index] ??= `${ctx.callee(node)}\u0000${ctx.calleeOperation(node)}`),
    entry: entryFinder(tree),
    subtreeEnd: subtreeEnds(tree),
  };
  return ctx;
}

function deepSyncChain({ settings }: Context, chains: BlockingChain[]): Finding[] {
  const deepest = [...chains].sort((a, b) => b.hops - a.hops)[0];
  if (!deepest || deepest.hops <= settings.maxSyncHops) return [];
  return [{
    rule: 'deep-sync-chain', severity: 'warning', spanIds: deepest.spanIds, savingUs: null,
    message: `The request waits through ${deepest.hops} service hops in a row (${formatRoute(deepest.services)}): every hop adds its latency and can fail the whole request.`,
  }];
}

/**
 * The same pattern repeated across a trace (every order's email) is one finding, priced with every
 * occurrence changed at once.
 */
function syncNonCritical({ settings, blockingCalls, saving, callee, calleeOperation, target }: Context): Finding[] {
  if (settings.nonCriticalPatterns.length === 0) return [];
  const nonCritical = new RegExp(settings.nonCriticalPatterns.map((p) => `(?:${p})`).join('|'), 'i');
  const verdicts = new Map<string, boolean>();
  const matches = (name: string): boolean => {
    let verdict = verdicts.get(name);
    if (verdict === undefined) verdicts.set(name, (verdict = nonCritical.test(name)));
    return verdict;
  };
  const slowCalls = new Map<string, TraceNode[]>();
  for (const call of blockingCalls) {
    if (call.kind === 'producer' || call.parent!.service === callee(call)) continue;
    if (matches(callee(call)) || matches(calleeOperation(call))) push(slowCalls, `${call.parent!.service}\u0000${target(call)}`, call);
  }
  return [...slowCalls.values()].map((calls) => {
    const first = calls[0]!;
    const saved = saving(calls.map((c) => [c.spanId, 'async']));
    return {
      rule: 'sync-non-critical', severity: 'warning', spanIds: calls.map((c) => c.spanId), savingUs: saved,
      message: `${first.parent!.service} waits ${formatDuration(duration(first))} for ${callee(first)} ${calleeOperation(first)}${times(calls.length)}, work it does not need to wait for: publish an event instead${priced(saved)}.`,
    };
  });
}

/** N+1 (the same call many times from one span) and sequential calls (different calls one after another). */
function repeatedCalls({ settings, inRequest, saving, callee, calleeOperation, target, entry }: Context, retried: ReadonlySet<string>): Finding[] {
  const repeated = new Map<string, { parent: TraceNode; calls: TraceNode[] }[]>();
  const sequential = new Map<string, { parent: TraceNode; run: TraceNode[] }[]>();
  for (const parent of inRequest) {
    if (parent.children.length < 2) continue;
    // A publish costs the caller next to nothing: running it in parallel saves nothing worth a sentence.
    // Retry attempts depend on the attempt before them: never "independent calls".
    const calls = parent.children.filter((c) => isBlockingCall(c) && c.kind !== 'producer' && !retried.has(c.spanId));
    if (calls.length < 2) continue;
    // Too few calls for an N+1: no need to group them by name.
    const byName = calls.length >= settings.nPlusOneMin ? group(calls, target) : undefined;
    for (const [name, same] of byName ?? []) {
      if (same.length >= settings.nPlusOneMin) push(repeated, `${parent.service}\u0000${ownOperation(parent)}\u0000${name}`, { parent, calls: same });
    }
    const run = sequentialRun(byName ? calls.filter((c) => (byName.get(target(c))?.length ?? 0) < settings.nPlusOneMin) : calls);
    if (run.length >= 2 && new Set(run.map(target)).size >= 2) push(sequential, `${parent.service}\u0000${ownOperation(parent)}\u0000${run.map(target).join()}`, { parent, run });
  }
  const out: Finding[] = [];
  for (const places of repeated.values()) {
    const { parent, calls } = places[0]!;
    const saved = saving(places.flatMap((p) => p.calls.slice(1).map((c): [string, Change] => [c.spanId, 'parallel'])));
    out.push({
      rule: 'n-plus-one', severity: 'warning', spanIds: places.flatMap((p) => p.calls.map((c) => c.spanId)), savingUs: saved,
      message: `${parent.service} calls ${callee(calls[0]!)} ${calleeOperation(calls[0]!)} ${calls.length} times for one ${ownOperation(entry(parent))}${times(places.length)}: batch them into one call${saved > 0 ? ` (or at least run them in parallel: −${formatDuration(saved)})` : ' (running them in parallel would not shorten this request: they are not what it waited on)'}.`,
    });
  }
  for (const places of sequential.values()) {
    const { parent, run } = places[0]!;
    const saved = saving(places.flatMap((p) => p.run.slice(1).map((c): [string, Change] => [c.spanId, 'parallel'])));
    if (saved <= 0) continue;
    out.push({
      rule: 'sequential-calls', severity: 'info', spanIds: places.flatMap((p) => p.run.map((c) => c.spanId)), savingUs: saved,
      message: `${parent.service} calls ${listed(run.map((c) => [callee(c), calleeOperation(c)]))} one after another${times(places.length)}; if they do not depend on each other, run them in parallel (−${formatDuration(saved)}).`,
    });
  }
  return out;
}

function longSyncCalls({ settings, blockingCalls, callee, calleeOperation }: Context): Finding[] {
  return blockingCalls.filter((call) => duration(call) > settings.longSyncCallUs).map((call) => ({
    rule: 'long-sync-call', severity: 'info', spanIds: [call.spanId], savingUs: null,
    message: `${call.parent!.service} waited ${formatDuration(duration(call))} for ${callee(call)} ${calleeOperation(call)}; give the call a timeout shorter than the caller's own deadline.`,
  }));
}

function retryAmplification({ tree, callee, calleeOperation }: Context, failures: Failures): Finding[] {
  return failures.retries.filter((r) => r.amplification >= 3 || r.spanIds.length >= 3).map((retry) => {
    const node = tree.byId.get(retry.spanIds[0]!)!;
    return {
      rule: 'retry-amplification', severity: 'warning', spanIds: retry.spanIds, savingUs: null,
      message: `${node.parent?.service ?? node.service} retried ${callee(node)} ${calleeOperation(node)} ${retry.spanIds.length} times${retry.amplification > retry.spanIds.length ? `, ${retry.amplification} attempts in all counting retries below it` : ''}: retries at several layers multiply; retry at one layer, with backoff.`,
    };
  });
}

/** A span that publishes, then blocks until a reply is consumed in its own service, inside its own time. */
function requestReplyOverMessaging({ inRequest, subtreeEnd }: Context): Finding[] {
  // Per service, its consumers in depth-first order: those under a span are one run of the list.
  const consumersByService = new Map<string, TraceNode[]>();
  for (const r of inRequest) if (r.kind === 'consumer' && isMessaging(r)) push(consumersByService, r.service, r);
  const out: Finding[] = [];
  for (const node of consumersByService.size === 0 ? [] : inRequest) {
    const producer = node.children.find((c) => c.kind === 'producer');
    if (!producer || node.kind === 'producer') continue;
    const consumers = consumersByService.get(node.service) ?? [];
    const end = subtreeEnd(node);
    let reply: TraceNode | undefined;
    for (let i = firstAfter(consumers, node.index), seen = 0; i < consumers.length && consumers[i]!.index < end && seen < MAX_REPLY_CANDIDATES; i++, seen++) {
      const r = consumers[i]!;
      if (r.startUs + tolerance(r, producer) >= producer.endUs && r.endUs <= node.endUs) {
        reply = r;
        break;
      }
    }
    if (!reply) continue;
    out.push({
      rule: 'request-reply-over-messaging', severity: 'warning', spanIds: [node.spanId, producer.spanId, reply.spanId], savingUs: null,
      message: `${node.service} publishes a message and then blocks ${formatDuration(reply.startUs - producer.endUs)} for the reply: this messaging decouples nothing; make it a direct call, or stop waiting.`,
    });
  }
  return out;
}

/** The position of the first node after `index` in a list ordered by index (binary search). */
function firstAfter(nodes: readonly TraceNode[], index: number): number {
  let low = 0;
  let high = nodes.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (nodes[mid]!.index <= index) low = mid + 1;
    else high = mid;
  }
  return low;
}

function cascadingFailures({ tree, callee, calleeOperation }: Context, failures: Failures): Finding[] {
  const timeoutOf = new Map(failures.timeouts.map((t) => [t.callerSpanId, t]));
  return failures.cascades.filter((c) => c.propagatedSpanIds.length > 0 && c.services.length >= 2).map((cascade) => {
    const reachedRoot = cascade.containedBySpanId === null && !cascade.isolated;
    const origin = tree.byId.get(cascade.originSpanId)!;
    const timeout = timeoutOf.get(origin.spanId);
    const started = timeout
      ? `${origin.service} gave up on ${callee(origin)} ${calleeOperation(origin)} after ${formatDuration(duration(origin))} (a timeout; ${callee(origin)} worked on for ${formatDuration(timeout.overrunUs)}), and the failure`
      : `A failure in ${origin.service} (${ownOperation(origin)})`;
    return {
      rule: 'cascading-failure', severity: reachedRoot ? 'error' : 'warning', spanIds: [cascade.originSpanId, ...cascade.propagatedSpanIds], savingUs: null,
      message: reachedRoot
        ? `${started} cascaded through ${cascade.services.join(' → ')} and failed the request: add a fallback or make the call asynchronous.`
        : `${started} spread through ${cascade.services.join(' → ')} before it was contained.`,
    };
  });
}

/**
 * The request a span works for in its service: its nearest server or consumer ancestor (the handler's
 * layers aside), else the span itself. Asked of many spans of one deep service: each span's answer is
 * worked out once, by the climb that first passes it.
 */
function entryFinder(tree: TraceTree): (node: TraceNode) => TraceNode {
  // Per node: the nearest server or consumer at or above it in its service; null when there is none.
  const memo = new Array<TraceNode | null | undefined>(tree.nodes.length);
  const known = (n: TraceNode) => n.index >= 0 && n.index < memo.length;
  return (node) => {
    const climbed: TraceNode[] = [];
    let found: TraceNode | null = null;
    for (let n: TraceNode | undefined = node; n && n.service === node.service; n = n.parent) {
      const memoised = known(n) ? memo[n.index] : undefined;
      if (memoised !== undefined) {
        found = memoised;
        break;
      }
      if (n.kind === 'server' || n.kind === 'consumer') {
        found = n;
        break;
      }
      climbed.push(n);
    }
    for (const n of climbed) if (known(n)) memo[n.index] = found;
    return found ?? node;
  };
}

/** Per node, the index just past its subtree in the depth-first order, worked out once when first asked. */
function subtreeEnds(tree: TraceTree): (node: TraceNode) => number {
  let ends: Int32Array | undefined;
  return (node) => {
    if (!ends) {
      ends = new Int32Array(tree.nodes.length);
      // Children before parents.
      for (let i = tree.nodes.length - 1; i >= 0; i--) {
        let end = i + 1;
        for (const child of tree.nodes[i]!.children) end = Math.max(end, ends[child.index]!);
        ends[i] = end;
      }
    }
    return node.index >= 0 && node.index < ends.length ? ends[node.index]! : node.index + 1;
  };
}

/** Consumers looked at per span for its reply: a sender could otherwise make every span look at every consumer below it. */
const MAX_REPLY_CANDIDATES = 256;

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

/** The longest run of calls each starting after the previous one ended, within the clocks' resolution (children come sorted by start). */
function sequentialRun(calls: TraceNode[]): TraceNode[] {
  let best: TraceNode[] = [];
  let run: TraceNode[] = [];
  for (const call of calls) {
    const last = run[run.length - 1];
    if (last && call.startUs + tolerance(call, last) >= last.endUs) run.push(call);
    else run = [call];
    if (run.length > best.length) best = run;
  }
  return best;
}

/** ` (−120 ms)`, or why the change would not shorten this request. */
const priced = (savedUs: number): string => (savedUs > 0 ? ` (−${formatDuration(savedUs)})` : ' (in this trace it would not shorten the request: the call was not what it waited on)');

/**
 * `payments, pricing ×3 (GET /price, GET /stock, GET /tax), email`: each callee
 * once with its count and, when it was asked different things, up to three of
 * them; at most six callees, then `and N more`.
 */
function listed(calls: [callee: string, operation: string][]): string {
  const MAX = 6;
  const MAX_OPERATIONS = 3;
  const byCallee = new Map<string, string[]>();
  for (const [name, operation] of calls) {
    const operations = byCallee.get(name);
    if (operations) operations.push(operation);
    else byCallee.set(name, [operation]);
  }
  const parts = [...byCallee].map(([name, operations]) => {
    if (operations.length === 1) return name;
    const distinct = [...new Set(operations)];
    const asked = distinct.length > 1 ? ` (${distinct.slice(0, MAX_OPERATIONS).join(', ')}${distinct.length > MAX_OPERATIONS ? ', …' : ''})` : '';
    return `${name} ×${operations.length}${asked}`;
  });
  return parts.length <= MAX ? parts.join(', ') : `${parts.slice(0, MAX).join(', ')} and ${parts.length - MAX} more`;
}
