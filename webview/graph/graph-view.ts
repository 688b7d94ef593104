/**
 * The call graph panel: builds the graph model from the store, lays it out in
 * the ELK worker, renders it, and keeps highlighting, selection and search in
 * step by toggling attributes. Pan, zoom and selection survive live updates.
 */
import type { Host } from '../host';
import type { Store } from '../store';
import { arrowMarkers, svg } from '../dom';
import { readLayout, toElk, type Layout } from './elk-graph';
import { exportPng, exportSvg } from './export';
import { attachKeyboard } from './graph-keys';
import { layoutInWorker, warmUpLayout } from './layout';
import { PanZoom } from './pan-zoom';
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
  const panZoom = new PanZoom(canvas, content);
  const saved = host.state()?.transform;
  let placed = false;
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  panZoom.listen((t) => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => host.saveState({ transform: t }), 300);
  });

  let model: GraphModel | undefined;
  let layout: Layout | undefined;
  let rendered: Rendered | undefined;
  let signature = '';

  const important = (): Set<string> => new Set([...store.highlighted(), ...store.failure.keys(), ...(store.selected ? [store.selected] : [])]);

  const rebuild = async () => {
    if (!store.view) return;
    const next = buildTraceGraph(store.view, { expanded: store.expanded, important: important(), preferred: store.critical });
    // The shape: nodes, their boxes, and their sizes (plumbing adds a line).
    const nextSignature = next.nodes.map((n) => `${n.key}:${n.service}${n.plumbing ? ':p' : ''}`).join('|');
    if (nextSignature === signature && layout) {
      // Same shape (e.g. a late span only changed numbers): draw again with the old positions.
      model = next;
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
    model = next;
    signature = nextSignature;
    layout = readLayout(next, laidOut);
    draw();
  };

  const draw = () => {
    if (!model || !layout) return;
    const started = performance.now();
    rendered = renderGraph(content, model, layout);
    panZoom.setContent(layout.width, layout.height);
    decorate();
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

  /** Attributes that follow the store: critical path, highlight, failures, selection, search. */
  const decorate = () => {
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
    const active = selectedKey && keyed.get(selectedKey)?.folded === undefined ? keyed.get(selectedKey)!.spanIds[0] : undefined;
    if (active) canvas.setAttribute('aria-activedescendant', `gn-${active}`);
    else canvas.removeAttribute('aria-activedescendant');
  };

  store.on((aspect) => {
    if (aspect === 'view' || aspect === 'expanded') void rebuild();
    else if (aspect === 'highlight') {
      // A finding can point into a folded part: rebuild only when that changes the shape.
      void rebuild();
    } else if (aspect === 'selection') {
      if (store.selected && model && !model.nodeOfSpan.get(store.selected)?.startsWith('more:')) {
        decorate();
        if (store.selectionOrigin !== 'graph' && store.selectionOrigin !== 'keyboard') revealSelected();
      } else void rebuild().then(() => revealSelected());
    } else if (aspect === 'search') decorate();
  });

  const revealSelected = () => {
    const key = store.selected && model?.nodeOfSpan.get(store.selected);
    const box = key ? layout?.nodes.get(key) : undefined;
    if (box) panZoom.reveal(box);
  };

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

  // A double click on a call opens its line in the editor (a single click only selects it).
  canvas.addEventListener('dblclick', (event) => {
    const node = (event.target as Element).closest<SVGGElement>('g.node');
    const spanId = node?.dataset.foldKey || (event.target as Element).closest('[data-action]') ? undefined : node?.dataset.spanId;
    if (spanId) store.goToCode(spanId);
  });

  attachKeyboard(canvas, store, panZoom, () => ({ model, layout }));

  return {
    fit: () => panZoom.fit(),
    zoomBy: (factor) => panZoom.zoomBy(factor),
    exportSvg: () => host.post({ type: 'export', format: 'svg', data: exportSvg(canvas, layout) }),
    exportPng: () => void exportPng(canvas, layout).then((data) => host.post({ type: 'export', format: 'png', data })),
  };
}

function spansOf(node: GraphNode): string[] {
  return node.plumbing ? [...node.spanIds, ...node.plumbing.spanIds] : node.spanIds;
}

function toggle(el: Element, name: string, on: boolean): void {
  if (on) el.setAttribute(name, 'true');
  else el.removeAttribute(name);
}
