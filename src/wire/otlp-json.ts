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
 */
import type {
  AttrValue, Attributes, DecodedLogs, DecodedSpans, LogRecord, Resource, Scope, SpanEvent, SpanKind, SpanLink, SpanRecord,
  SpanStatus, StatusCode,
} from '../model/span';
import {
  ALL_ZERO_SPAN, EMPTY_RESOURCE, EMPTY_SCOPE, NO_EVENTS, NO_LINKS, UNSET_STATUS, ALL_ZERO_TRACE, bytesToBase64, int64FromString, logIdProblem, microsFromNanoString, serviceNameOf, setAttribute,
  spanIdProblem, spanKindFromName, spanKindFromNumber, statusCodeFromName, statusCodeFromNumber,
} from './span-fields';
import { errorText } from '../common/errors';
import { MAX_VALUE_DEPTH, WireError, rethrowWithin } from './wire-error';

type Json = { [key: string]: unknown };
/** The spellings a field may have, the canonical (lowerCamelCase) one first. */
type Names = readonly [string, ...string[]];

// Shared, frozen empties, as in the protobuf decoder: memory per span is measured.
const NO_ITEMS: readonly unknown[] = Object.freeze([]);

const RESOURCE_SPANS: Names = ['resourceSpans', 'resource_spans'];
const SCOPE_SPANS: Names = ['scopeSpans', 'scope_spans', 'instrumentationLibrarySpans', 'instrumentation_library_spans'];
const SPANS: Names = ['spans'];
const RESOURCE_LOGS: Names = ['resourceLogs', 'resource_logs'];
const SCOPE_LOGS: Names = ['scopeLogs', 'scope_logs', 'instrumentationLibraryLogs', 'instrumentation_library_logs'];
const LOG_RECORDS: Names = ['logRecords', 'log_records', 'logs'];
const RESOURCE: Names = ['resource'];
const SCOPE: Names = ['scope', 'instrumentationLibrary', 'instrumentation_library'];
const NAME: Names = ['name'];
const VERSION: Names = ['version'];
const ATTRIBUTES: Names = ['attributes'];
const DROPPED_ATTRIBUTES: Names = ['droppedAttributesCount', 'dropped_attributes_count'];
const TRACE_ID: Names = ['traceId', 'trace_id'];
const SPAN_ID: Names = ['spanId', 'span_id'];
const PARENT_SPAN_ID: Names = ['parentSpanId', 'parent_span_id'];
const TRACE_STATE: Names = ['traceState', 'trace_state'];
const FLAGS: Names = ['flags'];
const KIND: Names = ['kind'];
const START_TIME: Names = ['startTimeUnixNano', 'start_time_unix_nano'];
const END_TIME: Names = ['endTimeUnixNano', 'end_time_unix_nano'];
const TIME: Names = ['timeUnixNano', 'time_unix_nano'];
const OBSERVED_TIME: Names = ['observedTimeUnixNano', 'observed_time_unix_nano'];
const EVENTS: Names = ['events'];
const DROPPED_EVENTS: Names = ['droppedEventsCount', 'dropped_events_count'];
const LINKS: Names = ['links'];
const DROPPED_LINKS: Names = ['droppedLinksCount', 'dropped_links_count'];
const STATUS: Names = ['status'];
const CODE: Names = ['code'];
const MESSAGE: Names = ['message'];
const SEVERITY_NUMBER: Names = ['severityNumber', 'severity_number'];
const SEVERITY_TEXT: Names = ['severityText', 'severity_text'];
const EVENT_NAME: Names = ['eventName', 'event_name'];
const BODY: Names = ['body'];
const KEY: Names = ['key'];
const VALUES: Names = ['values'];
const STRING_VALUE: Names = ['stringValue', 'string_value'];
const BOOL_VALUE: Names = ['boolValue', 'bool_value'];
const INT_VALUE: Names = ['intValue', 'int_value'];
const DOUBLE_VALUE: Names = ['doubleValue', 'double_value'];
const ARRAY_VALUE: Names = ['arrayValue', 'array_value'];
const KVLIST_VALUE: Names = ['kvlistValue', 'kvlist_value'];
const BYTES_VALUE: Names = ['bytesValue', 'bytes_value'];

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
// Shared by traces and logs: request, resource, scope, ids, scalars

function parseRequest(text: string, what: string): Json {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new WireError(`body is not valid JSON: ${errorText(error)}`);
  }
  if (!isObject(root)) throw new WireError(`expected a JSON object (${what}), got ${show(root)}`);
  return root;
}

function readResource(v: unknown, parent: Json): Resource {
  if (v === undefined || v === null) return EMPTY_RESOURCE;
  if (!isObject(v)) throw fieldError(parent, RESOURCE, 'expected a Resource object', v);
  try {
    const attributes = attributesOf(v.attributes, v, ATTRIBUTES);
    const droppedAttributesCount = uint32Of(v.droppedAttributesCount ?? v.dropped_attributes_count, v, DROPPED_ATTRIBUTES);
    return { attributes, droppedAttributesCount };
  } catch (error) {
    rethrowWithin(error, keyIn(parent, RESOURCE));
  }
}

/** The scope's name and version (its attributes are not kept, as in the protobuf decoder). */
function readScope(v: unknown, parent: Json): Scope {
  if (v === undefined || v === null) return EMPTY_SCOPE;
  if (!isObject(v)) throw fieldError(parent, SCOPE, 'expected an InstrumentationScope object', v);
  try {
    const name = stringOf(v.name, v, NAME);
    const version = stringOf(v.version, v, VERSION);
    return name === '' && version === '' ? EMPTY_SCOPE : { name, version };
  } catch (error) {
    rethrowWithin(error, keyIn(parent, SCOPE));
  }
}

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

function stringOf(v: unknown, o: Json, names: Names): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  throw fieldError(o, names, 'expected a string', v);
}

/** A uint32 (counts, flags) from a number or a decimal string; missing → 0. */
function uint32Of(v: unknown, o: Json, names: Names): number {
  if (typeof v === 'number') {
    if (v >= 0 && v <= 0xffffffff && Number.isInteger(v)) return v + 0; // + 0 turns -0 into 0
  } else if (v === undefined || v === null) {
    return 0;
  } else if (typeof v === 'string') {
    const n = int64FromString(v);
    if (typeof n === 'number' && n >= 0 && n <= 0xffffffff) return n + 0;
  }
  throw fieldError(o, names, 'expected an unsigned 32-bit integer (number or decimal string)', v);
}

/** Nanoseconds since the epoch (a fixed64, as a decimal string or a number) → whole microseconds; missing → 0. */
function microsOf(v: unknown, o: Json, names: Names): number {
  if (typeof v === 'string') {
    const us = microsFromNanoString(v);
    if (us === us) return us; // not NaN
  } else if (typeof v === 'number') {
    if (v >= 0 && Number.isInteger(v)) return Math.floor(v / 1000);
  } else if (v === undefined || v === null) {
    return 0;
  }
  throw fieldError(o, names, 'expected nanoseconds as a non-negative integer (number or decimal string)', v);
}

// ---------------------------------------------------------------------------------------------
// Attributes and AnyValue

function attributesOf(v: unknown, o: Json, names: Names): Attributes {
  const attributes: Attributes = {};
  if (v === undefined || v === null) return attributes;
  if (!Array.isArray(v)) throw fieldError(o, names, 'expected an array of KeyValue objects', v);
  if (v.length !== 0) readKeyValues(v, attributes, 0, o, names);
  return attributes;
}

/** `repeated KeyValue` into `into`; errors get `name[i]` (and `.value`) on their path. */
function readKeyValues(list: unknown[], into: Attributes, depth: number, o: Json, names: Names): void {
  let i = 0;
  let inValue = false;
  try {
    for (; i < list.length; i++) {
      const kv = list[i];
      if (!isObject(kv)) throw expected('a KeyValue object', kv);
      const k = kv.key;
      let key = '';
      if (typeof k === 'string') key = k;
      else if (k !== undefined && k !== null) throw fieldError(kv, KEY, 'expected a string', k);
      inValue = true;
      const value = anyValue(kv.value, depth);
      inValue = false;
      setAttribute(into, key, value);
    }
  } catch (error) {
    if (error instanceof WireError) {
      if (inValue) error.within('value');
      error.within(`${keyIn(o, names)}[${i}]`);
    }
    throw error;
  }
}

/** One AnyValue; an empty or missing one is null. Arrays and key-value lists go one level deeper. */
function anyValue(v: unknown, depth: number): AttrValue {
  if (!isObject(v)) {
    if (v === undefined || v === null) return null;
    throw expected('an AnyValue object', v);
  }
  let x: unknown;
  if ((x = v.stringValue ?? v.string_value) != null) {
    if (typeof x === 'string') return x;
    throw fieldError(v, STRING_VALUE, 'expected a string', x);
  }
  if ((x = v.intValue ?? v.int_value) != null) return int64Of(x, v);
  if ((x = v.doubleValue ?? v.double_value) != null) return doubleOf(x, v);
  if ((x = v.boolValue ?? v.bool_value) != null) {
    if (typeof x === 'boolean') return x;
    throw fieldError(v, BOOL_VALUE, 'expected true or false', x);
  }
  if ((x = v.arrayValue ?? v.array_value) != null) return arrayValueOf(x, v, depth + 1);
  if ((x = v.kvlistValue ?? v.kvlist_value) != null) return kvlistValueOf(x, v, depth + 1);
  if ((x = v.bytesValue ?? v.bytes_value) != null) return bytesOf(x, v);
  return null;
}

/** An int64: a number when it is safe, else its exact decimal string. */
function int64Of(x: unknown, o: Json): number | string {
  if (typeof x === 'number') {
    if (Number.isSafeInteger(x)) return x + 0;
    // Beyond 2^53 the JSON number was already rounded by JSON.parse; keep it as the model keeps big integers.
    if (Number.isInteger(x) && x >= -9223372036854775808 && x < 9223372036854775808) return BigInt(x).toString();
  } else if (typeof x === 'string') {
    const n = int64FromString(x);
    if (n !== undefined) return n === 0 ? 0 : n;
  }
  throw fieldError(o, INT_VALUE, 'expected an integer (number or decimal string)', x);
}

const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** A double: a number, or the proto3 JSON strings "NaN", "Infinity", "-Infinity" and numeric text. */
function doubleOf(x: unknown, o: Json): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string') {
    if (x === 'NaN') return NaN;
    if (x === 'Infinity') return Infinity;
    if (x === '-Infinity') return -Infinity;
    if (DECIMAL.test(x)) return Number(x);
  }
  throw fieldError(o, DOUBLE_VALUE, 'expected a number or "NaN", "Infinity", "-Infinity"', x);
}

function arrayValueOf(x: unknown, o: Json, depth: number): AttrValue[] {
  if (depth > MAX_VALUE_DEPTH) throw new WireError(`value nested deeper than ${MAX_VALUE_DEPTH} levels`).within(keyIn(o, ARRAY_VALUE));
  if (!isObject(x)) throw fieldError(o, ARRAY_VALUE, 'expected an ArrayValue object', x);
  const values = x.values;
  const out: AttrValue[] = [];
  if (values === undefined || values === null) return out;
  if (!Array.isArray(values)) throw fieldError(x, VALUES, 'expected an array of AnyValue objects', values).within(keyIn(o, ARRAY_VALUE));
  let i = 0;
  try {
    for (; i < values.length; i++) out.push(anyValue(values[i], depth));
  } catch (error) {
    rethrowWithin(error, `${keyIn(o, ARRAY_VALUE)}.values[${i}]`);
  }
  return out;
}

function kvlistValueOf(x: unknown, o: Json, depth: number): Attributes {
  if (depth > MAX_VALUE_DEPTH) throw new WireError(`value nested deeper than ${MAX_VALUE_DEPTH} levels`).within(keyIn(o, KVLIST_VALUE));
  if (!isObject(x)) throw fieldError(o, KVLIST_VALUE, 'expected a KeyValueList object', x);
  const values = x.values;
  const out: Attributes = {};
  if (values === undefined || values === null) return out;
  if (!Array.isArray(values)) throw fieldError(x, VALUES, 'expected an array of KeyValue objects', values).within(keyIn(o, KVLIST_VALUE));
  try {
    readKeyValues(values, out, depth, x, VALUES);
  } catch (error) {
    rethrowWithin(error, keyIn(o, KVLIST_VALUE));
  }
  return out;
}

/** base64 → bytes → standard padded base64, exactly what the protobuf decoder makes of the same bytes. */
function bytesOf(x: unknown, o: Json): string {
  if (typeof x === 'string') {
    const normalised = normaliseBase64(x);
    if (normalised !== undefined) return normalised;
  }
  throw fieldError(o, BYTES_VALUE, 'expected base64 (standard or url-safe, padded or not)', x);
}

/** base64 digit values for both alphabets (`+/` and `-_`); -1 for everything else. */
const BASE64_DIGITS: Int8Array = (() => {
  const digits = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i++) digits[alphabet.charCodeAt(i)] = i;
  digits[45] = 62; // '-'
  digits[95] = 63; // '_'
  return digits;
})();

function normaliseBase64(text: string): string | undefined {
  let n = text.length;
  while (n > 0 && text.charCodeAt(n - 1) === 61) n--; // trailing '='
  const padding = text.length - n;
  if (padding > 2 || (padding > 0 && text.length % 4 !== 0) || n % 4 === 1) return undefined;
  const bytes = new Uint8Array((n * 3) >> 2);
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const digit = c < 128 ? BASE64_DIGITS[c]! : -1;
    if (digit < 0) return undefined;
    acc = ((acc << 6) | digit) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[j++] = (acc >> bits) & 0xff;
    }
  }
  return bytesToBase64(bytes, 0, j);
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function objectAt(v: unknown, what: string): Json {
  if (isObject(v)) return v;
  throw expected(what, v);
}

/** A repeated field: an array, or none when it is missing or null. */
function arrayField(v: unknown, o: Json, names: Names): readonly unknown[] {
  if (v === undefined || v === null) return NO_ITEMS;
  if (Array.isArray(v)) return v;
  throw fieldError(o, names, 'expected an array', v);
}

/** The spelling of a field that `o` uses (the first one present), for error paths. */
function keyIn(o: Json, names: Names): string {
  for (const name of names) if (o[name] !== undefined && o[name] !== null) return name;
  return names[0];
}

function expected(what: string, got: unknown): WireError {
  return new WireError(`expected ${what}, got ${show(got)}`);
}

function fieldError(o: Json, names: Names, detail: string, got: unknown): WireError {
  return new WireError(`${detail}, got ${show(got)}`).within(keyIn(o, names));
}

/** A short description of a JSON value for an error message. */
function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 64 ? `${v.slice(0, 64)}…` : v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return String(v);
}
