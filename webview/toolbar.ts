/**
 * The trace view's toolbar: what the trace is, a search box, zoom and fit,
 * export, and a legend of the edge styles. `/` focuses the search. When the
 * debugger paused the trace, it says so and offers its times without the
 * pauses (compensated, what the analysis describes) or as the clock ran.
 */
import { formatDuration, plural } from '../src/common/format';
import { pauseLabel } from '../src/common/pause-words';
import { codicon, element, svg } from './dom';
import type { TimeMode } from './pauses';
import type { GraphView } from './graph/graph-view';
import { labelOf } from './labels';
import type { Store } from './store';

export function mountToolbar(parent: HTMLElement, store: Store, graph: GraphView): void {
  const titleHead = element('span', { class: 'title-head' }, 'Waiting for the trace…');
  const titleTail = element('span', { class: 'title-tail' });
  const title = element('h1', { id: 'trace-title' }, titleHead, titleTail);
  const facts = element('span', { id: 'trace-facts' });
  const pausedNote = element('span', { id: 'trace-paused', hidden: '' });
  const modeButton = (mode: TimeMode, label: string, help: string) => {
    const b = element('button', { type: 'button', class: 'time-mode-button', 'data-time-mode': mode, 'aria-pressed': 'false', title: help }, label);
    b.addEventListener('click', () => store.setTimeMode(mode));
    return b;
  };
  const modes = [
    modeButton('compensated', 'Without pauses', 'Times without the debugger’s pauses: what the analysis describes'),
    modeButton('wall-clock', 'Wall clock', 'Times as the clock ran, the debugger’s pauses hatched'),
  ];
  const timeMode = element('div', { id: 'time-mode', role: 'group', 'aria-label': 'Times', hidden: '' }, ...modes);
  const search = element('input', { id: 'search', type: 'search', placeholder: 'Filter spans (/)', 'aria-label': 'Search spans by label, name, peer, service or attribute value', spellcheck: 'false' });
  const button = (action: string, icon: string, label: string, run: () => void) => {
    const b = element('button', { type: 'button', 'data-action': action, title: label, 'aria-label': label }, codicon(icon));
    b.addEventListener('click', run);
    return b;
  };
  parent.append(
    element('div', { class: 'title' }, title, facts, pausedNote),
    element('div', { class: 'controls' },
      timeMode,
      search,
      button('zoom-in', 'zoom-in', 'Zoom in (+)', () => graph.zoomBy(1.25)),
      button('zoom-out', 'zoom-out', 'Zoom out (-)', () => graph.zoomBy(0.8)),
      button('fit', 'screen-normal', 'Fit the graph (0)', () => graph.fit()),
      button('export-svg', 'file-media', 'Export the graph as SVG', () => graph.exportSvg()),
      button('export-png', 'device-camera', 'Export the graph as PNG', () => graph.exportPng())),
    legend(),
  );
  followSearch(search, store);
  const showTimeMode = () => showPauses(store, timeMode, pausedNote, modes);
  store.on((aspect) => {
    if (aspect === 'time') showTimeMode();
    if (aspect !== 'view' || !store.view) return;
    showTimeMode();
    const { analysis } = store.view;
    const root = store.nodes.get(analysis.rootSpanId);
    const rootLabel = root ? labelOf(root) : analysis.rootName;
    showTitle(titleHead, titleTail, `${analysis.rootService}: ${rootLabel}`);
    const services = new Set(store.view.nodes.map((n) => n.service)).size;
    facts.textContent = `${formatDuration(analysis.durationUs)} · ${plural(analysis.spanCount, 'span')} · ${plural(services, 'service')} · trace ${store.view.traceId}`;
    document.title = `${rootLabel} · ${formatDuration(analysis.durationUs)}`;
  });
}

/** The search box: the store's search follows it a moment after typing stops; Escape clears it; `/` focuses it. */
function followSearch(search: HTMLInputElement, store: Store): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => store.setSearch(search.value), 120);
  });
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      search.value = '';
      store.setSearch('');
    }
  });
  document.addEventListener('keydown', (event) => {
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement || event.target instanceof HTMLTextAreaElement;
    if (event.key === '/' && !typing) {
      event.preventDefault();
      search.focus();
    }
  });
}

/** The time-mode buttons and the note on the debugger's pauses (or a stop elsewhere the request waits on). */
function showPauses(store: Store, timeMode: HTMLElement, pausedNote: HTMLElement, modes: HTMLButtonElement[]): void {
  const pauses = store.pauses;
  const any = pauses?.any ?? false;
  timeMode.hidden = pausedNote.hidden = !any;
  for (const b of modes) b.setAttribute('aria-pressed', String(b.dataset.timeMode === store.timeMode));
  // A request stuck at a breakpoint: the stopped service has sent nothing yet, its callers wait on it.
  const stops = store.view?.stoppedElsewhere ?? [];
  if (!any && stops.length > 0) {
    pausedNote.hidden = false;
    const named = stops.map((stop) => `${stop.sessionName}, ${pauseLabel(stop)}`);
    pausedNote.replaceChildren(codicon('debug-pause'), ` waiting on ${named[0]}${named.length > 1 ? ` and ${plural(named.length - 1, 'more')}` : ''}`);
    pausedNote.dataset.stopped = 'elsewhere';
    pausedNote.title = named.join('\n');
    return;
  }
  delete pausedNote.dataset.stopped;
  if (!any || !pauses) return;
  const how = store.timeMode === 'wall-clock' ? 'times shown as the clock ran, pauses hatched' : 'times shown without it';
  pausedNote.replaceChildren(codicon('debug-pause'), ` paused ${formatDuration(pauses.pausedUs)} (debugger) — ${how}`);
  // Text only (the title is plain text): the pauses' places come from the debug adapter.
  const listed = pauses.pauses.slice(0, 8).map((p) => `${p.sessionName}: ${pauseLabel(p, p.endUs - p.startUs)}${p.open ? ' (still paused)' : ''}`);
  const more = pauses.pauses.length - listed.length;
  pausedNote.title = [...listed, ...(more > 0 ? [`and ${plural(more, 'more pause')}`] : [])].join('\n');
}

/** Characters of a title's end that always show: a cut title keeps how it ends (`…/orders/{id}`). */
const TITLE_TAIL = 14;

/**
 * The whole title, cut in the middle when it does not fit: the head ends in an ellipsis (CSS) and the
 * tail never shrinks; the text and the tooltip stay the whole title. Text only: span names are untrusted.
 */
function showTitle(head: HTMLElement, tail: HTMLElement, text: string): void {
  // One line: a sender's label may carry line breaks.
  const chars = Array.from(text.replace(/\s+/g, ' '));
  const cut = chars.length > TITLE_TAIL * 2 ? chars.length - TITLE_TAIL : Math.ceil(chars.length / 2);
  head.textContent = chars.slice(0, cut).join('');
  tail.textContent = chars.slice(cut).join('');
  head.parentElement!.title = text;
}

/** A line of swatches: how each edge mode and highlight is drawn. */
function legend(): HTMLElement {
  const item = (cls: string, label: string) =>
    element('span', { class: 'legend-item' }, svg('svg', { width: 28, height: 10, 'aria-hidden': 'true' }, svg('line', { x1: 1, y1: 5, x2: 27, y2: 5, class: `swatch ${cls}` })), label);
  return element('div', { class: 'legend', 'aria-label': 'Legend' },
    item('mode-sync', 'sync (waits)'),
    item('mode-parallel', 'parallel'),
    item('mode-fire-and-forget', 'fire and forget'),
    item('mode-async', 'async (queue)'),
    item('critical', 'blocking chain'),
    item('critical-path', 'critical path'),
    item('failure', 'failure'));
}
