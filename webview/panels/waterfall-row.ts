/**
 * One waterfall row: the span's service and label (indented by depth) on the
 * left, its bar on the time axis, the critical-path segments over the bar and
 * its duration after it (a plumbing span's row is dimmed, `(plumbing)` after
 * its duration). Rows are made only while in view, so making one is
 * cheap and touches nothing but its own elements.
 *
 *   gateway POST /orders      [▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀] 680 ms
 *     orders POST /orders       [▀▀▀▀======================▀▀▀▀▀]   676 ms
 *                                    ▀ critical path   = waiting off it
 *
 * With the debugger's pauses (pauses.ts), the axis is compensated or the wall clock: on the wall clock a
 * row's bar is its recorded time with the paused parts hatched; compensated, a hatched marker shows where a
 * pause was taken out. A span still running is drawn open-ended, "running · 4.20 s so far".
 */
import type { ViewPathSegment as PathSegment } from '../../src/protocol/view-analysis';
import type { TraceView, ViewNode } from '../../src/protocol/trace-view';
import { formatDuration } from '../../src/common/format';
import { codicon, element } from '../dom';
import { partLabel } from '../pauses';
import { labelOf, spanTitle } from '../labels';
import type { PauseFacts, TimeMode } from '../pauses';
import type { Store } from '../store';

export const ROW_HEIGHT = 22;
export const LABEL_WIDTH = 280;
const INDENT_PX = 12;
/** Deeper rows are indented no further, so that a pathological trace keeps its labels readable. */
const MAX_INDENT_DEPTH = 12;
const SERVICE_COLOURS = 6;

/** What the rows need from the whole trace, worked out once per trace. */
export interface RowLayout {
  view: TraceView;
  nodes: readonly ViewNode[];
  /** Row of each span. */
  index: Map<string, number>;
  /** Each row's times in the mode drawn (the nodes' own, compensated; or recorded). */
  mode: TimeMode;
  starts: Float64Array;
  ends: Float64Array;
  pauses: PauseFacts | undefined;
  /** What rows say after their bars beside the duration: a pause's words (compensated), "running · … so far". */
  says: { paused: boolean; running: boolean };
  /** The axis: earliest start and latest end of any span, and the request's start (offset 0). */
  t0: number;
  t1: number;
  rootStart: number;
  criticalSegments: Map<string, PathSegment[]>;
  colour: Map<string, number>;
}

export interface Row {
  index: number;
  node: ViewNode;
  el: HTMLElement;
  bar: HTMLElement;
  segments: HTMLElement[];
  duration: HTMLElement;
  /** Hatched parts (wall clock: from, to) and markers (compensated: from = to), µs since the epoch. */
  paused: { el: HTMLElement; startUs: number; endUs: number }[];
}

export function rowLayout(view: TraceView, pauses?: PauseFacts, mode: TimeMode = 'compensated'): RowLayout {
  const nodes = view.nodes;
  const index = new Map<string, number>();
  let t0 = Infinity;
  let t1 = -Infinity;
  const colour = new Map<string, number>();
  const starts = new Float64Array(nodes.length);
  const ends = new Float64Array(nodes.length);
  const says = { paused: false, running: false };
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    index.set(node.spanId, i);
    const { startUs, endUs } = pauses ? pauses.timesOf(node, mode) : node;
    starts[i] = startUs;
    ends[i] = endUs;
    if (startUs < t0) t0 = startUs;
    if (endUs > t1) t1 = endUs;
    says.running ||= node.running === true;
    says.paused ||= mode === 'compensated' && (pauses?.pausedUsOf(node.spanId) ?? 0) > 0;
    if (!colour.has(node.service)) colour.set(node.service, hash(node.service) % SERVICE_COLOURS);
  }
  const criticalSegments = new Map<string, PathSegment[]>();
  for (const segment of view.analysis.criticalPath) {
    // The path is in compensated times: on the wall clock it is drawn only where the pauses moved nothing.
    if (mode === 'wall-clock' && pauses?.moved(segment.spanId)) continue;
    const list = criticalSegments.get(segment.spanId);
    if (list) list.push(segment);
    else criticalSegments.set(segment.spanId, [segment]);
  }
  const rootStart = nodes.length > 0 ? starts[0]! : 0;
  if (!Number.isFinite(t0)) t0 = t1 = rootStart;
  return { view, nodes, index, mode, starts, ends, pauses, says, t0, t1: Math.max(t1, t0 + 1), rootStart, criticalSegments, colour };
}

/** Plumbing rows are drawn, but quieter than the calls (through the CSSOM: the CSP allows no style attributes). */
const PLUMBING_OPACITY = '0.55';

export function makeRow(layout: RowLayout, i: number, store: Store): Row {
  const node = layout.nodes[i]!;
  const critical = store.critical.has(node.spanId);
  const failure = store.failure.get(node.spanId);
  const durationUs = layout.ends[i]! - layout.starts[i]!;
  const pause = pauseOf(layout, node);
  const el = element('div', {
    class: `wf-row${node.failed ? ' is-failed' : ''}${node.placeholder ? ' is-placeholder' : ''}${node.mode === 'async' || node.mode === 'fire-and-forget' ? ' is-detached' : ''}${node.plumbing ? ' is-plumbing' : ''}${node.running ? ' is-running' : ''}`,
    role: 'option',
    id: `wf-row-${node.spanId}`,
    'data-span-id': node.spanId,
    'aria-posinset': String(i + 1),
    'aria-setsize': String(layout.nodes.length),
    'aria-label': [...rowFacts(node, layout, i, critical, failure), ...(pause ? [pause.label] : [])].join(', '),
  });
  if (pause) el.dataset.paused = pause.own ? 'own' : 'waiting';
  if (node.running) el.dataset.running = 'true';
  if (critical) el.dataset.critical = 'true';
  if (failure) el.dataset.failure = failure;
  if (node.plumbing) el.dataset.plumbing = 'true';
  el.style.top = `${i * ROW_HEIGHT}px`;

  const segments = (layout.criticalSegments.get(node.spanId) ?? []).map(() => element('div', { class: 'wf-crit' }));
  const paused = pausedParts(layout, node);
  const bar = element('div', { class: `wf-bar${node.running ? ' wf-running' : ''}` }, ...segments, ...paused.map((p) => p.el));
  if (node.plumbing) bar.style.opacity = PLUMBING_OPACITY;
  if (pause) bar.title = pause.label;
  // The hint goes after the bar, where there is room; a deep row's label column has little.
  const duration = element('span', { class: 'wf-dur', 'aria-hidden': 'true' }, node.running ? `running · ${formatDuration(durationUs)} so far` : formatDuration(durationUs), ...(node.plumbing ? [' (plumbing)'] : []));
  // Compensated, the bar is short and its own pause is said after it; on the wall clock, in the hatched part.
  if (pause?.own && layout.mode === 'compensated') duration.append(element('span', { class: 'wf-pause-label' }, ` · ${pause.label}`));
  el.append(rowLabel(node, layout), bar, duration);
  return { index: i, node, el, bar, segments, duration, paused };
}

/** What the row says of the pauses over it: the longest one's words, and whether its own process was stopped. */
function pauseOf(layout: RowLayout, node: ViewNode): { label: string; own: boolean } | undefined {
  const label = layout.pauses?.label(node.spanId);
  return label === undefined ? undefined : { label, own: layout.pauses!.main(node.spanId)!.own };
}

/** Hatched parts over the recorded bar (wall clock), or a marker where each was taken out (compensated). */
function pausedParts(layout: RowLayout, node: ViewNode): Row['paused'] {
  const pauses = layout.pauses;
  const parts = pauses?.parts(node.spanId) ?? [];
  if (parts.length === 0) return [];
  const markers = layout.mode === 'compensated' ? pauses!.markers(node) : [];
  return parts.map((part, k) => {
    const us = part.endUs - part.startUs;
    const label = partLabel(part, us);
    const at = markers[k];
    const el = element('div', { class: `paused-part ${at === undefined ? 'wf-paused' : 'wf-paused-marker'}${part.own ? '' : ' is-waiting'}`, title: label, 'data-paused-us': String(us), 'data-label': label });
    if (at === undefined) el.append(element('span', { class: 'wf-paused-text', 'aria-hidden': 'true' }, label));
    return at === undefined ? { el, startUs: part.startUs, endUs: part.endUs } : { el, startUs: at, endUs: at };
  });
}

function rowFacts(node: ViewNode, layout: RowLayout, i: number, critical: boolean, failure: string | undefined): string[] {
  const durationUs = layout.ends[i]! - layout.starts[i]!;
  return [
    `${node.service} ${labelOf(node)}`,
    ...(node.peer ? [`answered by ${node.peer}`] : []),
    ...(node.plumbing ? ['plumbing, part of the call it serves'] : []),
    node.running ? `running, ${formatDuration(durationUs)} so far` : formatDuration(durationUs),
    `starts at ${offsetText(layout.starts[i]! - layout.rootStart)}`,
    ...(critical ? ['on the critical path'] : []),
    ...(node.failed ? ['failed'] : []),
    ...(failure ? [`failure ${failure}`] : []),
    ...(node.placeholder ? ['never received'] : []),
  ];
}

/** The left column: service and label, indented by depth; a plumbing span's label is dimmed. */
function rowLabel(node: ViewNode, layout: RowLayout): HTMLElement {
  const name = element('span', { class: 'wf-name' }, labelOf(node));
  const label = element(
    'div',
    { class: 'wf-label', title: `${spanTitle(node)}${node.name !== labelOf(node) ? ` (span name “${node.name}”)` : ''}${node.plumbing ? ' (plumbing)' : ''}` },
    ...(node.failed ? [codicon('error')] : []),
    element('span', { class: `wf-service wf-c${layout.colour.get(node.service) ?? 0}` }, node.service),
    ' ',
    name,
  );
  if (node.plumbing) name.style.opacity = PLUMBING_OPACITY;
  label.style.paddingLeft = `${6 + Math.min(node.depth, MAX_INDENT_DEPTH) * INDENT_PX}px`;
  return label;
}

/** Puts the bar, its critical segments and the duration where `pxPerUs` says. */
export function placeRow(row: Row, layout: RowLayout, pxPerUs: number): void {
  const { node } = row;
  const startUs = layout.starts[row.index]!;
  const left = LABEL_WIDTH + (startUs - layout.t0) * pxPerUs;
  const width = Math.max(1, (layout.ends[row.index]! - startUs) * pxPerUs);
  row.bar.style.left = `${left}px`;
  row.bar.style.width = `${width}px`;
  const segments = layout.criticalSegments.get(node.spanId) ?? [];
  segments.forEach((segment, k) => {
    const el = row.segments[k]!;
    el.style.left = `${(segment.startUs - node.startUs) * pxPerUs}px`;
    el.style.width = `${Math.max(1, (segment.endUs - segment.startUs) * pxPerUs)}px`;
  });
  for (const part of row.paused) {
    const marker = part.startUs === part.endUs;
    part.el.style.left = `${(part.startUs - startUs) * pxPerUs - (marker ? MARKER_PX / 2 : 0)}px`;
    const width = marker ? MARKER_PX : Math.max(2, (part.endUs - part.startUs) * pxPerUs);
    part.el.style.width = `${width}px`;
    const text = part.el.firstElementChild as HTMLElement | null;
    if (text) text.hidden = width < PART_TEXT_MIN_PX;
  }
  // Past a running bar's fade.
  row.duration.style.left = `${left + width + (node.running ? 20 : 4)}px`;
}

/** The width of a compensated marker: where a pause was taken out, not how long it was. */
const MARKER_PX = 6;
/** A hatched part narrower than this says nothing inside it (its words are in its tooltip and the row's label). */
const PART_TEXT_MIN_PX = 90;

/** The attributes that follow the store: selection, highlight, search. */
export function markRow(row: Row, selected: string | null, highlighted: ReadonlySet<string>, matches: ReadonlySet<string>): void {
  const id = row.node.spanId;
  row.el.setAttribute('aria-selected', String(id === selected));
  toggle(row.el, 'highlighted', highlighted.has(id));
  toggle(row.el, 'match', matches.has(id));
}

function toggle(el: HTMLElement, key: 'highlighted' | 'match', on: boolean): void {
  if (on) el.dataset[key] = 'true';
  else delete el.dataset[key];
}

export function offsetText(us: number): string {
  return `${us < 0 ? '−' : '+'}${formatDuration(Math.abs(us))}`;
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return Math.abs(h);
}
