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
 * (`otlp-json-traces.ts`) reads the request instead and produces any error message.
 * So it never needs its own errors, and whenever it answers, its answer is the
 * lenient decoder's (a property test holds the two to that).
 *
 * This file reads the request (its envelope, the spans and their values);
 * otlp-json-fast-reader.ts has the byte reader, otlp-json-fast-keys.ts the keys.
 * The envelope is walked here and not by otlp-json-envelope.ts: that one walks
 * JSON.parse's objects, this one bytes, and a walk shared by both would put a
 * call between every token and its reader.
 */
import type { AttrValue, Attributes, DecodedSpans, Resource, Scope, SpanEvent, SpanLink, SpanRecord, SpanStatus } from '../model/span';
import {
  ALL_ZERO_SPAN, EMPTY_RESOURCE, EMPTY_SCOPE, NO_EVENTS, NO_LINKS, UNSET_STATUS, serviceNameOf, setAttribute, spanIdProblem, spanKindFromNumber,
  statusCodeFromNumber,
} from './span-fields';
import { MAX_VALUE_DEPTH } from './wire-error';
import { F, GIVE_UP, once } from './otlp-json-fast-keys';
import {
  CLOSE_BRACE, CLOSE_BRACKET, OPEN_BRACE, OPEN_BRACKET, array, begin, boolean, closes, double, expectByte, expectEnd, finish, hasLaterField, hex,
  int64, integer, key, nanosAsMicros, next, object, resume, skipValue, string, suspend, traceIdHex, uint32,
} from './otlp-json-fast-reader';

/** Decodes an OTLP/JSON trace request, or returns undefined when the lenient decoder must. */
export function decodeTracesJsonFast(bytes: Uint8Array): DecodedSpans | undefined {
  const steps = decodeTracesJsonFastInSlices(bytes, Infinity);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same decode, in slices of `spansPerSlice` spans: the generator yields between slices, so that a big
 * request (a hostile 10,000-deep chain, say) does not hold the receiving thread for its whole decode. While
 * it is suspended other requests may be read: the reader's state is put aside and taken back around each
 * yield. The answer is the one decodeTracesJsonFast gives.
 */
export function* decodeTracesJsonFastInSlices(bytes: Uint8Array, spansPerSlice: number): Generator<void, DecodedSpans | undefined> {
  begin(bytes);
  try {
    const out: Slicing = { spans: [], rejected: 0, rejectReason: '', sliceEnd: spansPerSlice, spansPerSlice };
    let seen = 0;
    expectByte(OPEN_BRACE);
    if (!closes(CLOSE_BRACE)) {
      do {
        const field = key();
        if (field !== F.ResourceSpans) {
          skipValue();
          continue;
        }
        seen = once(seen, field);
        expectByte(OPEN_BRACKET);
        if (closes(CLOSE_BRACKET)) continue;
        do yield* resourceSpans(out);
        while (next(CLOSE_BRACKET));
      } while (next(CLOSE_BRACE));
    }
    expectEnd();
    return { spans: out.spans, rejected: out.rejected, rejectReason: out.rejectReason };
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  } finally {
    finish(); // let the request's bytes go
  }
}

/** The spans so far, and where the slice being read ends. */
interface Slicing extends DecodedSpans {
  sliceEnd: number;
  spansPerSlice: number;
}

/** One resourceSpans: its resource, then each of its scopeSpans. */
function* resourceSpans(out: Slicing): Generator<void, void> {
  let resource = EMPTY_RESOURCE;
  let service = serviceNameOf(resource.attributes);
  let seen = 0;
  expectByte(OPEN_BRACE);
  if (closes(CLOSE_BRACE)) return;
  do {
    const field = key();
    seen = once(seen, field);
    if (field === F.Resource) {
      resource = readResource();
      service = serviceNameOf(resource.attributes);
    } else if (field === F.ScopeSpans) {
      if ((seen & (1 << F.Resource)) === 0 && hasLaterField(F.Resource)) throw GIVE_UP;
      expectByte(OPEN_BRACKET);
      if (closes(CLOSE_BRACKET)) continue;
      do yield* scopeSpans(out, resource, service);
      while (next(CLOSE_BRACKET));
    } else skipValue();
  } while (next(CLOSE_BRACE));
}

/** One scopeSpans: its scope, then its spans, yielding (with the reader's state put aside) after each slice. */
function* scopeSpans(out: Slicing, resource: Resource, service: string): Generator<void, void> {
  let scope = EMPTY_SCOPE;
  let seen = 0;
  expectByte(OPEN_BRACE);
  if (closes(CLOSE_BRACE)) return;
  do {
    const field = key();
    seen = once(seen, field);
    if (field === F.Scope) scope = readScope();
    else if (field === F.Spans) {
      if ((seen & (1 << F.Scope)) === 0 && hasLaterField(F.Scope)) throw GIVE_UP;
      expectByte(OPEN_BRACKET);
      if (closes(CLOSE_BRACKET)) continue;
      do {
        const span = readSpan(resource, service, scope);
        if (spanIdProblem(span.traceId, span.spanId, span.parentSpanId) !== '') throw GIVE_UP; // the lenient decoder words the reason
        out.spans.push(span);
        if (out.spans.length >= out.sliceEnd) {
          out.sliceEnd = out.spans.length + out.spansPerSlice;
          const state = suspend();
          yield;
          resume(state);
        }
      } while (next(CLOSE_BRACKET));
    } else skipValue();
  } while (next(CLOSE_BRACE));
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
