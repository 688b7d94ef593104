/**
 * A trace's call tree as the graph the view draws. Siblings that are the same
 * call (service, label, peer, kind, edge mode, failed or not; never the bare
 * span name, which HTTP instrumentations send as just `GET`) become one node
 * marked ×N, and the children of all of them are merged the same way:
 *
 *   orders ─┬─ SELECT item  ×8             (unless the group was opened)
 *           │  + 8× pg-pool.connect         plumbing: part of the call it precedes
 *           └─ POST /email ── POST /send
 *
 * Plumbing spans (pool checkouts, acks) are not calls: a leaf one is drawn
 * inside the node of the next sibling call, and counts in no ×N; one with
 * children, or with no call after it, is a small node of its own.
 *
 * Past the node budget, subtrees fold into one `+N spans` node per parent.
 * What must show (the highlighted chain, failures, the selection) always
 * does, unless it alone is more than the budget (a chain a sender made
 * 100,000 deep): then it shows breadth first while the room lasts; the
 * critical path comes next, then the rest, breadth first.
 * Keys are built from the path of call identities (hashed past 200
 * characters, so a deep path costs no more than a shallow one), so they stay the same
 * when late spans arrive.
 */
import type { ViewEdgeMode as EdgeMode } from '../../src/protocol/view-analysis';
import type { TraceView, ViewNode } from '../../src/protocol/trace-view';
import { labelOf } from '../labels';

export const REPEAT_MIN = 3;
export const NODE_BUDGET = 250;

export interface GraphNode {
  /** Stable across updates: the path of call identities from the root. */
  key: string;
  /** The spans this node stands for, in start order (empty for a `+N spans` node). */
  spanIds: string[];
  service: string;
  /** What the node shows: the first span's label (`+N spans` for a fold). */
  label: string;
  /** The first span's raw name. */
  name: string;
  /** Who answers the call, when the first span says. */
  peer?: string;
  kind: ViewNode['kind'];
  /** How the parent called it (absent for roots). */
  mode?: EdgeMode;
  /** µs in the broker before an async consumer started (the longest of the group). */
  queueUs?: number;
  count: number;
  /** Of the first span; for groups also the sum. */
  durationUs: number;
  totalUs: number;
  selfUs: number;
  failed: boolean;
  placeholder: boolean;
  /** Set on a group of repeated calls, whether open or not. */
  repeated: boolean;
  /** For a `+N spans` node: how many spans are folded into it. */
  folded?: number;
  /** The plumbing spans drawn inside this call's node (those that preceded its spans). */
  plumbing?: PlumbingSummary;
  /** Set on a plumbing span drawn as a small node of its own. */
  isPlumbing?: true;
  parentKey: string | undefined;
}

export interface PlumbingSummary {
  spanIds: string[];
  /** `pg-pool.connect`, or `N plumbing spans` when their labels differ. */
  label: string;
  totalUs: number;
}

export interface GraphModel {
  nodes: GraphNode[];
  /** Service name → keys of its nodes, in first-seen order. */
  services: Map<string, string[]>;
  /** Every span → the key of the node that shows it. */
  nodeOfSpan: Map<string, string>;
}

export interface GraphOptions {
  /** Keys of opened repeated-call groups, and `more:<parentKey>` for opened folds. */
  expanded: ReadonlySet<string>;
  /** Spans that must stay visible whatever the budget (highlighted chain, failures, the selection). */
  important: ReadonlySet<string>;
  /** Spans to keep before others while the budget lasts (the critical path). */
  preferred?: ReadonlySet<string>;
  budget?: number;
}

interface Group {
  key: string;
  members: ViewNode[];
  /** Leaf plumbing spans that preceded the members, drawn inside this group's node. */
  plumbing: ViewNode[];
  /** A plumbing span drawn on its own (it has children, or no call follows it). */
  isPlumbing: boolean;
  parent: Group | undefined;
  children: Group[];
  repeated: boolean;
  important: boolean;
  preferred: boolean;
  /** Spans in this group's members' subtrees, members included. */
  weight: number;
}

export function buildTraceGraph(view: TraceView, options: GraphOptions): GraphModel {
  const childrenOf = new Map<string, ViewNode[]>();
  const roots: ViewNode[] = [];
  for (const node of view.nodes) {
    if (!node.parentSpanId) roots.push(node);
    else {
      const list = childrenOf.get(node.parentSpanId);
      if (list) list.push(node);
      else childrenOf.set(node.parentSpanId, [node]);
    }
  }
  const groups: Group[] = [];
  const top = roots.map((root, i) => makeGroup(i === 0 ? 'r' : `d${root.spanId}`, [root], undefined, false));
  // Breadth-first, so that `groups` lists parents before children.
  const queue: Group[] = [...top];
  for (let head = 0; head < queue.length; head++) {
    const group = queue[head]!;
    groups.push(group);
    for (const child of childGroups(group, childrenOf, options.expanded)) {
      group.children.push(child);
      queue.push(child);
    }
  }
  // Weights and importance, children before parents.
  for (let i = groups.length - 1; i >= 0; i--) {
    const group = groups[i]!;
    group.weight += group.members.length + group.plumbing.length;
    const spans = group.plumbing.length > 0 ? [...group.members, ...group.plumbing] : group.members;
    if (spans.some((m) => options.important.has(m.spanId))) group.important = true;
    if (options.preferred && spans.some((m) => options.preferred!.has(m.spanId))) group.preferred = true;
    if (group.parent) {
      group.parent.weight += group.weight;
      if (group.important) group.parent.important = true;
      if (group.preferred) group.parent.preferred = true;
    }
  }
  return toModel(groups, top, view, options);
}

function makeGroup(key: string, members: ViewNode[], parent: Group | undefined, repeated: boolean): Group {
  return { key, members, plumbing: [], isPlumbing: false, parent, children: [], repeated, important: false, preferred: false, weight: 0 };
}

/** What makes two sibling spans "the same call": never the raw name alone. */
function callIdentity(node: ViewNode): string {
  return `${node.service}\u0001${labelOf(node)}\u0001${node.peer ?? ''}\u0001${node.kind}\u0001${node.mode ?? ''}\u0001${node.failed ? 'x' : ''}`;
}

/** The members' children sorted into calls, each call with the leaf plumbing that preceded it; and the plumbing drawn alone. */
interface Sorted {
  buckets: Map<string, ViewNode[]>;
  plumbingOf: Map<ViewNode, ViewNode[]>;
  alone: ViewNode[];
}

function sortChildren(group: Group, childrenOf: Map<string, ViewNode[]>): Sorted {
  const out: Sorted = { buckets: new Map(), plumbingOf: new Map(), alone: [] };
  for (const member of group.members) {
    let pending: ViewNode[] = [];
    for (const child of childrenOf.get(member.spanId) ?? []) {
      if (child.plumbing && !childrenOf.has(child.spanId)) {
        pending.push(child);
        continue;
      }
      if (child.plumbing) {
        out.alone.push(child);
        continue;
      }
      if (pending.length > 0) out.plumbingOf.set(child, pending);
      pending = [];
      push(out.buckets, callIdentity(child), child);
    }
    // Nothing came after it: drawn on its own.
    out.alone.push(...pending);
  }
  return out;
}

function childGroups(group: Group, childrenOf: Map<string, ViewNode[]>, expanded: ReadonlySet<string>): Group[] {
  const { buckets, plumbingOf, alone } = sortChildren(group, childrenOf);
  const out: Group[] = [];
  const used = new Set<string>();
  const make = (m: ViewNode[], k: string, repeated: boolean): Group => {
    const made = makeGroup(k, m, group, repeated);
    for (const member of m) made.plumbing.push(...(plumbingOf.get(member) ?? []));
    return made;
  };
  for (const [id, members] of buckets) {
    let key = compact(`${group.key}>${hash(id)}`);
    // Two call identities with one hash under one parent: the later one gets a suffix.
    while (used.has(key)) key += "'";
    used.add(key);
    if (members.length < REPEAT_MIN) members.forEach((m, i) => out.push(make([m], `${key}#${i}`, false)));
    else if (expanded.has(key)) members.forEach((m, i) => out.push(make([m], `${key}#${i}`, true)));
    else out.push(make(members, key, true));
  }
  for (const p of alone) {
    // One node each, keyed by the span (stable as late spans arrive), never grouped.
    const single = makeGroup(compact(`${group.key}>p${p.spanId}`), [p], group, false);
    single.isPlumbing = true;
    out.push(single);
  }
  return out;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Keeps the important groups and as many others as the budget allows, breadth first; folds the rest. */
function toModel(groups: Group[], top: Group[], view: TraceView, options: GraphOptions): GraphModel {
  const budget = options.budget ?? NODE_BUDGET;
  // The `+N spans` nodes count too: the most room for groups that leaves room for their folds (binary search).
  const size = (kept: Set<Group>) => kept.size + new Set(groups.filter((g) => !kept.has(g) && g.parent && kept.has(g.parent)).map((g) => g.parent)).size;
  // What must show always does, unless it alone is more than the budget (a chain 100,000 deep): then it
  // shows while the room lasts, breadth first, like the rest.
  const capImportant = top.length + groups.filter((g) => g.important).length > budget;
  const choose = (room: number) => chooseGroups(groups, top, options, room, capImportant);
  let kept = choose(budget);
  if (size(kept) > budget) {
    let [low, high] = [Math.floor(budget / 4), budget];
    kept = choose(low);
    while (high - low > 4) {
      const room = Math.floor((low + high) / 2);
      const tried = choose(room);
      if (size(tried) <= budget) [low, kept] = [room, tried];
      else high = room;
    }
  }
  const queueOf = new Map(view.analysis.edges.filter((e) => e.queueUs !== undefined).map((e) => [e.childSpanId, e.queueUs!]));
  const model: GraphModel = { nodes: [], services: new Map(), nodeOfSpan: new Map() };
  const folds = new Map<string, GraphNode>();
  /** The nearest kept ancestor of each folded group (parents come first, so one look each). */
  const anchors = new Map<Group, Group>();
  for (const group of groups) {
    if (kept.has(group)) {
      const node = graphNode(group, queueOf);
      model.nodes.push(node);
      addToService(model, node);
      for (const m of group.members) model.nodeOfSpan.set(m.spanId, group.key);
      for (const p of group.plumbing) model.nodeOfSpan.set(p.spanId, group.key);
      continue;
    }
    // Folded: counted into the `+N spans` node under its nearest kept ancestor.
    const parent = group.parent!;
    const anchor = kept.has(parent) ? parent : anchors.get(parent)!;
    anchors.set(group, anchor);
    const foldKey = `more:${anchor.key}`;
    let fold = folds.get(foldKey);
    if (!fold) {
      const first = anchor.members[0]!;
      fold = { key: foldKey, spanIds: [], service: first.service, label: '', name: '', kind: 'internal', count: 0, durationUs: 0, totalUs: 0, selfUs: 0, failed: false, placeholder: false, repeated: false, folded: 0, parentKey: anchor.key };
      folds.set(foldKey, fold);
      model.nodes.push(fold);
      addToService(model, fold);
    }
    fold.folded! += group.members.length + group.plumbing.length;
    fold.failed ||= group.members.some((m) => m.failed) || group.plumbing.some((m) => m.failed);
    for (const m of group.members) model.nodeOfSpan.set(m.spanId, foldKey);
    for (const p of group.plumbing) model.nodeOfSpan.set(p.spanId, foldKey);
  }
  for (const fold of folds.values()) fold.label = fold.name = `+${fold.folded} spans`;
  return model;
}

/** The groups shown with room for `room` nodes: what must show, then preferred, then the rest, breadth first. */
function chooseGroups(groups: Group[], top: Group[], options: GraphOptions, room: number, capImportant: boolean): Set<Group> {
  const kept = new Set<Group>(top);
  for (const group of groups) {
    if (!group.important || kept.has(group)) continue;
    if (!capImportant) kept.add(group);
    else if (kept.size < room && group.parent && kept.has(group.parent)) kept.add(group);
  }
  // `groups` lists parents before children.
  for (const pass of [true, false]) {
    for (const group of groups) {
      if (kept.has(group) || group.preferred !== pass || !group.parent || !kept.has(group.parent)) continue;
      if (kept.size < room || options.expanded.has(`more:${group.parent.key}`)) kept.add(group);
    }
  }
  return kept;
}

function graphNode(group: Group, queueOf: Map<string, number>): GraphNode {
  const first = group.members[0]!;
  let total = 0;
  let self = 0;
  let queue: number | undefined;
  for (const m of group.members) {
    total += m.endUs - m.startUs;
    self += m.selfUs;
    const q = queueOf.get(m.spanId);
    if (q !== undefined) queue = Math.max(queue ?? 0, q);
  }
  const node: GraphNode = {
    key: group.key,
    spanIds: group.members.map((m) => m.spanId),
    service: first.placeholder ? '(missing)' : first.service,
    label: labelOf(first),
    name: first.name,
    kind: first.kind,
    count: group.members.length,
    durationUs: first.endUs - first.startUs,
    totalUs: total,
    selfUs: self,
    failed: group.members.some((m) => m.failed),
    placeholder: first.placeholder,
    repeated: group.repeated,
    parentKey: group.parent?.key,
  };
  if (first.mode) node.mode = first.mode;
  if (first.peer) node.peer = first.peer;
  if (queue !== undefined) node.queueUs = queue;
  if (group.plumbing.length > 0) node.plumbing = summarise(group.plumbing);
  if (group.isPlumbing) node.isPlumbing = true;
  return node;
}

function summarise(plumbing: readonly ViewNode[]): PlumbingSummary {
  const sorted = [...plumbing].sort((a, b) => a.startUs - b.startUs);
  const labels = new Set(sorted.map(labelOf));
  const totalUs = sorted.reduce((sum, p) => sum + (p.endUs - p.startUs), 0);
  const label = labels.size === 1 ? [...labels][0]! : `${sorted.length} plumbing spans`;
  return { spanIds: sorted.map((p) => p.spanId), label, totalUs };
}

function addToService(model: GraphModel, node: GraphNode): void {
  const list = model.services.get(node.service);
  if (list) list.push(node.key);
  else model.services.set(node.service, [node.key]);
}

/** Keys longer than this are replaced by a hash of them: a key grows with the depth, and a sender decides the depth. */
const MAX_KEY = 200;

/** The key, or for a long one a 64-bit hash of it (stable, as the key is). */
function compact(key: string): string {
  return key.length <= MAX_KEY ? key : `~${hash(key)}${hash(key, 0x01000193)}`;
}

/** A short stable id for a call identity (FNV-1a), to keep keys small. */
function hash(text: string, seed = 0x811c9dc5): string {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}
