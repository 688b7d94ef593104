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
 */
import type { PathSegment } from '../../src/analysis/critical-path';
import type { TraceView, ViewNode } from '../../src/protocol/trace-view';
import { formatDuration } from '../../src/common/format';
import { codicon, element } from '../dom';
import { labelOf, spanTitle } from '../labels';
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
}

export function rowLayout(view: TraceView): RowLayout {
  const nodes = view.nodes;
  const index = new Map<string, number>();
  let t0 = Infinity;
  let t1 = -Infinity;
  const colour = new Map<string, number>();
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    index.set(node.spanId, i);
    if (node.startUs < t0) t0 = node.startUs;
    if (node.endUs > t1) t1 = node.endUs;
    if (!colour.has(node.service)) colour.set(node.service, hash(node.service) % SERVICE_COLOURS);
  }
  const criticalSegments = new Map<string, PathSegment[]>();
  for (const segment of view.analysis.criticalPath) {
    const list = criticalSegments.get(segment.spanId);
    if (list) list.push(segment);
    else criticalSegments.set(segment.spanId, [segment]);
  }
  const rootStart = nodes[0]?.startUs ?? 0;
  if (!Number.isFinite(t0)) t0 = t1 = rootStart;
  return { view, nodes, index, t0, t1: Math.max(t1, t0 + 1), rootStart, criticalSegments, colour };
}

/** Plumbing rows are drawn, but quieter than the calls (through the CSSOM: the CSP allows no style attributes). */
const PLUMBING_OPACITY = '0.55';

export function makeRow(layout: RowLayout, i: number, store: Store): Row {
  const node = layout.nodes[i]!;
  const critical = store.critical.has(node.spanId);
  const failure = store.failure.get(node.spanId);
  const durationUs = node.endUs - node.startUs;
  const el = element('div', {
    class: `wf-row${node.failed ? ' is-failed' : ''}${node.placeholder ? ' is-placeholder' : ''}${node.mode === 'async' || node.mode === 'fire-and-forget' ? ' is-detached' : ''}${node.plumbing ? ' is-plumbing' : ''}`,
    role: 'option',
    id: `wf-row-${node.spanId}`,
    'data-span-id': node.spanId,
    'aria-posinset': String(i + 1),
    'aria-setsize': String(layout.nodes.length),
    'aria-label': rowFacts(node, layout, critical, failure).join(', '),
  });
  if (critical) el.dataset.critical = 'true';
  if (failure) el.dataset.failure = failure;
  if (node.plumbing) el.dataset.plumbing = 'true';
  el.style.top = `${i * ROW_HEIGHT}px`;

  const segments = (layout.criticalSegments.get(node.spanId) ?? []).map(() => element('div', { class: 'wf-crit' }));
  const bar = element('div', { class: 'wf-bar' }, ...segments);
  if (node.plumbing) bar.style.opacity = PLUMBING_OPACITY;
  // The hint goes after the bar, where there is room; a deep row's label column has little.
  const duration = element('span', { class: 'wf-dur', 'aria-hidden': 'true' }, formatDuration(durationUs), ...(node.plumbing ? [' (plumbing)'] : []));
  el.append(rowLabel(node, layout), bar, duration);
  return { index: i, node, el, bar, segments, duration };
}

function rowFacts(node: ViewNode, layout: RowLayout, critical: boolean, failure: string | undefined): string[] {
  return [
    `${node.service} ${labelOf(node)}`,
    ...(node.peer ? [`answered by ${node.peer}`] : []),
    ...(node.plumbing ? ['plumbing, part of the call it serves'] : []),
    formatDuration(node.endUs - node.startUs),
    `starts at ${offsetText(node.startUs - layout.rootStart)}`,
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
  const left = LABEL_WIDTH + (node.startUs - layout.t0) * pxPerUs;
  const width = Math.max(1, (node.endUs - node.startUs) * pxPerUs);
  row.bar.style.left = `${left}px`;
  row.bar.style.width = `${width}px`;
  const segments = layout.criticalSegments.get(node.spanId) ?? [];
  segments.forEach((segment, k) => {
    const el = row.segments[k]!;
    el.style.left = `${(segment.startUs - node.startUs) * pxPerUs}px`;
    el.style.width = `${Math.max(1, (segment.endUs - segment.startUs) * pxPerUs)}px`;
  });
  row.duration.style.left = `${left + width + 4}px`;
}

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
