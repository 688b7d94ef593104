/**
 * Field translations both OTLP decoders share, so that the same data through
 * protobuf or JSON becomes the very same SpanRecord.
 */
import {
  UNKNOWN_SERVICE, type AttrValue, type Attributes, type Resource, type Scope, type SpanEvent, type SpanKind, type SpanLink, type SpanStatus,
  type StatusCode,
} from '../model/span';

// Shared, frozen empties: most spans have no events or links and an unset status,
// and memory per stored span is measured. Frozen, so nothing can change them for all.
export const EMPTY_RESOURCE: Resource = Object.freeze({ attributes: Object.freeze({}) as Attributes, droppedAttributesCount: 0 });
export const EMPTY_SCOPE: Scope = Object.freeze({ name: '', version: '' });
export const UNSET_STATUS: SpanStatus = Object.freeze({ code: 'unset', message: '' });
export const NO_EVENTS: SpanEvent[] = Object.freeze([]) as unknown as SpanEvent[];
export const NO_LINKS: SpanLink[] = Object.freeze([]) as unknown as SpanLink[];

const KINDS: readonly SpanKind[] = ['internal', 'internal', 'server', 'client', 'producer', 'consumer'];
const KIND_NAMES: Record<string, SpanKind> = {
  SPAN_KIND_UNSPECIFIED: 'internal',
  SPAN_KIND_INTERNAL: 'internal',
  SPAN_KIND_SERVER: 'server',
  SPAN_KIND_CLIENT: 'client',
  SPAN_KIND_PRODUCER: 'producer',
  SPAN_KIND_CONSUMER: 'consumer',
};

/** OTLP's SpanKind enum; UNSPECIFIED and unknown values are read as INTERNAL, as the spec allows. */
export function spanKindFromNumber(value: number): SpanKind {
  return KINDS[value] ?? 'internal';
}

/** The enum by name (`SPAN_KIND_SERVER`, any case), or undefined when it is not one. */
export function spanKindFromName(name: string): SpanKind | undefined {
  return KIND_NAMES[name.toUpperCase()];
}

const STATUS_CODES: readonly StatusCode[] = ['unset', 'ok', 'error'];
const STATUS_NAMES: Record<string, StatusCode> = {
  STATUS_CODE_UNSET: 'unset',
  STATUS_CODE_OK: 'ok',
  STATUS_CODE_ERROR: 'error',
};

export function statusCodeFromNumber(value: number): StatusCode {
  return STATUS_CODES[value] ?? 'unset';
}

export function statusCodeFromName(name: string): StatusCode | undefined {
  return STATUS_NAMES[name.toUpperCase()];
}

/**
 * Sets an attribute on a plain object. A key of `__proto__` from the network
 * becomes an own property instead of replacing the object's prototype.
 */
export function setAttribute(attributes: Attributes, key: string, value: AttrValue): void {
  if (key === '__proto__') {
    Object.defineProperty(attributes, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    attributes[key] = value;
  }
}

export function serviceNameOf(resourceAttributes: Attributes): string {
  const name = resourceAttributes['service.name'];
  return typeof name === 'string' && name !== '' ? name : UNKNOWN_SERVICE;
}

/** Nanoseconds since the epoch as 32-bit halves → whole microseconds, exactly. */
export function microsFromNanoHalves(lo: number, hi: number): number {
  const hiHigh = Math.floor(hi / 1000);
  const hiLow = hi - hiHigh * 1000;
  return hiHigh * 4294967296 + Math.floor((hiLow * 4294967296 + lo) / 1000);
}

/** A decimal string of nanoseconds → whole microseconds, exactly; NaN when it is not digits. */
export function microsFromNanoString(text: string): number {
  if (!/^\d+$/.test(text)) return NaN;
  return text.length <= 3 ? 0 : Number(text.slice(0, -3));
}

/** A 64-bit signed integer: a number when it is safe, else its exact decimal string. */
export function int64FromHalves(lo: number, hi: number): number | string {
  const value = (hi | 0) * 4294967296 + (lo >>> 0);
  if (Number.isSafeInteger(value)) return value;
  return ((BigInt(hi | 0) << 32n) | BigInt(lo >>> 0)).toString();
}

/** A decimal int64 as text → a number when it is safe, else the normalised decimal string; undefined when not an integer. */
export function int64FromString(text: string): number | string | undefined {
  if (!/^[-+]?\d+$/.test(text)) return undefined;
  const value = Number(text);
  if (Number.isSafeInteger(value)) return value;
  const big = BigInt(text);
  if (big > 9223372036854775807n || big < -9223372036854775808n) return undefined;
  return big.toString();
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard, padded base64 of `bytes[start, end)`: how bytes attribute values are kept. */
export function bytesToBase64(bytes: Uint8Array, start: number, end: number): string {
  // A Node Buffer (what the receivers decode) has a native slicer, as for latin1 in ascii-strings.ts.
  const native = (bytes as { base64Slice?: (start: number, end: number) => string }).base64Slice;
  if (typeof native === 'function') return native.call(bytes, start, end);
  // Elsewhere, written as ASCII bytes and decoded once: appending to a string per 3 bytes made a 16 MiB value
  // a chain of 5.6 million cons-strings (2 s to decode, on the receiving thread).
  const out = new Uint8Array(4 * Math.ceil(Math.max(0, end - start) / 3));
  let o = 0;
  let i = start;
  for (; i + 2 < end; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = BASE64_CODES[n >> 18]!;
    out[o++] = BASE64_CODES[(n >> 12) & 63]!;
    out[o++] = BASE64_CODES[(n >> 6) & 63]!;
    out[o++] = BASE64_CODES[n & 63]!;
  }
  if (i + 1 === end) {
    const n = bytes[i]! << 16;
    out.set([BASE64_CODES[n >> 18]!, BASE64_CODES[(n >> 12) & 63]!, EQUALS, EQUALS], o);
  } else if (i + 2 === end) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out.set([BASE64_CODES[n >> 18]!, BASE64_CODES[(n >> 12) & 63]!, BASE64_CODES[(n >> 6) & 63]!, EQUALS], o);
  }
  return ASCII.decode(out);
}

const BASE64_CODES = Uint8Array.from(BASE64, (c) => c.charCodeAt(0));
const EQUALS = 0x3d;
/** Base64 is ASCII, which windows-1252 (the `latin1` label) decodes byte for byte. */
const ASCII = new TextDecoder('latin1');

/** What a decoder says of the items it left out for their ids (DecodedSpans and DecodedLogs carry it). */
export interface Rejections {
  rejected: number;
  /** Why the first one was left out, with its path. */
  rejectReason: string;
}

/**
 * Why a span's ids keep it out of every trace, or '' when they are valid.
 * Lengths are in bytes; an all-zero id is invalid (OTLP trace.proto).
 */
export function spanIdProblem(traceIdHex: string, spanIdHex: string, parentSpanIdHex: string): string {
  if (traceIdHex.length !== 32) return `traceId is ${traceIdHex.length / 2} bytes, expected 16`;
  if (ALL_ZERO_TRACE === traceIdHex) return 'traceId is all zeros';
  if (spanIdHex.length !== 16) return `spanId is ${spanIdHex.length / 2} bytes, expected 8`;
  if (ALL_ZERO_SPAN === spanIdHex) return 'spanId is all zeros';
  if (parentSpanIdHex.length !== 0 && parentSpanIdHex.length !== 16) {
    return `parentSpanId is ${parentSpanIdHex.length / 2} bytes, expected 8 or none`;
  }
  return '';
}

export const ALL_ZERO_TRACE = '0'.repeat(32);
export const ALL_ZERO_SPAN = '0'.repeat(16);

/** Why a log record's trace context is unusable, or '' when it is valid or absent. */
export function logIdProblem(traceIdHex: string, spanIdHex: string): string {
  if (traceIdHex.length !== 0 && traceIdHex.length !== 32) return `traceId is ${traceIdHex.length / 2} bytes, expected 16`;
  if (spanIdHex.length !== 0 && spanIdHex.length !== 16) return `spanId is ${spanIdHex.length / 2} bytes, expected 8`;
  return '';
}
