/**
 * The keys the OTLP/JSON fast path (otlp-json-fast.ts) knows, matched on their
 * bytes and never made into strings. Their spellings are the lenient decoder's
 * (otlp-json-read.ts): one list for both paths.
 */
import {
  ARRAY_VALUE, ATTRIBUTES, BOOL_VALUE, BYTES_VALUE, CODE, DOUBLE_VALUE, DROPPED_ATTRIBUTES, DROPPED_EVENTS, DROPPED_LINKS, END_TIME, EVENTS,
  FLAGS, INSTRUMENTATION_LIBRARY, INSTRUMENTATION_LIBRARY_SPANS, INT_VALUE, KEY, KIND, KVLIST_VALUE, LINKS, MESSAGE, NAME, type Names,
  PARENT_SPAN_ID, RESOURCE, RESOURCE_SPANS, SCOPE, SCOPE_SPANS, SPAN_ID, SPANS, START_TIME, STATUS, STRING_VALUE, TIME, TRACE_ID, TRACE_STATE,
  VALUE, VALUES, VERSION,
} from './otlp-json-read';

/** Field ids; every spelling of a key maps to one id. */
export const enum F {
  Unknown, ResourceSpans, Resource, ScopeSpans, Scope, Spans, Attributes, DroppedAttributes, Name, Version, TraceId, SpanId,
  ParentSpanId, TraceState, Flags, Kind, Start, End, Events, DroppedEvents, Links, DroppedLinks, Status, Code, Message, Time,
  Key, Value, StringValue, BoolValue, IntValue, DoubleValue, ArrayValue, KvlistValue, BytesValue, Values,
}

/** Thrown to abandon the fast path; preallocated, so giving up costs nothing. */
export const GIVE_UP = Object.freeze({ giveUp: true });

/** A key the lenient decoder reads as an alias of another: the fast path leaves such requests to it. */
export const ALIAS = -1 as F;

const SPELLINGS: readonly [F, Names][] = [
  [F.ResourceSpans, RESOURCE_SPANS], [F.Resource, RESOURCE], [F.ScopeSpans, SCOPE_SPANS], [F.Scope, SCOPE], [F.Spans, SPANS],
  [F.Attributes, ATTRIBUTES], [F.DroppedAttributes, DROPPED_ATTRIBUTES], [F.Name, NAME], [F.Version, VERSION], [F.TraceId, TRACE_ID],
  [F.SpanId, SPAN_ID], [F.ParentSpanId, PARENT_SPAN_ID], [F.TraceState, TRACE_STATE], [F.Flags, FLAGS], [F.Kind, KIND],
  [F.Start, START_TIME], [F.End, END_TIME], [F.Events, EVENTS], [F.DroppedEvents, DROPPED_EVENTS], [F.Links, LINKS],
  [F.DroppedLinks, DROPPED_LINKS], [F.Status, STATUS], [F.Code, CODE], [F.Message, MESSAGE], [F.Time, TIME], [F.Key, KEY],
  [F.Value, VALUE], [F.StringValue, STRING_VALUE], [F.BoolValue, BOOL_VALUE], [F.IntValue, INT_VALUE], [F.DoubleValue, DOUBLE_VALUE],
  [F.ArrayValue, ARRAY_VALUE], [F.KvlistValue, KVLIST_VALUE], [F.BytesValue, BYTES_VALUE], [F.Values, VALUES],
];
const ALIASES: readonly string[] = [...INSTRUMENTATION_LIBRARY_SPANS, ...INSTRUMENTATION_LIBRARY];

/** Every spelling the fast path knows, with its field id; the aliases last, so that they take no slot before a key in use. */
const FIELDS = new Map<string, F>();
for (const [field, names] of SPELLINGS) for (const name of names) if (!ALIASES.includes(name)) FIELDS.set(name, field);
for (const name of ALIASES) FIELDS.set(name, ALIAS);

/** An open-addressed table keyed by length and three sampled bytes, each hit confirmed byte by byte. */
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

/** The field id of the key in `buf[start, start + length)`, F.Unknown for keys it does not know. */
export function lookupKey(buf: Uint8Array, start: number, length: number): F {
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

/** Marks a field as seen; a repeated field (or both spellings) is left to the lenient decoder. */
export function once(seen: number, field: F): number {
  if (field === F.Unknown) return seen;
  const bit = 1 << (field & 31);
  if ((seen & bit) !== 0) throw GIVE_UP;
  return seen | bit;
}
