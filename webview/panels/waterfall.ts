/**
 * The waterfall: every span as a row on one time axis, with the critical path
 * drawn over the bars. Only the rows in view (and a margin) are in the DOM,
 * so a trace of thousands of spans scrolls as lightly as a small one; the
 * canvas behind them is sized to all rows. Ctrl/Cmd + wheel (or the buttons,
 * or + / - / 0 while it has focus) zooms the time axis around the pointer;
 * arrows, Page Up/Down, Home and End move the selection, Escape clears it.
 *
 *   ┌ toolbar ──────────────────────────────── [−] [+] [⟲] ┐
 *   │ Span            │0 ms     100 ms    200 ms    300 ms  │  ruler (sticky)
 *   │ gateway POST /o │[▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀]  │  rows in view
 *   │   orders POST / │ [▀▀===========================▀▀]   │
 *   └─────────────────┴──────────────────────────────────────┘  spacer: all rows
 */
import { codicon, element } from '../dom';
import type { Store } from '../store';
import { deferred, type Deferred } from './deferred';
import { LABEL_WIDTH, ROW_HEIGHT, rowLayout } from './waterfall-row';
import { axisPainter, rowWindow, type AxisPainter, type RowWindow, type WaterfallState } from './waterfall-paint';

const RULER_HEIGHT = 24;
/** Room after the timeline for the last bar's duration; more for "running · 4.20 s so far" and a pause's words. */
const RIGHT_PAD = 72;
const RIGHT_PAD_RUNNING = 150;
const RIGHT_PAD_PAUSED = 280;
const ZOOM_STEP = 1.5;
/** The closest zoom: this many px per µs, and never a canvas wider than browsers allow. */
const MAX_PX_PER_US = 4;
const MAX_CANVAS_PX = 8_000_000;

export function mountWaterfall(parent: HTMLElement, store: Store): void {
  const dom = waterfallDom(parent);
  const state: WaterfallState = {
    layout: undefined,
    rightPad: RIGHT_PAD,
    zoom: 1,
    pxPerUs: 0,
    highlighted: new Set(),
    matches: new Set(),
    port: { width: 0, height: 0, top: 0, left: 0 },
  };
  const rows = rowWindow(dom.body, dom.scroller, store, state);
  const axis = axisPainter(dom.tickLayer, dom.grid, state);
  const scale = viewScale(dom, state);
  const actions = waterfallActions(state, scale, rows, axis);
  const render = followStore(store, dom, state, { scale, rows, axis, actions });
  followScrolling(dom.scroller, state, actions);
  followKeys(dom.scroller, store, state, actions);
  followResize(dom.scroller, state, scale, rows, actions);
  dom.body.addEventListener('click', (event) => {
    const row = (event.target as Element).closest<HTMLElement>('.wf-row');
    if (row?.dataset.spanId) store.select(row.dataset.spanId, 'waterfall');
  });
  dom.zoomIn.addEventListener('click', () => actions.setZoom(state.zoom * ZOOM_STEP));
  dom.zoomOut.addEventListener('click', () => actions.setZoom(state.zoom / ZOOM_STEP));
  dom.reset.addEventListener('click', () => actions.setZoom(1));
  if (store.view) render.request();
}

/** The waterfall's elements: the toolbar, the ruler, the rows' body and the scroller around them. */
interface WaterfallDom {
  count: HTMLElement;
  zoomLevel: HTMLElement;
  zoomOut: HTMLButtonElement;
  zoomIn: HTMLButtonElement;
  reset: HTMLButtonElement;
  tickLayer: HTMLElement;
  grid: HTMLElement;
  body: HTMLElement;
  canvas: HTMLElement;
  scroller: HTMLElement;
  empty: HTMLElement;
}

function waterfallDom(parent: HTMLElement): WaterfallDom {
  const button = (icon: string, label: string, action: string) =>
    element('button', { type: 'button', class: 'hs-icon-button', 'data-waterfall-action': action, title: label, 'aria-label': label }, codicon(icon));
  const zoomOut = button('zoom-out', 'Zoom out (-)', 'zoom-out');
  const zoomIn = button('zoom-in', 'Zoom in (+)', 'zoom-in');
  const reset = button('screen-normal', 'Reset zoom (0)', 'reset');
  const zoomLevel = element('span', { class: 'wf-zoom-level', 'aria-live': 'polite' });
  const count = element('span', { class: 'hs-count' });
  const toolbar = element(
    'div',
    { class: 'wf-toolbar' },
    element('h2', { class: 'hs-heading', id: 'waterfall-heading' }, 'Timeline ', count),
    element('span', { class: 'wf-hint' }, 'Ctrl/⌘ + wheel to zoom'),
    zoomLevel,
    zoomOut,
    zoomIn,
    reset,
  );
  const corner = element('div', { class: 'wf-corner' }, 'Span');
  const tickLayer = element('div', { class: 'wf-ticks' });
  const ruler = element('div', { class: 'wf-ruler', 'aria-hidden': 'true' }, tickLayer, corner);
  const grid = element('div', { class: 'wf-grid', 'aria-hidden': 'true' });
  const body = element('div', { class: 'wf-body' }, grid);
  const canvas = element('div', { class: 'wf-canvas' }, ruler, body);
  const scroller = element('div', { class: 'wf-scroll', tabindex: '0', role: 'listbox', 'aria-labelledby': 'waterfall-heading' }, canvas);
  const empty = element('p', { class: 'hs-empty' }, 'Waiting for the trace…');
  const root = element('div', { class: 'wf' }, toolbar, empty, scroller);
  root.style.setProperty('--wf-label-width', `${LABEL_WIDTH}px`);
  root.style.setProperty('--wf-row-height', `${ROW_HEIGHT}px`);
  root.style.setProperty('--wf-ruler-height', `${RULER_HEIGHT}px`);
  canvas.hidden = true;
  parent.append(root);
  return { count, zoomLevel, zoomOut, zoomIn, reset, tickLayer, grid, body, canvas, scroller, empty };
}

/** The canvas's size for the zoom, and the scroller's offsets within it. */
interface ViewScale {
  /** Reads the scroller's size and offsets into `state.port`. */
  measure(): void;
  /** Scrolls to the offsets, kept inside the canvas. */
  scrollTo(top: number, left: number): void;
  maxZoom(): number;
  /** Sizes the canvas for the current zoom; rows placed before this need placing again. */
  apply(): void;
}

function viewScale(dom: WaterfallDom, state: WaterfallState): ViewScale {
  const { scroller } = dom;
  const { port } = state;
  const baseWidth = () => Math.max(120, (port.width || 800) - LABEL_WIDTH - state.rightPad);
  const maxZoom = () => {
    if (!state.layout) return 1;
    const span = state.layout.t1 - state.layout.t0;
    return Math.max(1, Math.min((MAX_PX_PER_US * span) / baseWidth(), MAX_CANVAS_PX / baseWidth()));
  };
  return {
    measure() {
      port.width = scroller.clientWidth;
      port.height = scroller.clientHeight;
      port.top = scroller.scrollTop;
      port.left = scroller.scrollLeft;
    },
    scrollTo(top, left) {
      if (!state.layout) return;
      const maxTop = Math.max(0, RULER_HEIGHT + state.layout.nodes.length * ROW_HEIGHT - port.height);
      const maxLeft = Math.max(0, LABEL_WIDTH + baseWidth() * state.zoom + state.rightPad - port.width);
      const nextTop = Math.round(Math.max(0, Math.min(maxTop, top)));
      const nextLeft = Math.round(Math.max(0, Math.min(maxLeft, left)));
      // Setting an offset makes the browser lay out the page first: only when it moves.
      if (nextTop !== port.top) scroller.scrollTop = port.top = nextTop;
      if (nextLeft !== port.left) scroller.scrollLeft = port.left = nextLeft;
    },
    maxZoom,
    apply() {
      const { layout, zoom } = state;
      if (!layout) return;
      const width = baseWidth() * zoom;
      state.pxPerUs = width / (layout.t1 - layout.t0);
      dom.canvas.style.width = `${LABEL_WIDTH + width + state.rightPad}px`;
      dom.canvas.style.height = `${RULER_HEIGHT + layout.nodes.length * ROW_HEIGHT}px`;
      dom.body.style.height = `${layout.nodes.length * ROW_HEIGHT}px`;
      dom.zoomLevel.textContent = zoom > 1.001 ? `×${zoom < 10 ? zoom.toFixed(1) : Math.round(zoom)}` : '';
      dom.zoomOut.disabled = dom.reset.disabled = zoom <= 1;
      dom.zoomIn.disabled = zoom >= maxZoom();
    },
  };
}

/** What the waterfall's handlers do. */
interface Actions {
  /** Paints the rows and the axis for the scroller's offsets. */
  paint(): void;
  /** Zoom to `next` keeping the time under `anchorX` (px from the scroller's left edge) where it is. */
  setZoom(next: number, anchorX?: number): void;
  /** Scrolls row i into view (centred when it was out of view), and its bar too. */
  reveal(i: number): void;
}

function waterfallActions(state: WaterfallState, scale: ViewScale, rows: RowWindow, axis: AxisPainter): Actions {
  const { port } = state;
  const paint = () => {
    rows.paint();
    axis.paint();
  };
  return {
    paint,
    setZoom(next, anchorX) {
      if (!state.layout) return;
      const clamped = Math.max(1, Math.min(scale.maxZoom(), next));
      if (Math.abs(clamped - state.zoom) < 1e-9) return;
      const x = Math.max(LABEL_WIDTH, anchorX ?? LABEL_WIDTH + (port.width - LABEL_WIDTH) / 2);
      const timeAtAnchor = (port.left + x - LABEL_WIDTH) / state.pxPerUs;
      state.zoom = clamped;
      scale.apply();
      scale.scrollTo(port.top, LABEL_WIDTH + timeAtAnchor * state.pxPerUs - x);
      rows.placeAll();
      axis.paint();
    },
    reveal(i) {
      const { layout, pxPerUs } = state;
      if (!layout) return;
      const y = i * ROW_HEIGHT;
      const visible = port.height - RULER_HEIGHT;
      const top = y < port.top || y + ROW_HEIGHT > port.top + visible ? y - visible / 2 + ROW_HEIGHT / 2 : port.top;
      const barLeft = LABEL_WIDTH + (layout.starts[i]! - layout.t0) * pxPerUs;
      const barRight = LABEL_WIDTH + (layout.ends[i]! - layout.t0) * pxPerUs;
      const offAxis = barRight < port.left + LABEL_WIDTH || barLeft > port.left + port.width - state.rightPad;
      scale.scrollTo(top, offAxis ? barLeft - LABEL_WIDTH - 40 : port.left);
      paint();
    },
  };
}

/** Rebuilds for a new trace or time mode (deferred), marks rows for the rest; returns the rebuild. */
function followStore(
  store: Store,
  dom: WaterfallDom,
  state: WaterfallState,
  { scale, rows, axis, actions }: { scale: ViewScale; rows: RowWindow; axis: AxisPainter; actions: Actions },
): Deferred {
  /** A selection made elsewhere while the rebuild waited: scroll to it once the rows exist. */
  let revealAfterRender = false;
  const render = deferred(() => {
    const view = store.view;
    if (!view) return;
    const sameTrace = state.layout?.view.traceId === view.traceId;
    const layout = (state.layout = rowLayout(view, store.pauses, store.timeMode));
    state.rightPad = layout.says.paused ? RIGHT_PAD_PAUSED : layout.says.running ? RIGHT_PAD_RUNNING : RIGHT_PAD;
    state.highlighted = store.highlighted();
    state.matches = store.matches();
    dom.count.textContent = String(view.nodes.length);
    dom.canvas.hidden = false;
    dom.empty.hidden = true;
    // Only before the resize observer has reported (a trace that arrives with the page) is the size read here.
    if (state.port.width === 0) scale.measure();
    if (!sameTrace) state.zoom = 1;
    state.zoom = Math.min(state.zoom, scale.maxZoom());
    scale.apply();
    if (!sameTrace) scale.scrollTo(0, 0);
    rows.clear();
    axis.invalidate();
    actions.paint();
    const selected = store.selected === null ? undefined : layout.index.get(store.selected);
    if (revealAfterRender && selected !== undefined) actions.reveal(selected);
    revealAfterRender = false;
  });

  store.on((aspect) => {
    if (aspect === 'view' || aspect === 'time') return render.request();
    if (render.pending) {
      // The rebuild reads the selection, highlight and search itself.
      if (aspect === 'selection' && store.selectionOrigin !== 'waterfall') revealAfterRender = true;
      return;
    }
    if (!state.layout) return;
    if (aspect === 'selection') {
      rows.markAll();
      const i = store.selected === null ? undefined : state.layout.index.get(store.selected);
      if (i !== undefined && store.selectionOrigin !== 'waterfall') actions.reveal(i);
    } else if (aspect === 'highlight') {
      state.highlighted = store.highlighted();
      rows.markAll();
    } else if (aspect === 'search') {
      state.matches = store.matches();
      rows.markAll();
    }
  });
  return render;
}

/** Scrolling paints once a frame; Ctrl/Cmd + wheel zooms around the pointer. */
function followScrolling(scroller: HTMLElement, state: WaterfallState, actions: Actions): void {
  let frame = 0;
  scroller.addEventListener('scroll', () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      state.port.top = scroller.scrollTop;
      state.port.left = scroller.scrollLeft;
      actions.paint();
    });
  });

  scroller.addEventListener(
    'wheel',
    (event) => {
      if (!(event.ctrlKey || event.metaKey) || !state.layout) return;
      event.preventDefault();
      const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaMode === 2 ? event.deltaY * 400 : event.deltaY;
      actions.setZoom(state.zoom * Math.exp(-delta * 0.002), event.clientX - scroller.getBoundingClientRect().left);
    },
    { passive: false },
  );
}

/** Arrows, Page Up/Down, Home and End move the selection, Escape clears it; + / - / 0 zoom. */
function followKeys(scroller: HTMLElement, store: Store, state: WaterfallState, actions: Actions): void {
  scroller.addEventListener('keydown', (event) => {
    const { layout, port } = state;
    if (!layout || event.altKey || event.ctrlKey || event.metaKey) return;
    const page = Math.max(1, Math.floor((port.height - RULER_HEIGHT) / ROW_HEIGHT) - 1);
    const current = store.selected === null ? undefined : layout.index.get(store.selected);
    const from = current ?? Math.min(layout.nodes.length - 1, Math.ceil(port.top / ROW_HEIGHT));
    const moves: Record<string, number> = {
      ArrowDown: current === undefined ? from : from + 1,
      ArrowUp: current === undefined ? from : from - 1,
      PageDown: from + page,
      PageUp: from - page,
      Home: 0,
      End: layout.nodes.length - 1,
    };
    const target = moves[event.key];
    if (target !== undefined) {
      const i = Math.max(0, Math.min(layout.nodes.length - 1, target));
      store.select(layout.nodes[i]!.spanId, 'waterfall');
      actions.reveal(i);
    } else if (event.key === '+' || event.key === '=') actions.setZoom(state.zoom * ZOOM_STEP);
    else if (event.key === '-' || event.key === '_') actions.setZoom(state.zoom / ZOOM_STEP);
    else if (event.key === '0') actions.setZoom(1);
    else if (event.key === 'Escape' && store.selected !== null) store.select(null, 'waterfall');
    else return;
    event.preventDefault();
    event.stopPropagation();
  });
}

/**
 * The size is read here, where layout is clean. Resizing the canvas inside the callback could resize
 * the scroller again in the same frame (a "ResizeObserver loop" error): that work waits a frame.
 */
function followResize(scroller: HTMLElement, state: WaterfallState, scale: ViewScale, rows: RowWindow, actions: Actions): void {
  let resizeFrame = 0;
  new ResizeObserver(() => {
    scale.measure();
    if (resizeFrame) return;
    resizeFrame = requestAnimationFrame(() => {
      resizeFrame = 0;
      if (!state.layout || state.port.width === 0) return;
      state.zoom = Math.min(state.zoom, scale.maxZoom());
      scale.apply();
      rows.placeAll();
      actions.paint();
    });
  }).observe(scroller);
}
