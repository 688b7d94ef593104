/**
 * What a debugger pause made happen that is not the code's doing. The trace is
 * analysed twice: as recorded (the wall clock) and compensated (pauses.ts).
 * The compensated trace differs only by the pause time taken out, so what the
 * recorded analysis finds and the compensated one does not exists only
 * because of a pause:
 *
 *   shop      ✗ POST ─► payments [0──3000]                 gave up after 3 s
 *   payments       charge         [10──▒▒▒▒▒▒▒▒▒▒▒▒20600]  stopped at payments.ts:42
 *   compensated:   charge         [10──600]                answered well within 3 s
 *
 * - a **timeout** of the recorded trace (the callee outlived the caller) that
 *   the compensated one does not have: "POST /charge timed out after 3.00 s
 *   while the debugger had payments stopped at payments.ts:42";
 * - the **failures it explains**: a cascade that starts at such a caller (or
 *   at the failed span right above a client that gave up), with its
 *   `cascading-failure` finding, and a `retry-amplification` whose attempts
 *   include such a caller: the spans did fail, but because of the pause;
 * - a **finding** of the recorded trace the compensated one does not have (by
 *   rule and first span): the `long-sync-call` you sat in at a breakpoint.
 *
 * They leave the analysis's lists and are reported as pause effects; the
 * retries themselves stay listed (they are what the code did).
 */
import { formatDuration as d, formatRoute } from '../common/format';
import type { DebugPause } from '../model/pause';
import { callee, calleeOperation, isCall, operationOf } from './calls';
import { failed, type Cascade, type Timeout } from './failures';
import type { Finding, Rule } from './findings';
import { sessionOf } from './pauses';
import { coveredUs, duration, type TraceNode, type TraceTree } from './trace-tree';

export interface PauseEffect {
  kind: 'timeout' | 'finding';
  /** The rule of a finding that exists only because of a pause. */
  rule?: Rule;
  spanIds: string[];
  message: string;
}

/** What the effects are made from: one analysis of one tree. */
export interface Analysed {
  tree: TraceTree;
  timeouts: readonly Timeout[];
  failures: readonly Cascade[];
  findings: readonly Finding[];
}

export interface Separated {
  effects: PauseEffect[];
  /** The compensated analysis's cascades and findings, without those a pause made. */
  failures: Cascade[];
  findings: Finding[];
}

/** Spans looked at, in all, to find which sessions an effect's subtrees ran in (a sender decides how large they are). */
const MAX_SESSION_WALK = 100_000;

export function pauseEffects(raw: Analysed, compensated: Analysed, pauses: readonly DebugPause[]): Separated {
  const name = pauseNamer(raw.tree, pauses);
  const effects: PauseEffect[] = [];
  const stillTimedOut = new Set(compensated.timeouts.map((t) => `${t.callerSpanId}>${t.calleeSpanId}`));
  /** Callers that gave up only because of a pause, by span id. */
  const gaveUp = new Map<string, TraceNode>();
  for (const t of raw.timeouts) {
    if (stillTimedOut.has(`${t.callerSpanId}>${t.calleeSpanId}`)) continue;
    const caller = raw.tree.byId.get(t.callerSpanId)!;
    const calleeNode = raw.tree.byId.get(t.calleeSpanId)!;
    gaveUp.set(caller.spanId, caller);
    const took = compensated.tree.byId.get(t.calleeSpanId);
    effects.push({
      kind: 'timeout', spanIds: [caller.spanId, calleeNode.spanId],
      message: `${label(caller)} timed out after ${d(duration(caller))} while ${name([calleeNode], [caller])}${took ? `; without the pause ${calleeNode.service} took ${d(duration(took))}` : ''}.`,
    });
  }
  // A client that gave up without failing itself fails the span above it: that failure is the timeout's too.
  const explained = new Map(gaveUp);
  for (const caller of gaveUp.values()) if (!failed(caller) && caller.parent && failed(caller.parent)) explained.set(caller.parent.spanId, caller);
  const failures = compensated.failures.filter((c) => !explained.has(c.originSpanId));
  /** The caller whose pause-made timeout a failure finding follows from, if any. */
  const timedOutFor = (f: Finding): TraceNode | undefined =>
    f.rule === 'cascading-failure' ? explained.get(f.spanIds[0]!) : f.rule === 'retry-amplification' ? f.spanIds.map((id) => gaveUp.get(id)).find(Boolean) : undefined;
  const failureEffect = (f: Finding, timedOut: TraceNode, cascades: readonly Cascade[]): PauseEffect => {
    const why = name(timedOut.children, [timedOut]);
    const services = cascades.find((c) => c.originSpanId === f.spanIds[0])?.services ?? [];
    return {
      kind: 'finding', rule: f.rule, spanIds: f.spanIds,
      message: f.rule === 'cascading-failure'
        ? `The failure that spread through ${formatRoute(services)} began with ${label(timedOut)} timing out while ${why}.`
        : `${label(timedOut)} was retried after it timed out while ${why}.`,
    };
  };
  const findings: Finding[] = [];
  for (const f of compensated.findings) {
    const timedOut = timedOutFor(f);
    if (timedOut) effects.push(failureEffect(f, timedOut, compensated.failures));
    else findings.push(f);
  }
  const stillFound = new Set(compensated.findings.map((f) => `${f.rule}\u0000${f.spanIds[0]}`));
  for (const f of raw.findings) {
    if (stillFound.has(`${f.rule}\u0000${f.spanIds[0]}`)) continue;
    // Without the timeout the cascade may be too small to be a finding: it was the pause's all the same.
    const timedOut = timedOutFor(f);
    if (timedOut) {
      effects.push(failureEffect(f, timedOut, raw.failures));
      continue;
    }
    const spans = f.spanIds.map((id) => raw.tree.byId.get(id)!);
    const call = spans[0]!;
    const after = compensated.tree.byId.get(call.spanId);
    effects.push({
      kind: 'finding', rule: f.rule, spanIds: f.spanIds,
      message: f.rule === 'long-sync-call' && call.parent
        ? `${call.parent.service} waited ${d(duration(call))} for ${callee(call)} ${calleeOperation(call)} only because ${name([call], [call])}${after ? `; without the pause the call took ${d(duration(after))}` : ''}.`
        : `Only because ${name(spans, spans)}: ${f.message}`,
    });
  }
  return { effects, failures, findings };
}

/** What a call is called in a sentence: `POST /charge`; a span that is not a call by what it does. */
const label = (node: TraceNode): string => (isCall(node) ? calleeOperation(node) : operationOf(node));

/**
 * `the debugger had payments stopped at payments.ts:42`: the pause, of a session that some span in these
 * subtrees ran in, that stopped the most of the time the `during` spans were recorded over.
 */
function pauseNamer(tree: TraceTree, pauses: readonly DebugPause[]): (subtrees: readonly TraceNode[], during: readonly TraceNode[]) => string {
  let openEnd = -Infinity;
  for (const node of tree.nodes) if (node.span) openEnd = Math.max(openEnd, node.span.startUs, node.span.endUs);
  let budget = MAX_SESSION_WALK;
  return (subtrees, during) => {
    const sessions = new Set<string>();
    let all = false;
    for (const top of subtrees) {
      for (let j = top.index; j < tree.nodes.length && (j === top.index || tree.nodes[j]!.depth > top.depth); j++) {
        if (--budget < 0) {
          all = true;
          break;
        }
        const span = tree.nodes[j]!.span;
        const session = span && sessionOf(span);
        if (session !== undefined) sessions.add(session);
      }
    }
    // Pauses are on the machine's clock: the spans' recorded times, not the tree's skew-repaired ones.
    let from = Infinity;
    let to = -Infinity;
    for (const n of during) {
      from = Math.min(from, n.span?.startUs ?? n.startUs);
      to = Math.max(to, n.span?.endUs ?? n.endUs);
    }
    let best: DebugPause | undefined;
    let bestUs = 0;
    for (const p of pauses) {
      if (!all && !sessions.has(p.session)) continue;
      const overlap = Math.min(p.endUs ?? openEnd, to) - Math.max(p.startUs, from);
      if (overlap > bestUs) {
        best = p;
        bestUs = overlap;
      }
    }
    if (!best) return 'the debugger was stopped';
    const where = best.location ? ` at ${best.location.path.split(/[\\/]/).pop()}:${best.location.line}` : '';
    return `the debugger had ${best.sessionName} stopped${where}`;
  };
}

/**
 * What a chain (spans from the root along blocking edges) accumulated in another tree of the same spans:
 * each span's time, clipped as the chain clips it, not covered by its blocking children (blocking-chains.ts).
 */
export function accumulatedAlong(tree: TraceTree, spanIds: readonly string[]): number {
  let from = -Infinity;
  let to = Infinity;
  let total = 0;
  for (let i = 0; i < spanIds.length; i++) {
    const node = tree.byId.get(spanIds[i]!);
    if (!node) break;
    const start = Math.max(from, node.startUs);
    to = Math.max(start, Math.min(to, node.endUs));
    from = start;
    // The next span of the chain is waited for along it, even where this tree does not call it blocking (a
    // caller that gave up while the callee was stopped).
    const next = i + 1 < spanIds.length ? tree.byId.get(spanIds[i + 1]!) : undefined;
    const waited = next && next.parent === node && !node.blocking.includes(next) ? [...node.blocking, next].sort((a, b) => a.startUs - b.startUs) : node.blocking;
    total += to - from - (waited.length === 0 ? 0 : coveredUs(waited, from, to));
  }
  return total;
}
