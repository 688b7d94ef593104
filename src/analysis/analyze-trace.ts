/**
 * One trace's whole analysis as plain JSON: the call tree's edges, the
 * critical path, blocking chains with their latency accumulation, failures,
 * findings and what-if projections. The CLI prints it; the worker sends its
 * headline; the webview draws it.
 *
 * Given the debugger's pauses, it is the analysis of the trace with them taken
 * out (pauses.ts), and says what was taken out and what the pauses made happen
 * (pause-effects.ts) beside it.
 */
import type { DebugPause, SpanPause } from '../model/pause';
import type { SpanRecord } from '../model/span';
import { blockingChains, type BlockingChain } from './blocking-chains';
import { isBlockingCall } from './calls';
import { criticalPath, type PathSegment } from './critical-path';
import type { EdgeMode } from './edge-modes';
import { analyzeFailures, type Cascade, type Retry, type Timeout } from './failures';
import { findings, type Finding } from './findings';
import { accumulatedAlong, pauseEffects, type PauseEffect } from './pause-effects';
import { compensateTree } from './pauses';
import { DEFAULT_ANALYSIS_SETTINGS, type AnalysisSettings } from './settings';
import { buildTree, duration, requestNodes, type Repair, type TraceNode, type TraceTree } from './trace-tree';
import { followedSibling, projectedSaving, type Change, type WhatIf } from './what-if';

export interface TraceAnalysis {
  traceId: string;
  rootSpanId: string;
  rootService: string;
  rootName: string;
  durationUs: number;
  spanCount: number;
  /** `queueUs` on async edges: the consumer's start minus the producer's end (time in the broker). */
  edges: { parentSpanId: string; childSpanId: string; mode: EdgeMode; queueUs?: number }[];
  criticalPath: PathSegment[];
  blockingChains: BlockingChain[];
  failures: Cascade[];
  timeouts: Timeout[];
  retries: Retry[];
  findings: Finding[];
  whatIf: WhatIf[];
  repairs: Repair[];
  // Only when debugger pauses touched the trace: everything above then describes the request as if the
  // debugger had not stopped it, and these say what was taken out.
  /** How much the pauses inflated the request: `rawDurationUs − durationUs`, µs. */
  pausedUs?: number;
  /** Each span whose time overlapped its own session's pauses, and by how much. */
  pauses?: SpanPause[];
  /** The request's duration on the wall clock, pauses in, µs. */
  rawDurationUs?: number;
  /** What each of `blockingChains` accumulated on the wall clock, pauses in (same order), µs. */
  rawAccumulatedUs?: number[];
  /** Timeouts, failures and findings that exist only because of a pause, taken out of the lists above. */
  pauseEffects?: PauseEffect[];
}

/** Calls on the critical path replayed for what-ifs, most path time first; a trace can hold thousands. */
const MAX_REPLAYED_CALLS = 50;
/** Replaying a change walks up through every ancestor of the call: the what-ifs of one trace walk at most this
 * many ancestors in all, past the first call (a 10,000-deep chain would otherwise cost 150 walks of 10,000). */
const MAX_REPLAY_STEPS = 60_000;
/** What-ifs listed at most (the calls beyond save nothing or were not replayed). */
const MAX_WHAT_IFS = 600;

/** The analysis of one trace's spans; with the debugger's pauses, of the trace as if they had not stopped it. */
export function analyzeTrace(spans: readonly SpanRecord[], settings: AnalysisSettings = DEFAULT_ANALYSIS_SETTINGS, pauses: readonly DebugPause[] = []): TraceAnalysis | undefined {
  const tree = buildTree(spans);
  if (!tree) return undefined;
  return analyzeTree(tree, settings, pauses);
}

/** The same from the spans' tree. */
export function analyzeTree(tree: TraceTree, settings: AnalysisSettings = DEFAULT_ANALYSIS_SETTINGS, pauses: readonly DebugPause[] = []): TraceAnalysis {
  return analyzeTreeWithPauses(tree, settings, pauses).analysis;
}

/** The analysis, and the tree it describes: the one given, or the tree of its spans with the pauses taken out. */
export function analyzeTreeWithPauses(tree: TraceTree, settings: AnalysisSettings, pauses: readonly DebugPause[]): { analysis: TraceAnalysis; tree: TraceTree } {
  const raw = analyzeRecorded(tree, settings);
  if (pauses.length === 0) return { analysis: raw, tree };
  const compensated = compensateTree(tree, pauses);
  if (compensated.pauses.length === 0 && !compensated.moved) return { analysis: raw, tree };
  if (!compensated.moved) {
    // Stopped only while waiting on other sessions: nothing moved.
    return { analysis: { ...raw, pausedUs: 0, pauses: compensated.pauses, rawDurationUs: raw.durationUs, rawAccumulatedUs: raw.blockingChains.map((c) => c.accumulatedUs), pauseEffects: [] }, tree };
  }
  const after = buildTree(compensated.spans)!;
  const without = analyzeRecorded(after, settings);
  const { effects, failures, findings } = pauseEffects({ tree, ...raw }, { tree: after, ...without }, pauses);
  const analysis: TraceAnalysis = {
    ...without,
    failures,
    findings,
    pausedUs: raw.durationUs - without.durationUs,
    pauses: compensated.pauses,
    rawDurationUs: raw.durationUs,
    rawAccumulatedUs: without.blockingChains.map((c) => accumulatedAlong(tree, c.spanIds)),
    pauseEffects: effects,
  };
  return { analysis, tree: after };
}

function analyzeRecorded(tree: TraceTree, settings: AnalysisSettings): TraceAnalysis {
  const { root } = tree;
  // Every walk keeps its own stack and every climb is worked out once per span: a trace of any depth is
  // analysed in full (test/analysis/deep-traces.test.ts).
  const chains = blockingChains(root);
  const failures = analyzeFailures(tree.nodes);
  const found = findings(tree, chains, failures, settings);
  const path = criticalPath(root);
  return {
    traceId: tree.traceId,
    rootSpanId: root.spanId,
    rootService: root.service,
    rootName: root.name,
    durationUs: duration(root),
    spanCount: tree.nodes.length,
    edges: tree.nodes.filter((n) => n.parent && n.mode).map((n) =>
      n.mode === 'async'
        ? { parentSpanId: n.parent!.spanId, childSpanId: n.spanId, mode: n.mode, queueUs: Math.max(0, n.startUs - n.parent!.endUs) }
        : { parentSpanId: n.parent!.spanId, childSpanId: n.spanId, mode: n.mode! },
    ),
    criticalPath: path,
    blockingChains: chains,
    failures: failures.cascades,
    timeouts: failures.timeouts,
    retries: failures.retries,
    findings: found,
    whatIf: whatIfs(tree, path, settings),
    repairs: tree.repairs,
  };
}

/**
 * Every change a developer could make to a call of this request, priced: each
 * blocking call made async, run in parallel with the call it followed, or 50 %
 * faster; best saving first. The request's own entry (the root, and the server
 * span a root client call caused) is not a change anyone can make. A call off
 * the critical path bounds nothing: changing it saves nothing, so it is listed
 * with a saving of 0 without being replayed.
 */
/**
 * The request's own entry: the root, and every span the whole request passes
 * through on its way in (a gateway forwarding it, the server span a root
 * client call caused, a handler layer): a single blocking child that takes
 * nearly all of its parent's time. Making one of those asynchronous would
 * make the request not a request.
 *
 *   gateway POST /orders [==========================]   entry
 *   gateway POST ─► orders [======================]    entry (the request passing through)
 *   orders POST /orders     [=====================]    entry
 *   orders POST ─► email          [=========]           a call: can change
 */
export function entrySpine(root: TraceNode): Set<TraceNode> {
  const spine = new Set<TraceNode>([root]);
  for (let node = root; ; ) {
    const next = node.blocking.length === 1 ? node.blocking[0]! : undefined;
    if (!next || duration(next) < PASS_THROUGH_SHARE * duration(node)) return spine;
    spine.add(next);
    node = next;
  }
}

/** A single child taking this share of its parent's time is the request passing through, not a call it made. */
const PASS_THROUGH_SHARE = 0.9;

function whatIfs(tree: TraceTree, path: PathSegment[], settings: AnalysisSettings): WhatIf[] {
  const rootUs = duration(tree.root);
  const onPath = new Map<string, number>();
  for (const s of path) onPath.set(s.spanId, (onPath.get(s.spanId) ?? 0) + s.endUs - s.startUs);
  const entry = entrySpine(tree.root);
  const calls: TraceNode[] = [];
  for (const node of requestNodes(tree)) if (node.parent && !entry.has(node) && isBlockingCall(node)) calls.push(node);
  // Time on the critical path under each call (its own and its descendants'), to pick the ones worth replaying.
  const pathUnder = (call: TraceNode): number => (onPath.get(call.spanId) ?? 0) + call.children.reduce((sum, c) => sum + (onPath.get(c.spanId) ?? 0), 0);
  const ranked = calls.map((call) => ({ call, weight: pathUnder(call) })).sort((a, b) => b.weight - a.weight || duration(b.call) - duration(a.call));
  const out: WhatIf[] = [];
  let steps = 0;
  ranked.forEach(({ call, weight }, rank) => {
    if (weight > 0 && rank >= MAX_REPLAYED_CALLS) return;
    if (weight === 0 && out.length >= MAX_WHAT_IFS) return;
    const changes: Change[] = call.kind === 'producer' ? ['faster'] : ['async', 'faster'];
    if (followedSibling(call)) changes.push('parallel');
    // The first call with path time is always priced; the others while the budget lasts.
    steps += weight > 0 ? changes.length * (call.depth + 1) : 0;
    if (weight > 0 && rank > 0 && steps > MAX_REPLAY_STEPS) return;
    for (const change of changes) {
      const savingUs = weight > 0 ? projectedSaving(tree.root, new Map([[call.spanId, change]]), settings.publishCostUs, tree.byId) : 0;
      out.push({ spanId: call.spanId, change, durationUs: rootUs - savingUs, savingUs });
    }
  });
  return out.sort((a, b) => b.savingUs - a.savingUs).slice(0, MAX_WHAT_IFS);
}
