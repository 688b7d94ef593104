/** Synthetic traces for the analysis bench. */
import type { SpanRecord } from '../src/model/span';

const T0 = 1_700_000_000_000_000;

/**
 * A request the shape real ones have: a gateway fans out to services in
 * sequence and in parallel, each making database calls (some N+1), some
 * publishing events, a few failing and retried.
 */
export function syntheticTrace(traceNo: number, spanTarget: number): SpanRecord[] {
  const traceId = (0xa0000000 + traceNo).toString(16).padStart(32, '0');
  const spans: SpanRecord[] = [];
  let next = 1;
  const add = (parent: SpanRecord | undefined, service: string, name: string, kind: SpanRecord['kind'], start: number, end: number, attributes: SpanRecord['attributes'] = {}, failed = false): SpanRecord => {
    const span: SpanRecord = {
      traceId, spanId: (next++).toString(16).padStart(16, '0'), parentSpanId: parent?.spanId ?? '', traceState: '', flags: 1, name, kind, service,
      startUs: T0 + start, endUs: T0 + end, status: { code: failed ? 'error' : 'unset', message: '' }, attributes, events: [], links: [],
      resource: { attributes: { 'service.name': service }, droppedAttributesCount: 0 }, scope: { name: 'bench', version: '' }, droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
    };
    spans.push(span);
    return span;
  };
  const calls = Math.max(1, Math.floor((spanTarget - 1) / 12));
  const root = add(undefined, 'gateway', 'POST /checkout', 'server', 0, calls * 1000 + 1000);
  for (let c = 0; c < calls && spans.length < spanTarget; c++) {
    const service = `svc-${c % 17}`;
    const start = c * 1000 + (c % 3 === 0 ? 0 : 10);
    const failed = c % 97 === 5;
    const client = add(root, 'gateway', `POST /${service}`, 'client', start, start + 900, { 'peer.service': service }, failed);
    const server = add(client, service, `POST /${service}`, 'server', start + 20, start + 880, { 'http.route': `/${service}` }, failed);
    for (let q = 0; q < 8; q++) add(server, service, 'SELECT item', 'client', start + 40 + q * 100, start + 130 + q * 100, { 'db.system.name': 'postgresql' }, failed && q === 7);
    const producer = add(server, service, 'publish event', 'producer', start + 860, start + 862, { 'messaging.system': 'kafka' });
    add(producer, 'audit', 'process event', 'consumer', start + 900, start + 2000, { 'messaging.system': 'kafka' });
  }
  // Round up to exactly the size asked for with the gateway's own work.
  for (let i = 0; spans.length < spanTarget; i++) add(root, 'gateway', 'render', 'internal', i * 10, i * 10 + 5);
  return spans;
}

