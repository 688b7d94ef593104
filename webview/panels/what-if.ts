/**
 * What-ifs as the views say them: the request's duration if one call were
 * changed, and what that saves. The analysis prices every call a developer
 * could change (`analysis.whatIf`, best saving first); this file only words
 * them, indexes them by span, and says why a span has none.
 *
 *   email call, 650 ms request:  make async          → 151 ms (−499 ms)
 *                                run in parallel …    → 650 ms (saves nothing)
 *   the root:                    the request’s own entry: nothing to change here
 *
 * A saving that rounds to nothing is said in words, never as `−0 µs`.
 */
import type { ViewChange as Change, ViewWhatIf as WhatIf } from '../../src/protocol/view-analysis';
import type { TraceView, ViewNode } from '../../src/protocol/trace-view';
import { formatDuration } from '../../src/common/format';

/** What each change means, as the details say it of the selected call. */
const CHANGE_SENTENCE: Record<Change, string> = {
  async: 'Make it async (the caller only publishes)',
  parallel: 'Run it in parallel with the call before it',
  faster: 'Make it 50 % faster',
};

/** Whether the saving is worth showing as a number (a saving under half a µs would read `−0 µs`). */
export const saves = (whatIf: WhatIf): boolean => Math.round(whatIf.savingUs) > 0;

/** `→ 151 ms (−499 ms)`, or `→ still 650 ms (saves nothing)`. */
export function outcome(whatIf: WhatIf): string {
  return saves(whatIf) ? `→ ${formatDuration(whatIf.durationUs)} (−${formatDuration(whatIf.savingUs)})` : `→ still ${formatDuration(whatIf.durationUs)} (saves nothing)`;
}

/**
 * The details' sentence, in three parts so that the saving can be set apart:
 * `Make it async (the caller only publishes): the request would take 151 ms ` `(−499 ms)` `.`
 */
export function changeSentence(whatIf: WhatIf): [lead: string, saving: string, end: string] {
  const change = CHANGE_SENTENCE[whatIf.change] ?? whatIf.change;
  if (!saves(whatIf)) return [`${change}: the request would still take ${formatDuration(whatIf.durationUs)}: it saves nothing.`, '', ''];
  return [`${change}: the request would take ${formatDuration(whatIf.durationUs)} `, `(−${formatDuration(whatIf.savingUs)})`, '.'];
}

/** The findings' words around the call's label: `make ` + label + ` async`. */
export function changeWords(change: Change): [before: string, after: string] {
  switch (change) {
    case 'async': return ['make ', ' async'];
    case 'parallel': return ['run ', ' in parallel with the call before it'];
    case 'faster': return ['make ', ' 50 % faster'];
  }
  return ['change ', ` (${String(change)})`];
}

/** The projections that exist for each span, in the analysis's order (best saving first). */
export function whatIfsBySpan(whatIfs: readonly WhatIf[]): Map<string, WhatIf[]> {
  const out = new Map<string, WhatIf[]>();
  for (const whatIf of whatIfs) {
    const list = out.get(whatIf.spanId);
    if (list) list.push(whatIf);
    else out.set(whatIf.spanId, [whatIf]);
  }
  return out;
}

/** At most `n` changes that save something, largest saving first (ties keep the analysis's order). */
export function bestWhatIfs(whatIfs: readonly WhatIf[], n: number): WhatIf[] {
  return whatIfs
    .map((whatIf, i) => ({ whatIf, i }))
    .filter(({ whatIf }) => saves(whatIf))
    .sort((a, b) => b.whatIf.savingUs - a.whatIf.savingUs || a.i - b.i)
    .slice(0, n)
    .map(({ whatIf }) => whatIf);
}

/** Why a span has no what-if; `parent` is set when its caller's span is where they are. */
export interface NoWhatIf {
  reason: string;
  parent?: string;
}

/** What the reasons need from the whole trace, worked out once per trace. */
export interface RequestFacts {
  /** The request's own entry: the root and the spans the whole request passes through on its way in. */
  entry: ReadonlySet<string>;
  /** The spans of the request itself (not the detached parts of the trace). */
  inRequest: ReadonlySet<string>;
}

const CALLER_SIDE = new Set(['client', 'producer']);

/**
 * The request's spans and its entry, as the analysis marked it (`entry`):
 * `nodes` lists the request first, depth-first, then each detached part (a
 * root without parent).
 */
export function requestFacts(view: TraceView): RequestFacts {
  const inRequest = new Set<string>();
  const entry = new Set<string>();
  for (const [i, n] of view.nodes.entries()) {
    if (i > 0 && !n.parentSpanId) break;
    inRequest.add(n.spanId);
    // A view kept from before the analysis marked its entry: the root is the entry.
    if (n.entry || i === 0) entry.add(n.spanId);
  }
  return { entry, inRequest };
}

/**
 * The one line said instead of projections. The request's entry (the root and
 * what the request passes through on its way in) is not a change anyone can
 * make; plumbing, work inside a service and the answering side of a call are
 * not calls; a call its caller did not wait for holds nothing up.
 */
export function noWhatIf(node: ViewNode, facts: RequestFacts, nodes: ReadonlyMap<string, ViewNode>): NoWhatIf {
  if (facts.entry.has(node.spanId)) return { reason: 'The request’s own entry: nothing to change here.' };
  if (!facts.inRequest.has(node.spanId)) return { reason: 'Not part of the request (a detached part of the trace): nothing to project.' };
  if (node.plumbing) return { reason: 'Plumbing: part of the call it serves, not a call of its own.' };
  const parent = node.parentSpanId ? nodes.get(node.parentSpanId) : undefined;
  const caller = parent !== undefined && CALLER_SIDE.has(parent.kind);
  if (caller && !CALLER_SIDE.has(node.kind)) return { reason: 'The answering side of a call: its what-ifs are on the caller’s span.', parent: parent.spanId };
  const call = CALLER_SIDE.has(node.kind) || node.peer !== undefined || (parent !== undefined && parent.service !== node.service);
  if (!call) return { reason: `Not a call: work inside ${node.service}.` };
  if (node.mode === 'async' || node.mode === 'fire-and-forget') return { reason: 'The caller did not wait for it: changing it saves nothing.' };
  return { reason: 'No projection for this call.' };
}
