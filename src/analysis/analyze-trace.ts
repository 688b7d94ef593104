/**
 * One trace's whole analysis as plain JSON: the call tree's edges, the
 * critical path, blocking chains with their latency accumulation, failures,
 * findings and what-if projections. The CLI prints it; the worker sends its
 * headline; the webview draws it.
 */
import type { SpanRecord } from '../model/span';
import { blockingChains, type BlockingChain } from './blocking-chains';
import { isBlockingCall } from './calls';
import { criticalPath, type PathSegment } from './critical-path';
import { isBlocking, type EdgeMode } from './edge-modes';
import { analyzeFailures, type Cascade, type Retry, type Timeout } from './failures';
import { findings, type Finding } from './findings';
import { DEFAULT_ANALYSIS_SETTINGS, type AnalysisSettings } from './settings';
import { buildTree, duration, type Repair, type TraceNode, type TraceTree } from './trace-tree';
import { projectedDuration, type WhatIf } from './what-if';

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
}

/** Deeper trees than this are analysed without chains and what-ifs (recursion stays bounded). */
export const MAX_ANALYSED_DEPTH = 1500;
const MAX_WHAT_IFS = 20;

export function analyzeTrace(spans: readonly SpanRecord[], settings: AnalysisSettings = DEFAULT_ANALYSIS_SETTINGS): TraceAnalysis | undefined {
  const tree = buildTree(spans);
  if (!tree) return undefined;
  return analyzeTree(tree, settings);
}

export function analyzeTree(tree: TraceTree, settings: AnalysisSettings = DEFAULT_ANALYSIS_SETTINGS): TraceAnalysis {
  const { root } = tree;
  const shallow = tree.nodes.every((n) => n.depth <= MAX_ANALYSED_DEPTH);
  const chains = shallow ? blockingChains(root) : [];
  const failures = shallow ? analyzeFailures(tree.nodes) : { cascades: [], timeouts: [], retries: [] };
  const found = shallow ? findings(tree, chains, failures, settings) : [];
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
    whatIf: shallow ? whatIfs(tree, path, settings) : [],
    repairs: tree.repairs,
  };
}

/** Each blocking call on the critical path, made async and run in parallel, largest effect first. */
function whatIfs(tree: TraceTree, path: PathSegment[], settings: AnalysisSettings): WhatIf[] {
  // The longest calls on the path, kept in a small sorted list (a path can hold thousands of calls).
  const longest: TraceNode[] = [];
  const seen = new Set<string>();
  for (const segment of path) {
    if (seen.has(segment.spanId)) continue;
    seen.add(segment.spanId);
    const call = tree.byId.get(segment.spanId)!;
    if (!isBlockingCall(call)) continue;
    if (longest.length === MAX_WHAT_IFS / 2 && duration(call) <= duration(longest[longest.length - 1]!)) continue;
    longest.push(call);
    longest.sort((a, b) => duration(b) - duration(a));
    if (longest.length > MAX_WHAT_IFS / 2) longest.pop();
  }
  const out: WhatIf[] = [];
  for (const call of longest) {
    const async = projectedDuration(tree.root, new Map([[call.spanId, 'async']]), settings.publishCostUs, tree.byId);
    out.push({ spanId: call.spanId, change: 'async', durationUs: async, savingUs: Math.max(0, duration(tree.root) - async) });
    // Running in parallel only changes a call that waited for a sibling.
    const waitedForSibling = call.parent!.children.some((c) => c !== call && isBlocking(c) && c.endUs <= call.startUs);
    if (!waitedForSibling) continue;
    const parallel = projectedDuration(tree.root, new Map([[call.spanId, 'parallel']]), settings.publishCostUs, tree.byId);
    out.push({ spanId: call.spanId, change: 'parallel', durationUs: parallel, savingUs: Math.max(0, duration(tree.root) - parallel) });
  }
  return out.sort((a, b) => a.durationUs - b.durationUs);
}
