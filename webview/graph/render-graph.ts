/**
 * The laid-out graph as SVG: service boxes, call edges styled by mode, and
 * span nodes with their numbers. Structure only; highlighting, selection and
 * search are attributes that `decorate` (graph-view.ts) toggles afterwards.
 * Every span-derived string goes in as an SVG text node.
 */
import { formatDuration } from '../../src/common/format';
import { svg } from '../dom';
import { BOX_PADDING_TOP, type Layout } from './elk-graph';
import type { GraphModel, GraphNode } from './trace-graph';

export interface Rendered {
  /** Node `<g>` by node key. */
  nodes: Map<string, SVGGElement>;
  /** Edge `<g>` by the key of the node it leads to. */
  edges: Map<string, SVGGElement>;
}

export function renderGraph(content: SVGGElement, model: GraphModel, layout: Layout): Rendered {
  const boxes = svg('g', { class: 'boxes' });
  for (const [service, box] of layout.services) {
    boxes.append(svg('g', { class: 'service-box', 'data-service-box': service },
      svg('rect', { x: box.x, y: box.y, width: box.width, height: box.height, rx: 6 }),
      svg('text', { x: box.x + 10, y: box.y + BOX_PADDING_TOP - 9, class: 'service-label' }, truncate(service, Math.floor(box.width / 7)))));
  }
  const byKey = new Map(model.nodes.map((n) => [n.key, n]));
  const edges = svg('g', { class: 'edges' });
  const nodes = svg('g', { class: 'nodes' });
  const out: Rendered = { nodes: new Map(), edges: new Map() };
  for (const node of model.nodes) {
    const points = layout.edges.get(node.key);
    if (node.parentKey !== undefined && points) {
      const edge = renderEdge(node, byKey.get(node.parentKey)!, points);
      out.edges.set(node.key, edge);
      edges.append(edge);
    }
    const box = layout.nodes.get(node.key);
    if (!box) continue;
    const g = renderNode(node, box);
    out.nodes.set(node.key, g);
    nodes.append(g);
  }
  content.replaceChildren(boxes, edges, nodes);
  return out;
}

/** Dimmed: plumbing is drawn, but quieter than the calls. */
const PLUMBING_OPACITY = '0.6';

function renderNode(node: GraphNode, box: { x: number; y: number; width: number; height: number }): SVGGElement {
  const g = svg('g', nodeAttributes(node, box));
  if (node.isPlumbing) {
    g.append(
      svg('title', {}, nodeTitle(node)),
      svg('rect', { class: 'node-box', width: box.width, height: box.height, rx: 4, 'stroke-dasharray': '3 2' }),
      svg('text', { class: 'node-meta', x: 8, y: 16 }, truncate(`${node.label} · ${formatDuration(node.durationUs)}`, Math.floor((box.width - 14) / 6))));
    return g;
  }
  const maxChars = Math.floor((box.width - (node.count > 1 ? 52 : 20)) / 6.6);
  g.append(
    svg('title', {}, nodeTitle(node)),
    svg('rect', { class: 'node-box', width: box.width, height: box.height, rx: 4 }),
    svg('text', { class: 'node-name', x: 10, y: 17 }, truncate(node.label, maxChars)),
    svg('text', { class: 'node-meta', x: 10, y: 33 }, truncate(meta(node), Math.floor((box.width - 16) / 6))));
  if (node.plumbing) g.append(plumbingLine(node, node.plumbing, box.width));
  const badge = badgeOf(node, box.width);
  if (badge) g.append(badge);
  return g;
}

function nodeAttributes(node: GraphNode, box: { x: number; y: number }): Record<string, string | number> {
  const folded = node.folded !== undefined;
  const attributes: Record<string, string | number> = {
    class: `node${folded ? ' fold' : ''}${node.placeholder ? ' placeholder' : ''}${node.isPlumbing ? ' plumbing' : ''}`,
    transform: `translate(${box.x},${box.y})`,
    role: 'button',
    'aria-label': nodeLabel(node),
  };
  if (folded) {
    attributes['data-fold-key'] = node.key;
    return attributes;
  }
  attributes['data-span-id'] = node.spanIds[0]!;
  // For the graph's aria-activedescendant: screen readers announce the selected call.
  attributes.id = `gn-${node.spanIds[0]!}`;
  attributes['data-count'] = node.count;
  attributes['data-service'] = node.service;
  attributes['data-kind'] = node.kind;
  if (node.peer) attributes['data-peer'] = node.peer;
  if (node.repeated) attributes['data-group-key'] = node.key.replace(/#\d+$/, '');
  if (node.failed) attributes['data-failed'] = 'true';
  if (node.plumbing) attributes['data-plumbing-count'] = node.plumbing.spanIds.length;
  if (node.isPlumbing) {
    attributes['data-plumbing'] = 'true';
    attributes.opacity = PLUMBING_OPACITY;
  }
  return attributes;
}

/** The hover text: what the span is, its raw name when the label differs, who answers it. */
function nodeTitle(node: GraphNode): string {
  const named = node.name && node.name !== node.label ? ` (span name “${node.name}”)` : '';
  const plumbing = node.isPlumbing ? ' — plumbing, part of the call it serves' : '';
  return `${node.service}: ${node.label}${named}${node.peer ? ` → ${node.peer}` : ''}${plumbing}`;
}

/** The plumbing before the call, as a dimmed third line of its node; activating it selects the (first) plumbing span. */
function plumbingLine(node: GraphNode, plumbing: NonNullable<GraphNode['plumbing']>, width: number): SVGGElement {
  const n = plumbing.spanIds.length;
  const what = n > 1 && !plumbing.label.endsWith('plumbing spans') ? `${n}× ${plumbing.label}` : plumbing.label;
  const text = `+ ${what} · ${formatDuration(plumbing.totalUs)}`;
  return svg('g', { class: 'plumbing-line', 'data-plumbing-span-id': plumbing.spanIds[0]!, role: 'button', opacity: PLUMBING_OPACITY, 'aria-label': `before ${node.label}: ${what}, ${formatDuration(plumbing.totalUs)} (plumbing, part of this call)` },
    svg('title', {}, `plumbing before ${node.label}: ${what}, ${formatDuration(plumbing.totalUs)}`),
    svg('line', { x1: 8, y1: 39, x2: width - 8, y2: 39, stroke: 'currentColor', 'stroke-opacity': 0.35, 'stroke-dasharray': '2 2' }),
    svg('text', { class: 'node-meta', x: 10, y: 51 }, truncate(text, Math.floor((width - 16) / 6))));
}

function badgeOf(node: GraphNode, width: number): SVGGElement | undefined {
  if (node.count > 1) {
    return svg('g', { class: 'badge', 'data-action': 'expand', role: 'button', 'aria-label': `show the ${node.count} calls one by one` },
      svg('rect', { x: width - 44, y: 6, width: 38, height: 16, rx: 8 }),
      svg('text', { x: width - 25, y: 18, 'text-anchor': 'middle' }, `×${node.count}`));
  }
  if (!node.repeated) return undefined;
  return svg('g', { class: 'badge open', 'data-action': 'collapse', role: 'button', 'aria-label': 'fold the repeated calls back into one node' },
    svg('rect', { x: width - 30, y: 6, width: 24, height: 16, rx: 8 }),
    svg('text', { x: width - 18, y: 18, 'text-anchor': 'middle' }, '−'));
}

function renderEdge(node: GraphNode, parent: GraphNode, points: { x: number; y: number }[]): SVGGElement {
  const mode = node.folded !== undefined ? 'folded' : node.mode ?? 'sync';
  const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join('');
  const attributes: Record<string, string | number> = {
    class: `edge mode-${mode}`,
    'data-edge': '',
    'data-mode': mode,
    'data-from': parent.spanIds[0] ?? '',
    'data-to': node.spanIds[0] ?? '',
    role: 'img',
    'aria-label': `${parent.service} ${parent.label} calls ${node.service} ${node.label}, ${MODE_WORDS[mode] ?? mode}${node.queueUs !== undefined ? `, queued ${formatDuration(node.queueUs)}` : ''}`,
  };
  if (node.queueUs !== undefined) attributes['data-queue-us'] = node.queueUs;
  if (node.isPlumbing) {
    attributes['data-plumbing'] = 'true';
    attributes.opacity = PLUMBING_OPACITY;
  }
  const g = svg('g', attributes, svg('path', { class: 'edge-line', d, 'marker-end': 'url(#arrow)' }));
  const start = points[0]!;
  // Parallel calls: a fork mark where the edge leaves its caller.
  if (mode === 'parallel') g.append(svg('path', { class: 'fan-out', d: `M${start.x},${start.y - 6}L${start.x + 7},${start.y}L${start.x},${start.y + 6}` }));
  if (node.queueUs !== undefined) {
    const mid = points[Math.floor((points.length - 1) / 2)]!;
    const next = points[Math.floor((points.length - 1) / 2) + 1] ?? mid;
    g.append(svg('text', { class: 'edge-label', x: (mid.x + next.x) / 2, y: (mid.y + next.y) / 2 - 4, 'text-anchor': 'middle' }, `queue ${formatDuration(node.queueUs)}`));
  }
  return g;
}

const MODE_WORDS: Record<string, string> = {
  sync: 'synchronous: the caller waits',
  parallel: 'in parallel with its siblings',
  'fire-and-forget': 'fire and forget',
  async: 'asynchronous through a queue',
  folded: 'folded calls',
};

/** The second line: who answers (when known), then the numbers. */
function meta(node: GraphNode): string {
  if (node.folded !== undefined) return 'click to show';
  const peer = node.peer ? `→ ${node.peer} · ` : '';
  if (node.count > 1) return `${peer}${formatDuration(node.totalUs / node.count)} avg · ${formatDuration(node.totalUs)} total`;
  return `${peer}${formatDuration(node.durationUs)} · self ${formatDuration(node.selfUs)}`;
}

export function nodeLabel(node: GraphNode): string {
  if (node.folded !== undefined) return `${node.folded} more spans under this call, folded; activate to show them`;
  const peer = node.peer ? ` answered by ${node.peer}` : '';
  const what = node.count > 1 ? `${node.count} calls to ${node.label}${peer}, ${formatDuration(node.totalUs)} in total` : `${node.label}${peer}, ${formatDuration(node.durationUs)}, self ${formatDuration(node.selfUs)}`;
  const plumbing = node.isPlumbing ? ', plumbing (part of the call it serves)' : node.plumbing ? `, after ${node.plumbing.spanIds.length} plumbing span${node.plumbing.spanIds.length > 1 ? 's' : ''}` : '';
  return `${node.service}: ${what}${plumbing}${node.failed ? ', failed' : ''}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}
