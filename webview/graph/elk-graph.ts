/**
 * The graph model as ELK's input, and ELK's answer read back as positions.
 * Services are compound nodes; `INCLUDE_CHILDREN` lets ELK lay out calls
 * across service boxes in one pass; coordinates come back relative to the root.
 */
import type { ElkExtendedEdge, ElkNode, ElkPoint } from 'elkjs/lib/elk-api';
import type { GraphModel, GraphNode } from './trace-graph';

export const NODE_HEIGHT = 42;
/** The extra line of a call that carries the plumbing before it. */
export const PLUMBING_LINE_HEIGHT = 14;
/** A plumbing span drawn on its own: one line, smaller than a call. */
export const PLUMBING_NODE_HEIGHT = 24;
/** Per character of a label (12 px) and of the lines below it (11 px; render-graph cuts those at 6 px a character). */
const CHAR_WIDTH = 6.6;
const META_CHAR_WIDTH = 6;
export const MAX_NODE_WIDTH = 260;
const MIN_NODE_WIDTH = 120;
export const BOX_PADDING_TOP = 26;

export const LAYOUT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.json.shapeCoords': 'ROOT',
  'elk.json.edgeCoords': 'ROOT',
  'elk.layered.spacing.nodeNodeBetweenLayers': '36',
  'elk.spacing.nodeNode': '14',
  'elk.spacing.edgeNode': '10',
  // Measured: thoroughness 1 and linear-segment placement halve layout time on big traces with little visible cost.
  'elk.layered.thoroughness': '1',
  'elk.layered.nodePlacement.strategy': 'LINEAR_SEGMENTS',
  'elk.layered.crossingMinimization.greedySwitch.type': 'OFF',
  // Calls top to bottom in the order they were made.
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
};

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Layout {
  width: number;
  height: number;
  nodes: Map<string, Box>;
  services: Map<string, Box>;
  /** Keyed by the child node's key: the route from its parent. */
  edges: Map<string, ElkPoint[]>;
}

/** Width for a node's lines of text (the label, its numbers and peer, and its plumbing); stable as durations change. */
export function nodeWidth(node: GraphNode): number {
  if (node.isPlumbing) return Math.min(MAX_NODE_WIDTH, Math.max(MIN_NODE_WIDTH * 0.75, Math.round((node.label.length + 8) * CHAR_WIDTH * 0.9 + 16)));
  // As narrow as its text allows: a narrower graph fits a panel at a readable scale more often.
  const label = (node.label.length + (node.count > 1 ? 6 : 0)) * CHAR_WIDTH + 20;
  const lines = Math.max(node.peer ? node.peer.length + 24 : 22, node.plumbing ? node.plumbing.label.length + 14 : 0) * META_CHAR_WIDTH + 16;
  return Math.min(MAX_NODE_WIDTH, Math.max(MIN_NODE_WIDTH, Math.round(Math.max(label, lines))));
}

export function nodeHeight(node: GraphNode): number {
  if (node.isPlumbing) return PLUMBING_NODE_HEIGHT;
  return node.plumbing ? NODE_HEIGHT + PLUMBING_LINE_HEIGHT : NODE_HEIGHT;
}

export function toElk(model: GraphModel, options: Record<string, string> = LAYOUT_OPTIONS): ElkNode {
  const byKey = new Map(model.nodes.map((n) => [n.key, n]));
  const ids = new Map(model.nodes.map((n, i) => [n.key, `n${i}`]));
  const children: ElkNode[] = [];
  let s = 0;
  for (const [service, keys] of model.services) {
    children.push({
      id: `s${s++}`,
      labels: [{ text: service }],
      layoutOptions: { 'elk.padding': `[top=${BOX_PADDING_TOP},left=10,bottom=10,right=10]` },
      children: keys.map((key) => ({ id: ids.get(key)!, width: nodeWidth(byKey.get(key)!), height: nodeHeight(byKey.get(key)!) })),
    });
  }
  const edges: ElkExtendedEdge[] = [];
  for (const node of model.nodes) {
    if (node.parentKey === undefined) continue;
    edges.push({ id: `e${ids.get(node.key)!.slice(1)}`, sources: [ids.get(node.parentKey)!], targets: [ids.get(node.key)!] });
  }
  return { id: 'root', layoutOptions: options, children, edges };
}

export function readLayout(model: GraphModel, laidOut: ElkNode): Layout {
  const layout: Layout = { width: laidOut.width ?? 0, height: laidOut.height ?? 0, nodes: new Map(), services: new Map(), edges: new Map() };
  const services = [...model.services.keys()];
  for (const box of laidOut.children ?? []) {
    layout.services.set(services[Number(box.id.slice(1))]!, shape(box));
    for (const child of box.children ?? []) layout.nodes.set(model.nodes[Number(child.id.slice(1))]!.key, shape(child));
  }
  const edges = [...(laidOut.edges ?? []), ...(laidOut.children ?? []).flatMap((c) => c.edges ?? [])];
  for (const edge of edges) {
    const section = edge.sections?.[0];
    if (!section) continue;
    layout.edges.set(model.nodes[Number(edge.id.slice(1))]!.key, [section.startPoint, ...(section.bendPoints ?? []), section.endPoint]);
  }
  return layout;
}

const shape = (s: ElkNode): Box => ({ x: s.x ?? 0, y: s.y ?? 0, width: s.width ?? 0, height: s.height ?? 0 });
