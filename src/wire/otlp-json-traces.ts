/**
 * OTLP/JSON `ExportTraceServiceRequest` → the model, read as leniently as the
 * OpenTelemetry Collector reads it (logs are read the same way, in otlp-json-logs.ts):
 *
 * - keys in lowerCamelCase or snake_case, and the pre-1.0 names
 *   `instrumentationLibrarySpans` / `instrumentationLibrary` (and the logs ones);
 * - ids as hex of any case; enums as integers or names; 64-bit integers as
 *   numbers or decimal strings; bytes as standard or url-safe base64, padded or not;
 * - unknown fields ignored, and `null` read as an absent field.
 *
 * Every field goes through the helpers of `span-fields.ts`, so the same data
 * sent as JSON or protobuf becomes the very same SpanRecord / LogRecord.
 *
 * Hot path: one JSON.parse, then a walk of plain loops. Field values are read
 * with literal property names (camelCase first); names for error paths are
 * only worked out when something is wrong.
 *
 * The envelope (resources → scopes → spans) is otlp-json-envelope.ts's, the ids
 * otlp-json-ids.ts's; this file reads a span. otlp-json-read.ts has the field
 * spellings, scalars and error helpers, otlp-json-values.ts the resources,
 * scopes, attributes and AnyValues. Requests as SDKs send them are read first
 * by the byte-level fast path, otlp-json-fast.ts.
 */
import type { DecodedSpans, Resource, Scope, SpanEvent, SpanKind, SpanLink, SpanRecord, SpanStatus, StatusCode } from '../model/span';
import {
  ALL_ZERO_SPAN, NO_EVENTS, NO_LINKS, UNSET_STATUS, spanIdProblem, spanKindFromName, spanKindFromNumber, statusCodeFromName, statusCodeFromNumber,
} from './span-fields';
import { rethrowWithin } from './wire-error';
import { ATTRIBUTES, CODE, DROPPED_ATTRIBUTES, DROPPED_EVENTS, DROPPED_LINKS, END_TIME, EVENTS, fieldError, FLAGS, isObject, type Json, keyIn, KIND, LINKS, MESSAGE, microsOf, NAME, objectAt, PARENT_SPAN_ID, RESOURCE_SPANS, SCOPE_SPANS, SPAN_ID, SPANS, START_TIME, STATUS, stringOf, TIME, TRACE_ID, TRACE_STATE, uint32Of } from './otlp-json-read';
import { attributesOf } from './otlp-json-values';
import { idOf, linkIdOf, traceIdOf } from './otlp-json-ids';
import { type JsonSignal, walkJsonEnvelope } from './otlp-json-envelope';

const TRACES: JsonSignal<SpanRecord> = {
  request: 'ExportTraceServiceRequest',
  resources: RESOURCE_SPANS, resource: 'a ResourceSpans object',
  scopes: SCOPE_SPANS, scope: 'a ScopeSpans object',
  items: SPANS, item: 'a Span object',
  read: readSpan,
  idProblem: (span) => spanIdProblem(span.traceId, span.spanId, span.parentSpanId),
  keep: () => true,
};

/** Decodes a whole OTLP/JSON trace request. Throws WireError (with its JSON path) when it is malformed. */
export function decodeTracesJson(text: string): DecodedSpans {
  const out: DecodedSpans = { spans: [], rejected: 0, rejectReason: '' };
  walkJsonEnvelope(text, TRACES, out.spans, out);
  return out;
}

function readSpan(o: Json, resource: Resource, service: string, scope: Scope): SpanRecord {
  const traceId = traceIdOf(o.traceId ?? o.trace_id, o);
  const spanId = idOf(o.spanId ?? o.span_id, o, SPAN_ID);
  let parentSpanId = idOf(o.parentSpanId ?? o.parent_span_id, o, PARENT_SPAN_ID);
  if (parentSpanId === ALL_ZERO_SPAN) parentSpanId = '';
  const traceState = stringOf(o.traceState ?? o.trace_state, o, TRACE_STATE);
  const flags = uint32Of(o.flags, o, FLAGS);
  const name = stringOf(o.name, o, NAME);
  const kind = kindOf(o.kind, o);
  const startUs = microsOf(o.startTimeUnixNano ?? o.start_time_unix_nano, o, START_TIME);
  const endUs = microsOf(o.endTimeUnixNano ?? o.end_time_unix_nano, o, END_TIME);
  const status = statusOf(o.status, o);
  const attributes = attributesOf(o.attributes, o, ATTRIBUTES);
  const events = eventsOf(o.events, o);
  const links = linksOf(o.links, o);
  const droppedAttributesCount = uint32Of(o.droppedAttributesCount ?? o.dropped_attributes_count, o, DROPPED_ATTRIBUTES);
  const droppedEventsCount = uint32Of(o.droppedEventsCount ?? o.dropped_events_count, o, DROPPED_EVENTS);
  const droppedLinksCount = uint32Of(o.droppedLinksCount ?? o.dropped_links_count, o, DROPPED_LINKS);
  // Same property order as the protobuf decoder, so both make objects of one shape.
  return {
    traceId, spanId, parentSpanId, traceState, flags, name, kind, service,
    startUs, endUs, status, attributes, events, links, resource, scope,
    droppedAttributesCount, droppedEventsCount, droppedLinksCount,
  };
}

function kindOf(v: unknown, o: Json): SpanKind {
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return spanKindFromNumber(v);
  } else if (v === undefined || v === null) {
    return 'internal';
  } else if (typeof v === 'string') {
    const kind = spanKindFromName(v);
    if (kind !== undefined) return kind;
  }
  throw fieldError(o, KIND, 'expected a SpanKind integer or name such as "SPAN_KIND_SERVER"', v);
}

function statusOf(v: unknown, parent: Json): SpanStatus {
  if (v === undefined || v === null) return UNSET_STATUS;
  if (!isObject(v)) throw fieldError(parent, STATUS, 'expected a Status object', v);
  const c = v.code;
  let code: StatusCode | undefined;
  if (typeof c === 'number') {
    if (Number.isInteger(c)) code = statusCodeFromNumber(c);
  } else if (c === undefined || c === null) {
    code = 'unset';
  } else if (typeof c === 'string') {
    code = statusCodeFromName(c);
  }
  if (code === undefined) {
    throw fieldError(v, CODE, 'expected a StatusCode integer or name such as "STATUS_CODE_ERROR"', c).within(keyIn(parent, STATUS));
  }
  const m = v.message;
  let message = '';
  if (typeof m === 'string') message = m;
  else if (m !== undefined && m !== null) throw fieldError(v, MESSAGE, 'expected a string', m).within(keyIn(parent, STATUS));
  return code === 'unset' && message === '' ? UNSET_STATUS : { code, message };
}

function eventsOf(v: unknown, span: Json): SpanEvent[] {
  if (v === undefined || v === null) return NO_EVENTS;
  if (!Array.isArray(v)) throw fieldError(span, EVENTS, 'expected an array of Span.Event objects', v);
  if (v.length === 0) return NO_EVENTS;
  const events: SpanEvent[] = [];
  let i = 0;
  try {
    for (; i < v.length; i++) {
      const e = objectAt(v[i], 'a Span.Event object');
      const timeUs = microsOf(e.timeUnixNano ?? e.time_unix_nano, e, TIME);
      const name = stringOf(e.name, e, NAME);
      const attributes = attributesOf(e.attributes, e, ATTRIBUTES);
      const droppedAttributesCount = uint32Of(e.droppedAttributesCount ?? e.dropped_attributes_count, e, DROPPED_ATTRIBUTES);
      events.push({ name, timeUs, attributes, droppedAttributesCount });
    }
  } catch (error) {
    rethrowWithin(error, `events[${i}]`);
  }
  return events;
}

function linksOf(v: unknown, span: Json): SpanLink[] {
  if (v === undefined || v === null) return NO_LINKS;
  if (!Array.isArray(v)) throw fieldError(span, LINKS, 'expected an array of Span.Link objects', v);
  if (v.length === 0) return NO_LINKS;
  const links: SpanLink[] = [];
  let i = 0;
  try {
    for (; i < v.length; i++) {
      const l = objectAt(v[i], 'a Span.Link object');
      const traceId = linkIdOf(l.traceId ?? l.trace_id, l, TRACE_ID);
      const spanId = linkIdOf(l.spanId ?? l.span_id, l, SPAN_ID);
      const traceState = stringOf(l.traceState ?? l.trace_state, l, TRACE_STATE);
      const attributes = attributesOf(l.attributes, l, ATTRIBUTES);
      const droppedAttributesCount = uint32Of(l.droppedAttributesCount ?? l.dropped_attributes_count, l, DROPPED_ATTRIBUTES);
      const flags = uint32Of(l.flags, l, FLAGS);
      links.push({ traceId, spanId, traceState, attributes, droppedAttributesCount, flags });
    }
  } catch (error) {
    rethrowWithin(error, `links[${i}]`);
  }
  return links;
}
