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
import { deferred } from './deferred';
import { tickLabel, tickStep, ticks } from './waterfall-axis';
import { LABEL_WIDTH, ROW_HEIGHT, makeRow, markRow, placeRow, rowLayout, type Row, type RowLayout } from './waterfall-row';

const RULER_HEIGHT = 24;
/** Room after the timeline for the last bar's duration; more for "running · 4.20 s so far" and a pause's words. */
const RIGHT_PAD = 72;
const RIGHT_PAD_RUNNING = 150;
const RIGHT_PAD_PAUSED = 280;
/** Rows kept in the DOM above and below the visible ones. */
const MARGIN_ROWS = 12;
const ZOOM_STEP = 1.5;
/** The closest zoom: this many px per µs, and never a canvas wider than browsers allow. */
const MAX_PX_PER_US = 4;
const MAX_CANVAS_PX = 8_000_000;

export function mountWaterfall(parent: HTMLElement, store: Store): void {
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

  let layout: RowLayout | undefined;
  let rightPad = RIGHT_PAD;
  let zoom = 1;
  let pxPerUs = 0;
  let highlighted: ReadonlySet<string> = new Set();
  let matches: ReadonlySet<string> = new Set();
  /** The rows in the DOM, rows first..last, in order. */
  const rows = new Map<number, Row>();
  let first = 0;
  let last = -1;
  let axisAt = { left: -1, px: -1, width: -1 };
  /**
   * The scroller's size and scroll offsets, as last measured. Reading them from the DOM while it has
   * pending changes would force a layout of the whole page (the graph too) in the middle of a render,
   * so they are read only where layout is clean: in the resize observer and the scroll handler.
   */
  const port = { width: 0, height: 0, top: 0, left: 0 };
  const measure = () => {
    port.width = scroller.clientWidth;
    port.height = scroller.clientHeight;
    port.top = scroller.scrollTop;
    port.left = scroller.scrollLeft;
  };
  const scrollTo = (top: number, left: number) => {
    if (!layout) return;
    const maxTop = Math.max(0, RULER_HEIGHT + layout.nodes.length * ROW_HEIGHT - port.height);
    const maxLeft = Math.max(0, LABEL_WIDTH + baseWidth() * zoom + rightPad - port.width);
    const nextTop = Math.round(Math.max(0, Math.min(maxTop, top)));
    const nextLeft = Math.round(Math.max(0, Math.min(maxLeft, left)));
    // Setting an offset makes the browser lay out the page first: only when it moves.
    if (nextTop !== port.top) scroller.scrollTop = port.top = nextTop;
    if (nextLeft !== port.left) scroller.scrollLeft = port.left = nextLeft;
  };

  const baseWidth = () => Math.max(120, (port.width || 800) - LABEL_WIDTH - rightPad);
  const maxZoom = () => {
    if (!layout) return 1;
    const span = layout.t1 - layout.t0;
    return Math.max(1, Math.min((MAX_PX_PER_US * span) / baseWidth(), MAX_CANVAS_PX / baseWidth()));
  };

  /** Sizes the canvas for the current zoom; rows placed before this need placing again. */
  const applyScale = () => {
    if (!layout) return;
    const width = baseWidth() * zoom;
    pxPerUs = width / (layout.t1 - layout.t0);
    canvas.style.width = `${LABEL_WIDTH + width + rightPad}px`;
    canvas.style.height = `${RULER_HEIGHT + layout.nodes.length * ROW_HEIGHT}px`;
    body.style.height = `${layout.nodes.length * ROW_HEIGHT}px`;
    zoomLevel.textContent = zoom > 1.001 ? `×${zoom < 10 ? zoom.toFixed(1) : Math.round(zoom)}` : '';
    zoomOut.disabled = reset.disabled = zoom <= 1;
    zoomIn.disabled = zoom >= maxZoom();
  };

  const clearRows = () => {
    for (const row of rows.values()) row.el.remove();
    rows.clear();
    first = 0;
    last = -1;
  };

  const build = (from: number, to: number): DocumentFragment => {
    const fragment = document.createDocumentFragment();
    for (let i = from; i <= to; i++) {
      const row = makeRow(layout!, i, store);
      placeRow(row, layout!, pxPerUs);
      markRow(row, store.selected, highlighted, matches);
      rows.set(i, row);
      fragment.append(row.el);
    }
    return fragment;
  };

  /** Keeps exactly the rows in view (plus the margin) in the DOM, in row order. */
  const paintRows = () => {
    if (!layout) return;
    const n = layout.nodes.length;
    const from = Math.max(0, Math.floor(port.top / ROW_HEIGHT) - MARGIN_ROWS);
    const to = Math.min(n - 1, Math.ceil((port.top + port.height) / ROW_HEIGHT) + MARGIN_ROWS);
    if (rows.size === 0 || to < first || from > last) {
      clearRows();
      body.append(build(from, to));
    } else {
      for (let i = first; i < from; i++) drop(i);
      for (let i = to + 1; i <= last; i++) drop(i);
      if (from < first) body.insertBefore(build(from, first - 1), rows.get(first)!.el);
      if (to > last) body.append(build(last + 1, to));
    }
    first = from;
    last = to;
    updateActiveDescendant();
  };

  const drop = (i: number) => {
    rows.get(i)?.el.remove();
    rows.delete(i);
  };

  /** Ticks and grid lines for the visible stretch of the axis only. */
  const paintAxis = () => {
    if (!layout) return;
    const { left, width } = port;
    if (axisAt.left === left && axisAt.px === pxPerUs && axisAt.width === width) return;
    axisAt = { left, px: pxPerUs, width };
    const step = tickStep(pxPerUs);
    const fromUs = layout.t0 + (left - 40) / pxPerUs - layout.rootStart;
    const toUs = layout.t0 + (left + width) / pxPerUs - layout.rootStart;
    const labels: HTMLElement[] = [];
    const lines: HTMLElement[] = [];
    for (const t of ticks(fromUs, toUs, step)) {
      const x = `${LABEL_WIDTH + (t + layout.rootStart - layout.t0) * pxPerUs}px`;
      const label = element('span', { class: 'wf-tick' }, tickLabel(t, step));
      label.style.left = x;
      labels.push(label);
      const line = element('div', { class: 'wf-gridline' });
      line.style.left = x;
      lines.push(line);
    }
    tickLayer.replaceChildren(...labels);
    grid.replaceChildren(...lines);
  };

  const placeAll = () => {
    for (const row of rows.values()) placeRow(row, layout!, pxPerUs);
  };

  const markAll = () => {
    for (const row of rows.values()) markRow(row, store.selected, highlighted, matches);
    updateActiveDescendant();
  };

  const updateActiveDescendant = () => {
    const i = store.selected === null ? undefined : layout?.index.get(store.selected);
    const row = i === undefined ? undefined : rows.get(i);
    if (row) scroller.setAttribute('aria-activedescendant', row.el.id);
    else scroller.removeAttribute('aria-activedescendant');
  };

  /** Zoom to `next` keeping the time under `anchorX` (px from the scroller's left edge) where it is. */
  const setZoom = (next: number, anchorX?: number) => {
    if (!layout) return;
    const clamped = Math.max(1, Math.min(maxZoom(), next));
    if (Math.abs(clamped - zoom) < 1e-9) return;
    const x = Math.max(LABEL_WIDTH, anchorX ?? LABEL_WIDTH + (port.width - LABEL_WIDTH) / 2);
    const timeAtAnchor = (port.left + x - LABEL_WIDTH) / pxPerUs;
    zoom = clamped;
    applyScale();
    scrollTo(port.top, LABEL_WIDTH + timeAtAnchor * pxPerUs - x);
    placeAll();
    paintAxis();
  };

  /** Scrolls row i into view (centred when it was out of view), and its bar too. */
  const reveal = (i: number) => {
    if (!layout) return;
    const y = i * ROW_HEIGHT;
    const visible = port.height - RULER_HEIGHT;
    const top = y < port.top || y + ROW_HEIGHT > port.top + visible ? y - visible / 2 + ROW_HEIGHT / 2 : port.top;
    const barLeft = LABEL_WIDTH + (layout.starts[i]! - layout.t0) * pxPerUs;
    const barRight = LABEL_WIDTH + (layout.ends[i]! - layout.t0) * pxPerUs;
    const offAxis = barRight < port.left + LABEL_WIDTH || barLeft > port.left + port.width - rightPad;
    scrollTo(top, offAxis ? barLeft - LABEL_WIDTH - 40 : port.left);
    paintRows();
    paintAxis();
  };

  /** A selection made elsewhere while the rebuild waited: scroll to it once the rows exist. */
  let revealAfterRender = false;

  const render = deferred(() => {
    const view = store.view;
    if (!view) return;
    const sameTrace = layout?.view.traceId === view.traceId;
    layout = rowLayout(view, store.pauses, store.timeMode);
    rightPad = layout.says.paused ? RIGHT_PAD_PAUSED : layout.says.running ? RIGHT_PAD_RUNNING : RIGHT_PAD;
    highlighted = store.highlighted();
    matches = store.matches();
    count.textContent = String(view.nodes.length);
    canvas.hidden = false;
    empty.hidden = true;
    // Only before the resize observer has reported (a trace that arrives with the page) is the size read here.
    if (port.width === 0) measure();
    if (!sameTrace) zoom = 1;
    zoom = Math.min(zoom, maxZoom());
    applyScale();
    if (!sameTrace) scrollTo(0, 0);
    clearRows();
    axisAt = { left: -1, px: -1, width: -1 };
    paintRows();
    paintAxis();
    const selected = store.selected === null ? undefined : layout.index.get(store.selected);
    if (revealAfterRender && selected !== undefined) reveal(selected);
    revealAfterRender = false;
  });

  let frame = 0;
  scroller.addEventListener('scroll', () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      port.top = scroller.scrollTop;
      port.left = scroller.scrollLeft;
      paintRows();
      paintAxis();
    });
  });

  scroller.addEventListener(
    'wheel',
    (event) => {
      if (!(event.ctrlKey || event.metaKey) || !layout) return;
      event.preventDefault();
      const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaMode === 2 ? event.deltaY * 400 : event.deltaY;
      setZoom(zoom * Math.exp(-delta * 0.002), event.clientX - scroller.getBoundingClientRect().left);
    },
    { passive: false },
  );

  body.addEventListener('click', (event) => {
    const row = (event.target as Element).closest<HTMLElement>('.wf-row');
    if (row?.dataset.spanId) store.select(row.dataset.spanId, 'waterfall');
  });

  scroller.addEventListener('keydown', (event) => {
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
      reveal(i);
    } else if (event.key === '+' || event.key === '=') setZoom(zoom * ZOOM_STEP);
    else if (event.key === '-' || event.key === '_') setZoom(zoom / ZOOM_STEP);
    else if (event.key === '0') setZoom(1);
    else if (event.key === 'Escape' && store.selected !== null) store.select(null, 'waterfall');
    else return;
    event.preventDefault();
    event.stopPropagation();
  });

  zoomIn.addEventListener('click', () => setZoom(zoom * ZOOM_STEP));
  zoomOut.addEventListener('click', () => setZoom(zoom / ZOOM_STEP));
  reset.addEventListener('click', () => setZoom(1));

  // The size is read here, where layout is clean. Resizing the canvas inside the callback could resize
  // the scroller again in the same frame (a "ResizeObserver loop" error): that work waits a frame.
  let resizeFrame = 0;
  new ResizeObserver(() => {
    measure();
    if (resizeFrame) return;
    resizeFrame = requestAnimationFrame(() => {
      resizeFrame = 0;
      if (!layout || port.width === 0) return;
      zoom = Math.min(zoom, maxZoom());
      applyScale();
      placeAll();
      paintRows();
      paintAxis();
    });
  }).observe(scroller);

  store.on((aspect) => {
    if (aspect === 'view' || aspect === 'time') return render.request();
    if (render.pending) {
      // The rebuild reads the selection, highlight and search itself.
      if (aspect === 'selection' && store.selectionOrigin !== 'waterfall') revealAfterRender = true;
      return;
    }
    if (!layout) return;
    if (aspect === 'selection') {
      markAll();
      const i = store.selected === null ? undefined : layout.index.get(store.selected);
      if (i !== undefined && store.selectionOrigin !== 'waterfall') reveal(i);
    } else if (aspect === 'highlight') {
      highlighted = store.highlighted();
      markAll();
    } else if (aspect === 'search') {
      matches = store.matches();
      markAll();
    }
  });
  if (store.view) render.request();
}
