/**
 * What the host sends the webviews, built the way the host builds it
 * (`toTraceView`, `toServiceMapView`) from drawn traces and synthetic ones.
 * `withNodes` and `withWhatIfs` then set what a test is about (labels, peers,
 * plumbing, what-if projections) to exact values, whatever the analysis of
 * the day derives for a drawing.
 */
import type { WhatIf } from '../../src/analysis/what-if';
import { buildTree, type TraceTree } from '../../src/analysis/trace-tree';
import type { SpanRecord } from '../../src/model/span';
import { toServiceMapView } from '../../src/views/service-map';
import type { ServiceMapView } from '../../src/protocol/service-map';
import { toTraceView } from '../../src/views/trace-view';
import type { TraceView, ViewNode } from '../../src/protocol/trace-view';
import { syntheticTrace } from '../../bench/synthetic';
import { events, failedPayment, sync } from './shop-drawings';
import type { Drawn } from './timeline';

/** The view of a drawn (or synthetic) trace, as the trace panel sends it. */
export function traceView(spans: readonly SpanRecord[]): TraceView {
  const view = toTraceView(spans[0]!.traceId, spans, []);
  if (!view) throw new Error('the drawing has no spans');
  return view;
}

/** What a test may set on a node: what the span is, who answers it, whether it is plumbing. */
export type NodeFacts = Partial<Pick<ViewNode, 'label' | 'peer' | 'plumbing'>>;

/** The view with these nodes' facts set (by span id); `plumbing: undefined` or `peer: undefined` removes them. Not mutated. */
export function withNodes(view: TraceView, facts: Readonly<Record<string, NodeFacts>>): TraceView {
  for (const spanId of Object.keys(facts)) if (!view.nodes.some((n) => n.spanId === spanId)) throw new Error(`no node ${spanId} in the view`);
  const nodes = view.nodes.map((node) => {
    const set = facts[node.spanId];
    if (!set) return node;
    const out: ViewNode = { ...node, ...set };
    if ('peer' in set && set.peer === undefined) delete out.peer;
    if ('plumbing' in set && set.plumbing === undefined) delete out.plumbing;
    return out;
  });
  return { ...view, nodes };
}

/** The view with `analysis.whatIf` replaced by these projections (as the analysis sends them: best saving first). */
export function withWhatIfs(view: TraceView, whatIf: readonly WhatIf[]): TraceView {
  return { ...view, analysis: { ...view.analysis, whatIf: [...whatIf] } };
}

/** A span's id by service and name (drawings may reuse a name in two services, as the shop does with POST /orders). */
export function spanOf(drawn: Drawn | readonly SpanRecord[], service: string, name: string): string {
  const spans = 'spans' in drawn ? drawn.spans : drawn;
  const found = spans.filter((s) => s.service === service && s.name === name);
  if (found.length !== 1) throw new Error(`${found.length} spans are ${service} ${name}`);
  return found[0]!.spanId;
}

/** The same spans under another trace id (drawings all share one). */
export function withTraceId(spans: readonly SpanRecord[], traceId: string): SpanRecord[] {
  return spans.map((s) => ({ ...s, traceId, links: s.links.map((l) => ({ ...l, traceId })) }));
}

/** The bench's synthetic checkout with `spanCount` spans. */
export const syntheticView = (spanCount: number): TraceView => traceView(syntheticTrace(1, spanCount));

/** Trace ids of the service map's traces, to tell which one an edge's list opens. */
export const MAP_TRACES = {
  sync: '5a000000000000000000000000000001',
  events: '5a000000000000000000000000000002',
  failing: '5a000000000000000000000000000003',
  slowSync: '5a000000000000000000000000000004',
} as const;

/**
 * The shop as the service map shows it after four requests: sync, events,
 * one where payments failed, and a slower sync one. Orders also queries
 * postgresql, which sends no spans (an uninstrumented peer).
 *
 *   gateway ─sync─► orders ─sync─► payments, inventory, email, analytics, postgresql
 *                          ─async─► email, analytics (events mode)
 */
export function shopServiceMap(): { map: ServiceMapView; trees: TraceTree[] } {
  const failing = failedPayment;
  // The sync shop on a bad day: everything takes half as long again.
  const t0 = sync.spans[0]!.startUs;
  const slow = sync.spans.map((s) => ({ ...s, startUs: t0 + (s.startUs - t0) * 1.5, endUs: t0 + (s.endUs - t0) * 1.5 }));
  const trees = [
    withTraceId(sync.spans, MAP_TRACES.sync),
    withTraceId(events.spans, MAP_TRACES.events),
    withTraceId(failing.spans, MAP_TRACES.failing),
    withTraceId(slow, MAP_TRACES.slowSync),
  ].map((spans) => buildTree(spans)!);
  return { map: toServiceMapView(trees, 1_700_000_000_000), trees };
}
