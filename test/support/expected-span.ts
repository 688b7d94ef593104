/**
 * What Hopscope must store for a span the OpenTelemetry SDK recorded: the SDK's
 * ReadableSpan translated by hand into the model, independently of the decoders.
 */
import { SpanKind, type HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { Attributes, SpanKind as ModelKind, SpanRecord } from '../../src/model/span';

const KINDS: Record<SpanKind, ModelKind> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

export const micros = ([seconds, nanos]: HrTime): number => seconds * 1_000_000 + Math.floor(nanos / 1000);

/** The span as stored, with `flags` reduced to the W3C trace flags (the exporter adds its own bits above them). */
export function expectedSpan(span: ReadableSpan): SpanRecord {
  const context = span.spanContext();
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? '',
    traceState: context.traceState?.serialize() ?? '',
    flags: context.traceFlags,
    name: span.name,
    kind: KINDS[span.kind],
    service: String(span.resource.attributes['service.name']),
    startUs: micros(span.startTime),
    endUs: micros(span.endTime),
    status: { code: (['unset', 'ok', 'error'] as const)[span.status.code], message: span.status.message ?? '' },
    attributes: span.attributes as Attributes,
    events: span.events.map((event) => ({
      name: event.name,
      timeUs: micros(event.time),
      attributes: (event.attributes ?? {}) as Attributes,
      droppedAttributesCount: event.droppedAttributesCount ?? 0,
    })),
    links: span.links.map((link) => ({
      traceId: link.context.traceId,
      spanId: link.context.spanId,
      traceState: link.context.traceState?.serialize() ?? '',
      attributes: (link.attributes ?? {}) as Attributes,
      droppedAttributesCount: link.droppedAttributesCount ?? 0,
      flags: link.context.traceFlags,
    })),
    resource: { attributes: span.resource.attributes as Attributes, droppedAttributesCount: 0 },
    scope: { name: span.instrumentationScope.name, version: span.instrumentationScope.version ?? '' },
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/** A stored span with its flags (and its links' flags) reduced to the W3C trace-flags byte, for comparison. */
export function withTraceFlags(span: SpanRecord): SpanRecord {
  return { ...span, flags: span.flags & 0xff, links: span.links.map((link) => ({ ...link, flags: link.flags & 0xff })) };
}
