/**
 * OTLP/protobuf `ExportTraceServiceRequest` → SpanRecord[], in one pass over
 * the bytes with no intermediate wire objects (field numbers from
 * opentelemetry/proto/trace/v1/trace.proto). The request's envelope is
 * otlp-proto-envelope.ts's; this file reads the spans.
 */
import type { Attributes, DecodedSpans, Resource, Scope, SpanEvent, SpanLink, SpanRecord, SpanStatus } from '../model/span';
import type { ProtoReader } from './protobuf-reader';
import { readAttribute, readId, readMicros, readSubmessage } from './otlp-proto-common';
import { type ProtoSignal, walkProtoEnvelope } from './otlp-proto-envelope';
import { ALL_ZERO_SPAN, NO_EVENTS, NO_LINKS, UNSET_STATUS, spanIdProblem, spanKindFromNumber, statusCodeFromNumber } from './span-fields';
import { hexString } from './ascii-strings';

const TRACES: ProtoSignal<SpanRecord> = {
  resources: 'resource_spans', scopes: 'scope_spans', items: 'spans',
  read: readSpan,
  idProblem: (span) => spanIdProblem(span.traceId, span.spanId, span.parentSpanId),
  keep: () => true,
};

/** Decodes a whole request. Throws WireError (with field path and byte offset) when it is malformed. */
export function decodeTracesProto(bytes: Uint8Array): DecodedSpans {
  const out: DecodedSpans = { spans: [], rejected: 0, rejectReason: '' };
  traceIds.forget();
  walkProtoEnvelope(bytes, TRACES, out.spans, out);
  return out;
}

function readSpan(r: ProtoReader, end: number, resource: Resource, service: string, scope: Scope): SpanRecord {
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let traceState = '';
  let flags = 0;
  let name = '';
  let kind = 0;
  let startUs = 0;
  let endUs = 0;
  const attributes: Attributes = {};
  let attributeIndex = 0;
  let droppedAttributesCount = 0;
  let events = NO_EVENTS;
  let droppedEventsCount = 0;
  let links = NO_LINKS;
  let droppedLinksCount = 0;
  let status = UNSET_STATUS;
  while (r.pos < end) {
    r.tag(end);
    switch (r.field) {
      case 1: traceId = readId(r, end, 'trace_id', traceIds.hex); break;
      case 2: spanId = readId(r, end, 'span_id', hexString); break;
      case 3: traceState = r.stringField(end, 'trace_state'); break;
      case 4: parentSpanId = readId(r, end, 'parent_span_id', hexString); break;
      case 5: name = r.stringField(end, 'name'); break;
      case 6: kind = r.int32Field(end, 'kind'); break;
      case 7: startUs = readMicros(r, end, 'start_time_unix_nano'); break;
      case 8: endUs = readMicros(r, end, 'end_time_unix_nano'); break;
      case 9: readAttribute(r, end, attributes, 'attributes', attributeIndex++); break;
      case 10: droppedAttributesCount = r.uint32Field(end, 'dropped_attributes_count'); break;
      case 11:
        if (events === NO_EVENTS) events = [];
        events.push(readSubmessage(r, end, 'events', events.length, readEvent));
        break;
      case 12: droppedEventsCount = r.uint32Field(end, 'dropped_events_count'); break;
      case 13:
        if (links === NO_LINKS) links = [];
        links.push(readSubmessage(r, end, 'links', links.length, readLink));
        break;
      case 14: droppedLinksCount = r.uint32Field(end, 'dropped_links_count'); break;
      case 15: status = readSubmessage(r, end, 'status', -1, readStatus); break;
      case 16: flags = r.fixed32Field(end, 'flags'); break;
      default: r.skip(end);
    }
  }
  if (parentSpanId === ALL_ZERO_SPAN) parentSpanId = '';
  return {
    traceId, spanId, parentSpanId, traceState, flags, name, kind: spanKindFromNumber(kind), service,
    startUs, endUs, status, attributes, events, links, resource, scope,
    droppedAttributesCount, droppedEventsCount, droppedLinksCount,
  };
}

function readEvent(r: ProtoReader, end: number): SpanEvent {
  let timeUs = 0;
  let name = '';
  const attributes: Attributes = {};
  let index = 0;
  let droppedAttributesCount = 0;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 1) timeUs = readMicros(r, end, 'time_unix_nano');
    else if (r.field === 2) name = r.stringField(end, 'name');
    else if (r.field === 3) readAttribute(r, end, attributes, 'attributes', index++);
    else if (r.field === 4) droppedAttributesCount = r.uint32Field(end, 'dropped_attributes_count');
    else r.skip(end);
  }
  return { name, timeUs, attributes, droppedAttributesCount };
}

function readLink(r: ProtoReader, end: number): SpanLink {
  let traceId = '';
  let spanId = '';
  let traceState = '';
  const attributes: Attributes = {};
  let index = 0;
  let droppedAttributesCount = 0;
  let flags = 0;
  while (r.pos < end) {
    r.tag(end);
    switch (r.field) {
      case 1: traceId = readId(r, end, 'trace_id', hexString); break;
      case 2: spanId = readId(r, end, 'span_id', hexString); break;
      case 3: traceState = r.stringField(end, 'trace_state'); break;
      case 4: readAttribute(r, end, attributes, 'attributes', index++); break;
      case 5: droppedAttributesCount = r.uint32Field(end, 'dropped_attributes_count'); break;
      case 6: flags = r.fixed32Field(end, 'flags'); break;
      default: r.skip(end);
    }
  }
  return { traceId, spanId, traceState, attributes, droppedAttributesCount, flags };
}

function readStatus(r: ProtoReader, end: number): SpanStatus {
  let message = '';
  let code = 0;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 2) message = r.stringField(end, 'message');
    else if (r.field === 3) code = r.int32Field(end, 'code');
    else r.skip(end);
  }
  return code === 0 && message === '' ? UNSET_STATUS : { code: statusCodeFromNumber(code), message };
}

/**
 * Spans of one trace usually arrive together; reusing the previous trace id's
 * string when the bytes match saves a string per span in the store.
 * One for the module (decoding is synchronous), forgotten at each request.
 */
class TraceIdCache {
  private last = '';
  private readonly lastBytes = new Uint8Array(16);

  forget(): void {
    this.last = '';
  }

  readonly hex = (buf: Uint8Array, start: number, end: number): string => {
    if (end - start !== 16) return hexString(buf, start, end);
    const last = this.lastBytes;
    let same = this.last !== '';
    for (let i = 0; same && i < 16; i++) same = buf[start + i] === last[i];
    if (same) return this.last;
    last.set(buf.subarray(start, end));
    this.last = hexString(buf, start, end);
    return this.last;
  };
}

const traceIds = new TraceIdCache();
