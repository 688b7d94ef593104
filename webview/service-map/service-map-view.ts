/**
 * The service map: services and the uninstrumented peers they call, laid out
 * by ELK; edges carry calls, errors and p50/p95, solid when the caller waits
 * and dashed when it goes through a queue. Selecting an edge lists its
 * slowest calls, which open their traces. Pan, zoom and the selected edge
 * survive the once-a-second updates.
 */
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import { formatDuration, plural } from '../../src/common/format';
import type { ServiceMapEdge, ServiceMapView } from '../../src/protocol/service-map';
import { arrowMarkers, element, svg } from '../dom';
import { layoutInWorker, warmUpLayout } from '../graph/layout';
import { PanZoom } from '../graph/pan-zoom';
import type { Host } from '../host';
import { renderEndpoints } from './endpoints-table';

const edgeKey = (e: Pick<ServiceMapEdge, 'from' | 'to' | 'mode'>) => `${e.from}\u0000${e.to}\u0000${e.mode}`;

export function mountServiceMap(body: HTMLElement, host: Host): void {
  const title = element('h1', { id: 'map-title' }, 'Service map');
  const facts = element('span', { id: 'map-facts' }, 'Waiting for traces…');
  const content = svg('g', { class: 'content' });
  const canvas = svg('svg', { class: 'graph', tabindex: 0, role: 'group', 'aria-label': 'Service map' },
    svg('defs', {}, ...arrowMarkers()),
    content);
  const map = element('section', { id: 'service-map', 'aria-label': 'Services and their calls' }, canvas);
  const edgeTraces = element('section', { id: 'edge-traces', 'aria-label': 'Slowest calls of the selected edge' }, element('p', { class: 'empty' }, 'Select an edge to list its slowest calls.'));
  const endpoints = element('section', { id: 'endpoints', 'aria-label': 'Endpoints' });
  body.append(element('header', { id: 'toolbar' }, element('div', { class: 'title' }, title, facts)), element('div', { id: 'middle' }, map, element('aside', { id: 'side' }, edgeTraces)), endpoints);
  map.dataset.state = 'empty';
  warmUpLayout();
  // A panel with saved state is one VS Code brings back after a reload.
  host.saveState({ kind: 'serviceMap' });

  const panZoom = new PanZoom(canvas, content);
  let placed = false;
  let current: ServiceMapView | undefined;
  let selected: string | undefined;

  const draw = async (view: ServiceMapView) => {
    current = view;
    const omitted = view.omittedTraces ? ` (the newest; ${plural(view.omittedTraces, 'older trace')} left out)` : '';
    facts.textContent = `${plural(view.traces, 'trace')}${omitted} · ${plural(view.spans, 'span')} · ${plural(view.services.length, 'service')}`;
    renderEndpoints(endpoints, view);
    map.dataset.state = 'layout';
    const laidOut = await layoutInWorker(toElk(view));
    if (!laidOut || current !== view) return;
    content.replaceChildren(...render(view, laidOut));
    panZoom.setContent(laidOut.width ?? 0, laidOut.height ?? 0);
    if (!placed) {
      placed = true;
      panZoom.fit();
    }
    if (selected && !view.edges.some((e) => edgeKey(e) === selected)) selected = undefined;
    showSelection();
    map.dataset.state = 'ready';
  };

  const showSelection = () => {
    for (const g of content.querySelectorAll<SVGGElement>('[data-edge]')) g.setAttribute('aria-selected', String(g.dataset.key === selected));
    const edge = current?.edges.find((e) => edgeKey(e) === selected);
    if (!edge) return edgeTraces.replaceChildren(element('p', { class: 'empty' }, 'Select an edge to list its slowest calls.'));
    const list = element('ul', { class: 'trace-list' });
    for (const example of edge.slowest) {
      const item = element('li', { 'data-trace-id': example.traceId, tabindex: '0', role: 'button', title: `Open trace ${example.traceId}` },
        element('span', { class: 'name' }, example.rootName), element('span', { class: 'duration' }, formatDuration(example.durationUs)));
      if (example.failed) item.dataset.failed = 'true';
      list.append(item);
    }
    edgeTraces.replaceChildren(
      element('h2', {}, `${edge.from} → ${edge.to}`),
      element('p', {}, `${plural(edge.calls, 'call')}, ${plural(edge.errors, 'error')}, p50 ${formatDuration(edge.p50Us)}, p95 ${formatDuration(edge.p95Us)}, ${edge.mode === 'sync' ? 'the caller waits' : 'through a queue'}`),
      edge.slowest.length > 0 ? list : element('p', { class: 'empty' }, 'No calls kept for this edge.'));
  };

  const open = (item: HTMLElement) => host.post({ type: 'openTrace', traceId: item.dataset.traceId! });
  edgeTraces.addEventListener('click', (event) => {
    const item = (event.target as Element).closest<HTMLElement>('li[data-trace-id]');
    if (item) open(item);
  });
  edgeTraces.addEventListener('keydown', (event) => {
    const item = (event.target as Element).closest<HTMLElement>('li[data-trace-id]');
    if (item && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      open(item);
    }
  });
  const pick = (target: EventTarget | null) => {
    const edge = (target as Element | null)?.closest<SVGGElement>('[data-edge]');
    if (!edge) return;
    selected = edge.dataset.key;
    showSelection();
  };
  canvas.addEventListener('click', (event) => pick(event.target));
  canvas.addEventListener('keydown', (event) => {
    if (event.key === '+' || event.key === '=') panZoom.zoomBy(1.25);
    else if (event.key === '-') panZoom.zoomBy(0.8);
    else if (event.key === '0') panZoom.fit();
    else if (event.key === 'Enter') pick(document.activeElement);
    else return;
    event.preventDefault();
  });

  host.onMessage((message) => {
    if (message.type === 'serviceMap') void draw(message.map);
  });
}

function toElk(view: ServiceMapView): ElkNode {
  const ids = new Map(view.services.map((s, i) => [s.name, `s${i}`]));
  const edges: ElkExtendedEdge[] = view.edges.map((e, i) => ({
    id: `e${i}`, sources: [ids.get(e.from)!], targets: [ids.get(e.to)!],
    labels: [{ text: edgeText(e), width: edgeText(e).length * 6.2 + 8, height: 14 }],
  }));
  return {
    id: 'root',
    layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT', 'elk.json.edgeCoords': 'ROOT', 'elk.edgeLabels.placement': 'CENTER', 'elk.layered.spacing.nodeNodeBetweenLayers': '80', 'elk.spacing.nodeNode': '30' },
    children: view.services.map((s) => ({ id: ids.get(s.name)!, width: Math.max(110, s.name.length * 7.5 + 30), height: 44 })),
    edges: edges.filter((e) => e.sources[0] && e.targets[0]),
  };
}

const edgeText = (e: ServiceMapEdge) => `${plural(e.calls, 'call')}${e.errors ? ` · ${e.errors} err` : ''} · p50 ${formatDuration(e.p50Us)} · p95 ${formatDuration(e.p95Us)}`;

function render(view: ServiceMapView, laidOut: ElkNode): SVGElement[] {
  const edges = svg('g', { class: 'edges' });
  for (const edge of laidOut.edges as ElkExtendedEdge[]) {
    const data = view.edges[Number(edge.id.slice(1))]!;
    const section = edge.sections?.[0];
    if (!section) continue;
    const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
    const label = edge.labels?.[0];
    const g = svg('g', {
      class: `edge mode-${data.mode === 'sync' ? 'sync' : 'async'}`, 'data-edge': '', 'data-key': edgeKey(data), 'data-mode': data.mode, 'data-from': data.from, 'data-to': data.to,
      tabindex: 0, role: 'button', 'aria-label': `${data.from} calls ${data.to}, ${data.mode === 'sync' ? 'synchronously' : 'asynchronously'}: ${edgeText(data)}`,
    },
    svg('path', { class: 'edge-hit', d: pathOf(points) }),
    svg('path', { class: 'edge-line', d: pathOf(points), 'marker-end': 'url(#arrow)' }));
    if (data.errors > 0) g.dataset.failed = 'true';
    if (label) g.append(svg('text', { class: 'edge-label', x: (label.x ?? 0) + 4, y: (label.y ?? 0) + 11 }, edgeText(data)));
    edges.append(g);
  }
  const nodes = svg('g', { class: 'nodes' });
  for (const child of laidOut.children ?? []) {
    const service = view.services[Number(child.id.slice(1))]!;
    nodes.append(svg('g', {
      class: `service${service.instrumented ? '' : ' peer'}`, 'data-service': service.name, 'data-instrumented': String(service.instrumented),
      transform: `translate(${child.x ?? 0},${child.y ?? 0})`, role: 'img',
      'aria-label': `${service.name}${service.instrumented ? `, ${plural(service.spans, 'span')}` : ', not instrumented (known from its callers)'}`,
    },
    svg('title', {}, service.name),
    svg('rect', { width: child.width ?? 0, height: child.height ?? 0, rx: 6 }),
    svg('text', { x: 12, y: 27 }, service.name)));
  }
  return [edges, nodes];
}

const pathOf = (points: { x: number; y: number }[]) => points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join('');
