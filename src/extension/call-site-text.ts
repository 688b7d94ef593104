/**
 * The words beside a line that made calls: the CodeLens title and the
 * end-of-line hint. No `vscode` here, so they are tested in Node.
 *
 *   blocking → email POST /send · 501 ms p50, 540 ms p95 · 77% of POST /orders · could be an event: −500 ms
 *   publishes → rabbitmq order.placed · 2 ms p50, 3 ms p95 · 1% of POST /orders
 */
import type { CallAtSite } from '../analysis/call-sites';
import type { Rule } from '../analysis/findings';
import { formatDuration } from '../common/format';

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

function advice(call: CallAtSite): string {
  const finding = call.worstFinding;
  if (!finding) return '';
  const saving = finding.savingUs !== null && finding.savingUs > 0 ? `: −${formatDuration(finding.savingUs)}` : '';
  return ` · ${ADVICE[finding.rule]}${saving}`;
}

export function lensTitle(call: CallAtSite): string {
  const share = `${Math.round(call.shareOfRequest * 100)}% of ${plainText(call.rootName, 40)}`;
  const errors = call.errors > 0 ? ` · ${call.errors} failed` : '';
  return `${how(call)} → ${plainText(call.callee, 40)} ${plainText(operation(call), 60)} · ${formatDuration(call.p50Us)} p50, ${formatDuration(call.p95Us)} p95 · ${share}${errors}${advice(call)}`;
}

/** The shorter end-of-line text. */
export function hintText(call: CallAtSite): string {
  return `${how(call)} ${plainText(call.callee, 30)} ${formatDuration(call.p50Us)} p50 (p95 ${formatDuration(call.p95Us)})${advice(call)}`;
}
