/**
 * One trace's call tree, repaired, with derived facts computed once.
 *
 *   spans ──► dedupe ids ──► link parents ──► placeholders for missing parents
 *         ──► break self-parenting and cycles ──► pick the root
 *         ──► adjust clock skew (Jaeger's way) ──► classify edges
 *
 * The input is never mutated: adjusted times live on the nodes.
 */
import type { SpanRecord } from '../model/span';
import { tolerance } from './clock';
import { classifyEdges } from './edge-modes';
import { isPlumbingSpan } from './span-operation';
import type { Repair, TraceNode, TraceTree } from './trace-node';

export type { Repair, TraceNode, TraceTree } from './trace-node';

/** Shared by every node without blocking children. */
const NONE: readonly TraceNode[] = Object.freeze([]);
/** Shared by leaves until a first child arrives (most spans are leaves). */
const NO_CHILDREN = NONE as TraceNode[];

export const duration = (node: Pick<TraceNode, 'startUs' | 'endUs'>): number => Math.max(0, node.endUs - node.startUs);

/**
 * Time covered by the union of the intervals (sorted by start, as a node's children are), clipped to [from, to]:
 *
 *   from ├──────────────────────┤ to
 *          ├──a──┤                        a and b overlap: counted once
 *             ├───b───┤      ├c┤          covered = |a ∪ b| + |c|
 */
export function coveredUs(intervals: readonly Pick<TraceNode, 'startUs' | 'endUs'>[], from: number, to: number): number {
  let total = 0;
  let end = -Infinity;
  for (const interval of intervals) {
    // Clipping keeps the order: a later start never clips to an earlier one.
    const s = Math.max(interval.startUs, from);
    const e = Math.min(interval.endUs, to);
    if (e <= s) continue;
    if (s > end) {
      total += e - s;
      end = e;
    } else if (e > end) {
      total += e - end;
      end = e;
    }
  }
  return total;
}

/** The spans of the request itself (the root's subtree, a prefix of `nodes`), without detached parts. */
export const requestNodes = (tree: TraceTree): readonly TraceNode[] => (tree.detached.length === 0 ? tree.nodes : tree.nodes.slice(0, tree.detached[0]!.index));

/** Builds the tree; returns undefined only for an empty span list. */
export function buildTree(spans: readonly SpanRecord[]): TraceTree | undefined {
  if (spans.length === 0) return undefined;
  const repairs: Repair[] = [];
  const byId = new Map<string, TraceNode>();
  for (const span of spans) {
    if (byId.has(span.spanId)) {
      repairs.push({ kind: 'duplicate-span', spanId: span.spanId });
      continue;
    }
    byId.set(span.spanId, nodeOf(span));
  }
  const tops: TraceNode[] = [];
  const missing = new Map<string, TraceNode>();
  for (const node of byId.values()) {
    const parentId = node.span!.parentSpanId;
    if (parentId === '') tops.push(node);
    else if (parentId === node.spanId) {
      repairs.push({ kind: 'self-parent', spanId: node.spanId });
      tops.push(node);
    } else {
      let parent = byId.get(parentId) ?? missing.get(parentId);
      if (!parent) {
        parent = placeholder(parentId, node);
        missing.set(parentId, parent);
        tops.push(parent);
      }
      if (parent.children === NO_CHILDREN) parent.children = [node];
      else parent.children.push(node);
      node.parent = parent;
      if (parent.span === undefined) {
        parent.startUs = Math.min(parent.startUs, node.startUs);
        parent.endUs = Math.max(parent.endUs, node.endUs);
      }
    }
  }
  for (const [id, node] of missing) {
    byId.set(id, node);
    repairs.push({ kind: 'missing-parent', spanId: id, children: node.children.map((c) => c.spanId) });
  }
  setResolutions(byId);
  breakCycles(byId, tops, repairs);
  tops.sort((a, b) => a.startUs - b.startUs || duration(b) - duration(a) || (a.span ? 0 : 1) - (b.span ? 0 : 1));
  // The request is the earliest real root. A trace whose first span has a parent that was never sent
  // (a caller without tracing, a browser) has none: then that span is the request, taken out from
  // under its placeholder. Placeholders and later roots are kept aside.
  let root = tops.find((t) => t.span !== undefined && t.span.parentSpanId === '');
  if (!root) {
    const candidates = tops.flatMap((t) => (t.span ? [t] : t.children)).sort((a, b) => a.startUs - b.startUs || duration(b) - duration(a));
    root = candidates[0] ?? tops[0]!;
    if (root.parent) {
      const holder = root.parent;
      holder.children = holder.children.filter((c) => c !== root);
      root.parent = undefined;
      if (!tops.includes(root)) tops.push(root);
    }
  }
  const detached = tops.filter((t) => t !== root && (t.span !== undefined || t.children.length > 0));
  for (const d of detached) repairs.push({ kind: 'detached-root', spanId: d.spanId });
  const nodes: TraceNode[] = [];
  for (const top of [root, ...detached]) {
    prepare(top, 0, repairs, nodes);
    classifyEdges(top);
  }
  return { traceId: spans[0]!.traceId, root, nodes, byId, detached, repairs };
}

function nodeOf(span: SpanRecord): TraceNode {
  return { spanId: span.spanId, span, service: span.service, name: span.name, kind: span.kind, startUs: span.startUs, endUs: Math.max(span.startUs, span.endUs), skewUs: 0, trimmedUs: 0, resolutionUs: 1, parent: undefined, children: NO_CHILDREN, mode: undefined, blocking: NONE, depth: -1, index: -1, plumbing: isPlumbingSpan(span), operation: undefined };
}

function placeholder(spanId: string, firstChild: TraceNode): TraceNode {
  return { ...nodeOf(firstChild.span!), spanId, span: undefined, service: firstChild.service, name: '(missing span)', kind: 'internal', children: [], plumbing: false };
}

/** Clock units a service may stamp in: whole milliseconds, else microseconds or finer. (No SDK stamps whole
 * seconds, and one span whose start fell on a second by chance must not make a clock a second coarse.) */
const UNITS = [1000] as const;

/**
 * Per service, the coarsest unit every one of its starts (or every one of its
 * ends) is a whole number of. OTel JS stamps starts from Date.now(): all whole
 * milliseconds, while its ends are sub-millisecond. One span alone says little
 * (1 in 1000 µs-precise starts is whole by chance), but guessing 1 ms then
 * only makes one span's orderings a millisecond more lenient.
 */
function setResolutions(byId: Map<string, TraceNode>): void {
  // Per service: the coarsest unit of all its starts, and of all its ends.
  const units = new Map<string, { start: number; end: number }>();
  for (const node of byId.values()) {
    let u = units.get(node.service);
    if (!u) units.set(node.service, (u = { start: UNITS[0], end: UNITS[0] }));
    u.start = coarsestUnit(node.startUs, u.start);
    u.end = coarsestUnit(node.endUs, u.end);
  }
  for (const node of byId.values()) {
    const u = units.get(node.service)!;
    node.resolutionUs = Math.max(u.start, u.end);
  }
}

/** The coarsest unit, at most `unit`, that `time` is a whole number of. */
function coarsestUnit(time: number, unit: number): number {
  for (const candidate of UNITS) if (candidate <= unit && time % candidate === 0) return candidate;
  return 1;
}

/** Which clock stamped a span: its host (`host.id`, else `host.name`); '' when the resource does not say. */
function clockOf(node: TraceNode): string {
  const a = node.span?.resource.attributes;
  const id = a?.['host.id'] ?? a?.['host.name'];
  return typeof id === 'string' ? id : '';
}

/** Two spans were timed by one clock, so no skew can lie between them. */
const sameClock = (a: TraceNode, b: TraceNode): boolean => {
  const clock = clockOf(a);
  return clock !== '' && clock === clockOf(b);
};

/** A parent chain that loops back is cut where the walk re-enters it; that node becomes a top. */
function breakCycles(byId: Map<string, TraceNode>, tops: TraceNode[], repairs: Repair[]): void {
  // Depth is -1 until prepare() sets it: here 0 marks "reached from a top".
  const mark = (top: TraceNode) => {
    const stack = [top];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.depth === 0) continue;
      node.depth = 0;
      for (const child of node.children) stack.push(child);
    }
  };
  for (const top of tops) mark(top);
  for (const node of byId.values()) {
    if (node.depth === 0) continue;
    // Unreachable from any top: it sits on a cycle (or under one). Cut it from its parent.
    const parent = node.parent!;
    parent.children = parent.children.filter((c) => c !== node);
    node.parent = undefined;
    tops.push(node);
    repairs.push({ kind: 'cycle', spanId: node.spanId });
    mark(node);
  }
}

/**
 * Sorts children, sets depths, and shifts a child from another service that
 * lies outside its parent (beyond the clocks' resolution) into the middle of
 * it (half the slack on each side), with its whole subtree, as Jaeger does
 * for clock skew between hosts. Spans stamped by one host's clock are never
 * shifted: a server that started late on the same clock really started late.
 */
function prepare(top: TraceNode, depth: number, repairs: Repair[], out: TraceNode[]): void {
  top.depth = depth;
  // A shift moves a whole subtree: each node carries the shifts of its ancestors down to its children, which
  // take them when their parent is prepared, so a chain of shifts costs one pass, however deep.
  const stack: TraceNode[] = [top];
  const carried: number[] = [0];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const carry = carried.pop()!;
    node.index = out.length;
    out.push(node);
    const children = node.children;
    if (children.length === 0) continue;
    for (const child of children) {
      child.depth = node.depth + 1;
      if (carry !== 0) {
        child.startUs += carry;
        child.endUs += carry;
      }
      if (child.service === node.service || node.span === undefined || child.span === undefined || sameClock(node, child)) continue;
      const slack = tolerance(node, child);
      const inside = child.startUs >= node.startUs - slack && child.endUs <= node.endUs + slack;
      if (inside || duration(child) > duration(node)) continue;
      const shift = Math.round(node.startUs + (duration(node) - duration(child)) / 2 - child.startUs);
      child.startUs += shift;
      child.endUs += shift;
      child.skewUs += shift;
      repairs.push({ kind: 'clock-skew', spanId: child.spanId, shiftUs: shift });
    }
    if (children.length > 1) children.sort((a, b) => a.startUs - b.startUs || a.endUs - b.endUs || (a.spanId < b.spanId ? -1 : 1));
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push(children[i]!);
      // Its own shift (set once, here) on top of what its parent carried.
      carried.push(carry + children[i]!.skewUs);
    }
  }
}
