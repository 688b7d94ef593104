/**
 * The code places a whole trace names, before any file is looked at: built
 * where the trace is (the ingest worker, beside its view), resolved where the
 * workspace is (the extension host), once per distinct place list.
 *
 *   GET /orders  (code.file.path=routes.ts:12)    own list 0                 tries [0]
 *    ├─ SELECT   (no code.*)                       no list of its own         tries [0 from GET /orders]
 *    └─ charge   (code.stacktrace → stock.ts:42)   own list 1                 tries [1, 0 from GET /orders]
 *
 * A span's tries are its own list, then those of its nearest ancestors that
 * name a place, on the path `takesParentPlace` allows (same service, same
 * side of a broker): the first that resolves inside the workspace is its
 * line. This is the one walk to ancestors' places: the trace view's (trace
 * documents), the call sites' (src/ingest/tree-places.ts) and the locator's
 * span by span (`SourceLocator.lookup`) all go through it. Bounded whatever
 * the sender did: each chain of ancestors is climbed once, a span tries at
 * most MAX_TRIES lists, and a trace has at most MAX_PLACE_LISTS distinct
 * lists holding MAX_PLACE_CANDIDATES candidates (past that, a span's own
 * place is not listed and it may take an ancestor's).
 */
import type { SpanKind, SpanRecord } from '../model/span';
import type { PlaceCandidate } from '../model/code-place';
import type { SkipFrame } from './skip-frames';
import { spanCandidates, takesParentPlace } from './span-source';

export const MAX_PLACE_LISTS = 512;
export const MAX_PLACE_CANDIDATES = 4096;
/** The span's own list and up to four ancestors': past that the places are library or outside code. */
export const MAX_TRIES = 5;

/** What the places of a span depend on: its parent in the (repaired) tree, its kind and service, how it was called. */
export interface PlaceNode {
  spanId: string;
  parentSpanId: string;
  kind: SpanKind;
  service: string;
  /** `async` when the caller did not wait: a consumer's work is not the producer's line. */
  mode?: string;
}

/** One list to try for a span's line: which list, and the index of the node whose data named it. */
export interface PlaceTry {
  list: number;
  node: number;
}

export interface TracePlaces {
  lists: PlaceCandidate[][];
  /** For each node, in the nodes' order: the lists to try, best first (undefined: none). */
  tries: (readonly PlaceTry[] | undefined)[];
}

export function tracePlaces(nodes: readonly PlaceNode[], spanOf: (spanId: string) => SpanRecord | undefined, skip?: SkipFrame): TracePlaces {
  const lists: PlaceCandidate[][] = [];
  const listOf = new Map<string, number>();
  let candidates = 0;
  const own: (number | undefined)[] = nodes.map((node) => {
    const span = spanOf(node.spanId);
    const found = span ? spanCandidates(span, skip) : [];
    if (found.length === 0) return undefined;
    const key = JSON.stringify(found);
    let index = listOf.get(key);
    if (index === undefined) {
      if (lists.length >= MAX_PLACE_LISTS || candidates + found.length > MAX_PLACE_CANDIDATES) return undefined;
      index = lists.push(found) - 1;
      listOf.set(key, index);
      candidates += found.length;
    }
    return index;
  });
  const indexOf = new Map<string, number>();
  nodes.forEach((node, i) => indexOf.set(node.spanId, i));
  /** The parent whose place node `i` may take: as the span itself (`first`) or as an ancestor on the way up. */
  const up = (i: number, first: boolean): number | undefined => {
    const node = nodes[i]!;
    const p = node.parentSpanId ? indexOf.get(node.parentSpanId) : undefined;
    return p !== undefined && p !== i && takesParentPlace(node, nodes[p]!, first, node.mode === 'async') ? p : undefined;
  };
  const push = (head: PlaceTry, tail: readonly PlaceTry[]): readonly PlaceTry[] => [head, ...tail.filter((t) => t.list !== head.list)].slice(0, MAX_TRIES);
  // Each node's tries as an ancestor of another: its own list, then its ancestors' (climbed once per chain).
  const asAncestor = new Array<readonly PlaceTry[] | undefined>(nodes.length);
  const none: readonly PlaceTry[] = [];
  for (let start = 0; start < nodes.length; start++) {
    if (asAncestor[start]) continue;
    const climbed: number[] = [];
    const onPath = new Set<number>();
    let tail = none;
    for (let i: number | undefined = start; i !== undefined; i = up(i, false)) {
      const known = asAncestor[i];
      if (known) {
        tail = known;
        break;
      }
      if (onPath.has(i)) break; // a cycle the tree did not repair: the climb ends here
      onPath.add(i);
      climbed.push(i);
    }
    for (let k = climbed.length - 1; k >= 0; k--) {
      const i = climbed[k]!;
      const list = own[i];
      if (list !== undefined) tail = push({ list, node: i }, tail);
      asAncestor[i] = tail;
    }
  }
  const tries = nodes.map((_, i) => {
    const parent = up(i, true);
    const above = parent === undefined ? none : asAncestor[parent]!;
    const list = own[i];
    const mine = list === undefined ? above : push({ list, node: i }, above);
    return mine.length > 0 ? mine : undefined;
  });
  return { lists, tries };
}
