/**
 * A fast path for OTLP/JSON traces: reads the request bytes straight into the
 * model, without building JSON.parse's tree of objects first (which costs most
 * of the time and garbage of JSON ingest).
 *
 * It handles the shape OpenTelemetry SDKs send: camelCase or snake_case keys,
 * lower-case hex ids, integer enums, times and int64s as digit strings or safe
 * numbers, unescaped or escaped strings, unknown fields. On anything else (enum
 * names, nulls, upper-case ids, bytes values, rejected ids, duplicate keys,
 * malformed JSON …) it gives up and returns undefined, and the lenient decoder
 * (`otlp-json.ts`) reads the request instead and produces any error message.
 * So it never needs its own errors, and whenever it answers, its answer is the
 * lenient decoder's (a property test holds the two to that).
 */
import type { AttrValue, Attributes, DecodedSpans, Resource, Scope, SpanEvent, SpanLink, SpanRecord, SpanStatus } from '../model/span';
import { ascii, decodeString } from './ascii-strings';
import {
  ALL_ZERO_SPAN, EMPTY_RESOURCE, EMPTY_SCOPE, NO_EVENTS, NO_LINKS, UNSET_STATUS, microsFromNanoString, int64FromString, serviceNameOf,
  setAttribute, spanIdProblem, spanKindFromNumber, statusCodeFromNumber,
} from './span-fields';
import { MAX_VALUE_DEPTH } from './wire-error';

/** Thrown to abandon the fast path; preallocated, so giving up costs nothing. */
const GIVE_UP = Object.freeze({ giveUp: true });

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const BACKSLASH = 0x5c;

// Field ids; both spellings of a key map to one id.
const enum F {
  Unknown, ResourceSpans, Resource, ScopeSpans, Scope, Spans, Attributes, DroppedAttributes, Name, Version, TraceId, SpanId,
  ParentSpanId, TraceState, Flags, Kind, Start, End, Events, DroppedEvents, Links, DroppedLinks, Status, Code, Message, Time,
  Key, Value, StringValue, BoolValue, IntValue, DoubleValue, ArrayValue, KvlistValue, BytesValue, Values,
}

/** A key the lenient decoder reads as an alias of another: the fast path leaves such requests to it. */
const ALIAS = -1 as F;

const FIELDS = new Map<string, F>([
  ['resourceSpans', F.ResourceSpans], ['resource_spans', F.ResourceSpans], ['resource', F.Resource],
  ['scopeSpans', F.ScopeSpans], ['scope_spans', F.ScopeSpans], ['scope', F.Scope], ['spans', F.Spans],
  ['attributes', F.Attributes], ['droppedAttributesCount', F.DroppedAttributes], ['dropped_attributes_count', F.DroppedAttributes],
  ['name', F.Name], ['version', F.Version], ['traceId', F.TraceId], ['trace_id', F.TraceId], ['spanId', F.SpanId], ['span_id', F.SpanId],
  ['parentSpanId', F.ParentSpanId], ['parent_span_id', F.ParentSpanId], ['traceState', F.TraceState], ['trace_state', F.TraceState],
  ['flags', F.Flags], ['kind', F.Kind], ['startTimeUnixNano', F.Start], ['start_time_unix_nano', F.Start],
  ['endTimeUnixNano', F.End], ['end_time_unix_nano', F.End], ['events', F.Events], ['droppedEventsCount', F.DroppedEvents],
  ['dropped_events_count', F.DroppedEvents], ['links', F.Links], ['droppedLinksCount', F.DroppedLinks], ['dropped_links_count', F.DroppedLinks],
  ['status', F.Status], ['code', F.Code], ['message', F.Message], ['timeUnixNano', F.Time], ['time_unix_nano', F.Time],
  ['key', F.Key], ['value', F.Value], ['stringValue', F.StringValue], ['string_value', F.StringValue], ['boolValue', F.BoolValue],
  ['bool_value', F.BoolValue], ['intValue', F.IntValue], ['int_value', F.IntValue], ['doubleValue', F.DoubleValue],
  ['double_value', F.DoubleValue], ['arrayValue', F.ArrayValue], ['array_value', F.ArrayValue], ['kvlistValue', F.KvlistValue],
  ['kvlist_value', F.KvlistValue], ['bytesValue', F.BytesValue], ['bytes_value', F.BytesValue], ['values', F.Values],
  // Names the lenient decoder reads as aliases: leave them to it.
  ['instrumentationLibrarySpans', ALIAS], ['instrumentation_library_spans', ALIAS],
  ['instrumentationLibrary', ALIAS], ['instrumentation_library', ALIAS],
]);

/**
 * Keys are matched on their bytes, never made into strings: an open-addressed
 * table keyed by length and three sampled bytes, each hit confirmed byte by byte.
 */
const KEY_SLOTS = 512;
const keySlotField = new Int16Array(KEY_SLOTS).fill(-2); // -2: empty
const keySlotBytes: Uint8Array[] = new Array<Uint8Array>(KEY_SLOTS);

function keyHash(bytes: Uint8Array, start: number, length: number): number {
  return (length * 31 + bytes[start]! * 7 + bytes[start + length - 1]! * 3 + bytes[start + (length >> 1)]!) & (KEY_SLOTS - 1);
}

for (const [name, field] of FIELDS) {
  const bytes = Uint8Array.from(name, (c) => c.charCodeAt(0));
  let slot = keyHash(bytes, 0, bytes.length);
  while (keySlotField[slot] !== -2) slot = (slot + 1) & (KEY_SLOTS - 1);
  keySlotField[slot] = field;
  keySlotBytes[slot] = bytes;
}

function lookupKey(start: number, length: number): F {
  if (length === 0) return F.Unknown;
  let slot = keyHash(buf, start, length);
  for (;;) {
    const field = keySlotField[slot]!;
    if (field === -2) return F.Unknown;
    const candidate = keySlotBytes[slot]!;
    if (candidate.length === length) {
      let i = 0;
      while (i < length && candidate[i] === buf[start + i]) i++;
      if (i === length) return field as F;
    }
    slot = (slot + 1) & (KEY_SLOTS - 1);
  }
}

const EMPTY = new Uint8Array(0);
let buf: Uint8Array = EMPTY;
let pos = 0;
let end = 0;
let lastTraceIdStart = -1;
let lastTraceIdLength = 0;
let lastTraceId = '';

/** Decodes an OTLP/JSON trace request, or returns undefined when the lenient decoder must. */
export function decodeTracesJsonFast(bytes: Uint8Array): DecodedSpans | undefined {
  buf = bytes;
  pos = 0;
  end = bytes.length;
  lastTraceIdStart = -1;
  try {
    const out: DecodedSpans = { spans: [], rejected: 0, rejectReason: '' };
    let seen = 0;
    expectByte(OPEN_BRACE);
    if (!closes(CLOSE_BRACE)) {
      do {
        const field = key();
        if (field === F.ResourceSpans) {
          seen = once(seen, field);
          array(() => resourceSpans(out));
        } else skipValue();
      } while (next(CLOSE_BRACE));
    }
    whitespace();
    if (pos !== end) throw GIVE_UP;
    return out;
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  } finally {
    buf = EMPTY; // let the request's bytes go
  }
}

function resourceSpans(out: DecodedSpans): void {
  let resource = EMPTY_RESOURCE;
  let service = serviceNameOf(resource.attributes);
  let seen = 0;
  object((field) => {
    seen = once(seen, field);
    if (field === F.Resource) {
      resource = readResource();
      service = serviceNameOf(resource.attributes);
    } else if (field === F.ScopeSpans) {
      if ((seen & (1 << F.Resource)) === 0 && hasLaterField(F.Resource)) throw GIVE_UP;
      array(() => scopeSpans(out, resource, service));
    } else skipValue();
  });
}

function readResource(): Resource {
  let attributes: Attributes | undefined;
  let droppedAttributesCount = 0;
  let seen = 0;
  object((field) => {
    seen = once(seen, field);
    if (field === F.Attributes) attributes = keyValues(0);
    else if (field === F.DroppedAttributes) droppedAttributesCount = uint32();
    else skipValue();
  });
  return { attributes: attributes ?? {}, droppedAttributesCount };
}

function scopeSpans(out: DecodedSpans, resource: Resource, service: string): void {
  let scope = EMPTY_SCOPE;
  let seen = 0;
  object((field) => {
    seen = once(seen, field);
    if (field === F.Scope) scope = readScope();
    else if (field === F.Spans) {
      if ((seen & (1 << F.Scope)) === 0 && hasLaterField(F.Scope)) throw GIVE_UP;
      array(() => {
        const span = readSpan(resource, service, scope);
        if (spanIdProblem(span.traceId, span.spanId, span.parentSpanId) !== '') throw GIVE_UP; // the lenient decoder words the reason
        out.spans.push(span);
      });
    } else skipValue();
  });
}

function readScope(): Scope {
  let name = '';
  let version = '';
  let seen = 0;
  object((field) => {
    seen = once(seen, field);
    if (field === F.Name) name = string();
    else if (field === F.Version) version = string();
    else skipValue();
  });
  return name === '' && version === '' ? EMPTY_SCOPE : { name, version };
}

function readSpan(resource: Resource, service: string, scope: Scope): SpanRecord {
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let traceState = '';
  let flags = 0;
  let name = '';
  let kind = 0;
  let startUs = 0;
  let endUs = 0;
  let status = UNSET_STATUS;
  let attributes: Attributes | undefined;
  let events = NO_EVENTS;
  let links = NO_LINKS;
  let droppedAttributesCount = 0;
  let droppedEventsCount = 0;
  let droppedLinksCount = 0;
  let seen = 0;
  expectByte(OPEN_BRACE);
  if (!closes(CLOSE_BRACE)) {
    do {
      const field = key();
      seen = once(seen, field);
      switch (field) {
        case F.TraceId: traceId = traceIdHex(); break;
        case F.SpanId: spanId = hex(); break;
        case F.ParentSpanId: parentSpanId = hex(); break;
        case F.TraceState: traceState = string(); break;
        case F.Flags: flags = uint32(); break;
        case F.Name: name = string(); break;
        case F.Kind: kind = integer(); break;
        case F.Start: startUs = nanosAsMicros(); break;
        case F.End: endUs = nanosAsMicros(); break;
        case F.Status: status = readStatus(); break;
        case F.Attributes: attributes = keyValues(0); break;
        case F.Events: events = readEvents(); break;
        case F.Links: links = readLinks(); break;
        case F.DroppedAttributes: droppedAttributesCount = uint32(); break;
        case F.DroppedEvents: droppedEventsCount = uint32(); break;
        case F.DroppedLinks: droppedLinksCount = uint32(); break;
        default: skipValue();
      }
    } while (next(CLOSE_BRACE));
  }
  if (parentSpanId === ALL_ZERO_SPAN) parentSpanId = '';
  return {
    traceId, spanId, parentSpanId, traceState, flags, name, kind: spanKindFromNumber(kind), service,
    startUs, endUs, status, attributes: attributes ?? {}, events, links, resource, scope,
    droppedAttributesCount, droppedEventsCount, droppedLinksCount,
  };
}

function readStatus(): SpanStatus {
  let code = 0;
  let message = '';
  let seen = 0;
  object((field) => {
    seen = once(seen, field);
    if (field === F.Code) code = integer();
    else if (field === F.Message) message = string();
    else skipValue();
  });
  const statusCode = statusCodeFromNumber(code);
  return statusCode === 'unset' && message === '' ? UNSET_STATUS : { code: statusCode, message };
}

function readEvents(): SpanEvent[] {
  const events: SpanEvent[] = [];
  array(() => {
    let timeUs = 0;
    let name = '';
    let attributes: Attributes | undefined;
    let droppedAttributesCount = 0;
    let seen = 0;
    object((field) => {
      seen = once(seen, field);
      if (field === F.Time) timeUs = nanosAsMicros();
      else if (field === F.Name) name = string();
      else if (field === F.Attributes) attributes = keyValues(0);
      else if (field === F.DroppedAttributes) droppedAttributesCount = uint32();
      else skipValue();
    });
    events.push({ name, timeUs, attributes: attributes ?? {}, droppedAttributesCount });
  });
  return events.length === 0 ? NO_EVENTS : events;
}

function readLinks(): SpanLink[] {
  const links: SpanLink[] = [];
  array(() => {
    let traceId = '';
    let spanId = '';
    let traceState = '';
    let attributes: Attributes | undefined;
    let droppedAttributesCount = 0;
    let flags = 0;
    let seen = 0;
    object((field) => {
      seen = once(seen, field);
      if (field === F.TraceId) traceId = hex();
      else if (field === F.SpanId) spanId = hex();
      else if (field === F.TraceState) traceState = string();
      else if (field === F.Attributes) attributes = keyValues(0);
      else if (field === F.DroppedAttributes) droppedAttributesCount = uint32();
      else if (field === F.Flags) flags = uint32();
      else skipValue();
    });
    links.push({ traceId, spanId, traceState, attributes: attributes ?? {}, droppedAttributesCount, flags });
  });
  return links.length === 0 ? NO_LINKS : links;
}

/** `[ { key, value }, … ]` into a fresh attributes object (written as plain loops: it runs per attribute). */
function keyValues(depth: number): Attributes {
  const attributes: Attributes = {};
  expectByte(OPEN_BRACKET);
  if (closes(CLOSE_BRACKET)) return attributes;
  do {
    let name = '';
    let value: AttrValue = null;
    let seen = 0;
    expectByte(OPEN_BRACE);
    if (!closes(CLOSE_BRACE)) {
      do {
        const field = key();
        seen = once(seen, field);
        if (field === F.Key) name = string();
        else if (field === F.Value) value = anyValue(depth);
        else skipValue();
      } while (next(CLOSE_BRACE));
    }
    setAttribute(attributes, name, value);
  } while (next(CLOSE_BRACKET));
  return attributes;
}

/** One AnyValue with exactly one known field (the lenient decoder settles anything else). */
function anyValue(depth: number): AttrValue {
  let value: AttrValue = null;
  let fields = 0;
  expectByte(OPEN_BRACE);
  if (closes(CLOSE_BRACE)) return null;
  do {
    const field = key();
    switch (field) {
      case F.StringValue: value = string(); break;
      case F.IntValue: value = int64(); break;
      case F.DoubleValue: value = double(); break;
      case F.BoolValue: value = boolean(); break;
      case F.ArrayValue: value = arrayValue(depth + 1); break;
      case F.KvlistValue: value = kvlistValue(depth + 1); break;
      case F.BytesValue: throw GIVE_UP; // normalised by the lenient decoder
      default: skipValue(); continue;
    }
    if (++fields > 1) throw GIVE_UP;
  } while (next(CLOSE_BRACE));
  return value;
}

function arrayValue(depth: number): AttrValue[] {
  if (depth > MAX_VALUE_DEPTH) throw GIVE_UP;
  const values: AttrValue[] = [];
  let seen = 0;
  object((field) => {
    seen = once(seen, field);
    if (field === F.Values) array(() => values.push(anyValue(depth)));
    else skipValue();
  });
  return values;
}

function kvlistValue(depth: number): Attributes {
  if (depth > MAX_VALUE_DEPTH) throw GIVE_UP;
  let values: Attributes = {};
  let seen = 0;
  object((field) => {
    seen = once(seen, field);
    if (field === F.Values) values = keyValues(depth);
    else skipValue();
  });
  return values;
}

// ---------------------------------------------------------------------------------------------
// Structure

/** Calls `each` with the field id of every key of an object (the reader then sits at the value). */
function object(each: (field: F) => void): void {
  expectByte(OPEN_BRACE);
  if (closes(CLOSE_BRACE)) return;
  do each(key());
  while (next(CLOSE_BRACE));
}

/** Calls `each` for every element of an array (the reader sits at the element). */
function array(each: () => void): void {
  expectByte(OPEN_BRACKET);
  if (closes(CLOSE_BRACKET)) return;
  do each();
  while (next(CLOSE_BRACKET));
}

/** A key and its colon; the field id, F.Unknown for keys it does not know. */
function key(): F {
  whitespace();
  if (buf[pos] !== QUOTE) throw GIVE_UP;
  const b = buf;
  const start = pos + 1;
  let p = start;
  for (;;) {
    if (p >= end) throw GIVE_UP;
    const c = b[p]!;
    if (c === QUOTE) break;
    if (c === BACKSLASH || c < 0x20) throw GIVE_UP;
    p++;
  }
  const field = lookupKey(start, p - start);
  pos = p + 1;
  expectByte(COLON);
  if (field === ALIAS) throw GIVE_UP;
  return field;
}

/** Marks a field as seen; a repeated field (or both spellings) is left to the lenient decoder. */
function once(seen: number, field: F): number {
  if (field === F.Unknown) return seen;
  const bit = 1 << (field & 31);
  if ((seen & bit) !== 0) throw GIVE_UP;
  return seen | bit;
}

/** Whether a field comes later in the current object (protobuf order is free; JSON objects too). */
function hasLaterField(field: F): boolean {
  const saved = pos;
  try {
    skipValue();
    while (next(CLOSE_BRACE)) {
      if (key() === field) return true;
      skipValue();
    }
    return false;
  } finally {
    pos = saved;
  }
}

function whitespace(): void {
  const b = buf;
  let p = pos;
  while (p < end) {
    const c = b[p]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    p++;
  }
  pos = p;
}

function expectByte(c: number): void {
  whitespace();
  if (buf[pos] !== c) throw GIVE_UP;
  pos++;
}

/** Consumes `close` if it is next (an empty object or array). */
function closes(close: number): boolean {
  whitespace();
  if (buf[pos] !== close) return false;
  pos++;
  return true;
}

/** After a member or element: true at a comma (more follow), false at `close`. */
function next(close: number): boolean {
  whitespace();
  const c = buf[pos];
  pos++;
  if (c === COMMA) return true;
  if (c === close) return false;
  throw GIVE_UP;
}

const skipStack = new Uint8Array(MAX_VALUE_DEPTH);

/** Skips any JSON value, nesting included, without recursion, checking JSON's grammar on the way. */
function skipValue(): void {
  let depth = 0;
  for (;;) {
    whitespace();
    const c = buf[pos];
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth >= MAX_VALUE_DEPTH) throw GIVE_UP;
      pos++;
      skipStack[depth++] = c;
      whitespace();
      if (buf[pos] === (c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET)) {
        pos++;
        depth--;
      } else {
        if (c === OPEN_BRACE) memberKey();
        continue;
      }
    } else if (c === QUOTE) stringEnd();
    else numberOrLiteral();
    // After a value: close containers, or move on to the next member or element.
    for (;;) {
      if (depth === 0) return;
      whitespace();
      const open = skipStack[depth - 1];
      const d = buf[pos++];
      if (d === COMMA) {
        if (open === OPEN_BRACE) memberKey();
        break;
      }
      if (d !== (open === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET)) throw GIVE_UP;
      depth--;
    }
  }
}

/** An object member's key and colon, in a skipped value. */
function memberKey(): void {
  whitespace();
  stringEnd();
  expectByte(COLON);
}

function numberOrLiteral(): void {
  const c = buf[pos];
  if (c === 0x74 /* t */ || c === 0x66 /* f */) boolean();
  else if (c === 0x6e /* n */) literal('null');
  else numberText();
}

// ---------------------------------------------------------------------------------------------
// Values

const HEX_DIGIT = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);

/** Moves past a string token; returns whether it had escapes. */
function stringEnd(): boolean {
  const b = buf;
  let p = pos;
  if (b[p] !== QUOTE) throw GIVE_UP;
  p++;
  let escaped = false;
  while (p < end) {
    const c = b[p]!;
    if (c === QUOTE) {
      pos = p + 1;
      return escaped;
    }
    if (c < 0x20) throw GIVE_UP;
    if (c === BACKSLASH) {
      escaped = true;
      pos = p;
      escape();
      p = pos;
    } else p++;
  }
  throw GIVE_UP;
}

/** Moves past one escape sequence, refusing any JSON does not allow. */
function escape(): void {
  const c = buf[pos + 1];
  if (c === 0x75 /* u */) {
    for (let i = 2; i < 6; i++) {
      const h = buf[pos + i] ?? 0;
      if (!HEX_DIGIT(h) && !(h >= 0x41 && h <= 0x46)) throw GIVE_UP;
    }
    pos += 6;
  } else if (c === QUOTE || c === BACKSLASH || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) {
    pos += 2;
  } else throw GIVE_UP;
}

function string(): string {
  whitespace();
  const start = pos;
  const escaped = stringEnd();
  if (!escaped) return decodeString(buf, start + 1, pos - 1);
  let text: unknown;
  try {
    text = JSON.parse(new TextDecoder().decode(buf.subarray(start, pos)));
  } catch {
    throw GIVE_UP;
  }
  if (typeof text !== 'string') throw GIVE_UP;
  return text;
}



/** A lower-case hex string (upper case, odd length or other text is the lenient decoder's). */
let hexStart = 0;

/** Returns where the hex ends; `hexStart` where it starts. */
function hexToken(): number {
  whitespace();
  if (buf[pos] !== QUOTE) throw GIVE_UP;
  const b = buf;
  const start = pos + 1;
  let p = start;
  while (p < end && b[p] !== QUOTE) {
    if (!HEX_DIGIT(b[p]!)) throw GIVE_UP;
    p++;
  }
  if (p >= end || ((p - start) & 1) !== 0) throw GIVE_UP;
  pos = p + 1;
  hexStart = start;
  return p;
}

function hex(): string {
  const stop = hexToken();
  return ascii(buf, hexStart, stop);
}

/** The trace id: consecutive spans of one trace share the previous span's string. */
function traceIdHex(): string {
  const stop = hexToken();
  const start = hexStart;
  const length = stop - start;
  if (lastTraceIdStart >= 0 && length === lastTraceIdLength) {
    let same = true;
    for (let i = 0; same && i < length; i++) same = buf[start + i] === buf[lastTraceIdStart + i];
    if (same) return lastTraceId;
  }
  lastTraceIdStart = start;
  lastTraceIdLength = length;
  lastTraceId = ascii(buf, start, stop);
  return lastTraceId;
}

function literal(word: string): void {
  for (let i = 0; i < word.length; i++) if (buf[pos + i] !== word.charCodeAt(i)) throw GIVE_UP;
  pos += word.length;
}

function boolean(): boolean {
  whitespace();
  if (buf[pos] === 0x74) {
    literal('true');
    return true;
  }
  literal('false');
  return false;
}

/** A JSON number's text, checked against JSON's grammar. */
function numberText(): [number, number] {
  whitespace();
  const start = pos;
  if (buf[pos] === 0x2d) pos++;
  if (buf[pos] === 0x30) pos++;
  else if (!digits()) throw GIVE_UP;
  if (buf[pos] === 0x2e) {
    pos++;
    if (!digits()) throw GIVE_UP;
  }
  if (buf[pos] === 0x65 || buf[pos] === 0x45) {
    pos++;
    if (buf[pos] === 0x2b || buf[pos] === 0x2d) pos++;
    if (!digits()) throw GIVE_UP;
  }
  return [start, pos];
}

function digits(): boolean {
  const b = buf;
  const start = pos;
  let p = start;
  while (p < end && b[p]! >= 0x30 && b[p]! <= 0x39) p++;
  pos = p;
  return p > start;
}

function double(): number {
  whitespace();
  if (buf[pos] === QUOTE) throw GIVE_UP; // "NaN", "Infinity" …
  const [start, stop] = numberText();
  return Number(ascii(buf, start, stop));
}

/** A safe integer written as a JSON number (anything else is left to the lenient decoder). */
function integer(): number {
  whitespace();
  const [start, stop] = numberText();
  if (stop - start > 17) throw GIVE_UP; // beyond 2^53 either way; Number.isSafeInteger decides the rest
  const value = plainDigits(start, stop) ?? Number(ascii(buf, start, stop));
  if (!Number.isSafeInteger(value)) throw GIVE_UP;
  return value + 0;
}

/** The value of `[-]digits` of at most 15 digits, read straight from the bytes; undefined for any other text. */
function plainDigits(start: number, stop: number): number | undefined {
  const b = buf;
  const negative = b[start] === 0x2d;
  let p = negative ? start + 1 : start;
  if (stop - p > 15 || p === stop) return undefined;
  let value = 0;
  for (; p < stop; p++) {
    const c = b[p]! - 0x30;
    if (c < 0 || c > 9) return undefined;
    value = value * 10 + c;
  }
  return negative ? -value : value;
}

function uint32(): number {
  const value = integer();
  if (value < 0 || value > 0xffffffff) throw GIVE_UP;
  return value;
}

/** An int64 as a number or a decimal string. */
function int64(): number | string {
  whitespace();
  if (buf[pos] !== QUOTE) return integer();
  const value = int64FromString(string());
  if (value === undefined) throw GIVE_UP;
  return value === 0 ? 0 : value;
}

/** A fixed64 of nanoseconds as a digit string or a safe number → whole microseconds. */
function nanosAsMicros(): number {
  whitespace();
  if (buf[pos] !== QUOTE) {
    const value = integer();
    if (value < 0) throw GIVE_UP;
    return Math.floor(value / 1000);
  }
  // Usually 19 digits: the microseconds are all but the last three, read straight from the bytes.
  const start = pos + 1;
  const escaped = stringEnd();
  const stop = pos - 1;
  if (!escaped && stop - start > 3 && stop - start <= 18) {
    const micros = plainDigits(start, stop - 3);
    if (micros !== undefined && buf[start] !== 0x2d && allDigits(stop - 3, stop)) return micros;
  }
  const text = escaped ? undefined : ascii(buf, start, stop);
  const micros = text === undefined ? NaN : microsFromNanoString(text);
  if (micros !== micros) throw GIVE_UP; // NaN: not digits
  return micros;
}

function allDigits(start: number, stop: number): boolean {
  for (let p = start; p < stop; p++) if (buf[p]! < 0x30 || buf[p]! > 0x39) return false;
  return true;
}
