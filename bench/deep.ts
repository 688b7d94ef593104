/**
 * Traces a hostile sender can send: a chain where each span is the parent of
 * the next, as deep as it likes, and the same spans linked into a cycle with
 * no root. Shared by the deep-trace tests and the analysis bench.
 *
 *   svc-0  server ─ client ─► svc-1 server ─ client ─► svc-0 server ─ …   every call a hop
 */
import type { SpanRecord } from '../src/model/span';

const T0 = 1_700_000_000_000_000;

export interface DeepOptions {
  /** Attributes of every span, besides its own (a hostile stack trace, say). */
  attributes?: SpanRecord['attributes'];
  events?: SpanRecord['events'];
  /** All spans CLIENT spans of one service (no hops), instead of CLIENT/SERVER pairs across two. */
  clientsOnly?: boolean;
}

/**
 * `depth` spans, each the parent of the next, nested in time (10 µs in on
 * each side per level). Pairs of a SERVER span and its CLIENT call alternate
 * between two services; every SERVER span names its line of code.
 */
export function deepChain(depth: number, traceNo = 1, options: DeepOptions = {}): SpanRecord[] {
  const traceId = (0xd0000000 + traceNo).toString(16).padStart(32, '0');
  const total = depth * 20 + 10;
  const spans = new Array<SpanRecord>(depth);
  for (let i = 0; i < depth; i++) {
    const server = !options.clientsOnly && i % 2 === 0;
    const service = options.clientsOnly ? 'svc-0' : `svc-${Math.floor(i / 2) % 2}`;
    const attributes: SpanRecord['attributes'] = server
      ? { 'http.request.method': 'POST', 'http.route': `/step/${Math.floor(i / 2) % 50}`, 'code.file.path': `/app/${service}.ts`, 'code.line.number': (Math.floor(i / 2) % 50) + 1 }
      : { 'http.request.method': 'POST', 'url.path': `/step/${Math.floor((i + 1) / 2) % 50}`, 'http.response.status_code': 200 };
    if (options.clientsOnly && i === 0) Object.assign(attributes, { 'code.file.path': '/app/root.ts', 'code.line.number': 1 });
    spans[i] = {
      traceId, spanId: (i + 1).toString(16).padStart(16, '0'), parentSpanId: i === 0 ? '' : i.toString(16).padStart(16, '0'), traceState: '', flags: 1,
      name: server ? 'POST /step' : 'POST', kind: server ? 'server' : 'client', service,
      startUs: T0 + i * 10, endUs: T0 + total - i * 10, status: { code: 'unset', message: '' }, attributes: { ...attributes, ...options.attributes }, events: options.events ?? [], links: [],
      resource: { attributes: { 'service.name': service }, droppedAttributesCount: 0 }, scope: { name: 'deep', version: '' }, droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
    };
  }
  return spans;
}

/** The chain with its first span's parent set to the last: a cycle of `size` spans and no root. */
export function deepCycle(size: number, traceNo = 2): SpanRecord[] {
  const spans = deepChain(size, traceNo);
  spans[0] = { ...spans[0]!, parentSpanId: spans[size - 1]!.spanId };
  return spans;
}
