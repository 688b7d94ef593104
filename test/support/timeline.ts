/**
 * Traces drawn as text for analysis tests. One span per line; indentation (two
 * spaces a level) is the parent; times are milliseconds from the trace start:
 *
 *   gateway  | POST /orders | server | 0-650
 *     gateway | call orders | client | 5-645
 *       orders | POST /orders | server | 10-640 | error
 *
 * Optional fields after the times: `error`, `ok`, `link=<name>` (a span link),
 * `parent=<name>` (overrides indentation; `_` stands for a space in both), `id=<hex>`, and `key=value`
 * attributes. Names must be unique within a drawing; `ids(name)` finds a span.
 */
import type { SpanRecord } from '../../src/model/span';

export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const T0 = 1_700_000_000_000_000;

export interface Drawn {
  spans: SpanRecord[];
  id: (name: string) => string;
}

export function timeline(text: string): Drawn {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  const indent = Math.min(...lines.map((l) => l.length - l.trimStart().length));
  const stack: { depth: number; span: SpanRecord }[] = [];
  const byName = new Map<string, SpanRecord>();
  const pending: [SpanRecord, string, 'parent' | 'link'][] = [];
  const spans = lines.map((line, index) => {
    const depth = (line.length - line.trimStart().length - indent) / 2;
    const [service, name, kind, times, ...rest] = line.trim().split('|').map((p) => p.trim());
    const [start, end] = times!.split('-').map(Number);
    const span: SpanRecord = {
      traceId: TRACE_ID, spanId: (index + 1).toString(16).padStart(16, '0'), parentSpanId: '', traceState: '', flags: 1,
      name: name!, kind: kind as SpanRecord['kind'], service: service!, startUs: T0 + Math.round(start! * 1000), endUs: T0 + Math.round(end! * 1000),
      status: { code: 'unset', message: '' }, attributes: {}, events: [], links: [],
      resource: { attributes: { 'service.name': service! }, droppedAttributesCount: 0 }, scope: { name: 'drawn', version: '' },
      droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
    };
    while (stack.length > 0 && stack[stack.length - 1]!.depth >= depth) stack.pop();
    span.parentSpanId = stack[stack.length - 1]?.span.spanId ?? '';
    for (const field of rest.flatMap((r) => r.split(/\s+/)).filter(Boolean)) {
      if (field === 'error' || field === 'ok') span.status = { code: field, message: field === 'error' ? 'failed' : '' };
      else if (field.startsWith('link=')) pending.push([span, field.slice(5).replaceAll('_', ' '), 'link']);
      else if (field.startsWith('parent=')) pending.push([span, field.slice(7).replaceAll('_', ' '), 'parent']);
      else if (field.startsWith('id=')) span.spanId = field.slice(3).padStart(16, '0');
      else {
        const [key, value] = field.split('=');
        span.attributes[key!] = value === undefined ? true : Number.isNaN(Number(value)) ? value : Number(value);
      }
    }
    stack.push({ depth, span });
    byName.set(span.name, span);
    return span;
  });
  for (const [span, target, what] of pending) {
    const other = byName.get(target);
    if (!other) throw new Error(`no span named ${target}`);
    if (what === 'parent') span.parentSpanId = other.spanId;
    else span.links.push({ traceId: TRACE_ID, spanId: other.spanId, traceState: '', attributes: {}, droppedAttributesCount: 0, flags: 1 });
  }
  return {
    spans,
    id: (name) => {
      const span = byName.get(name);
      if (!span) throw new Error(`no span named ${name}`);
      return span.spanId;
    },
  };
}

/** Milliseconds → microseconds, for expectations. */
export const ms = (n: number): number => Math.round(n * 1000);

/** The spans as an OTLP/JSON ExportTraceServiceRequest, one resource per service, as an SDK would send them. */
export function toOtlpJson(spans: readonly SpanRecord[]): string {
  const services = [...new Set(spans.map((s) => s.service))];
  const kinds = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;
  const value = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v }) : typeof v === 'boolean' ? { boolValue: v } : { stringValue: String(v) });
  return JSON.stringify({
    resourceSpans: services.map((service) => ({
      // The resource of the service's first span (its service.name first), so that drawn resource attributes travel too.
      resource: { attributes: Object.entries({ 'service.name': service, ...spans.find((s) => s.service === service)!.resource.attributes }).map(([key, v]) => ({ key, value: value(v) })) },
      scopeSpans: [{
        scope: { name: 'drawn' },
        spans: spans.filter((s) => s.service === service).map((s) => ({
          traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId, name: s.name, kind: kinds[s.kind],
          startTimeUnixNano: `${s.startUs}000`, endTimeUnixNano: `${s.endUs}000`,
          attributes: Object.entries(s.attributes).map(([key, v]) => ({ key, value: value(v) })),
          links: s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
          status: { code: s.status.code === 'error' ? 2 : s.status.code === 'ok' ? 1 : 0, message: s.status.message },
        })),
      }],
    })),
  });
}
