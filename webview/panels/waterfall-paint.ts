/**
 * What the waterfall (waterfall.ts) keeps in the DOM: the rows in view and a margin, in row order, and the
 * ticks and grid lines of the visible stretch of the axis. Both read the state the waterfall's parts share.
 */
import { element } from '../dom';
import type { Store } from '../store';
import { tickLabel, tickStep, ticks } from './waterfall-axis';
import { LABEL_WIDTH, ROW_HEIGHT, makeRow, markRow, placeRow, type Row, type RowLayout } from './waterfall-row';

/** Rows kept in the DOM above and below the visible ones. */
const MARGIN_ROWS = 12;

/** What the waterfall's parts share: the trace's rows, the time scale, what is marked, the scroller's size. */
export interface WaterfallState {
  layout: RowLayout | undefined;
  /** Room after the timeline, px. */
  rightPad: number;
  zoom: number;
  pxPerUs: number;
  highlighted: ReadonlySet<string>;
  matches: ReadonlySet<string>;
  /**
   * The scroller's size and scroll offsets, as last measured. Reading them from the DOM while it has
   * pending changes would force a layout of the whole page (the graph too) in the middle of a render,
   * so they are read only where layout is clean: in the resize observer and the scroll handler.
   */
  port: { width: number; height: number; top: number; left: number };
}

export interface RowWindow {
  /** Keeps exactly the rows in view (plus the margin) in the DOM, in row order. */
  paint(): void;
  clear(): void;
  /** Places every row's bars again (after the scale changed). */
  placeAll(): void;
  /** Marks every row again (after the selection, highlight or search changed). */
  markAll(): void;
}

export function rowWindow(body: HTMLElement, scroller: HTMLElement, store: Store, state: WaterfallState): RowWindow {
  /** The rows in the DOM, rows first..last, in order. */
  const rows = new Map<number, Row>();
  let first = 0;
  let last = -1;

  const clear = () => {
    for (const row of rows.values()) row.el.remove();
    rows.clear();
    first = 0;
    last = -1;
  };

  const build = (from: number, to: number): DocumentFragment => {
    const fragment = document.createDocumentFragment();
    for (let i = from; i <= to; i++) {
      const row = makeRow(state.layout!, i, store);
      placeRow(row, state.layout!, state.pxPerUs);
      markRow(row, store.selected, state.highlighted, state.matches);
      rows.set(i, row);
      fragment.append(row.el);
    }
    return fragment;
  };

  const drop = (i: number) => {
    rows.get(i)?.el.remove();
    rows.delete(i);
  };

  const updateActiveDescendant = () => {
    const i = store.selected === null ? undefined : state.layout?.index.get(store.selected);
    const row = i === undefined ? undefined : rows.get(i);
    if (row) scroller.setAttribute('aria-activedescendant', row.el.id);
    else scroller.removeAttribute('aria-activedescendant');
  };

  const paint = () => {
    if (!state.layout) return;
    const { port } = state;
    const n = state.layout.nodes.length;
    const from = Math.max(0, Math.floor(port.top / ROW_HEIGHT) - MARGIN_ROWS);
    const to = Math.min(n - 1, Math.ceil((port.top + port.height) / ROW_HEIGHT) + MARGIN_ROWS);
    if (rows.size === 0 || to < first || from > last) {
      clear();
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

  return {
    paint,
    clear,
    placeAll() {
      for (const row of rows.values()) placeRow(row, state.layout!, state.pxPerUs);
    },
    markAll() {
      for (const row of rows.values()) markRow(row, store.selected, state.highlighted, state.matches);
      updateActiveDescendant();
    },
  };
}

export interface AxisPainter {
  /** Ticks and grid lines for the visible stretch of the axis only (nothing when that did not change). */
  paint(): void;
  /** Forgets what was painted: the next paint draws. */
  invalidate(): void;
}

export function axisPainter(tickLayer: HTMLElement, grid: HTMLElement, state: WaterfallState): AxisPainter {
  let axisAt = { left: -1, px: -1, width: -1 };
  return {
    paint() {
      const { layout, pxPerUs } = state;
      if (!layout) return;
      const { left, width } = state.port;
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
    },
    invalidate() {
      axisAt = { left: -1, px: -1, width: -1 };
    },
  };
}
