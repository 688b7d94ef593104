/**
 * The latency-accumulation bar: where the request's time went along one
 * blocking chain, hop by hop. Each hop splits into its own work (self), the
 * wire into the next hop (network) and the time it was blocked on calls off
 * the chain (waiting). Over the hops of a chain from the root the parts add up
 * to the request's duration, so the bar's widths do too.
 *
 *   gateway│orders                           │email
 *   ██▒    │██▒░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░│█████████████████████████████
 *          self ▒ network ░ waiting
 *
 * A chain of more than MAX_BAR_HOPS hops (a sender can make one 50,000 hops
 * long) draws its first HEAD_HOPS and last TAIL_HOPS hops, and one segment for
 * the hops between them, as wide as their time together and split the same way:
 *
 *   │s│s│s│…  40 hops  …│+49,950 more hops · 1.99 s                │… 10 hops …│
 *
 * When the debugger paused the request, the parts are its time without the pauses; a hatched marker starts
 * each hop whose spans were stopped. On the wall clock each such hop also gets a hatched `paused` part, its
 * share of the time the pauses added, so the bar adds up to the request as the clock ran:
 *
 *   gateway│orders │payments
 *   ██▒    │██▒░░░░│██▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒   ▒ paused at breakpoint · payments.ts:42 · 6.00 s
 */
import type { ViewBlockingChain as BlockingChain, ViewHopBreakdown as HopBreakdown } from '../../src/protocol/view-analysis';
import type { TraceView } from '../../src/protocol/trace-view';
import { formatCount, formatDuration, formatRoute } from '../../src/common/format';
import { element } from '../dom';
import { labelOf } from '../labels';
import type { Store } from '../store';
import { deferred } from './deferred';
import { mountTooltip, type Tooltip } from './tooltip';

type Part = 'self' | 'network' | 'wait';

const PARTS: readonly { part: Part; label: string; field: 'selfUs' | 'networkUs' | 'waitUs' }[] = [
  { part: 'self', label: 'self', field: 'selfUs' },
  { part: 'network', label: 'network', field: 'networkUs' },
  { part: 'wait', label: 'waiting', field: 'waitUs' },
];

/** Below this share of the bar a part shows no text (its numbers are in the tooltip and aria-label). */
const PART_LABEL_MIN_SHARE = 0.08;
/** Below this share of the bar a hop shows no service name. */
const HOP_LABEL_MIN_SHARE = 0.03;
/** Hops drawn one by one at most; past it the first HEAD_HOPS, one segment for the rest, the last TAIL_HOPS. */
export const MAX_BAR_HOPS = 50;
const HEAD_HOPS = 40;
const TAIL_HOPS = MAX_BAR_HOPS - HEAD_HOPS;

/** What one group of the bar stands for: hops `from` up to (not including) `to`; more than one only for the summary. */
interface Slot {
  from: number;
  to: number;
}

export function mountAccumulationBar(parent: HTMLElement, store: Store): void {
  const { picker, pickerLabel, legend, bar, empty } = barDom(parent);
  const tip = mountTooltip(parent);

  /** What the bar shows now, so that a highlight that does not change the chain costs nothing. */
  let shown: { view: TraceView; chain: number } | undefined;
  let drawn: DrawnBar = { hopOf: new Map(), groups: [], slots: [] };
  let current: HTMLElement | undefined;

  picker.addEventListener('change', () => store.setChain(Number(picker.value)));

  const renderPicker = (view: TraceView) => {
    picker.replaceChildren(...view.analysis.blockingChains.map((chain, i) => element('option', { value: String(i) }, chainLabel(chain, store))));
    picker.value = String(store.chain);
  };

  const renderBar = (view: TraceView) => {
    const chains = view.analysis.blockingChains;
    const chain = chains[store.chain] ?? chains[0];
    shown = { view, chain: store.chain };
    tip.hide();
    drawn = { hopOf: new Map(), groups: [], slots: [] };
    current = undefined;
    const hasChain = chain !== undefined;
    picker.hidden = pickerLabel.hidden = legend.hidden = bar.hidden = !hasChain;
    empty.hidden = hasChain;
    if (!chain) {
      bar.dataset.totalUs = String(view.analysis.durationUs);
      empty.textContent = 'No blocking chain: this request never waits on another service.';
      bar.replaceChildren();
      return;
    }
    picker.value = String(chains.indexOf(chain));
    drawn = drawBar(view, chain, bar, store, tip);
    markSelection();
  };

  const markSelection = () => {
    const hop = store.selected === null ? undefined : groupOf(drawn, drawn.hopOf.get(store.selected) ?? -1);
    if (hop === current) return;
    current?.removeAttribute('aria-current');
    hop?.setAttribute('aria-current', 'true');
    current = hop;
  };

  bar.addEventListener('pointerleave', () => tip.hide());

  const render = deferred(() => {
    const view = store.view;
    if (!view) return;
    renderPicker(view);
    renderBar(view);
  });

  store.on((aspect) => {
    // While a rebuild waits, it will read the chain and the selection itself.
    if (aspect === 'view') render.request();
    else if (render.pending) return;
    else if (aspect === 'time' && store.view) renderBar(store.view);
    else if (aspect === 'highlight' && store.view && (shown?.view !== store.view || shown.chain !== store.chain)) renderBar(store.view);
    else if (aspect === 'selection') markSelection();
  });
  if (store.view) render.request();
}

function barDom(parent: HTMLElement) {
  const picker = element('select', { id: 'chain-picker', class: 'acc-picker' });
  const pickerLabel = element('label', { class: 'acc-picker-label', for: 'chain-picker' }, 'Blocking chain');
  const legend = element(
    'ul',
    { class: 'acc-legend', 'aria-label': 'Legend' },
    legendItem('self', 'self', 'the service’s own work'),
    legendItem('network', 'network', 'the wire into the next hop'),
    legendItem('wait', 'waiting', 'blocked on calls off this chain'),
  );
  const head = element('div', { class: 'acc-head' }, element('h2', { class: 'hs-heading' }, 'Latency accumulation'), pickerLabel, picker, legend);
  const bar = element('div', { class: 'acc-bar', role: 'group' });
  const empty = element('p', { class: 'hs-empty' }, 'Waiting for the trace…');
  const root = element('div', { class: 'acc' }, head, bar, empty);
  picker.hidden = pickerLabel.hidden = legend.hidden = bar.hidden = true;
  parent.append(root);
  return { picker, pickerLabel, legend, bar, empty };
}

/** The drawn bar: which hop each span of the chain belongs to, and the group drawing each hop (the summary for those it stands for). */
interface DrawnBar {
  hopOf: Map<string, number>;
  groups: HTMLElement[];
  slots: Slot[];
}

/** The group that draws hop `index`: its own, or the summary that stands for it. */
function groupOf(drawn: DrawnBar, index: number): HTMLElement | undefined {
  const slot = drawn.slots.findIndex((s) => index >= s.from && index < s.to);
  return slot < 0 ? undefined : drawn.groups[slot];
}

/** What drawing one chain's hops needs. */
interface HopContext {
  chain: BlockingChain;
  store: Store;
  tip: Tooltip;
  paused: HopPauses;
  /** The wall clock is shown and the pauses added time to the chain: they get parts of their own. */
  wallClock: boolean;
  /** The request's time as the bar shows it, µs. */
  durationUs: number;
  /** What the whole bar's width stands for, µs. */
  scale: number;
}

/** Draws the chain's hops into the bar, and a rest segment for time the chain does not cover. */
function drawBar(view: TraceView, chain: BlockingChain, bar: HTMLElement, store: Store, tip: Tooltip): DrawnBar {
  const hopOf = hopIndexes(chain, store);
  const paused = hopPauses(chain, hopOf, store);
  const wallClock = store.timeMode === 'wall-clock' && paused.addedUs > 0;
  const durationUs = view.analysis.durationUs + (wallClock ? paused.addedUs : 0);
  bar.dataset.totalUs = String(durationUs);
  bar.dataset.timeMode = wallClock ? 'wall-clock' : 'compensated';
  const chainUs = chainTime(chain) + (wallClock ? paused.addedUs : 0);
  // Defensive: a chain that covers less than the request gets a rest segment; one that covers more scales down.
  const restUs = Math.max(0, durationUs - chainUs);
  const scale = Math.max(durationUs, chainUs, 1);
  bar.setAttribute('aria-label', `Latency accumulation along ${formatRoute(chain.services)}, ${formatDuration(durationUs)}`);
  const slots = barSlots(chain.breakdown.length);
  const context: HopContext = { chain, store, tip, paused, wallClock, durationUs, scale };
  const groups = slots.map((slot) => hopGroup(slot, context));
  bar.replaceChildren(...groups);
  if (restUs > 0) {
    const rest = element('div', { class: 'acc-part acc-rest', 'data-part': 'rest', 'data-us': String(restUs), 'aria-label': `not on this chain: ${formatDuration(restUs)}` });
    rest.style.flexGrow = String(restUs);
    rest.addEventListener('pointermove', (event) => tip.show([`not on this chain: ${formatDuration(restUs)}`], event.clientX, event.clientY));
    bar.append(rest);
  }
  return { hopOf, groups, slots };
}

/** How a hop (or the summary) is named: who it is, its numbers, and the attributes that say which hops it draws. */
interface HopWords {
  who: string;
  numbers: string;
  where: Record<string, string>;
}

/** One slot's group: its label, its parts, the pause in it, and what a click, a key or focus does. */
function hopGroup(slot: Slot, context: HopContext): HTMLElement {
  const { chain, store, tip, paused, wallClock, scale } = context;
  const summary = slot.to - slot.from > 1;
  const hop: HopBreakdown = summary ? sumHops(chain.breakdown, slot) : chain.breakdown[slot.from]!;
  const pause = pauseOfSlot(paused, slot, store);
  const pausedUs = wallClock && pause ? pause.addedUs : 0;
  const hopUs = hop.selfUs + hop.networkUs + hop.waitUs + pausedUs;
  const words: HopWords = {
    numbers: PARTS.map(({ label, field }) => `${label} ${formatDuration(hop[field])}`).join(', '),
    who: summary ? `${formatCount(slot.to - slot.from)} more hops (${formatCount(slot.from + 1)} to ${formatCount(slot.to)} of ${formatCount(chain.breakdown.length)})` : hopName(hop, store),
    where: summary ? { 'data-hops': `${slot.from}-${slot.to - 1}` } : { 'data-hop': String(slot.from), 'data-service': hop.service },
  };
  const { who, numbers, where } = words;
  const parts = PARTS.map(({ part, label, field }) => partOf(part, label, hop[field], words, context));
  if (pause && pausedUs > 0) parts.push(pausedPart(pause.label, pausedUs, words, context));
  // The summary always says what it stands for, however narrow: it is the only sign that hops are not drawn.
  const title = summary ? `+${formatCount(slot.to - slot.from)} more hops · ${formatDuration(hopUs)}` : hopUs / scale >= HOP_LABEL_MIN_SHARE ? hop.service : '';
  const group = element(
    'div',
    { class: summary ? 'acc-hop acc-more' : 'acc-hop', ...where, role: 'button', tabindex: '0', 'aria-label': `${who}: ${numbers}` },
    element('div', { class: 'acc-hop-label', 'aria-hidden': 'true' }, title),
    element('div', { class: 'acc-parts' }, ...parts),
  );
  // Compensated, the pause is out of the parts: a marker says where it was taken out.
  if (pause && pausedUs === 0) {
    const marker = element('div', { class: 'acc-paused-marker paused-part', 'data-paused-us': String(pause.ownUs), 'data-label': pause.label, title: pause.label, 'aria-hidden': 'true' });
    marker.addEventListener('pointermove', (event) => tip.show([`${who}: ${pause.label}`, 'taken out of these figures'], event.clientX, event.clientY));
    group.append(marker);
  }
  group.style.flexGrow = String(hopUs);
  // The summary selects the first hop it stands for.
  group.addEventListener('click', () => store.select(hop.spanId, 'bar'));
  group.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    store.select(hop.spanId, 'bar');
  });
  group.addEventListener('focus', () => {
    const box = group.getBoundingClientRect();
    tip.show([`${who}: ${numbers}`], box.left, box.bottom);
  });
  group.addEventListener('blur', () => tip.hide());
  return group;
}

/** A hop's self, network or waiting part, as wide as its time. */
function partOf(part: Part, label: string, us: number, { who, numbers, where }: HopWords, { tip, durationUs, scale }: HopContext): HTMLElement {
  const share = us / scale;
  const el = element('div', { class: `acc-part acc-${part}`, ...where, 'data-part': part, 'data-us': String(us), 'aria-label': `${who}: ${label} ${formatDuration(us)}` });
  el.style.flexGrow = String(us);
  if (share >= PART_LABEL_MIN_SHARE) el.append(element('span', { class: 'acc-part-label' }, `${label} ${formatDuration(us)}`));
  el.addEventListener('pointermove', (event) =>
    tip.show([`${who}: ${label} ${formatDuration(us)} (${percent(us, durationUs)} of the request)`, numbers], event.clientX, event.clientY),
  );
  return el;
}

/** On the wall clock: the hop's share of the time the pauses added, hatched. */
function pausedPart(label: string, pausedUs: number, { who, where }: HopWords, { tip, durationUs, scale }: HopContext): HTMLElement {
  const el = element('div', { class: 'acc-part acc-paused paused-part', ...where, 'data-part': 'paused', 'data-us': String(pausedUs), 'data-label': label, 'aria-label': `${who}: ${label}` });
  el.style.flexGrow = String(pausedUs);
  if (pausedUs / scale >= PART_LABEL_MIN_SHARE) el.append(element('span', { class: 'acc-part-label' }, label));
  el.addEventListener('pointermove', (event) => tip.show([`${who}: ${label}`, `the pauses added ${formatDuration(pausedUs)} here (${percent(pausedUs, durationUs)} of the request on the wall clock)`], event.clientX, event.clientY));
  return el;
}

/** `gateway → orders → email: POST /send · 680 ms (513 ms accumulated)`: where the chain ends, its time, and what it added itself. */
function chainLabel(chain: BlockingChain, store: Store): string {
  const last = store.nodes.get(chain.spanIds[chain.spanIds.length - 1] ?? '');
  const end = last ? `: ${labelOf(last)}` : '';
  return `${formatRoute(chain.services)}${end} · ${formatDuration(chainTime(chain))} (${formatDuration(chain.accumulatedUs)} accumulated)`;
}

/** Each hop a group of its own, or, past MAX_BAR_HOPS, the first HEAD_HOPS, one for those between and the last TAIL_HOPS. */
function barSlots(hops: number): Slot[] {
  const one = (i: number): Slot => ({ from: i, to: i + 1 });
  if (hops <= MAX_BAR_HOPS) return Array.from({ length: hops }, (_, i) => one(i));
  return [
    ...Array.from({ length: HEAD_HOPS }, (_, i) => one(i)),
    { from: HEAD_HOPS, to: hops - TAIL_HOPS },
    ...Array.from({ length: TAIL_HOPS }, (_, i) => one(hops - TAIL_HOPS + i)),
  ];
}

/** The hops of a slot as one: their parts summed, starting at the first one's span. */
function sumHops(breakdown: readonly HopBreakdown[], slot: Slot): HopBreakdown {
  const first = breakdown[slot.from]!;
  const sum = { ...first, selfUs: 0, networkUs: 0, waitUs: 0 };
  for (let i = slot.from; i < slot.to; i++) {
    const hop = breakdown[i]!;
    sum.selfUs += hop.selfUs;
    sum.networkUs += hop.networkUs;
    sum.waitUs += hop.waitUs;
  }
  return sum;
}

/** `orders (POST /orders)`: the hop's service and what its first span is. */
function hopName(hop: HopBreakdown, store: Store): string {
  const node = store.nodes.get(hop.spanId);
  return node ? `${hop.service} (${labelOf(node)})` : hop.service;
}

/** The time of the chain's first span: its hops' self, network and waiting summed. */
function chainTime(chain: BlockingChain): number {
  return chain.breakdown.reduce((sum, h) => sum + h.selfUs + h.networkUs + h.waitUs, 0);
}

/** The hop of each span on the chain: a new hop starts where the service changes (as the breakdown does). */
function hopIndexes(chain: BlockingChain, store: Store): Map<string, number> {
  const out = new Map<string, number>();
  let hop = -1;
  let service: string | undefined;
  for (const spanId of chain.spanIds) {
    const s = store.nodes.get(spanId)?.service;
    if (hop < 0 || s !== service) hop++;
    service = s;
    out.set(spanId, Math.min(hop, chain.breakdown.length - 1));
  }
  return out;
}

/** Per hop of the chain: its longest-stopped span and how long, and the share of the added time it stands for. */
interface HopPauses {
  spanOf: (string | undefined)[];
  ownUs: Float64Array;
  /** How much the pauses added to the request, µs (0: nothing on this chain was stopped). */
  addedUs: number;
  /** Of `addedUs`, each hop's share: its own pause as a part of all the hops'. */
  share: Float64Array;
}

function hopPauses(chain: BlockingChain, hopOf: ReadonlyMap<string, number>, store: Store): HopPauses {
  const hops = chain.breakdown.length;
  const out: HopPauses = { spanOf: new Array<string | undefined>(hops), ownUs: new Float64Array(hops), addedUs: 0, share: new Float64Array(hops) };
  const facts = store.pauses;
  if (!facts?.any) return out;
  let total = 0;
  for (const spanId of chain.spanIds) {
    const hop = hopOf.get(spanId);
    const us = facts.pausedUsOf(spanId);
    // Nested spans of one hop overlap the same pause: the longest is the hop's.
    if (hop === undefined || us <= out.ownUs[hop]!) continue;
    out.ownUs[hop] = us;
    out.spanOf[hop] = spanId;
  }
  for (const us of out.ownUs) total += us;
  if (total <= 0) return out;
  out.addedUs = facts.pausedUs;
  for (let i = 0; i < hops; i++) out.share[i] = (out.ownUs[i]! / total) * facts.pausedUs;
  return out;
}

/** The pause a slot shows: the longest of its hops', its words, and the time the slot's hops add on the wall clock. */
function pauseOfSlot(paused: HopPauses, slot: Slot, store: Store): { label: string; ownUs: number; addedUs: number } | undefined {
  let best = -1;
  let addedUs = 0;
  for (let i = slot.from; i < slot.to; i++) {
    addedUs += paused.share[i]!;
    if (paused.spanOf[i] !== undefined && (best < 0 || paused.ownUs[i]! > paused.ownUs[best]!)) best = i;
  }
  const label = best < 0 ? undefined : store.pauses?.label(paused.spanOf[best]!);
  return label === undefined ? undefined : { label, ownUs: paused.ownUs[best]!, addedUs };
}

function legendItem(part: Part, name: string, meaning: string): HTMLLIElement {
  return element('li', {}, element('span', { class: `acc-swatch acc-${part}`, 'aria-hidden': 'true' }), element('strong', {}, name), ` ${meaning}`);
}

function percent(us: number, totalUs: number): string {
  if (totalUs <= 0) return '–';
  const p = (100 * us) / totalUs;
  return `${p < 1 && p > 0 ? '<1' : Math.round(p)}%`;
}
