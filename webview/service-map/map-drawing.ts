/**
 * The map's SVG elements, one per service (keyed by name) and one per edge
 * (keyed by from, to and mode), made once and then changed in place:
 *
 *   layout (services or edges changed) ─► place(): move known elements, make new ones, drop gone ones
 *   numbers changed                    ─► update(): text and attributes only
 *
 * Nothing is ever replaced wholesale, so the element under the pointer
 * survives every update and a click that began on an edge ends on it.
 */
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { formatDuration, plural } from '../../src/common/format';
import type { ServiceMapEdge, ServiceMapView } from '../../src/protocol/service-map';
import { svg } from '../dom';
import { EDGE_LABEL, edgeKey, type MapOrder } from './map-layout';

interface NodeElements {
  g: SVGGElement;
  rect: SVGRectElement;
}

interface EdgeElements {
  g: SVGGElement;
  hit: SVGPathElement;
  line: SVGPathElement;
  counts: SVGTSpanElement;
  times: SVGTSpanElement;
}

const countsText = (e: ServiceMapEdge) => `${plural(e.calls, 'call')}${e.errors ? ` · ${e.errors} err` : ''}`;
const timesText = (e: ServiceMapEdge) => `p50 ${formatDuration(e.p50Us)} · p95 ${formatDuration(e.p95Us)}`;
const modeWords = (e: ServiceMapEdge) => (e.mode === 'sync' ? 'synchronously' : 'asynchronously');

export class MapDrawing {
  readonly edgeLayer = svg('g', { class: 'edges' });
  readonly nodeLayer = svg('g', { class: 'nodes' });
  private readonly nodes = new Map<string, NodeElements>();
  private readonly edges = new Map<string, EdgeElements>();

  /** Puts every element where this layout of `arranged` says (see toElk for the ids); then `update`. */
  place(arranged: ReturnType<MapOrder['arrange']>, laidOut: ElkNode): void {
    const seenNodes = new Set<string>();
    for (const child of laidOut.children ?? []) {
      const service = arranged.services[Number(child.id.slice(1))];
      if (!service) continue;
      seenNodes.add(service.name);
      const drawn = this.nodes.get(service.name) ?? this.makeNode(service.name);
      drawn.g.setAttribute('transform', `translate(${child.x ?? 0},${child.y ?? 0})`);
      drawn.rect.setAttribute('width', String(child.width ?? 0));
      drawn.rect.setAttribute('height', String(child.height ?? 0));
    }
    const seenEdges = new Set<string>();
    for (const edge of laidOut.edges ?? []) {
      const data = arranged.edges[Number(edge.id.slice(1))];
      const section = edge.sections?.[0];
      if (!data || !section) continue;
      const key = edgeKey(data);
      seenEdges.add(key);
      const drawn = this.edges.get(key) ?? this.makeEdge(data);
      const d = pathOf([section.startPoint, ...(section.bendPoints ?? []), section.endPoint]);
      drawn.hit.setAttribute('d', d);
      drawn.line.setAttribute('d', d);
      const label = edge.labels?.[0];
      const x = (label?.x ?? section.startPoint.x) + 4;
      const y = (label?.y ?? section.startPoint.y) + 10;
      drawn.counts.setAttribute('x', String(x));
      drawn.counts.setAttribute('y', String(y));
      drawn.times.setAttribute('x', String(x));
      drawn.times.setAttribute('y', String(y + EDGE_LABEL.lineHeight));
    }
    for (const [name, drawn] of this.nodes) {
      if (seenNodes.has(name)) continue;
      drawn.g.remove();
      this.nodes.delete(name);
    }
    for (const [key, drawn] of this.edges) {
      if (seenEdges.has(key)) continue;
      drawn.g.remove();
      this.edges.delete(key);
    }
  }

  /** The view's numbers and states on the elements there are (the view has the same services and edges as the last `place`). */
  update(view: ServiceMapView): void {
    for (const service of view.services) {
      const drawn = this.nodes.get(service.name);
      if (!drawn) continue;
      drawn.g.setAttribute('class', `service${service.instrumented ? '' : ' peer'}`);
      drawn.g.setAttribute('data-instrumented', String(service.instrumented));
      drawn.g.setAttribute('aria-label', `${service.name}${service.instrumented ? `, ${plural(service.spans, 'span')}` : ', not instrumented (known from its callers)'}`);
    }
    for (const edge of view.edges) {
      const drawn = this.edges.get(edgeKey(edge));
      if (!drawn) continue;
      setText(drawn.counts, countsText(edge));
      setText(drawn.times, timesText(edge));
      drawn.g.setAttribute('aria-label', `${edge.from} calls ${edge.to}, ${modeWords(edge)}: ${countsText(edge)} · ${timesText(edge)}`);
      if (edge.errors > 0) drawn.g.dataset.failed = 'true';
      else delete drawn.g.dataset.failed;
    }
  }

  /** Marks the edge with this key selected, and every other one not. */
  select(key: string | undefined): void {
    for (const [k, drawn] of this.edges) drawn.g.setAttribute('aria-selected', String(k === key));
  }

  private makeNode(name: string): NodeElements {
    const rect = svg('rect', { rx: 6 });
    const g = svg('g', { 'data-service': name, role: 'img' }, svg('title', {}, name), rect, svg('text', { x: 12, y: 27 }, name));
    this.nodeLayer.append(g);
    const drawn = { g, rect };
    this.nodes.set(name, drawn);
    return drawn;
  }

  private makeEdge(data: ServiceMapEdge): EdgeElements {
    const hit = svg('path', { class: 'edge-hit' });
    const line = svg('path', { class: 'edge-line', 'marker-end': 'url(#arrow)' });
    const counts = svg('tspan', {});
    const times = svg('tspan', {});
    const label = svg('text', { class: 'edge-label' }, counts, times);
    const g = svg('g', {
      class: `edge mode-${data.mode === 'sync' ? 'sync' : 'async'}`, 'data-edge': '', 'data-key': edgeKey(data), 'data-mode': data.mode, 'data-from': data.from, 'data-to': data.to,
      tabindex: 0, role: 'button', 'aria-selected': 'false',
    }, hit, line, label);
    this.edgeLayer.append(g);
    const drawn = { g, hit, line, counts, times };
    this.edges.set(edgeKey(data), drawn);
    return drawn;
  }
}

/** Text set only when it differs: an unchanged label is not touched at all. */
function setText(node: SVGElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

const pathOf = (points: { x: number; y: number }[]) => points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join('');
