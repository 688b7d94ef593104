/**
 * The shapes of a trace's tree (built by trace-tree.ts, edges classified by
 * edge-modes.ts), in a module of their own so that the two depend on these
 * and not on each other.
 */
import type { SpanRecord } from '../model/span';

/** How a parent called a child: docs/architecture.md, "Edge modes". */
export type EdgeMode = 'sync' | 'parallel' | 'fire-and-forget' | 'async';

export interface TraceNode {
  spanId: string;
  /** undefined for a placeholder standing in for a span that never arrived. */
  span: SpanRecord | undefined;
  service: string;
  name: string;
  kind: SpanRecord['kind'];
  /** Times after clock-skew adjustment. */
  startUs: number;
  endUs: number;
  /** How far this node (and its subtree) was shifted to sit inside its parent, µs. */
  skewUs: number;
  /** How much of its recorded end lay past its parent's end and was trimmed (a waited-for child that the
   * parent's clock or instrumentation saw end a little later, e.g. an express layer ending on 'close'), µs. */
  trimmedUs: number;
  /** The timestamp resolution of its service's clock in this trace (1 µs, or 1000 when every start is a whole
   * millisecond, as OTel JS's are): orderings closer than this are not orderings. */
  resolutionUs: number;
  parent: TraceNode | undefined;
  /** Sorted by start, then end. */
  children: TraceNode[];
  /** How the parent called this node; undefined for the root. */
  mode: EdgeMode | undefined;
  /** The children it waited for (sync and parallel), sorted like `children`; set with the modes. */
  blocking: readonly TraceNode[];
  depth: number;
  /** Position in `TraceTree.nodes`, for per-node arrays. */
  index: number;
  /** A pool checkout, ack or connect: part of the call it serves, not a call (span-operation.ts). */
  plumbing: boolean;
  /** Memo of `operationOf` (calls.ts): what the span does by the semantic conventions. */
  operation: string | undefined;
}

export type Repair =
  | { kind: 'duplicate-span'; spanId: string }
  | { kind: 'self-parent'; spanId: string }
  | { kind: 'cycle'; spanId: string }
  | { kind: 'missing-parent'; spanId: string; children: string[] }
  | { kind: 'clock-skew'; spanId: string; shiftUs: number }
  | { kind: 'detached-root'; spanId: string };

export interface TraceTree {
  traceId: string;
  root: TraceNode;
  /** Every node, root first then depth-first in child order. */
  nodes: TraceNode[];
  byId: Map<string, TraceNode>;
  /** Top-level nodes other than the root (a second root, an orphan placeholder); kept, not analysed as the request. */
  detached: TraceNode[];
  repairs: Repair[];
}
