/**
 * OTLP/JSON `ExportTraceServiceRequest` and `ExportLogsServiceRequest` → the
 * model, read as leniently as the OpenTelemetry Collector reads them:
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
 * Errors are WireErrors whose message starts with the JSON path, spelled as the
 * request spelled it (`resource_spans[0]...` for snake_case input). A span whose
 * ids are unusable is not an error: it is counted in `rejected`.
 *
 * Hot path: one JSON.parse, then a walk of plain loops. Field values are read
 * with literal property names (camelCase first); names for error paths are
 * only worked out when something is wrong.
 *
 * This file walks the two requests and reads ids; otlp-json-read.ts has the field spellings, scalars
 * and error helpers, otlp-json-values.ts the resources, scopes, attributes and AnyValues.
 */
import type { AttrValue, DecodedLogs, DecodedSpans, LogRecord, Resource, Scope, SpanEvent, SpanKind, SpanLink, SpanRecord, SpanStatus, StatusCode } from '../model/span';
import {
  ALL_ZERO_SPAN, NO_EVENTS, NO_LINKS, UNSET_STATUS, ALL_ZERO_TRACE, logIdProblem, serviceNameOf,
  spanIdProblem, spanKindFromName, spanKindFromNumber, statusCodeFromName, statusCodeFromNumber,
} from './span-fields';
import { rethrowWithin } from './wire-error';
import { arrayField, ATTRIBUTES, BODY, CODE, DROPPED_ATTRIBUTES, DROPPED_EVENTS, DROPPED_LINKS, END_TIME, EVENT_NAME, EVENTS, fieldError, FLAGS, isObject, type Json, keyIn, KIND, LINKS, LOG_RECORDS, MESSAGE, microsOf, NAME, type Names, objectAt, OBSERVED_TIME, PARENT_SPAN_ID, parseRequest, RESOURCE_LOGS, RESOURCE_SPANS, SCOPE_LOGS, SCOPE_SPANS, SEVERITY_NUMBER, SEVERITY_TEXT, show, SPAN_ID, SPANS, START_TIME, STATUS, stringOf, TIME, TRACE_ID, TRACE_STATE, uint32Of } from './otlp-json-read';
import { anyValue, attributesOf, readResource, readScope } from './otlp-json-values';


/** OTLP's SeverityNumber names (logs.proto), looked up in upper case. */
const SEVERITY_NAMES = new Map<string, number>([['SEVERITY_NUMBER_UNSPECIFIED', 0]]);
['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].forEach((level, i) => {
  for (let n = 1; n <= 4; n++) SEVERITY_NAMES.set(`SEVERITY_NUMBER_${level}${n === 1 ? '' : n}`, i * 4 + n);
});

/*
 * Per-call state of the walk (decoding is synchronous, so module variables are safe):
 * the first unusable id of the span being read, and the last trace id seen, so that
 * spans of one trace share one id string.
 */
let idProblem = '';
let lastRawTraceId: unknown = undefined;
let lastTraceId = '';

// ---------------------------------------------------------------------------------------------
// Traces

/** Decodes a whole OTLP/JSON trace request. Throws WireError (with its JSON path) when it is malformed. */
export function decodeTracesJson(text: string): DecodedSpans {
  const root = parseRequest(text, 'ExportTraceServiceRequest');
  const out: DecodedSpans = { spans: [], rejected: 0, rejectReason: '' };
  const list = arrayField(root.resourceSpans ?? root.resource_spans, root, RESOURCE_SPANS);
  let i = 0;
  try {
    for (; i < list.length; i++) {
      readResourceSpans(objectAt(list[i], 'a ResourceSpans object'), out, `${keyIn(root, RESOURCE_SPANS)}[${i}]`);
    }
  } catch (error) {
    rethrowWithin(error, `${keyIn(root, RESOURCE_SPANS)}[${i}]`);
  } finally {
    forgetTraceId();
  }
  return out;
}

function readResourceSpans(rs: Json, out: DecodedSpans, path: string): void {
  const resource = readResource(rs.resource, rs);
  const service = serviceNameOf(resource.attributes);
  const list = arrayField(
    rs.scopeSpans ?? rs.scope_spans ?? rs.instrumentationLibrarySpans ?? rs.instrumentation_library_spans, rs, SCOPE_SPANS,
  );
  let j = 0;
  try {
    for (; j < list.length; j++) {
      readScopeSpans(objectAt(list[j], 'a ScopeSpans object'), out, resource, service, `${path}.${keyIn(rs, SCOPE_SPANS)}[${j}]`);
    }
  } catch (error) {
    rethrowWithin(error, `${keyIn(rs, SCOPE_SPANS)}[${j}]`);
  }
}

function readScopeSpans(ss: Json, out: DecodedSpans, resource: Resource, service: string, path: string): void {
  const scope = readScope(ss.scope ?? ss.instrumentationLibrary ?? ss.instrumentation_library, ss);
  const list = arrayField(ss.spans, ss, SPANS);
  const spans = out.spans;
  let k = 0;
  try {
    for (; k < list.length; k++) {
      const span = readSpan(objectAt(list[k], 'a Span object'), resource, service, scope);
      const problem = idProblem !== '' ? idProblem : spanIdProblem(span.traceId, span.spanId, span.parentSpanId);
      if (problem === '') spans.push(span);
      else {
        if (out.rejected === 0) out.rejectReason = `${path}.spans[${k}]: ${problem}`;
        out.rejected++;
      }
    }
  } catch (error) {
    rethrowWithin(error, `spans[${k}]`);
  }
}

function readSpan(o: Json, resource: Resource, service: string, scope: Scope): SpanRecord {
  idProblem = '';
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

// ---------------------------------------------------------------------------------------------
// Logs

/** Decodes a whole OTLP/JSON logs request; keeps only the records that name a trace. */
export function decodeLogsJson(text: string): DecodedLogs {
  const root = parseRequest(text, 'ExportLogsServiceRequest');
  const out: DecodedLogs = { logs: [], rejected: 0, rejectReason: '' };
  const list = arrayField(root.resourceLogs ?? root.resource_logs, root, RESOURCE_LOGS);
  let i = 0;
  try {
    for (; i < list.length; i++) {
      readResourceLogs(objectAt(list[i], 'a ResourceLogs object'), out, `${keyIn(root, RESOURCE_LOGS)}[${i}]`);
    }
  } catch (error) {
    rethrowWithin(error, `${keyIn(root, RESOURCE_LOGS)}[${i}]`);
  } finally {
    forgetTraceId();
  }
  return out;
}

function readResourceLogs(rl: Json, out: DecodedLogs, path: string): void {
  const resource = readResource(rl.resource, rl);
  const service = serviceNameOf(resource.attributes);
  const list = arrayField(
    rl.scopeLogs ?? rl.scope_logs ?? rl.instrumentationLibraryLogs ?? rl.instrumentation_library_logs, rl, SCOPE_LOGS,
  );
  let j = 0;
  try {
    for (; j < list.length; j++) {
      readScopeLogs(objectAt(list[j], 'a ScopeLogs object'), out, resource, service, `${path}.${keyIn(rl, SCOPE_LOGS)}[${j}]`);
    }
  } catch (error) {
    rethrowWithin(error, `${keyIn(rl, SCOPE_LOGS)}[${j}]`);
  }
}

function readScopeLogs(sl: Json, out: DecodedLogs, resource: Resource, service: string, path: string): void {
  const scope = readScope(sl.scope ?? sl.instrumentationLibrary ?? sl.instrumentation_library, sl);
  const list = arrayField(sl.logRecords ?? sl.log_records ?? sl.logs, sl, LOG_RECORDS);
  const logs = out.logs;
  let k = 0;
  try {
    for (; k < list.length; k++) {
      const log = readLogRecord(objectAt(list[k], 'a LogRecord object'), resource, service, scope);
      const problem = idProblem !== '' ? idProblem : logIdProblem(log.traceId, log.spanId);
      if (problem !== '') {
        if (out.rejected === 0) out.rejectReason = `${path}.${keyIn(sl, LOG_RECORDS)}[${k}]: ${problem}`;
        out.rejected++;
      } else if (log.traceId !== '') logs.push(log);
    }
  } catch (error) {
    rethrowWithin(error, `${keyIn(sl, LOG_RECORDS)}[${k}]`);
  }
}

function readLogRecord(o: Json, resource: Resource, service: string, scope: Scope): LogRecord {
  idProblem = '';
  let traceId = traceIdOf(o.traceId ?? o.trace_id, o);
  if (traceId === ALL_ZERO_TRACE) traceId = '';
  const spanId = idOf(o.spanId ?? o.span_id, o, SPAN_ID);
  const timeUs = microsOf(o.timeUnixNano ?? o.time_unix_nano, o, TIME);
  const observedTimeUs = microsOf(o.observedTimeUnixNano ?? o.observed_time_unix_nano, o, OBSERVED_TIME);
  const severityNumber = severityOf(o.severityNumber ?? o.severity_number, o);
  const severityText = stringOf(o.severityText ?? o.severity_text, o, SEVERITY_TEXT);
  const eventName = stringOf(o.eventName ?? o.event_name, o, EVENT_NAME);
  let body: AttrValue = null;
  const b = o.body;
  if (b !== undefined && b !== null) {
    try {
      body = anyValue(b, 0);
    } catch (error) {
      rethrowWithin(error, keyIn(o, BODY));
    }
  }
  const attributes = attributesOf(o.attributes, o, ATTRIBUTES);
  const flags = uint32Of(o.flags, o, FLAGS);
  const droppedAttributesCount = uint32Of(o.droppedAttributesCount ?? o.dropped_attributes_count, o, DROPPED_ATTRIBUTES);
  return {
    traceId, spanId, timeUs, observedTimeUs, severityNumber, severityText, eventName, body, attributes,
    service, resource, scope, flags, droppedAttributesCount,
  };
}

function severityOf(v: unknown, o: Json): number {
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return v | 0;
  } else if (v === undefined || v === null) {
    return 0;
  } else if (typeof v === 'string') {
    const n = SEVERITY_NAMES.get(v.toUpperCase());
    if (n !== undefined) return n;
  }
  throw fieldError(o, SEVERITY_NUMBER, 'expected a SeverityNumber integer or name such as "SEVERITY_NUMBER_INFO"', v);
}

// ---------------------------------------------------------------------------------------------
// Ids

/** A span's or log's trace id; the previous one's string when the text is the same. */
function traceIdOf(v: unknown, o: Json): string {
  if (v === lastRawTraceId) return lastTraceId;
  const id = idOf(v, o, TRACE_ID);
  if (idProblem === '') {
    lastRawTraceId = v;
    lastTraceId = id;
  }
  return id;
}

function forgetTraceId(): void {
  lastRawTraceId = undefined;
  lastTraceId = '';
  idProblem = '';
}

/** A span's or log's id as lower-case hex; an id that is not hex is noted in `idProblem` (the record is rejected). */
function idOf(v: unknown, o: Json, names: Names): string {
  if (typeof v === 'string') {
    const hex = lowerHex(v);
    if (hex !== undefined) return hex;
    if (idProblem === '') idProblem = notHex(v, keyIn(o, names));
    return v.toLowerCase();
  }
  if (v === undefined || v === null) return '';
  throw fieldError(o, names, 'expected a hex string', v);
}

/** A link's id: lower-cased, and kept even when it is not hex (a bad link does not reject its span). */
function linkIdOf(v: unknown, o: Json, names: Names): string {
  if (typeof v === 'string') return lowerHex(v) ?? v.toLowerCase();
  if (v === undefined || v === null) return '';
  throw fieldError(o, names, 'expected a hex string', v);
}

/** `text` as lower-case hex, or undefined when it is not an even number of hex digits. */
function lowerHex(text: string): string | undefined {
  const n = text.length;
  if ((n & 1) !== 0) return undefined;
  let upper = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c <= 57) {
      if (c < 48) return undefined; // below '0'
    } else if (c >= 97) {
      if (c > 102) return undefined; // past 'f'
    } else if (c >= 65 && c <= 70) {
      upper = true; // 'A'..'F'
    } else return undefined;
  }
  return upper ? text.toLowerCase() : text;
}

function notHex(text: string, field: string): string {
  if ((text.length & 1) !== 0 && lowerHex(`${text}0`) !== undefined) {
    return `${field} has an odd number of hex digits (${text.length})`;
  }
  return `${field} is not hex: ${show(text)}`;
}

