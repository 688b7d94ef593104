/**
 * A multi-service trace made by the real OpenTelemetry SDK, carrying every field
 * Hopscope's model keeps: kinds, status, attributes of every type, events,
 * links with attributes, trace state, flags, dropped counts, resources, scopes.
 *
 *   gateway  GET /orders        [server ......................... ]
 *   gateway    POST orders      [client ....................]
 *   orders       POST /orders    [server .................]
 *   orders         publish        [producer ..]
 *   orders         charge card         [internal, ERROR ..]
 *   email            process order.created   [consumer, link → publish ...]
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, context, trace, type Context, type Link } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';

const T0 = 1_763_900_000_000; // ms since the epoch, fixed so traces are reproducible

export interface ServiceTracer {
  provider: TracerProvider;
  exporter: InMemorySpanExporter;
}

export function serviceTracer(service: string, limits: { attributeCountLimit?: number; eventCountLimit?: number; linkCountLimit?: number } = {}): ServiceTracer {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.version': '1.2.3', 'deployment.environment.name': 'local', 'host.pid': 4242 }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    spanLimits: { attributeCountLimit: limits.attributeCountLimit ?? 128, eventCountLimit: limits.eventCountLimit ?? 128, linkCountLimit: limits.linkCountLimit ?? 128 },
  });
  return { provider, exporter };
}

/** Every span of the trace drawn above, in the order they ended. */
export async function shopTrace(traceId = '5b8efff798038103d269b633813fc60c'): Promise<ReadableSpan[]> {
  const gateway = serviceTracer('gateway');
  const orders = serviceTracer('orders', { attributeCountLimit: 12, eventCountLimit: 2, linkCountLimit: 1 });
  const email = serviceTracer('email');
  const gw = gateway.provider.getTracer('gateway-http', '0.9.0');
  const or = orders.provider.getTracer('orders-http', '2.0.0');
  const em = email.provider.getTracer('email-worker');

  const traceState = new TraceState('vendor=abc,other=1');
  const parentCtx = trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId: 'eee19b7ec3c1b174',
    traceFlags: TraceFlags.SAMPLED,
    traceState,
    isRemote: true,
  });

  const root = gw.startSpan('GET /orders', {
    kind: SpanKind.SERVER,
    startTime: T0,
    attributes: {
      'http.request.method': 'GET', 'url.path': '/orders', 'http.response.status_code': 200,
      'server.port': 8080, 'ratio': 0.25, 'cached': false, 'tags': ['a', 'b'], 'ports': [1, 2, 3], 'weights': [0.5, 1.5], 'flags': [true, false],
      'unicode': 'Grüße, 世界 — ünïcode', 'empty': '',
    },
  }, parentCtx);
  const rootCtx = trace.setSpan(ROOT_CONTEXT, root);
  const call = gw.startSpan('POST orders', { kind: SpanKind.CLIENT, startTime: T0 + 2, attributes: { 'server.address': 'orders', 'server.port': 8081, 'http.request.method': 'POST' } }, rootCtx);
  const callCtx = trace.setSpan(ROOT_CONTEXT, call);
  const handle = or.startSpan('POST /orders', { kind: SpanKind.SERVER, startTime: T0 + 3 }, callCtx);
  for (let i = 0; i < 15; i++) handle.setAttribute(`order.item.${i}`, i); // beyond the limit of 12: 3 dropped
  const handleCtx: Context = trace.setSpan(ROOT_CONTEXT, handle);
  const publish = or.startSpan('publish order.created', {
    kind: SpanKind.PRODUCER, startTime: T0 + 5,
    attributes: { 'messaging.system': 'demo-queue', 'messaging.operation.type': 'publish', 'messaging.destination.name': 'order.created' },
  }, handleCtx);
  publish.end(T0 + 6);
  const charge = or.startSpan('charge card', { kind: SpanKind.INTERNAL, startTime: T0 + 7 }, handleCtx);
  charge.addEvent('retrying', { attempt: 1 }, T0 + 8);
  charge.addEvent('retrying', { attempt: 2 }, T0 + 9);
  const declined = new Error('card declined');
  declined.stack = 'Error: card declined\n    at charge (/app/src/orders.ts:42:7)';
  charge.recordException(declined, T0 + 10); // the third event: the first is dropped
  charge.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
  charge.end(T0 + 11);
  handle.setStatus({ code: SpanStatusCode.OK });
  handle.end(T0 + 12);
  call.end(T0 + 13);
  root.end(T0 + 14);

  const publishCtx = publish.spanContext();
  const links: Link[] = [
    { context: publishCtx, attributes: { 'messaging.message.id': 'm-1', 'link.kind': 'follows' } },
    { context: call.spanContext() }, // beyond the limit of 1 (set on orders only; email keeps both)
  ];
  const consume = em.startSpan('process order.created', {
    kind: SpanKind.CONSUMER, startTime: T0 + 20, links,
    attributes: { 'messaging.system': 'demo-queue', 'messaging.operation.type': 'process' },
  }, trace.setSpanContext(ROOT_CONTEXT, publishCtx));
  consume.end(T0 + 25);

  // A span in the same service limited to one link, so dropped_links_count is exercised.
  const relink = or.startSpan('reconcile', { kind: SpanKind.INTERNAL, startTime: T0 + 21, links }, handleCtx);
  relink.end(T0 + 22);

  void context;
  await Promise.all([gateway, orders, email].map((t) => t.provider.forceFlush()));
  return [...gateway.exporter.getFinishedSpans(), ...orders.exporter.getFinishedSpans(), ...email.exporter.getFinishedSpans()];
}
