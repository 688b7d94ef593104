/**
 * Spans and log records back to OTLP/JSON, as export requests: what "Export Trace" writes, one request per
 * line (the JSON lines of the Collector's file exporter, which its `otlpjsonfile` receiver and
 * `hopscope analyze` read), and what `GET /api/traces/{id}?format=otlp` answers.
 *
 *   {"resourceSpans":[{"resource":{…},"scopeSpans":[{"scope":{…},"spans":[…]}]}]}   ← the trace's spans
 *   {"resourceLogs":[{"resource":{…},"scopeLogs":[{"scope":{…},"logRecords":[…]}]}]} ← its logs, if any
 *
 * The encoding is the spec's: lower-case hex ids, times as decimal nanosecond strings, enums as integers,
 * int64 values as decimal strings. Decoding the output gives back the same records (a round-trip test holds
 * it to that). Attribute values nest as deep as the decoder let them in (64 levels); they are converted with
 * an explicit stack, not recursion.
 */
import type { AttrValue, Attributes, LogRecord, Resource, Scope, SpanKind, SpanRecord, StatusCode } from '../model/span';

const KIND: Record<SpanKind, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const STATUS: Record<StatusCode, number> = { unset: 0, ok: 1, error: 2 };

type AnyValue = Record<string, unknown>;
interface KeyValue {
  key: string;
  value: AnyValue;
}

/** Microseconds (whole, as the model keeps them) as OTLP's nanosecond string. */
const nanos = (us: number): string => (us === 0 ? '0' : `${Math.trunc(us)}000`);

function scalar(value: Exclude<AttrValue, AttrValue[] | { [key: string]: AttrValue }>): AnyValue {
  if (value === null) return {};
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isSafeInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

/** One attribute value as an AnyValue, nested values included, without recursion. */
function anyValue(root: AttrValue): AnyValue {
  const out: { value?: AnyValue } = {};
  const work: { value: AttrValue; put: (v: AnyValue) => void }[] = [{ value: root, put: (v) => (out.value = v) }];
  for (let item = work.pop(); item; item = work.pop()) {
    const { value, put } = item;
    if (Array.isArray(value)) {
      const values: AnyValue[] = new Array<AnyValue>(value.length);
      put({ arrayValue: { values } });
      value.forEach((element, i) => work.push({ value: element, put: (v) => (values[i] = v) }));
    } else if (value !== null && typeof value === 'object') {
      const values: KeyValue[] = Object.keys(value).map((key) => ({ key, value: {} }));
      put({ kvlistValue: { values } });
      values.forEach((kv) => work.push({ value: value[kv.key]!, put: (v) => (kv.value = v) }));
    } else {
      put(scalar(value));
    }
  }
  return out.value!;
}

const keyValues = (attributes: Attributes): KeyValue[] => Object.keys(attributes).map((key) => ({ key, value: anyValue(attributes[key]!) }));

const resourceJson = (resource: Resource) => ({ attributes: keyValues(resource.attributes), droppedAttributesCount: resource.droppedAttributesCount });
const scopeJson = (scope: Scope) => ({ name: scope.name, version: scope.version });

function spanJson(span: SpanRecord): Record<string, unknown> {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    ...(span.traceState ? { traceState: span.traceState } : {}),
    flags: span.flags,
    name: span.name,
    kind: KIND[span.kind],
    startTimeUnixNano: nanos(span.startUs),
    endTimeUnixNano: nanos(span.endUs),
    attributes: keyValues(span.attributes),
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map((e) => ({ timeUnixNano: nanos(e.timeUs), name: e.name, attributes: keyValues(e.attributes), droppedAttributesCount: e.droppedAttributesCount })),
    droppedEventsCount: span.droppedEventsCount,
    links: span.links.map((l) => ({
      traceId: l.traceId, spanId: l.spanId, ...(l.traceState ? { traceState: l.traceState } : {}), attributes: keyValues(l.attributes),
      droppedAttributesCount: l.droppedAttributesCount, flags: l.flags,
    })),
    droppedLinksCount: span.droppedLinksCount,
    status: { code: STATUS[span.status.code], ...(span.status.message ? { message: span.status.message } : {}) },
  };
}

function logJson(log: LogRecord): Record<string, unknown> {
  return {
    timeUnixNano: nanos(log.timeUs),
    observedTimeUnixNano: nanos(log.observedTimeUs),
    severityNumber: log.severityNumber,
    ...(log.severityText ? { severityText: log.severityText } : {}),
    ...(log.eventName ? { eventName: log.eventName } : {}),
    ...(log.body === null ? {} : { body: anyValue(log.body) }),
    attributes: keyValues(log.attributes),
    droppedAttributesCount: log.droppedAttributesCount,
    flags: log.flags,
    traceId: log.traceId,
    ...(log.spanId ? { spanId: log.spanId } : {}),
  };
}

/** Items grouped by resource, then scope, in the order they first appear; equal resources/scopes are one group. */
function grouped<T extends { resource: Resource; scope: Scope }>(items: readonly T[]): { resource: Resource; scopes: { scope: Scope; items: T[] }[] }[] {
  const resources = new Map<string, { resource: Resource; scopes: Map<string, { scope: Scope; items: T[] }> }>();
  const resourceKeys = new Map<Resource, string>();
  for (const item of items) {
    let resourceKey = resourceKeys.get(item.resource);
    if (resourceKey === undefined) resourceKeys.set(item.resource, (resourceKey = JSON.stringify(item.resource)));
    let group = resources.get(resourceKey);
    if (!group) resources.set(resourceKey, (group = { resource: item.resource, scopes: new Map() }));
    const scopeKey = `${item.scope.name}\u0000${item.scope.version}`;
    let scope = group.scopes.get(scopeKey);
    if (!scope) group.scopes.set(scopeKey, (scope = { scope: item.scope, items: [] }));
    scope.items.push(item);
  }
  return [...resources.values()].map((g) => ({ resource: g.resource, scopes: [...g.scopes.values()] }));
}

/** An ExportTraceServiceRequest holding `spans`, as OTLP/JSON text (one line). */
export function encodeTracesJson(spans: readonly SpanRecord[]): string {
  return JSON.stringify({
    resourceSpans: grouped(spans).map((g) => ({
      resource: resourceJson(g.resource),
      scopeSpans: g.scopes.map((s) => ({ scope: scopeJson(s.scope), spans: s.items.map(spanJson) })),
    })),
  });
}

/** An ExportLogsServiceRequest holding `logs`, as OTLP/JSON text (one line). */
export function encodeLogsJson(logs: readonly LogRecord[]): string {
  return JSON.stringify({
    resourceLogs: grouped(logs).map((g) => ({
      resource: resourceJson(g.resource),
      scopeLogs: g.scopes.map((s) => ({ scope: scopeJson(s.scope), logRecords: s.items.map(logJson) })),
    })),
  });
}

/** A trace as OTLP JSON lines: its spans' request, then its logs' request when it has logs. Ends with a newline. */
export function traceJsonLines(spans: readonly SpanRecord[], logs: readonly LogRecord[]): string {
  return `${encodeTracesJson(spans)}\n${logs.length > 0 ? `${encodeLogsJson(logs)}\n` : ''}`;
}
