/**
 * The trace view (src/protocol/trace-view.ts) of a trace: its repaired call
 * tree depth-first, each node with its self time, edge mode and what the
 * analysis says of it, beside the raw spans, logs and the analysis.
 */
import type { AnalysisSettings } from '../analysis/settings';
import { analyzeTree, entrySpine, type TraceAnalysis } from '../analysis/analyze-trace';
import { callee, isCall, isPlumbing, operationOf } from '../analysis/calls';
import { buildTree, coveredUs, duration, type TraceNode, type TraceTree } from '../analysis/trace-tree';
import { isFailed } from '../model/failure';
import type { LogRecord, SpanRecord } from '../model/span';
import { wasRunning } from '../analysis/running-spans';
import type { TraceView, ViewNode } from '../protocol/trace-view';

export function toTraceView(traceId: string, spans: readonly SpanRecord[], logs: readonly LogRecord[], settings?: AnalysisSettings): TraceView | undefined {
  const tree = buildTree(spans);
  return tree && traceViewOf(traceId, tree, analyzeTree(tree, settings), spans, logs);
}

/** The view of a tree already built and analysed (the ingest worker's, once per trace version: derived-traces.ts). */
export function traceViewOf(traceId: string, tree: TraceTree, analysis: TraceAnalysis, spans: readonly SpanRecord[], logs: readonly LogRecord[]): TraceView {
  const nodes: ViewNode[] = [];
  const entry = entrySpine(tree.root);
  const add = (top: TraceNode) => {
    // Iterative: a broken trace can be thousands of levels deep.
    const stack = [top];
    while (stack.length > 0) {
      const node = stack.pop()!;
      const shown = viewNode(node);
      if (entry.has(node)) shown.entry = true;
      nodes.push(shown);
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
    }
  };
  add(tree.root);
  for (const part of tree.detached) add(part);
  return { traceId, nodes, spans: [...spans], logs: [...logs], analysis };
}

function viewNode(node: TraceNode): ViewNode {
  const out: ViewNode = {
    spanId: node.spanId,
    parentSpanId: node.parent?.spanId ?? '',
    service: node.service,
    name: node.name,
    label: operationOf(node),
    kind: node.kind,
    startUs: node.startUs,
    endUs: node.endUs,
    selfUs: selfTime(node),
    depth: node.depth,
    failed: node.span !== undefined && isFailed(node.span),
    placeholder: node.span === undefined,
    skewUs: node.skewUs,
  };
  if (node.mode) out.mode = node.mode;
  if (node.span && wasRunning(node.span)) out.running = true;
  if (isPlumbing(node)) out.plumbing = true;
  else if (isCall(node)) out.peer = callee(node);
  return out;
}

/** The node's duration minus the union of its children's intervals. */
function selfTime(node: TraceNode): number {
  return Math.max(0, duration(node) - coveredUs(node.children, node.startUs, node.endUs));
}
