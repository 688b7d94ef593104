/** OTLP/JSON resources, scopes, attributes and AnyValues (see otlp-json-traces.ts), read as leniently as the Collector reads them. */
import type { AttrValue, Attributes, Resource, Scope } from '../model/span';
import { EMPTY_RESOURCE, EMPTY_SCOPE, bytesToBase64, int64FromString, setAttribute } from './span-fields';
import { MAX_VALUE_DEPTH, WireError, rethrowWithin } from './wire-error';
import { ARRAY_VALUE, ATTRIBUTES, BOOL_VALUE, BYTES_VALUE, DOUBLE_VALUE, DROPPED_ATTRIBUTES, expected, fieldError, INT_VALUE, isObject, type Json, KEY, keyIn, KVLIST_VALUE, NAME, type Names, RESOURCE, SCOPE, STRING_VALUE, stringOf, uint32Of, VALUES, VERSION } from './otlp-json-read';

export function readResource(v: unknown, parent: Json): Resource {
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
export function readScope(v: unknown, parent: Json): Scope {
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


// ---------------------------------------------------------------------------------------------
// Attributes and AnyValue

export function attributesOf(v: unknown, o: Json, names: Names): Attributes {
  const attributes: Attributes = {};
  if (v === undefined || v === null) return attributes;
  if (!Array.isArray(v)) throw fieldError(o, names, 'expected an array of KeyValue objects', v);
  if (v.length !== 0) readKeyValues(v, attributes, 0, o, names);
  return attributes;
}

/** `repeated KeyValue` into `into`; errors get `name[i]` (and `.value`) on their path. */
export function readKeyValues(list: unknown[], into: Attributes, depth: number, o: Json, names: Names): void {
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
export function anyValue(v: unknown, depth: number): AttrValue {
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
export function int64Of(x: unknown, o: Json): number | string {
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

export const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** A double: a number, or the proto3 JSON strings "NaN", "Infinity", "-Infinity" and numeric text. */
export function doubleOf(x: unknown, o: Json): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string') {
    if (x === 'NaN') return NaN;
    if (x === 'Infinity') return Infinity;
    if (x === '-Infinity') return -Infinity;
    if (DECIMAL.test(x)) return Number(x);
  }
  throw fieldError(o, DOUBLE_VALUE, 'expected a number or "NaN", "Infinity", "-Infinity"', x);
}

export function arrayValueOf(x: unknown, o: Json, depth: number): AttrValue[] {
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

export function kvlistValueOf(x: unknown, o: Json, depth: number): Attributes {
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
export function bytesOf(x: unknown, o: Json): string {
  if (typeof x === 'string') {
    const normalised = normaliseBase64(x);
    if (normalised !== undefined) return normalised;
  }
  throw fieldError(o, BYTES_VALUE, 'expected base64 (standard or url-safe, padded or not)', x);
}

/** base64 digit values for both alphabets (`+/` and `-_`); -1 for everything else. */
export const BASE64_DIGITS: Int8Array = (() => {
  const digits = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i++) digits[alphabet.charCodeAt(i)] = i;
  digits[45] = 62; // '-'
  digits[95] = 63; // '_'
  return digits;
})();

export function normaliseBase64(text: string): string | undefined {
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

