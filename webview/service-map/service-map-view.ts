/**
 * The service map: services and the uninstrumented peers they call, laid out
 * by ELK; edges carry calls, errors and p50/p95, solid when the caller waits
 * and dashed when it goes through a queue. Selecting an edge lists its
 * slowest calls, which open their traces. Pan, zoom and the selected edge
 * survive the once-a-second updates; a new layout is fitted to the panel
 * until the user pans or zooms.
 *
 * The map holds still while traffic flows: an update with the same services
 * and edges as the last layout changes only text and attributes of the
 * elements there are (map-drawing.ts); only a new or gone service or edge
 * lays the map out again, with everything fed to ELK in first-seen order
 * (map-layout.ts). `#service-map[data-layouts]` counts the layouts done. The
 * worker counts a trace only once it has settled (service-map-source.ts).
 */
import { plural } from '../../src/common/format';
import type { ServiceMapView } from '../../src/protocol/service-map';
import { arrowMarkers, element, svg } from '../dom';
import { layoutInWorker, warmUpLayout } from '../graph/layout';
import { MIN_READABLE_TEXT_PX } from '../graph/fit';
import { PanZoom } from '../graph/pan-zoom';
import type { Host } from '../host';
import { EdgeTraces } from './edge-traces';
import { renderEndpoints } from './endpoints-table';
import { MapDrawing } from './map-drawing';
import { edgeKey, MapOrder, toElk, topologyOf } from './map-layout';

export function mountServiceMap(body: HTMLElement, host: Host): void {
  const title = element('h1', { id: 'map-title' }, 'Service map');
  const facts = element('span', { id: 'map-facts' }, 'Waiting for traces…');
  const drawing = new MapDrawing();
  const content = svg('g', { class: 'content' }, drawing.edgeLayer, drawing.nodeLayer);
  const canvas = svg('svg', { class: 'graph', tabindex: 0, role: 'group', 'aria-label': 'Service map' },
    svg('defs', {}, ...arrowMarkers()),
    content);
  const map = element('section', { id: 'service-map', 'aria-label': 'Services and their calls' }, canvas);
  const edgeTraces = new EdgeTraces((traceId) => host.post({ type: 'openTrace', traceId }));
  const endpoints = element('section', { id: 'endpoints', 'aria-label': 'Endpoints' });
  body.append(element('header', { id: 'toolbar' }, element('div', { class: 'title' }, title, facts)), element('div', { id: 'middle' }, map, element('aside', { id: 'side' }, edgeTraces.section)), endpoints);
  map.dataset.state = 'empty';
  map.dataset.layouts = '0';
  warmUpLayout();
  // A panel with saved state is one VS Code brings back after a reload.
  host.saveState({ kind: 'serviceMap' });

  // Fitted as the trace graph is (graph/fit.ts): the whole map, enlarged up to MAX_FIT_SCALE, unless the
  // services' names would render below MIN_READABLE_TEXT_PX; then from its start (the callers, at the left), readable.
  let namePx: number | undefined;
  const panZoom = new PanZoom(canvas, content, {
    readableScale: () => MIN_READABLE_TEXT_PX / ((namePx ??= measureName(content)) ?? MIN_READABLE_TEXT_PX),
    maxFitScale: MAX_FIT_SCALE,
  });
  const order = new MapOrder();
  let placed = false;
  let current: ServiceMapView | undefined;
  /** The services and edges the drawing was last laid out for. */
  let laidOutFor: string | undefined;
  let layouts = 0;
  let selected: string | undefined;

  const draw = async (view: ServiceMapView) => {
    current = view;
    facts.textContent = factsOf(view);
    renderEndpoints(endpoints, view);
    const arranged = order.arrange(view);
    const topology = topologyOf(arranged);
    if (topology !== laidOutFor) {
      map.dataset.state = 'layout';
      const laidOut = await layoutInWorker(toElk(arranged));
      if (!laidOut || current !== view) return;
      drawing.place(arranged, laidOut);
      laidOutFor = topology;
      map.dataset.layouts = String(++layouts);
      panZoom.setContent(laidOut.width ?? 0, laidOut.height ?? 0);
      // A map that grew is fitted again, unless the user has panned or zoomed it since the last fit.
      if (!placed || panZoom.isFitted) panZoom.fit();
      placed = true;
    }
    drawing.update(view);
    if (selected && !view.edges.some((e) => edgeKey(e) === selected)) selected = undefined;
    showSelection();
    map.dataset.state = 'ready';
  };

  const showSelection = () => {
    drawing.select(selected);
    edgeTraces.show(current?.edges.find((e) => edgeKey(e) === selected));
  };

  const pick = (target: EventTarget | null) => {
    const edge = (target as Element | null)?.closest<SVGGElement>('[data-edge]');
    if (!edge) return;
    selected = edge.dataset.key;
    showSelection();
  };
  canvas.addEventListener('click', (event) => pick(event.target));
  followKeys(canvas, panZoom, pick);

  host.onMessage((message) => {
    if (message.type === 'serviceMap') void draw(message.map);
  });
}

/** `+` `-` `0` zoom and fit; Enter selects the focused edge. */
function followKeys(canvas: SVGSVGElement, panZoom: PanZoom, pick: (target: EventTarget | null) => void): void {
  canvas.addEventListener('keydown', (event) => {
    if (event.key === '+' || event.key === '=') panZoom.zoomBy(1.25);
    else if (event.key === '-') panZoom.zoomBy(0.8);
    else if (event.key === '0') panZoom.fit();
    else if (event.key === 'Enter') pick(document.activeElement);
    else return;
    event.preventDefault();
  });
}

function factsOf(view: ServiceMapView): string {
  const omitted = view.omittedTraces ? ` (the newest; ${plural(view.omittedTraces, 'older trace')} left out)` : '';
  const arriving = view.arrivingTraces ? ` · ${plural(view.arrivingTraces, 'trace')} still arriving` : '';
  return `${plural(view.traces, 'trace')}${omitted} · ${plural(view.spans, 'span')} · ${plural(view.services.length, 'service')}${arriving}`;
}

/** How far a fit enlarges a small map. */
const MAX_FIT_SCALE = 1.5;

/** The rendered font size of a service's name, px (once one is drawn). */
function measureName(content: SVGGElement): number | undefined {
  const name = content.querySelector('.service text');
  const px = name ? parseFloat(getComputedStyle(name).fontSize) : NaN;
  return Number.isFinite(px) && px > 0 ? px : undefined;
}
