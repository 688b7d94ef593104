/**
 * OTLP/protobuf `ExportTraceServiceRequest` → SpanRecord[], in one pass over
 * the bytes with no intermediate wire objects (field numbers from
 * opentelemetry/proto/trace/v1/trace.proto).
 */
import type { Attributes, DecodedSpans, Resource, Scope, SpanEvent, SpanLink, SpanRecord, SpanStatus } from '../model/span';
import { FIXED32, FIXED64, LENGTH_DELIMITED, ProtoReader, VARINT } from './protobuf-reader';
import { findMessageField, readAttribute, readId, readResource, readScope } from './otlp-proto-common';
import {
  ALL_ZERO_SPAN, EMPTY_RESOURCE, EMPTY_SCOPE, NO_EVENTS, NO_LINKS, UNSET_STATUS, microsFromNanoHalves, serviceNameOf, spanIdProblem, spanKindFromNumber, statusCodeFromNumber,
} from './span-fields';
import { hexString } from './ascii-strings';
import { rethrowWithin } from './wire-error';


/** Decodes a whole request. Throws WireError (with field path and byte offset) when it is malformed. */
export function decodeTracesProto(bytes: Uint8Array): DecodedSpans {
  const out: DecodedSpans = { spans: [], rejected: 0, rejectReason: '' };
  const r = new ProtoReader(bytes);
  const ids = new TraceIdCache();
  const end = bytes.length;
  let index = 0;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 1) {
      r.expect(LENGTH_DELIMITED, 'resource_spans');
      try {
        const stop = r.delimited(end);
        readResourceSpans(r, stop, out, ids, index);
      } catch (error) {
        rethrowWithin(error, `resource_spans[${index}]`);
      }
      index++;
    } else r.skip(end);
  }
  return out;
}

function readResourceSpans(r: ProtoReader, end: number, out: DecodedSpans, ids: TraceIdCache, resourceIndex: number): void {
  const start = r.pos;
  const at = findMessageField(r, start, end, 1);
  let resource = EMPTY_RESOURCE;
  if (at) {
    r.pos = at[0];
    try {
      resource = readResource(r, at[1]);
    } catch (error) {
      rethrowWithin(error, 'resource');
    }
    r.pos = start;
  }
  const service = serviceNameOf(resource.attributes);
  let index = 0;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 2) {
      r.expect(LENGTH_DELIMITED, 'scope_spans');
      try {
        const stop = r.delimited(end);
        readScopeSpans(r, stop, out, ids, resource, service, `resource_spans[${resourceIndex}].scope_spans[${index}]`);
      } catch (error) {
        rethrowWithin(error, `scope_spans[${index}]`);
      }
      index++;
    } else r.skip(end);
  }
}

function readScopeSpans(
  r: ProtoReader, end: number, out: DecodedSpans, ids: TraceIdCache, resource: Resource, service: string, path: string,
): void {
  const start = r.pos;
  const at = findMessageField(r, start, end, 1);
  let scope = EMPTY_SCOPE;
  if (at) {
    r.pos = at[0];
    try {
      scope = readScope(r, at[1]);
    } catch (error) {
      rethrowWithin(error, 'scope');
    }
    r.pos = start;
  }
  let index = 0;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 2) {
      r.expect(LENGTH_DELIMITED, 'spans');
      let span: SpanRecord;
      try {
        const stop = r.delimited(end);
        span = readSpan(r, stop, ids, resource, service, scope);
      } catch (error) {
        rethrowWithin(error, `spans[${index}]`);
      }
      const problem = spanIdProblem(span.traceId, span.spanId, span.parentSpanId);
      if (problem === '') out.spans.push(span);
      else {
        if (out.rejected === 0) out.rejectReason = `${path}.spans[${index}]: ${problem}`;
        out.rejected++;
      }
      index++;
    } else r.skip(end);
  }
}

function readSpan(r: ProtoReader, end: number, ids: TraceIdCache, resource: Resource, service: string, scope: Scope): SpanRecord {
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
      case 1:
        traceId = readId(r, end, 'trace_id', ids.hex);
        break;
      case 2:
        spanId = readId(r, end, 'span_id', hexString);
        break;
      case 3:
        r.expect(LENGTH_DELIMITED, 'trace_state');
        traceState = r.string(end);
        break;
      case 4:
        parentSpanId = readId(r, end, 'parent_span_id', hexString);
        break;
      case 5:
        r.expect(LENGTH_DELIMITED, 'name');
        name = r.string(end);
        break;
      case 6:
        r.expect(VARINT, 'kind');
        kind = r.varint32(end) | 0;
        break;
      case 7:
        r.expect(FIXED64, 'start_time_unix_nano');
        r.fixed64(end);
        startUs = microsFromNanoHalves(r.lo, r.hi);
        break;
      case 8:
        r.expect(FIXED64, 'end_time_unix_nano');
        r.fixed64(end);
        endUs = microsFromNanoHalves(r.lo, r.hi);
        break;
      case 9:
        readAttribute(r, end, attributes, 'attributes', attributeIndex++);
        break;
      case 10:
        r.expect(VARINT, 'dropped_attributes_count');
        droppedAttributesCount = r.varint32(end);
        break;
      case 11:
        if (events === NO_EVENTS) events = [];
        events.push(readSubmessage(r, end, 'events', events.length, readEvent));
        break;
      case 12:
        r.expect(VARINT, 'dropped_events_count');
        droppedEventsCount = r.varint32(end);
        break;
      case 13:
        if (links === NO_LINKS) links = [];
        links.push(readSubmessage(r, end, 'links', links.length, readLink));
        break;
      case 14:
        r.expect(VARINT, 'dropped_links_count');
        droppedLinksCount = r.varint32(end);
        break;
      case 15:
        status = readSubmessage(r, end, 'status', -1, readStatus);
        break;
      case 16:
        r.expect(FIXED32, 'flags');
        flags = r.fixed32(end);
        break;
      default:
        r.skip(end);
    }
  }
  if (parentSpanId === ALL_ZERO_SPAN) parentSpanId = '';
  return {
    traceId, spanId, parentSpanId, traceState, flags, name, kind: spanKindFromNumber(kind), service,
    startUs, endUs, status, attributes, events, links, resource, scope,
    droppedAttributesCount, droppedEventsCount, droppedLinksCount,
  };
}

/** A length-delimited sub-message decoded by `read`, with `name[index]` on any error path. */
function readSubmessage<T>(r: ProtoReader, end: number, name: string, index: number, read: (r: ProtoReader, end: number) => T): T {
  r.expect(LENGTH_DELIMITED, name);
  try {
    const stop = r.delimited(end);
    return read(r, stop);
  } catch (error) {
    rethrowWithin(error, index < 0 ? name : `${name}[${index}]`);
  }
}

function readEvent(r: ProtoReader, end: number): SpanEvent {
  let timeUs = 0;
  let name = '';
  const attributes: Attributes = {};
  let index = 0;
  let droppedAttributesCount = 0;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 1) {
      r.expect(FIXED64, 'time_unix_nano');
      r.fixed64(end);
      timeUs = microsFromNanoHalves(r.lo, r.hi);
    } else if (r.field === 2) {
      r.expect(LENGTH_DELIMITED, 'name');
      name = r.string(end);
    } else if (r.field === 3) readAttribute(r, end, attributes, 'attributes', index++);
    else if (r.field === 4) {
      r.expect(VARINT, 'dropped_attributes_count');
      droppedAttributesCount = r.varint32(end);
    } else r.skip(end);
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
      case 1:
        traceId = readId(r, end, 'trace_id', hexString);
        break;
      case 2:
        spanId = readId(r, end, 'span_id', hexString);
        break;
      case 3:
        r.expect(LENGTH_DELIMITED, 'trace_state');
        traceState = r.string(end);
        break;
      case 4:
        readAttribute(r, end, attributes, 'attributes', index++);
        break;
      case 5:
        r.expect(VARINT, 'dropped_attributes_count');
        droppedAttributesCount = r.varint32(end);
        break;
      case 6:
        r.expect(FIXED32, 'flags');
        flags = r.fixed32(end);
        break;
      default:
        r.skip(end);
    }
  }
  return { traceId, spanId, traceState, attributes, droppedAttributesCount, flags };
}

function readStatus(r: ProtoReader, end: number): SpanStatus {
  let message = '';
  let code = 0;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 2) {
      r.expect(LENGTH_DELIMITED, 'message');
      message = r.string(end);
    } else if (r.field === 3) {
      r.expect(VARINT, 'code');
      code = r.varint32(end) | 0;
    } else r.skip(end);
  }
  return code === 0 && message === '' ? UNSET_STATUS : { code: statusCodeFromNumber(code), message };
}

/**
 * Spans of one trace usually arrive together; reusing the previous trace id's
 * string when the bytes match saves a string per span in the store.
 */
class TraceIdCache {
  private last = '';
  private lastBytes = new Uint8Array(16);

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
