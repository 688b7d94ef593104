/**
 * The words beside a line that made calls. No `vscode` here, so they are
 * tested in Node. The lens says what the call is and what it costs; the hint
 * says the one thing to do about it; no sentence is said twice on a line.
 * Every number is a typical one over the recent traces that made the call.
 *
 *   lens  blocking → email POST /send · 501 ms p50, 540 ms p95 · 77% of POST /orders
 *   hint  could be an event · saves ≈ 500 ms per request (12 of 12 traces)
 *
 * A finding is said only where it is worth saying (`worthSaying`): it held in
 * enough of the recent traces, and what it saves is enough of the request.
 */
import type { CallAtSite, SiteFinding } from '../analysis/call-sites';
import type { Rule } from '../analysis/findings';
import { formatDuration } from '../common/format';

/** When a finding at a call site is said (hints, Problems as Warnings): `hopscope.sourceLines.findings*`. */
export interface FindingThresholds {
  /** Share (0–1) of the recent traces with the call in which the finding held. */
  minShareOfTraces: number;
  /** Typical saving, µs, for findings that save time. */
  minSavingUs: number;
  /** Typical saving as a share (0–1) of the request. */
  minSavingShare: number;
}

export const DEFAULT_FINDING_THRESHOLDS: FindingThresholds = { minShareOfTraces: 0.2, minSavingUs: 10_000, minSavingShare: 0.05 };

/** What each finding suggests, in a few words. */
const ADVICE: Record<Rule, string> = {
  'sync-non-critical': 'could be an event',
  'sequential-calls': 'could run in parallel',
  'n-plus-one': 'could be batched',
  'long-sync-call': 'long wait: needs a timeout',
  'deep-sync-chain': 'deep blocking chain',
  'retry-amplification': 'retries multiply',
  'request-reply-over-messaging': 'request-reply over a queue',
  'cascading-failure': 'failure spreads from here',
};

const HOW: Record<CallAtSite['mode'], string> = { sync: 'blocking', parallel: 'blocking (parallel)', 'fire-and-forget': 'fire-and-forget', async: 'async' };

/** How the line calls: a publish (a PRODUCER span) publishes, however long the caller waited for the broker; else by its edge mode. */
const how = (call: CallAtSite): string => (call.publish ? 'publishes' : HOW[call.mode]);

/** What is called; for a publish its destination (`publish order.placed` says `publishes` twice). */
const operation = (call: CallAtSite): string => (call.publish ? call.operation.replace(/^(?:publish|send|produce)\s+(?=\S)/i, '') : call.operation);

/** Span data can hold anything: one line, no control characters, no `$(icon)` syntax, bounded. */
export function plainText(text: string, max = 80): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\$\(/g, '$\u200b(').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Held in enough of the recent traces with the call, and (when it saves time) saving enough, typically. */
export function worthSaying(finding: SiteFinding, call: CallAtSite, t: FindingThresholds = DEFAULT_FINDING_THRESHOLDS): boolean {
  if (finding.inTraces < t.minShareOfTraces * Math.max(1, call.traces)) return false;
  if (finding.typicalSavingUs === null) return true;
  return finding.typicalSavingUs >= t.minSavingUs && (finding.typicalSavingShare ?? 0) >= t.minSavingShare;
}

/** The finding a line's hint stands for: the worst one worth saying. */
export function leadFinding(call: CallAtSite, t: FindingThresholds = DEFAULT_FINDING_THRESHOLDS): SiteFinding | undefined {
  return call.findings.find((f) => worthSaying(f, call, t));
}

/** `12 of 12 traces`, `1 trace`. */
export function inTraces(finding: SiteFinding, call: CallAtSite): string {
  return call.traces <= 1 ? '1 trace' : `${finding.inTraces} of ${call.traces} traces`;
}

export function lensTitle(call: CallAtSite): string {
  const share = `${Math.round(call.shareOfRequest * 100)}% of ${plainText(call.rootName, 40)}`;
  const errors = call.errors > 0 ? ` · ${call.errors} failed` : '';
  return `${how(call)} → ${plainText(call.callee, 40)} ${plainText(operation(call), 60)} · ${formatDuration(call.p50Us)} p50, ${formatDuration(call.p95Us)} p95 · ${share}${errors}`;
}

/** What to do about the call, typically: ADVICE, the typical saving, how often it held. */
export function adviceText(finding: SiteFinding, call: CallAtSite): string {
  const saving = finding.typicalSavingUs !== null && finding.typicalSavingUs > 0 ? ` · saves ≈ ${formatDuration(finding.typicalSavingUs)} per request` : '';
  return `${ADVICE[finding.rule]}${saving} (${inTraces(finding, call)})`;
}

/**
 * The end-of-line text: the one thing to do, when there is one worth saying. With `withCost` (the lenses are
 * off, so nothing else on the line says it) the call's cost comes first.
 */
export function hintText(call: CallAtSite, t: FindingThresholds = DEFAULT_FINDING_THRESHOLDS, withCost = false): string {
  const lead = leadFinding(call, t);
  const cost = `${how(call)} ${plainText(call.callee, 30)} ${formatDuration(call.p50Us)} p50 (p95 ${formatDuration(call.p95Us)})`;
  if (!lead) return withCost ? cost : '';
  return withCost ? `${cost} · ${adviceText(lead, call)}` : adviceText(lead, call);
}
