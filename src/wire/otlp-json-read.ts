/**
 * The plain readers of OTLP/JSON (see otlp-json-traces.ts): field spellings, the request, scalars and the
 * error helpers that name the JSON path. Shared by the trace and logs decoders and otlp-json-values.ts.
 */
import { errorText } from '../common/errors';
import { int64FromString, microsFromNanoString } from './span-fields';
import { WireError } from './wire-error';

export type Json = { [key: string]: unknown };

/** The spellings a field may have, the canonical (lowerCamelCase) one first. */
export type Names = readonly [string, ...string[]];

// Shared, frozen empties, as in the protobuf decoder: memory per span is measured.
export const NO_ITEMS: readonly unknown[] = Object.freeze([]);

// The pre-1.0 names, read as aliases of the names that replaced them (the fast path leaves them to the lenient decoder).
export const INSTRUMENTATION_LIBRARY_SPANS: Names = ['instrumentationLibrarySpans', 'instrumentation_library_spans'];
export const INSTRUMENTATION_LIBRARY: Names = ['instrumentationLibrary', 'instrumentation_library'];

export const RESOURCE_SPANS: Names = ['resourceSpans', 'resource_spans'];
export const SCOPE_SPANS: Names = ['scopeSpans', 'scope_spans', ...INSTRUMENTATION_LIBRARY_SPANS];
export const SPANS: Names = ['spans'];
export const RESOURCE_LOGS: Names = ['resourceLogs', 'resource_logs'];
export const SCOPE_LOGS: Names = ['scopeLogs', 'scope_logs', 'instrumentationLibraryLogs', 'instrumentation_library_logs'];
export const LOG_RECORDS: Names = ['logRecords', 'log_records', 'logs'];
export const RESOURCE: Names = ['resource'];
export const SCOPE: Names = ['scope', ...INSTRUMENTATION_LIBRARY];
export const NAME: Names = ['name'];
export const VERSION: Names = ['version'];
export const ATTRIBUTES: Names = ['attributes'];
export const DROPPED_ATTRIBUTES: Names = ['droppedAttributesCount', 'dropped_attributes_count'];
export const TRACE_ID: Names = ['traceId', 'trace_id'];
export const SPAN_ID: Names = ['spanId', 'span_id'];
export const PARENT_SPAN_ID: Names = ['parentSpanId', 'parent_span_id'];
export const TRACE_STATE: Names = ['traceState', 'trace_state'];
export const FLAGS: Names = ['flags'];
export const KIND: Names = ['kind'];
export const START_TIME: Names = ['startTimeUnixNano', 'start_time_unix_nano'];
export const END_TIME: Names = ['endTimeUnixNano', 'end_time_unix_nano'];
export const TIME: Names = ['timeUnixNano', 'time_unix_nano'];
export const OBSERVED_TIME: Names = ['observedTimeUnixNano', 'observed_time_unix_nano'];
export const EVENTS: Names = ['events'];
export const DROPPED_EVENTS: Names = ['droppedEventsCount', 'dropped_events_count'];
export const LINKS: Names = ['links'];
export const DROPPED_LINKS: Names = ['droppedLinksCount', 'dropped_links_count'];
export const STATUS: Names = ['status'];
export const CODE: Names = ['code'];
export const MESSAGE: Names = ['message'];
export const SEVERITY_NUMBER: Names = ['severityNumber', 'severity_number'];
export const SEVERITY_TEXT: Names = ['severityText', 'severity_text'];
export const EVENT_NAME: Names = ['eventName', 'event_name'];
export const BODY: Names = ['body'];
export const KEY: Names = ['key'];
export const VALUE: Names = ['value'];
export const VALUES: Names = ['values'];
export const STRING_VALUE: Names = ['stringValue', 'string_value'];
export const BOOL_VALUE: Names = ['boolValue', 'bool_value'];
export const INT_VALUE: Names = ['intValue', 'int_value'];
export const DOUBLE_VALUE: Names = ['doubleValue', 'double_value'];
export const ARRAY_VALUE: Names = ['arrayValue', 'array_value'];
export const KVLIST_VALUE: Names = ['kvlistValue', 'kvlist_value'];
export const BYTES_VALUE: Names = ['bytesValue', 'bytes_value'];

export function parseRequest(text: string, what: string): Json {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new WireError(`body is not valid JSON: ${errorText(error)}`);
  }
  if (!isObject(root)) throw new WireError(`expected a JSON object (${what}), got ${show(root)}`);
  return root;
}


export function stringOf(v: unknown, o: Json, names: Names): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  throw fieldError(o, names, 'expected a string', v);
}

/** A uint32 (counts, flags) from a number or a decimal string; missing → 0. */
export function uint32Of(v: unknown, o: Json, names: Names): number {
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
export function microsOf(v: unknown, o: Json, names: Names): number {
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
// Small helpers

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function objectAt(v: unknown, what: string): Json {
  if (isObject(v)) return v;
  throw expected(what, v);
}

/** A repeated field: an array, or none when it is missing or null. */
export function arrayField(v: unknown, o: Json, names: Names): readonly unknown[] {
  if (v === undefined || v === null) return NO_ITEMS;
  if (Array.isArray(v)) return v;
  throw fieldError(o, names, 'expected an array', v);
}

/** The spelling of a field that `o` uses (the first one present), for error paths. */
export function keyIn(o: Json, names: Names): string {
  for (const name of names) if (o[name] !== undefined && o[name] !== null) return name;
  return names[0];
}

export function expected(what: string, got: unknown): WireError {
  return new WireError(`expected ${what}, got ${show(got)}`);
}

export function fieldError(o: Json, names: Names, detail: string, got: unknown): WireError {
  return new WireError(`${detail}, got ${show(got)}`).within(keyIn(o, names));
}

/** A short description of a JSON value for an error message. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 64 ? `${v.slice(0, 64)}…` : v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return String(v);
}
