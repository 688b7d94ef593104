/**
 * The call graph panel: builds the graph model from the store, lays it out in
 * the ELK worker, renders it, and keeps highlighting, selection and search in
 * step by toggling attributes. Pan, zoom and selection survive live updates.
 */
import type { Host } from '../host';
import type { Store } from '../store';
import { arrowMarkers, svg } from '../dom';
import { BOX_PADDING_TOP, readLayout, toElk, type Layout } from './elk-graph';
import { exportPng, exportSvg } from './export';
import { MIN_READABLE_TEXT_PX, type Rect } from './fit';
import { attachKeyboard } from './graph-keys';
import { layoutInWorker, warmUpLayout } from './layout';
import { mountOverview, type Overview } from './overview';
import { PanZoom, type Transform } from './pan-zoom';
import { markPausedNodes } from './paused-nodes';
import { renderGraph, type Rendered } from './render-graph';
import { buildTraceGraph, type GraphModel, type GraphNode } from './trace-graph';
import { labelOf } from '../labels';

export interface GraphView {
  fit(): void;
  zoomBy(factor: number): void;
  exportSvg(): void;
  exportPng(): void;
}

export function mountGraph(parent: HTMLElement, store: Store, host: Host): GraphView {
  const content = svg('g', { class: 'content' });
  const canvas = svg('svg', { class: 'graph', tabindex: 0, role: 'group', 'aria-label': 'Call graph', 'aria-roledescription': 'call graph' },
    svg('defs', {},
      ...arrowMarkers()),
    content);
  parent.dataset.state = 'empty';
  parent.append(canvas);
  warmUpLayout();
  const drawn: Drawn = { model: undefined, layout: undefined, rendered: undefined, labelPx: undefined };
  const panZoom = new PanZoom(canvas, content, {
    // The scale at which a node's label renders at MIN_READABLE_TEXT_PX.
    readableScale: () => MIN_READABLE_TEXT_PX / (drawn.labelPx ?? MIN_READABLE_TEXT_PX),
    maxFitScale: MAX_FIT_SCALE,
    focus: () => focusOf(drawn.model, drawn.layout, store),
  });
  const overview = mountOverview(parent, panZoom);
  // Only a transform the user chose is kept: a fitted view fits the panel it comes back in.
  const saved = host.state()?.transform;
  keepTransform(panZoom, host);
  const { rebuild, decorate } = graphPainter({ parent, canvas, content, store, host, panZoom, overview, saved }, drawn);

  const selectedBox = () => {
    const key = store.selected && drawn.model?.nodeOfSpan.get(store.selected);
    return key ? drawn.layout?.nodes.get(key) : undefined;
  };
  const revealSelected = () => {
    const box = selectedBox();
    if (box) panZoom.reveal(box);
  };
  // Zoom steps keep the selected node in view: around it when it is on screen, then revealed.
  const zoomBy = (factor: number) => panZoom.zoomBy(factor, selectedBox());

  store.on((aspect) => {
    if (aspect === 'view' || aspect === 'expanded') void rebuild();
    else if (aspect === 'highlight') {
      // A finding can point into a folded part: rebuild only when that changes the shape.
      void rebuild();
    } else if (aspect === 'selection') {
      if (store.selected && drawn.model && !drawn.model.nodeOfSpan.get(store.selected)?.startsWith('more:')) {
        decorate();
        if (store.selectionOrigin !== 'graph' && store.selectionOrigin !== 'keyboard') revealSelected();
      } else void rebuild().then(() => revealSelected());
    } else if (aspect === 'search') decorate();
  });
  followClicks(canvas, store);
  attachKeyboard(canvas, store, panZoom, zoomBy, () => ({ model: drawn.model, layout: drawn.layout }));

  return {
    fit: () => panZoom.fit(),
    zoomBy,
    exportSvg: () => host.post({ type: 'export', format: 'svg', data: exportSvg(canvas, drawn.layout) }),
    exportPng: () => void exportPng(canvas, drawn.layout).then((data) => host.post({ type: 'export', format: 'png', data })),
  };
}

/** What is drawn now: the graph model, its layout, the elements, and the labels' font size (px, read from the first drawn label). */
interface Drawn {
  model: GraphModel | undefined;
  layout: Layout | undefined;
  rendered: Rendered | undefined;
  labelPx: number | undefined;
}

/** What drawing the graph works with. */
interface Surface {
  parent: HTMLElement;
  canvas: SVGSVGElement;
  content: SVGGElement;
  store: Store;
  host: Host;
  panZoom: PanZoom;
  overview: Overview;
  /** The transform the panel had before a reload, if the user chose it. */
  saved: Transform | undefined;
}

/** Saves the transform the user chose (not a fitted one) a moment after it settles. */
function keepTransform(panZoom: PanZoom, host: Host): void {
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  panZoom.listen((t) => {
    clearTimeout(saveTimer);
    const transform = panZoom.isFitted ? undefined : t;
    saveTimer = setTimeout(() => host.saveState({ transform }), 300);
  });
}

/** Lays the graph out (in the ELK worker) when its shape changes, draws it, and decorates it from the store. */
function graphPainter(surface: Surface, drawn: Drawn): { rebuild: () => Promise<void>; decorate: () => void } {
  const { parent, canvas, content, store, host, panZoom, overview, saved } = surface;
  let signature = '';
  let placed = false;
  const important = (): Set<string> => new Set([...store.highlighted(), ...store.failure.keys(), ...(store.selected ? [store.selected] : [])]);
  const decorate = () => decorateGraph(drawn, store, parent, canvas, overview);

  const rebuild = async () => {
    if (!store.view) return;
    const next = buildTraceGraph(store.view, { expanded: store.expanded, important: important(), preferred: store.critical });
    // The shape: nodes, their boxes, and their sizes (plumbing adds a line).
    const nextSignature = next.nodes.map((n) => `${n.key}:${n.service}${n.plumbing ? ':p' : ''}`).join('|');
    if (nextSignature === signature && drawn.layout) {
      // Same shape (e.g. a late span only changed numbers): draw again with the old positions.
      drawn.model = next;
      draw();
      return;
    }
    parent.dataset.state = 'layout';
    const started = performance.now();
    let laidOut;
    try {
      laidOut = await layoutInWorker(toElk(next));
    } catch (error) {
      parent.dataset.state = 'error';
      host.post({ type: 'log', level: 'error', message: `graph layout failed: ${String(error)}` });
      return;
    }
    if (!laidOut) return;
    parent.dataset.layoutMs = String(Math.round(performance.now() - started));
    drawn.model = next;
    signature = nextSignature;
    drawn.layout = readLayout(next, laidOut);
    draw();
  };

  const draw = () => {
    const { model, layout } = drawn;
    if (!model || !layout) return;
    const started = performance.now();
    const rendered = (drawn.rendered = renderGraph(content, model, layout));
    markPausedNodes(rendered, model, store);
    panZoom.setContent(layout.width, layout.height);
    overview.draw(layout);
    decorate();
    // After every attribute is set: reading the font size costs one style pass, the one the paint needs anyway.
    drawn.labelPx ??= measureLabel(content);
    if (!placed) {
      placed = true;
      if (saved && store.view?.traceId === host.state()?.traceId) panZoom.set(saved);
      else panZoom.fit();
    } else if (panZoom.isFitted) panZoom.fit();
    const view = store.view!;
    const root = store.nodes.get(view.analysis.rootSpanId);
    canvas.setAttribute('aria-label', `Call graph of ${view.analysis.rootService} ${root ? labelOf(root) : view.analysis.rootName}: ${view.nodes.length} spans in ${model.services.size} services`);
    parent.dataset.nodes = String(model.nodes.length);
    parent.dataset.renderMs = String(Math.round(performance.now() - started));
    parent.dataset.state = 'ready';
    // For the bench: from the trace message to a drawn, usable graph.
    performance.mark('hopscope:graph-ready');
  };
  return { rebuild, decorate };
}

/** Attributes that follow the store: critical path, highlight, failures, selection, search. */
function decorateGraph(drawn: Drawn, store: Store, parent: HTMLElement, canvas: SVGSVGElement, overview: Overview): void {
  const { model, rendered } = drawn;
  if (!model || !rendered) return;
  const highlighted = store.highlighted();
  const matches = store.matches();
  const selectedKey = store.selected ? model.nodeOfSpan.get(store.selected) : undefined;
  const keyed = new Map(model.nodes.map((n) => [n.key, n]));
  for (const [key, g] of rendered.nodes) {
    // A call's node stands for the plumbing drawn inside it too.
    const spans = spansOf(keyed.get(key)!);
    const hot = spans.some((s) => highlighted.has(s));
    toggle(g, 'data-critical', hot || spans.some((s) => store.critical.has(s)));
    toggle(g, 'data-highlighted', hot);
    toggle(g, 'data-match', spans.some((s) => matches.has(s)));
    const role = spans.map((s) => store.failure.get(s)).find((r) => r !== undefined);
    if (role) g.setAttribute('data-failure', role);
    else g.removeAttribute('data-failure');
    g.setAttribute('aria-selected', String(key === selectedKey));
    const line = g.querySelector('[data-plumbing-span-id]');
    if (line) toggle(line, 'data-selected', store.selected !== null && keyed.get(key)!.plumbing!.spanIds.includes(store.selected));
  }
  for (const [key, g] of rendered.edges) {
    const node = keyed.get(key)!;
    const parentSpans = keyed.get(node.parentKey!)!.spanIds;
    const onChain = node.spanIds.some((s) => highlighted.has(s)) && parentSpans.some((s) => highlighted.has(s));
    toggle(g, 'data-critical', onChain || (node.spanIds.some((s) => store.critical.has(s)) && parentSpans.some((s) => store.critical.has(s))));
    toggle(g, 'data-highlighted', onChain);
    const spread = node.spanIds.some((s) => store.failure.get(s) === 'origin' || store.failure.get(s) === 'propagated') && parentSpans.some((s) => store.failure.get(s) === 'propagated' || store.failure.get(s) === 'contained');
    if (spread) g.setAttribute('data-failure', 'propagated');
    else g.removeAttribute('data-failure');
  }
  parent.classList.toggle('searching', matches.size > 0);
  const hotKeys = new Set<string>();
  const failedKeys = new Set<string>();
  for (const node of model.nodes) {
    if (spansOf(node).some((s) => highlighted.has(s))) hotKeys.add(node.key);
    if (node.failed) failedKeys.add(node.key);
  }
  overview.decorate(hotKeys, failedKeys, selectedKey);
  const active = selectedKey && keyed.get(selectedKey)?.folded === undefined ? keyed.get(selectedKey)!.spanIds[0] : undefined;
  if (active) canvas.setAttribute('aria-activedescendant', `gn-${active}`);
  else canvas.removeAttribute('aria-activedescendant');
}

/** A click selects a call (or its plumbing) or opens a group; a double click opens the call's line in the editor. */
function followClicks(canvas: SVGSVGElement, store: Store): void {
  canvas.addEventListener('click', (event) => {
    const target = event.target as Element;
    const action = target.closest('[data-action]');
    const node = target.closest<SVGGElement>('g.node');
    if (!node) return;
    const fold = node.dataset.foldKey;
    if (fold) return store.toggleExpanded(fold);
    if (action) return store.toggleExpanded(node.dataset.groupKey!);
    const plumbing = target.closest<SVGGElement>('[data-plumbing-span-id]');
    if (plumbing) return store.select(plumbing.dataset.plumbingSpanId!, 'graph');
    store.select(node.dataset.spanId!, 'graph');
  });

  // A single click only selects.
  canvas.addEventListener('dblclick', (event) => {
    const node = (event.target as Element).closest<SVGGElement>('g.node');
    const spanId = node?.dataset.foldKey || (event.target as Element).closest('[data-action]') ? undefined : node?.dataset.spanId;
    if (spanId) store.goToCode(spanId);
  });
}

/** How far a fit enlarges a small graph: a six-node trace fills a wide panel, but not with huge type. */
const MAX_FIT_SCALE = 1.6;

/**
 * What a fit shows of a graph too big to read whole: the nodes of the highlighted blocking chain (or of
 * the critical path), from the root on, each with the room around it that its service box's title needs.
 */
function focusOf(model: GraphModel | undefined, layout: Layout | undefined, store: Store): Rect[] | undefined {
  if (!model || !layout) return undefined;
  const pick = (spans: ReadonlySet<string>) => model.nodes.filter((n) => layout.nodes.has(n.key) && spansOf(n).some((s) => spans.has(s)));
  let nodes = pick(store.highlighted());
  if (nodes.length === 0) nodes = pick(store.critical);
  if (nodes.length === 0) nodes = model.nodes.filter((n) => layout.nodes.has(n.key)).slice(0, 1);
  // `model.nodes` lists parents before children: a chain comes out from its start on.
  return nodes.map((n) => {
    const b = layout.nodes.get(n.key)!;
    return { x: b.x - FOCUS_ROOM, y: b.y - BOX_PADDING_TOP - FOCUS_ROOM, width: b.width + 2 * FOCUS_ROOM, height: b.height + BOX_PADDING_TOP + 2 * FOCUS_ROOM };
  });
}

/** Room kept around a focused node, layout px: its service box's edge. */
const FOCUS_ROOM = 12;

/** The rendered font size of a node's label, px. */
function measureLabel(content: SVGGElement): number | undefined {
  const label = content.querySelector('.node-name') ?? content.querySelector('.node-meta');
  const px = label ? parseFloat(getComputedStyle(label).fontSize) : NaN;
  return Number.isFinite(px) && px > 0 ? px : undefined;
}

function spansOf(node: GraphNode): string[] {
  return node.plumbing ? [...node.spanIds, ...node.plumbing.spanIds] : node.spanIds;
}

function toggle(el: Element, name: string, on: boolean): void {
  if (on) el.setAttribute(name, 'true');
  else el.removeAttribute(name);
}
