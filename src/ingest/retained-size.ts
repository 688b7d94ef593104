/**
 * What the trace store counts against its byte budget, and the attribute value
 * limit it applies as spans and logs come in.
 *
 * The size is an *estimate* of the memory a record keeps alive, computed once
 * when it is stored: every string counts its length × 2 (V8 keeps strings in
 * one or two bytes a character; two is the upper bound), and each span,
 * attribute, event, link and log a fixed overhead for the objects around it.
 * Short strings are often shared (interned keys, the trace id), so the
 * estimate is above what a typical span really costs (measured: 638 B for an
 * SDK span with 10 attributes, estimated ≈ 1 KB): the budget errs towards
 * evicting early, never towards running out of heap.
 *
 * Values above the limit (a string's UTF-8 bytes; an array's or map's values
 * together, measured the same way; bytes are base64 strings) are cut at the
 * limit and marked `…[truncated N bytes]`, like the OpenTelemetry SDK's own
 * attribute value length limit. The cut is a fresh copy, so the original
 * (possibly many MiB) string is not kept alive by a slice of it.
 */
import type { AttrValue, Attributes, LogRecord, Resource, SpanRecord } from '../model/span';

export const SPAN_OVERHEAD_BYTES = 200;
export const ATTRIBUTE_OVERHEAD_BYTES = 16;
export const EVENT_OVERHEAD_BYTES = 64;
export const LINK_OVERHEAD_BYTES = 64;
export const LOG_OVERHEAD_BYTES = 200;
export const RESOURCE_OVERHEAD_BYTES = 64;
/** A number, boolean or null inside a value. */
const SCALAR_BYTES = 8;

/** Counts values cut while limiting; one per value that was over the limit. */
export interface Truncations {
  count: number;
}

/** The estimated retained size of an attribute value (see the module comment). */
export function valueBytes(value: AttrValue): number {
  if (typeof value === 'string') return value.length * 2;
  if (value === null || typeof value !== 'object') return SCALAR_BYTES;
  let bytes = ATTRIBUTE_OVERHEAD_BYTES;
  if (Array.isArray(value)) for (const item of value) bytes += valueBytes(item);
  else for (const key in value) bytes += key.length * 2 + ATTRIBUTE_OVERHEAD_BYTES + valueBytes(value[key]!);
  return bytes;
}

export function attributesBytes(attributes: Attributes): number {
  let bytes = 0;
  for (const key in attributes) bytes += ATTRIBUTE_OVERHEAD_BYTES + key.length * 2 + valueBytes(attributes[key]!);
  return bytes;
}

/** A span's own estimated size: its resource and scope are shared by its batch and counted apart (resourceBytes). */
export function spanBytes(span: SpanRecord): number {
  let bytes = SPAN_OVERHEAD_BYTES + 2 * (span.spanId.length + span.parentSpanId.length + span.name.length + span.traceState.length + span.status.message.length);
  bytes += attributesBytes(span.attributes);
  for (const event of span.events) bytes += EVENT_OVERHEAD_BYTES + event.name.length * 2 + attributesBytes(event.attributes);
  for (const link of span.links) bytes += LINK_OVERHEAD_BYTES + 2 * (link.traceId.length + link.spanId.length + link.traceState.length) + attributesBytes(link.attributes);
  return bytes;
}

export function logBytes(log: LogRecord): number {
  return LOG_OVERHEAD_BYTES + 2 * (log.spanId.length + log.severityText.length + log.eventName.length) + valueBytes(log.body) + attributesBytes(log.attributes);
}

export function resourceBytes(resource: Resource): number {
  return RESOURCE_OVERHEAD_BYTES + attributesBytes(resource.attributes);
}

/** Cuts the span's values to `maxBytes` (limitSpan) and returns its estimated size (spanBytes), in one pass over its attributes. */
export function limitAndMeasureSpan(span: SpanRecord, maxBytes: number, counted: Truncations): number {
  let bytes = SPAN_OVERHEAD_BYTES + 2 * (span.spanId.length + span.parentSpanId.length + span.name.length + span.traceState.length);
  bytes += limitAndMeasure(span.attributes, maxBytes, counted);
  for (const event of span.events) bytes += EVENT_OVERHEAD_BYTES + event.name.length * 2 + limitAndMeasure(event.attributes, maxBytes, counted);
  for (const link of span.links) bytes += LINK_OVERHEAD_BYTES + 2 * (link.traceId.length + link.spanId.length + link.traceState.length) + limitAndMeasure(link.attributes, maxBytes, counted);
  if (span.status.message.length * 3 > maxBytes) {
    const cut = limitString(span.status.message, maxBytes);
    if (cut !== undefined) {
      span.status = { ...span.status, message: cut };
      counted.count++;
    }
  }
  return bytes + span.status.message.length * 2;
}

function limitAndMeasure(attributes: Attributes, maxBytes: number, counted: Truncations): number {
  let bytes = 0;
  for (const key in attributes) {
    let value: AttrValue = attributes[key]!;
    if (typeof value === 'string') {
      if (value.length * 3 > maxBytes) {
        const cut = limitString(value, maxBytes);
        if (cut !== undefined) {
          attributes[key] = value = cut;
          counted.count++;
        }
      }
      bytes += ATTRIBUTE_OVERHEAD_BYTES + 2 * (key.length + value.length);
      continue;
    }
    if (value !== null && typeof value === 'object') {
      const cut = limitValue(value, maxBytes);
      if (cut !== undefined) {
        attributes[key] = value = cut;
        counted.count++;
      }
    }
    bytes += ATTRIBUTE_OVERHEAD_BYTES + key.length * 2 + valueBytes(value);
  }
  return bytes;
}

/** Cuts every attribute value of the span (its events' and links' too) to `maxBytes`; counts the cuts. */
export function limitSpan(span: SpanRecord, maxBytes: number, counted: Truncations): void {
  limitAttributes(span.attributes, maxBytes, counted);
  for (const event of span.events) limitAttributes(event.attributes, maxBytes, counted);
  for (const link of span.links) limitAttributes(link.attributes, maxBytes, counted);
  if (span.status.message.length * 3 > maxBytes) {
    const cut = limitString(span.status.message, maxBytes);
    if (cut !== undefined) {
      span.status = { ...span.status, message: cut };
      counted.count++;
    }
  }
}

/** Cuts a log record's body and attribute values to `maxBytes`; counts the cuts. */
export function limitLog(log: LogRecord, maxBytes: number, counted: Truncations): void {
  const body = limitValue(log.body, maxBytes);
  if (body !== undefined) {
    log.body = body;
    counted.count++;
  }
  limitAttributes(log.attributes, maxBytes, counted);
}

export function limitAttributes(attributes: Attributes, maxBytes: number, counted: Truncations): void {
  for (const key in attributes) {
    const cut = limitValue(attributes[key]!, maxBytes);
    if (cut === undefined) continue;
    attributes[key] = cut;
    counted.count++;
  }
}

/** The value cut to `maxBytes`, or undefined when it fits. */
export function limitValue(value: AttrValue, maxBytes: number): AttrValue | undefined {
  if (typeof value === 'string') return value.length * 3 <= maxBytes ? undefined : limitString(value, maxBytes);
  if (value === null || typeof value !== 'object') return undefined;
  if (quickBound(value, maxBytes) <= maxBytes) return undefined;
  const total = wireBytes(value);
  if (total <= maxBytes) return undefined;
  let used = 0;
  if (Array.isArray(value)) {
    const kept: AttrValue[] = [];
    for (const item of value) {
      const size = wireBytes(item);
      if (used + size > maxBytes) break;
      kept.push(item);
      used += size;
    }
    kept.push(marker(total - used));
    return kept;
  }
  const kept: { [key: string]: AttrValue } = {};
  for (const key in value) {
    const size = Buffer.byteLength(key, 'utf8') + wireBytes(value[key]!);
    if (used + size > maxBytes) break;
    kept[key] = value[key]!;
    used += size;
  }
  kept['…'] = marker(total - used);
  return kept;
}

/** The string cut to at most `maxBytes` of UTF-8 (on a character boundary) plus the marker; undefined when it fits. */
export function limitString(text: string, maxBytes: number): string | undefined {
  const total = Buffer.byteLength(text, 'utf8');
  if (total <= maxBytes) return undefined;
  let chars = Math.min(text.length, maxBytes);
  const last = text.charCodeAt(chars - 1);
  if (last >= 0xd800 && last <= 0xdbff) chars--; // never split a surrogate pair
  const head = Buffer.from(text.slice(0, chars), 'utf8');
  let end = Math.min(maxBytes, head.length);
  while (end > 0 && end < head.length && (head[end]! & 0xc0) === 0x80) end--; // never split a UTF-8 sequence
  // toString makes a new flat string: nothing refers to `text` afterwards.
  return head.toString('utf8', 0, end) + marker(total - end);
}

function marker(bytes: number): string {
  return `…[truncated ${bytes} bytes]`;
}

/** At least the value's UTF-8 size as scalars and strings go, cheaply (string lengths × 3 bound it from above). */
function quickBound(value: AttrValue, limit: number): number {
  if (typeof value === 'string') return value.length * 3;
  if (value === null || typeof value !== 'object') return SCALAR_BYTES;
  let bytes = 0;
  if (Array.isArray(value)) {
    for (const item of value) if ((bytes += quickBound(item, limit)) > limit) return bytes;
  } else {
    for (const key in value) if ((bytes += key.length * 3 + quickBound(value[key]!, limit)) > limit) return bytes;
  }
  return bytes;
}

/** The value's size as sent: strings' UTF-8 bytes, scalars 8. */
function wireBytes(value: AttrValue): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (value === null || typeof value !== 'object') return SCALAR_BYTES;
  let bytes = 0;
  if (Array.isArray(value)) for (const item of value) bytes += wireBytes(item);
  else for (const key in value) bytes += Buffer.byteLength(key, 'utf8') + wireBytes(value[key]!);
  return bytes;
}
