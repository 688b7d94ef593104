/**
 * A Jaeger UI / query-service JSON export (`{ "data": [ trace, … ] }`, what the
 * UI's "Download JSON" and `GET /api/traces/{id}` give) → the model.
 *
 * - ids: Jaeger drops leading zeros and allows 64-bit trace ids: left-padded to 32/16 hex;
 * - parent: the first CHILD_OF reference to the same trace, else the first
 *   reference to it (a FOLLOWS_FROM parent is still the parent); every other
 *   reference becomes a link carrying `opentracing.ref_type`;
 * - kind, status, scope and trace state come back out of the tags OpenTelemetry
 *   writes for them (`span.kind`, `otel.status_code`, `error`, `otel.scope.name` …);
 * - the resource is the process: its tags plus `service.name`, shared by its spans;
 * - logs become events named by their `event` (else `message`) field, else 'log'.
 *
 * Errors are WireErrors naming the JSON path (`data[0].spans[3].startTime: …`);
 * a span whose ids are unusable is counted in `rejected`, as the OTLP decoders do.
 */
import type { AttrValue, Attributes, DecodedSpans, Resource, SpanEvent, SpanLink, SpanRecord } from '../model/span';
import { Conventions, idReader, isObject, listAt, microsAt, paddedId, show, stringAt, wireError, type Json } from './export-fields';
import { parseJson } from './json-syntax';
import {
  EMPTY_RESOURCE, NO_EVENTS, NO_LINKS, bytesToBase64, int64FromString, serviceNameOf, setAttribute, spanIdProblem,
} from './span-fields';

const conventions = new Conventions();

/** Decodes a Jaeger JSON export, given as text or as the already parsed value. Throws WireError when it is malformed. */
export function decodeJaegerJson(input: string | object): DecodedSpans {
  const root = typeof input === 'string' ? parseJson(input) : input;
  if (!isObject(root)) throw wireError('(root)', 'expected a Jaeger export object { "data": [...] }', root);
  const out: DecodedSpans = { spans: [], rejected: 0, rejectReason: '' };
  const traces = listAt(root.data, 'data', 'traces');
  for (let i = 0; i < traces.length; i++) {
    const trace = traces[i];
    if (!isObject(trace)) throw wireError(`data[${i}]`, 'expected a trace object', trace);
    readTrace(trace, `data[${i}]`, out);
  }
  return out;
}

function readTrace(trace: Json, path: string, out: DecodedSpans): void {
  const processes = trace.processes ?? {};
  if (!isObject(processes)) throw wireError(`${path}.processes`, 'expected an object of processes by id', processes);
  const resources = new Map<string, Resource>();
  const spans = listAt(trace.spans, `${path}.spans`, 'spans');
  for (let j = 0; j < spans.length; j++) {
    const at = `${path}.spans[${j}]`;
    const o = spans[j];
    if (!isObject(o)) throw wireError(at, 'expected a span object', o);
    // A span may carry its process inline (older exports); else it names one of the trace's.
    const processId = stringAt(o.processID, `${at}.processID`);
    let resource: Resource | undefined;
    if (isObject(o.process)) resource = readProcess(o.process, `${at}.process`);
    else if ((resource = resources.get(processId)) === undefined) {
      const process = Object.hasOwn(processes, processId) ? processes[processId] : undefined;
      resources.set(processId, (resource = readProcess(process, `${path}.processes.${processId}`)));
    }
    const [span, problem] = readSpan(o, at, resource);
    if (problem === '') out.spans.push(span);
    else {
      if (out.rejected === 0) out.rejectReason = `${at}: ${problem}`;
      out.rejected++;
    }
  }
}

function readProcess(process: unknown, path: string): Resource {
  if (process === undefined || process === null) return EMPTY_RESOURCE;
  if (!isObject(process)) throw wireError(path, 'expected a process object', process);
  const attributes: Attributes = {};
  const serviceName = stringAt(process.serviceName, `${path}.serviceName`);
  if (serviceName !== '') attributes['service.name'] = serviceName;
  const tags = listAt(process.tags, `${path}.tags`, 'tags');
  for (let i = 0; i < tags.length; i++) {
    const [key, value] = readTag(tags[i], `${path}.tags[${i}]`);
    if (key !== 'service.name' || serviceName === '') setAttribute(attributes, key, value);
  }
  return { attributes, droppedAttributesCount: 0 };
}

/** The span, and why its ids keep it out of every trace ('' when they are fine). */
function readSpan(o: Json, path: string, resource: Resource): [SpanRecord, string] {
  const ids = idReader(path);
  const id = ids.id;
  const traceId = id(o.traceID, 32, 'traceID');
  const spanId = id(o.spanID, 16, 'spanID');
  let problem = ids.problem();
  const name = stringAt(o.operationName, `${path}.operationName`);
  const startUs = microsAt(o.startTime, `${path}.startTime`, true);
  const endUs = startUs + microsAt(o.duration, `${path}.duration`, false);
  const flags = o.flags === undefined || o.flags === null ? 0 : Number(o.flags) >>> 0;

  // References: the parent, and links for the rest.
  const references = listAt(o.references, `${path}.references`, 'references');
  const refs = references.map((r, i) => {
    const at = `${path}.references[${i}]`;
    if (!isObject(r)) throw wireError(at, 'expected a reference object', r);
    const type = stringAt(r.refType, `${at}.refType`).toUpperCase();
    const refTrace = paddedId(r.traceID, 32, `${at}.traceID`);
    const refSpan = paddedId(r.spanID, 16, `${at}.spanID`);
    // A bad id only matters if this reference becomes the parent; links keep what they were given.
    return {
      type, ok: refTrace !== undefined && refSpan !== undefined,
      traceId: refTrace === undefined ? String(r.traceID).toLowerCase() : refTrace || traceId,
      spanId: refSpan ?? String(r.spanID).toLowerCase(),
    };
  });
  let parent = refs.findIndex((r) => r.type === 'CHILD_OF' && r.traceId === traceId);
  if (parent < 0) parent = refs.findIndex((r) => r.traceId === traceId);
  const parentSpanId = parent < 0 ? '' : refs[parent]!.spanId;
  if (parent >= 0 && !refs[parent]!.ok && problem === '') problem = `references[${parent}] is not a usable parent id: ${show(parentSpanId)}`;
  const links: SpanLink[] = refs.length <= (parent < 0 ? 0 : 1) ? NO_LINKS : refs.filter((_, i) => i !== parent).map((r) => ({
    traceId: r.traceId, spanId: r.spanId, traceState: '', flags: 0, droppedAttributesCount: 0,
    attributes: { 'opentracing.ref_type': r.type === 'FOLLOWS_FROM' ? 'follows_from' : 'child_of' },
  }));

  conventions.reset();
  const attributes: Attributes = {};
  const tags = listAt(o.tags, `${path}.tags`, 'tags');
  for (let i = 0; i < tags.length; i++) {
    const [key, value] = readTag(tags[i], `${path}.tags[${i}]`);
    if (!conventions.take(key, value)) setAttribute(attributes, key, value);
  }
  const events = readLogs(o.logs, `${path}.logs`);
  if (problem === '') problem = spanIdProblem(traceId, spanId, parentSpanId);
  const span: SpanRecord = {
    traceId, spanId, parentSpanId, traceState: conventions.traceState, flags, name, kind: conventions.kind ?? 'internal',
    service: serviceNameOf(resource.attributes), startUs, endUs, status: conventions.status(), attributes, events, links,
    resource, scope: conventions.scope(), droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
  };
  return [span, problem];
}

function readLogs(v: unknown, path: string): SpanEvent[] {
  const logs = listAt(v, path, 'logs');
  if (logs.length === 0) return NO_EVENTS;
  return logs.map((log, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(log)) throw wireError(at, 'expected a log object', log);
    const timeUs = microsAt(log.timestamp, `${at}.timestamp`, true);
    const attributes: Attributes = {};
    let event: string | undefined;
    let message: string | undefined;
    const fields = listAt(log.fields, `${at}.fields`, 'fields');
    for (let k = 0; k < fields.length; k++) {
      const [key, value] = readTag(fields[k], `${at}.fields[${k}]`);
      if (key === 'event' && event === undefined) event = String(value);
      else if (key === 'message' && message === undefined) message = String(value);
      else setAttribute(attributes, key, value);
    }
    // The field that names the event is not repeated among its attributes.
    if (event !== undefined && message !== undefined) setAttribute(attributes, 'message', message);
    return { name: event ?? message ?? 'log', timeUs, attributes, droppedAttributesCount: 0 };
  });
}

/** A `{ key, type, value }` tag → [key, AttrValue]; a missing type is taken from the JSON value. */
function readTag(tag: unknown, path: string): [string, AttrValue] {
  if (!isObject(tag)) throw wireError(path, 'expected a tag object { key, type, value }', tag);
  const key = stringAt(tag.key, `${path}.key`);
  const v = tag.value;
  const type = tag.type === undefined || tag.type === null ? typeof v : stringAt(tag.type, `${path}.type`).toLowerCase();
  switch (type) {
    case 'string':
      if (typeof v === 'string') return [key, v];
      if (typeof v === 'number' || typeof v === 'boolean') return [key, String(v)];
      break;
    case 'bool':
    case 'boolean':
      if (typeof v === 'boolean') return [key, v];
      if (v === 'true' || v === 'false') return [key, v === 'true'];
      break;
    case 'int64':
      if (typeof v === 'number' && Number.isInteger(v)) return [key, Number.isSafeInteger(v) ? v : BigInt(v).toString()];
      if (typeof v === 'string' && int64FromString(v) !== undefined) return [key, int64FromString(v)!];
      break;
    case 'float64':
    case 'number':
      if (typeof v === 'number') return [key, v];
      if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return [key, Number(v)];
      break;
    case 'binary':
      if (typeof v === 'string') return [key, v]; // already base64, as Jaeger writes bytes
      if (Array.isArray(v) && v.every((b) => Number.isInteger(b) && b >= 0 && b < 256)) return [key, bytesToBase64(Uint8Array.from(v), 0, v.length)];
      break;
    default:
      throw wireError(`${path}.type`, 'expected "string", "bool", "int64", "float64" or "binary"', tag.type ?? v);
  }
  throw wireError(`${path}.value`, `expected a value of type ${type}`, v);
}
