/**
 * Strings (and digits) from bytes without waste, for the protobuf and JSON hot paths.
 *
 * Most OTLP strings are short ASCII that repeat from span to span: attribute
 * keys, methods, routes, service and host names. A small direct-mapped cache
 * returns the same string object for the same bytes, which saves the
 * allocation, lets V8 reuse the property key, and keeps one copy in memory
 * instead of one per span. Strings are built flat (never character by
 * character, which would leave a chain of cons-strings in memory).
 *
 * When the bytes are a Node Buffer (as every receiver's are), its native
 * `latin1Slice` / `utf8Slice` are used: 2-4x faster than anything in JS for
 * short strings. The module imports nothing platform-specific; elsewhere it
 * falls back to `String.fromCharCode` and TextDecoder.
 */

/** The native slicers of a Node Buffer, found by feature detection. */
interface NativeSlices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

function native(buf: Uint8Array): NativeSlices | undefined {
  return typeof (buf as Partial<NativeSlices>).latin1Slice === 'function' ? (buf as unknown as NativeSlices) : undefined;
}

const CACHE_SIZE = 8192; // power of two
const CACHEABLE = 32; // bytes
const cacheStrings: string[] = new Array<string>(CACHE_SIZE).fill('');
const cacheKeys = new Int32Array(CACHE_SIZE);

const utf8 = new TextDecoder('utf-8');

/**
 * Decodes UTF-8 `buf[start, end)`, interning short ASCII strings. The cache
 * slot comes from a few sampled bytes (cheap); a hit is confirmed byte by
 * byte, so a collision only costs a miss, never a wrong string.
 */
export function decodeString(buf: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length === 0) return '';
  if (length > CACHEABLE) return utf8String(buf, start, end);
  const last = end - 1;
  let hash = Math.imul(length ^ (buf[start]! << 8) ^ (buf[last]! << 16), 0x01000193);
  hash = Math.imul(hash ^ buf[start + (length >> 1)]! ^ (buf[last - (length >> 2)]! << 8) ^ (buf[start + (length >> 2)]! << 16), 0x01000193);
  hash ^= hash >>> 13;
  const slot = hash & (CACHE_SIZE - 1);
  const cached = cacheStrings[slot]!;
  if (cached.length === length && cacheKeys[slot] === hash && sameAscii(cached, buf, start)) return cached;
  const text = utf8String(buf, start, end);
  if (text.length === length) {
    // Only ASCII decodes to one character per byte: those are safe to compare byte-wise later.
    cacheStrings[slot] = text;
    cacheKeys[slot] = hash;
  }
  return text;
}

function utf8String(buf: Uint8Array, start: number, end: number): string {
  return native(buf)?.utf8Slice(start, end) ?? utf8.decode(buf.subarray(start, end));
}

function sameAscii(text: string, buf: Uint8Array, start: number): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== buf[start + i]) return false;
  return true;
}

/** `String.fromCharCode.apply` passes every byte as an argument: past this many the stack overflows. */
const APPLY_CHUNK = 8192;

/** ASCII bytes to a flat one-byte string in one call (in chunks where there is no native slicer). */
export function ascii(buf: Uint8Array, start: number, end: number): string {
  const slices = native(buf);
  if (slices) return slices.latin1Slice(start, end);
  if (end - start <= APPLY_CHUNK) return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
  const parts: string[] = [];
  for (let at = start; at < end; at += APPLY_CHUNK) {
    parts.push(String.fromCharCode.apply(null, buf.subarray(at, Math.min(end, at + APPLY_CHUNK)) as unknown as number[]));
  }
  return parts.join('');
}

const HEX_CODES = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
/** A Buffer where the platform has them (feature-detected, not imported), so `ascii` can use its native slicer. */
const NodeBuffer = (globalThis as { Buffer?: { allocUnsafe(size: number): Uint8Array } }).Buffer;
const hexScratch = NodeBuffer ? NodeBuffer.allocUnsafe(64) : new Uint8Array(64);

/** Lower-case hex of `bytes[start, end)` as one flat string (ids are 8 or 16 bytes). */
export function hexString(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  const out = length <= 32 ? hexScratch : NodeBuffer ? NodeBuffer.allocUnsafe(length * 2) : new Uint8Array(length * 2);
  for (let i = 0; i < length; i++) {
    const b = bytes[start + i]!;
    out[2 * i] = HEX_CODES[b >> 4]!;
    out[2 * i + 1] = HEX_CODES[b & 15]!;
  }
  return ascii(out, 0, length * 2);
}

/** The value of `[-]digits` in `b[start, stop)` of at most 15 digits; undefined for any other text. */
export function plainDigits(b: Uint8Array, start: number, stop: number): number | undefined {
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

/** Whether `b[start, stop)` are all decimal digits. */
export function allDigits(b: Uint8Array, start: number, stop: number): boolean {
  for (let p = start; p < stop; p++) if (b[p]! < 0x30 || b[p]! > 0x39) return false;
  return true;
}
