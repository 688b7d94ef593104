/**
 * Spans still running (reported when they started, model/span.ts `isStarted`)
 * are analysed as if they ended now: a request stuck at a breakpoint is a chain
 * of callers each waiting so far, and their elapsed time is what the views show.
 *
 *   gateway  POST /orders  [=========== running …   ← ends "now"
 *   orders     POST /charge [========= running …    ← ends "now"
 *   payments     (stopped at a breakpoint: no span yet)
 *
 * Each such span becomes a copy ending at `nowUs` (never before its start, nor
 * before the last end the trace holds), marked with `hopscope.span.state =
 * started`. A trace with no running span comes back as the same array.
 */
import { isStarted, SPAN_STATE_ATTRIBUTE, type SpanRecord } from '../model/span';

export function endRunningSpans(spans: readonly SpanRecord[], nowUs: number): readonly SpanRecord[] {
  let latest = -Infinity;
  let running = 0;
  for (const span of spans) {
    if (isStarted(span)) running++;
    else if (span.endUs > latest) latest = span.endUs;
  }
  if (running === 0) return spans;
  const endUs = Math.max(nowUs, latest);
  return spans.map((span) => (isStarted(span) ? { ...span, endUs: Math.max(span.startUs, endUs), attributes: { ...span.attributes, [SPAN_STATE_ATTRIBUTE]: 'started' } } : span));
}

/** The span was still running when the trace was analysed. */
export const wasRunning = (span: Pick<SpanRecord, 'attributes'>): boolean => span.attributes[SPAN_STATE_ATTRIBUTE] === 'started';
