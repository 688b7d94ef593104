import type { SpanRecord } from './span';

/**
 * Whether a span failed. A status of ERROR means failed and OK means not,
 * whatever else the span says. Only when the status is UNSET do the fallbacks
 * apply: an HTTP status of 500 or more on a server span, 400 or more on a
 * client span (`http.response.status_code`, or the older `http.status_code`),
 * or an `exception` event.
 */
export function isFailed(span: SpanRecord): boolean {
  if (span.status.code !== 'unset') return span.status.code === 'error';
  const http = Number(span.attributes['http.response.status_code'] ?? span.attributes['http.status_code']);
  if (span.kind === 'server' && http >= 500) return true;
  if (span.kind === 'client' && http >= 400) return true;
  return span.events.some((event) => event.name === 'exception');
}
