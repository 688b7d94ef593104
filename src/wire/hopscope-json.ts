/**
 * Hopscope's own trace JSON — what `GET /api/traces/{traceId}` answers, `{ traceId, spans, logs }` with the
 * model's records as they are — back to the model, so a trace saved from the API opens in `hopscope analyze`
 * and the editor like any export. Every field is checked, and an error names its path
 * (`spans[3].startUs: expected a number …`); a span whose ids cannot place it is left out and counted, as in
 * the OTLP decoders.
 */
import { MAX_VALUE_DEPTH } from './wire-error';
import type { AttrValue, Attributes, DecodedSpans, LogRecord, Resource, Scope, SpanEvent, SpanKind, SpanLink, SpanRecord, StatusCode } from '../model/span';
import { isObject, listAt, wireError, type Json } from './export-fields';
import { EMPTY_RESOURCE, EMPTY_SCOPE, spanIdProblem } from './span-fields';

const KINDS = new Set<SpanKind>(['internal', 'server', 'client', 'producer', 'consumer']);
const CODES = new Set<StatusCode>(['unset', 'ok', 'error']);
const HEX = /^[0-9a-f]*$/;

/** Whether a parsed JSON value has this shape: an object with a `spans` array whose first span has `spanId` and `startUs`. */
export function isHopscopeTraceJson(root: unknown): root is Json {
  if (!isObject(root) || !Array.isArray(root.spans)) return false;
  const first: unknown = root.spans[0];
  return root.spans.length === 0 ? typeof root.traceId === 'string' : isObject(first) && 'spanId' in first && 'startUs' in first;
}

function text(o: Json, key: string, path: string): string {
  const v = o[key];
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  throw wireError(`${path}.${key}`, 'expected a string', v);
}

function count(o: Json, key: string, path: string): number {
  const v = o[key];
  if (v === undefined) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  throw wireError(`${path}.${key}`, 'expected a whole number of 0 or more', v);
}

function micros(o: Json, key: string, path: string): number {
  const v = o[key];
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.floor(v);
  throw wireError(`${path}.${key}`, 'expected a number (microseconds since the epoch)', v);
}

function hexId(o: Json, key: string, path: string): string {
  const v = text(o, key, path).toLowerCase();
  if (!HEX.test(v)) throw wireError(`${path}.${key}`, 'expected hex digits', o[key]);
  return v;
}

/** A JSON value as an attribute value: checked to nest at most MAX_VALUE_DEPTH deep (without recursion). */
function value(v: unknown, path: string): AttrValue {
  const work: [unknown, number][] = [[v, 0]];
  for (let item = work.pop(); item; item = work.pop()) {
    const [inner, depth] = item;
    if (inner === null || typeof inner !== 'object') continue;
    if (depth >= MAX_VALUE_DEPTH) throw wireError(path, `expected values nested at most ${MAX_VALUE_DEPTH} deep`, inner);
    for (const next of Array.isArray(inner) ? inner : Object.values(inner)) work.push([next, depth + 1]);
  }
  return v as AttrValue;
}

function attributes(o: Json, key: string, path: string): Attributes {
  const v = o[key];
  if (v === undefined) return {};
  if (!isObject(v)) throw wireError(`${path}.${key}`, 'expected an object of attribute values', v);
  return value(v, `${path}.${key}`) as Attributes;
}

function object(v: unknown, path: string): Json {
  if (isObject(v)) return v;
  throw wireError(path, 'expected an object', v);
}

function resourceOf(v: unknown, path: string, resources: Map<string, Resource>): Resource {
  if (v === undefined) return EMPTY_RESOURCE;
  const o = object(v, path);
  const resource = { attributes: attributes(o, 'attributes', path), droppedAttributesCount: count(o, 'droppedAttributesCount', path) };
  // Spans of one service share one resource, as the OTLP decoders give them.
  const key = JSON.stringify(resource);
  const known = resources.get(key);
  if (known) return known;
  resources.set(key, resource);
  return resource;
}

function scopeOf(v: unknown, path: string): Scope {
  if (v === undefined) return EMPTY_SCOPE;
  const o = object(v, path);
  return { name: text(o, 'name', path), version: text(o, 'version', path) };
}

function readSpan(o: Json, path: string, resources: Map<string, Resource>): SpanRecord {
  const kind = o.kind as SpanKind;
  if (!KINDS.has(kind)) throw wireError(`${path}.kind`, `expected one of ${[...KINDS].join(', ')}`, o.kind);
  const status = object(o.status ?? { code: 'unset', message: '' }, `${path}.status`);
  const code = status.code as StatusCode;
  if (!CODES.has(code)) throw wireError(`${path}.status.code`, `expected one of ${[...CODES].join(', ')}`, status.code);
  const events: SpanEvent[] = listAt(o.events, `${path}.events`, 'events').map((e, i) => {
    const at = `${path}.events[${i}]`;
    const event = object(e, at);
    return { name: text(event, 'name', at), timeUs: micros(event, 'timeUs', at), attributes: attributes(event, 'attributes', at), droppedAttributesCount: count(event, 'droppedAttributesCount', at) };
  });
  const links: SpanLink[] = listAt(o.links, `${path}.links`, 'links').map((l, i) => {
    const at = `${path}.links[${i}]`;
    const link = object(l, at);
    return {
      traceId: hexId(link, 'traceId', at), spanId: hexId(link, 'spanId', at), traceState: text(link, 'traceState', at),
      attributes: attributes(link, 'attributes', at), droppedAttributesCount: count(link, 'droppedAttributesCount', at), flags: count(link, 'flags', at),
    };
  });
  const resource = resourceOf(o.resource, `${path}.resource`, resources);
  return {
    traceId: hexId(o, 'traceId', path), spanId: hexId(o, 'spanId', path), parentSpanId: hexId(o, 'parentSpanId', path),
    traceState: text(o, 'traceState', path), flags: count(o, 'flags', path), name: text(o, 'name', path), kind,
    service: text(o, 'service', path) || (typeof resource.attributes['service.name'] === 'string' ? resource.attributes['service.name'] : 'unknown_service'),
    startUs: micros(o, 'startUs', path), endUs: micros(o, 'endUs', path), status: { code, message: text(status, 'message', `${path}.status`) },
    attributes: attributes(o, 'attributes', path), events, links, resource, scope: scopeOf(o.scope, `${path}.scope`),
    droppedAttributesCount: count(o, 'droppedAttributesCount', path), droppedEventsCount: count(o, 'droppedEventsCount', path),
    droppedLinksCount: count(o, 'droppedLinksCount', path),
  };
}

function readLog(o: Json, path: string, resources: Map<string, Resource>): LogRecord {
  const resource = resourceOf(o.resource, `${path}.resource`, resources);
  return {
    traceId: hexId(o, 'traceId', path), spanId: hexId(o, 'spanId', path), timeUs: micros(o, 'timeUs', path), observedTimeUs: micros(o, 'observedTimeUs', path),
    severityNumber: count(o, 'severityNumber', path), severityText: text(o, 'severityText', path), eventName: text(o, 'eventName', path),
    body: value(o.body ?? null, `${path}.body`), attributes: attributes(o, 'attributes', path),
    service: text(o, 'service', path), resource, scope: scopeOf(o.scope, `${path}.scope`), flags: count(o, 'flags', path),
    droppedAttributesCount: count(o, 'droppedAttributesCount', path),
  };
}

/** A parsed `/api/traces/{traceId}` answer → its spans (and, in `logs`, its log records). Throws WireError when malformed. */
export function decodeHopscopeTraceJson(root: Json): DecodedSpans & { logs: LogRecord[] } {
  const out: DecodedSpans & { logs: LogRecord[] } = { spans: [], rejected: 0, rejectReason: '', logs: [] };
  const resources = new Map<string, Resource>();
  listAt(root.spans, 'spans', 'spans').forEach((s, i) => {
    const span = readSpan(object(s, `spans[${i}]`), `spans[${i}]`, resources);
    const problem = spanIdProblem(span.traceId, span.spanId, span.parentSpanId);
    if (problem === '') out.spans.push(span);
    else {
      if (out.rejected === 0) out.rejectReason = `spans[${i}]: ${problem}`;
      out.rejected++;
    }
  });
  listAt(root.logs, 'logs', 'log records').forEach((l, i) => out.logs.push(readLog(object(l, `logs[${i}]`), `logs[${i}]`, resources)));
  return out;
}
