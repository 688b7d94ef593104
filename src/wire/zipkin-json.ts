/**
 * Zipkin v2 JSON (an array of spans, what `GET /api/v2/trace/{id}` and the
 * Zipkin UI's JSON download give) → the model.
 *
 * - kind: CLIENT/SERVER/PRODUCER/CONSUMER lower-cased; none is internal;
 * - service: `localEndpoint.serviceName`, the resource's `service.name`;
 * - tags are the attributes; `error` makes the status an error with the tag as
 *   its message, and OpenTelemetry's `otel.status_code` etc. are read as for Jaeger;
 * - remoteEndpoint: `peer.service`, and its address and port as `server.address` /
 *   `server.port` for client and producer spans, else `network.peer.address` / `.port`;
 * - annotations are events; ids are left-padded to 32/16 hex as Zipkin drops leading zeros.
 *
 * Shared spans: Zipkin (B3 single-span-per-RPC) may report one RPC as a CLIENT
 * and a SERVER span with the SAME id, the server's marked `shared: true`. The
 * model needs unique span ids for its tree, so the server half gets a derived id
 * (a deterministic 64-bit hash of the shared id, see `derivedSpanId`) and the
 * client half as its parent. The server's own children name the shared id as
 * their parent; those in the server's service are moved under the server half,
 * which is where they ran. Without a client half in the input, nothing changes.
 */
import type { Attributes, DecodedSpans, Resource, SpanEvent, SpanKind, SpanRecord } from '../model/span';
import { Conventions, idReader, isObject, kindFromName, listAt, microsAt, stringAt, wireError, type Json } from './export-fields';
import { parseJson } from './json-syntax';
import { EMPTY_RESOURCE, NO_EVENTS, NO_LINKS, serviceNameOf, setAttribute, spanIdProblem } from './span-fields';

const conventions = new Conventions();

/** Decodes a Zipkin v2 JSON span array, given as text or as the already parsed value. Throws WireError when it is malformed. */
export function decodeZipkinJson(input: string | object): DecodedSpans {
  const root = typeof input === 'string' ? parseJson(input) : input;
  if (!Array.isArray(root)) throw wireError('(root)', 'expected a Zipkin v2 array of spans', root);
  const out: DecodedSpans = { spans: [], rejected: 0, rejectReason: '' };
  const shared: boolean[] = [];
  const resources = new Map<string, Resource>();
  for (let i = 0; i < root.length; i++) {
    const o: unknown = root[i];
    if (!isObject(o)) throw wireError(`[${i}]`, 'expected a span object', o);
    const [span, problem] = readSpan(o, `[${i}]`, resources);
    if (problem === '') {
      out.spans.push(span);
      shared.push(o.shared === true);
    } else {
      if (out.rejected === 0) out.rejectReason = `[${i}]: ${problem}`;
      out.rejected++;
    }
  }
  splitSharedSpans(out.spans, shared);
  return out;
}

function readSpan(o: Json, path: string, resources: Map<string, Resource>): [SpanRecord, string] {
  if (o.binaryAnnotations !== undefined) {
    throw wireError(`${path}.binaryAnnotations`, 'Zipkin v1 spans are not supported (expected Zipkin v2 JSON, with tags)', o.binaryAnnotations);
  }
  const ids = idReader(path);
  const id = ids.id;
  const traceId = id(o.traceId, 32, 'traceId');
  const spanId = id(o.id, 16, 'id');
  const parentSpanId = id(o.parentId, 16, 'parentId');
  const name = stringAt(o.name, `${path}.name`);
  let kind: SpanKind | undefined;
  if (o.kind !== undefined && o.kind !== null) {
    kind = kindFromName(o.kind);
    if (kind === undefined) throw wireError(`${path}.kind`, 'expected "CLIENT", "SERVER", "PRODUCER" or "CONSUMER"', o.kind);
  }
  const startUs = microsAt(o.timestamp, `${path}.timestamp`, false);
  const endUs = startUs + microsAt(o.duration, `${path}.duration`, false);

  const local = endpointAt(o.localEndpoint, `${path}.localEndpoint`);
  const serviceName = local ? stringAt(local.serviceName, `${path}.localEndpoint.serviceName`) : '';
  let resource = resources.get(serviceName);
  if (resource === undefined) {
    resource = serviceName === '' ? EMPTY_RESOURCE : { attributes: { 'service.name': serviceName }, droppedAttributesCount: 0 };
    resources.set(serviceName, resource);
  }

  conventions.reset();
  const attributes: Attributes = {};
  const tags = o.tags ?? {};
  if (!isObject(tags)) throw wireError(`${path}.tags`, 'expected an object of string tags', tags);
  for (const key of Object.keys(tags)) {
    const value = tags[key];
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw wireError(`${path}.tags[${JSON.stringify(key)}]`, 'expected a string', value);
    }
    if (!conventions.take(key, value)) setAttribute(attributes, key, value);
  }
  kind ??= conventions.kind ?? 'internal';
  addRemoteEndpoint(o.remoteEndpoint, `${path}.remoteEndpoint`, kind, attributes);

  const span: SpanRecord = {
    traceId, spanId, parentSpanId, traceState: conventions.traceState, flags: 0, name, kind, service: serviceNameOf(resource.attributes),
    startUs, endUs, status: conventions.status(), attributes, events: readAnnotations(o.annotations, `${path}.annotations`), links: NO_LINKS,
    resource, scope: conventions.scope(), droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
  };
  return [span, ids.problem() || spanIdProblem(traceId, spanId, parentSpanId)];
}

function endpointAt(v: unknown, path: string): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw wireError(path, 'expected an endpoint object', v);
  return v;
}

/** The other side of the call, as OpenTelemetry's semantic conventions name it; tags of the same name win. */
function addRemoteEndpoint(v: unknown, path: string, kind: SpanKind, attributes: Attributes): void {
  const remote = endpointAt(v, path);
  if (remote === undefined) return;
  const add = (key: string, value: string | number) => {
    if (value !== '' && !Object.prototype.hasOwnProperty.call(attributes, key)) attributes[key] = value;
  };
  add('peer.service', stringAt(remote.serviceName, `${path}.serviceName`));
  const outgoing = kind === 'client' || kind === 'producer';
  const address = stringAt(remote.ipv4, `${path}.ipv4`) || stringAt(remote.ipv6, `${path}.ipv6`);
  add(outgoing ? 'server.address' : 'network.peer.address', address);
  const port = remote.port;
  if (port === undefined || port === null) return;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) throw wireError(`${path}.port`, 'expected a port number', port);
  if (port !== 0) add(outgoing ? 'server.port' : 'network.peer.port', port);
}

function readAnnotations(v: unknown, path: string): SpanEvent[] {
  const annotations = listAt(v, path, 'annotations');
  if (annotations.length === 0) return NO_EVENTS;
  return annotations.map((a, i) => {
    if (!isObject(a)) throw wireError(`${path}[${i}]`, 'expected an annotation object { timestamp, value }', a);
    const timeUs = microsAt(a.timestamp, `${path}[${i}].timestamp`, true);
    return { name: stringAt(a.value, `${path}[${i}].value`), timeUs, attributes: {}, droppedAttributesCount: 0 };
  });
}

/** Gives the server half of each shared client/server pair its own id (see the file comment). */
function splitSharedSpans(spans: SpanRecord[], shared: boolean[]): void {
  const first = new Map<string, number>();
  const moved = new Map<string, { derived: string; service: string; index: number }>(); // by trace + shared id
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const key = span.traceId + span.spanId;
    const j = first.get(key);
    if (j === undefined) {
      first.set(key, i);
      continue;
    }
    const other = spans[j]!;
    const server = shared[i] ? i : shared[j] ? j : span.kind === 'server' ? i : other.kind === 'server' ? j : -1;
    if (server < 0 || moved.has(key)) continue; // a plain duplicate: left as it is
    const half = spans[server]!;
    const derived = derivedSpanId(half.spanId);
    moved.set(key, { derived, service: half.service, index: server });
    half.parentSpanId = half.spanId;
    half.spanId = derived;
  }
  if (moved.size === 0) return;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const m = moved.get(span.traceId + span.parentSpanId);
    if (m !== undefined && m.index !== i && span.service === m.service) span.parentSpanId = m.derived;
  }
}

/**
 * A 64-bit id made from `id` alone, so a file decodes the same every time:
 * two 32-bit FNV-1a style hashes (different seeds and multipliers) of its text.
 */
export function derivedSpanId(id: string): string {
  for (let salt = ''; ; salt += '+') {
    const text = `zipkin-shared:${id}${salt}`;
    let a = 0x811c9dc5;
    let b = 0x9747b28c;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    const hex = (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
    if (hex !== id && hex !== '0000000000000000') return hex;
  }
}
