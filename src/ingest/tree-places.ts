/**
 * The code places of one trace tree (src/source/trace-places.ts over its repaired nodes), worked out once per
 * tree and skip-frames setting and shared by what reads them on the analysis thread: the call sites and the
 * trace view. Kept as long as the tree is (a tree is built once per trace version: derived-traces.ts).
 */
import type { CodePlace } from '../analysis/call-sites';
import type { TraceTree } from '../analysis/trace-tree';
import type { SpanRecord } from '../model/span';
import type { SkipFrame } from '../source/skip-frames';
import { tracePlaces, type TracePlaces } from '../source/trace-places';

export interface TreePlaces extends TracePlaces {
  /** The tries of the node with this span id, as candidate lists (undefined: none). */
  placeOf(spanId: string): CodePlace | undefined;
}

const memo = new WeakMap<TraceTree, Map<SkipFrame | undefined, TreePlaces>>();

export function treePlaces(tree: TraceTree, skip?: SkipFrame): TreePlaces {
  let bySkip = memo.get(tree);
  if (!bySkip) memo.set(tree, (bySkip = new Map<SkipFrame | undefined, TreePlaces>()));
  const known = bySkip.get(skip);
  if (known) return known;
  const nodes = tree.nodes.map((n) => ({ spanId: n.spanId, parentSpanId: n.parent?.spanId ?? '', kind: n.kind, service: n.service, ...(n.mode && { mode: n.mode }) }));
  const { lists, tries } = tracePlaces(nodes, (spanId) => tree.byId.get(spanId)?.span, skip);
  const places = new Map<string, CodePlace>();
  const placeOf = (spanId: string): CodePlace | undefined => {
    const node = tree.byId.get(spanId);
    const mine = node && tree.nodes[node.index] === node ? tries[node.index] : undefined;
    if (!mine) return undefined;
    let place = places.get(spanId);
    if (!place) places.set(spanId, (place = { tries: mine.map((t) => lists[t.list]!) }));
    return place;
  };
  const found: TreePlaces = { lists, tries, placeOf };
  bySkip.set(skip, found);
  return found;
}

/** Where the span's code may be (see CodePlace): its tries in its tree. */
export const spanPlace = (span: SpanRecord, tree: TraceTree, skip?: SkipFrame): CodePlace | undefined => treePlaces(tree, skip).placeOf(span.spanId);
