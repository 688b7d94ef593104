/**
 * The byte reader of the OTLP/JSON fast path (otlp-json-fast.ts): JSON's
 * structure and scalars read straight from the request's bytes. Anything it
 * does not take as it is (see otlp-json-fast.ts) throws GIVE_UP, and the
 * lenient decoder reads the request instead.
 *
 * The request being read is module state (decoding is synchronous): `begin`
 * takes its bytes, `finish` lets them go.
 */
import { allDigits, ascii, decodeString, plainDigits } from './ascii-strings';
import { ALIAS, F, GIVE_UP, lookupKey } from './otlp-json-fast-keys';
import { microsFromNanoString, int64FromString } from './span-fields';
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, HEX_DIGIT, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './json-bytes';
import { MAX_VALUE_DEPTH } from './wire-error';

export { CLOSE_BRACE, CLOSE_BRACKET, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './json-bytes';

const EMPTY = new Uint8Array(0);
let buf: Uint8Array = EMPTY;
let pos = 0;
let end = 0;
let lastTraceIdStart = -1;
let lastTraceIdLength = 0;
let lastTraceId = '';

/** Starts reading `bytes`. */
export function begin(bytes: Uint8Array): void {
  buf = bytes;
  pos = 0;
  end = bytes.length;
  lastTraceIdStart = -1;
}

/** After the top-level value: only white space may follow. */
export function expectEnd(): void {
  whitespace();
  if (pos !== end) throw GIVE_UP;
}

/** Lets the request's bytes go. */
export function finish(): void {
  buf = EMPTY;
}

/** Where a read stands: taken before a sliced decode yields (another request may be read meanwhile), given back after. */
export interface ReaderState {
  buf: Uint8Array;
  pos: number;
  end: number;
  lastTraceIdStart: number;
  lastTraceIdLength: number;
  lastTraceId: string;
}

export function suspend(): ReaderState {
  const state = { buf, pos, end, lastTraceIdStart, lastTraceIdLength, lastTraceId };
  buf = EMPTY;
  return state;
}

export function resume(state: ReaderState): void {
  ({ buf, pos, end, lastTraceIdStart, lastTraceIdLength, lastTraceId } = state);
}

// ---------------------------------------------------------------------------------------------
// Structure

/** Calls `each` with the field id of every key of an object (the reader then sits at the value). */
export function object(each: (field: F) => void): void {
  expectByte(OPEN_BRACE);
  if (closes(CLOSE_BRACE)) return;
  do each(key());
  while (next(CLOSE_BRACE));
}

/** Calls `each` for every element of an array (the reader sits at the element). */
export function array(each: () => void): void {
  expectByte(OPEN_BRACKET);
  if (closes(CLOSE_BRACKET)) return;
  do each();
  while (next(CLOSE_BRACKET));
}

/** A key and its colon; the field id, F.Unknown for keys it does not know. */
export function key(): F {
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
  const field = lookupKey(b, start, p - start);
  pos = p + 1;
  expectByte(COLON);
  if (field === ALIAS) throw GIVE_UP;
  return field;
}

/** Whether a field comes later in the current object (protobuf order is free; JSON objects too). */
export function hasLaterField(field: F): boolean {
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

export function expectByte(c: number): void {
  whitespace();
  if (buf[pos] !== c) throw GIVE_UP;
  pos++;
}

/** Consumes `close` if it is next (an empty object or array). */
export function closes(close: number): boolean {
  whitespace();
  if (buf[pos] !== close) return false;
  pos++;
  return true;
}

/** After a member or element: true at a comma (more follow), false at `close`. */
export function next(close: number): boolean {
  whitespace();
  const c = buf[pos];
  pos++;
  if (c === COMMA) return true;
  if (c === close) return false;
  throw GIVE_UP;
}

const skipStack = new Uint8Array(MAX_VALUE_DEPTH);

/** Skips any JSON value, nesting included, without recursion, checking JSON's grammar on the way. */
export function skipValue(): void {
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

export function string(): string {
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

export function hex(): string {
  const stop = hexToken();
  return ascii(buf, hexStart, stop);
}

/** The trace id: consecutive spans of one trace share the previous span's string. */
export function traceIdHex(): string {
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

export function boolean(): boolean {
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

export function double(): number {
  whitespace();
  if (buf[pos] === QUOTE) throw GIVE_UP; // "NaN", "Infinity" …
  const [start, stop] = numberText();
  return Number(ascii(buf, start, stop));
}

/** A safe integer written as a JSON number (anything else is left to the lenient decoder). */
export function integer(): number {
  whitespace();
  const [start, stop] = numberText();
  if (stop - start > 17) throw GIVE_UP; // beyond 2^53 either way; Number.isSafeInteger decides the rest
  const value = plainDigits(buf, start, stop) ?? Number(ascii(buf, start, stop));
  if (!Number.isSafeInteger(value)) throw GIVE_UP;
  return value + 0;
}

export function uint32(): number {
  const value = integer();
  if (value < 0 || value > 0xffffffff) throw GIVE_UP;
  return value;
}

/** An int64 as a number or a decimal string. */
export function int64(): number | string {
  whitespace();
  if (buf[pos] !== QUOTE) return integer();
  const value = int64FromString(string());
  if (value === undefined) throw GIVE_UP;
  return value === 0 ? 0 : value;
}

/** A fixed64 of nanoseconds as a digit string or a safe number → whole microseconds. */
export function nanosAsMicros(): number {
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
    const micros = plainDigits(buf, start, stop - 3);
    if (micros !== undefined && buf[start] !== 0x2d && allDigits(buf, stop - 3, stop)) return micros;
  }
  const text = escaped ? undefined : ascii(buf, start, stop);
  const micros = text === undefined ? NaN : microsFromNanoString(text);
  if (micros !== micros) throw GIVE_UP; // NaN: not digits
  return micros;
}
