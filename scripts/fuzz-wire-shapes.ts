/**
 * Structural inputs for `npm run fuzz`: wire payloads a sender could shape to
 * hurt a decoder rather than mutated bytes of a real one, for every decoder:
 *
 *   depth      attribute values (arrays, maps) and log bodies nested 63 to
 *              100,000 deep, groups of unknown fields nested 100,000 deep,
 *              JSON arrays nested 1,000,000 deep in an unknown field;
 *   fan-out    100,000 spans under one parent, a chain of 100,000 spans,
 *              10,000 resources of one span each;
 *   strings    a 16 MiB name, attribute value, log body and id, a 1 MiB key,
 *              a string of a million escapes;
 *   counts     100,000 attributes, events, links or references on one span,
 *              a million empty resource entries, lengths and counts that
 *              claim 4 GiB or 2^64.
 *
 * Each is built once, in linear time (no nesting by repeated copies).
 */
import { varintBytes } from '../test/support/proto-writer';

export interface WireShape {
  /** The decoder's name in fuzz.ts. */
  target: string;
  name: string;
  bytes: Uint8Array;
}

const MiB = 1024 * 1024;
const utf8 = new TextEncoder();
const TRACE = '5b8efff798038103d269b633813fc60c';
const spanId = (n: number) => (n + 1).toString(16).padStart(16, '0');

// ── protobuf, written directly (fields below 16, so every tag is one byte) ──

const varint = (value: number | bigint): number[] => varintBytes(BigInt(value));

const join = (parts: readonly Uint8Array[]): Buffer => Buffer.concat(parts);
const field = (n: number, payload: Uint8Array): Buffer => join([Uint8Array.from([(n << 3) | 2, ...varint(payload.length)]), payload]);
const str = (n: number, text: string) => field(n, utf8.encode(text));
const hexBytes = (text: string) => Buffer.from(text, 'hex');
const fixed64 = (n: number, value: bigint) => {
  const bytes = Buffer.alloc(9);
  bytes[0] = (n << 3) | 1;
  bytes.writeBigUInt64LE(BigInt.asUintN(64, value), 1);
  return bytes;
};
const uint = (n: number, value: number | bigint) => Uint8Array.from([n << 3, ...varint(value)]);

const anyString = (text: string) => str(1, text);
const keyValue = (key: string, anyValue: Uint8Array) => join([str(1, key), field(2, anyValue)]);

/** An AnyValue nested `depth` deep: array_value { values { … string_value } }, or kvlist_value { values { key, value { … } } }. */
function nestedAnyValue(depth: number, kind: 'array' | 'kvlist'): Buffer {
  // Lengths from the inside out, then every level's headers written outside in: no copy per level.
  const inner = anyString('x');
  const headers: number[][] = [];
  let size = inner.length;
  for (let i = 0; i < depth; i++) {
    const level: number[] = [];
    if (kind === 'array') {
      const values = [(1 << 3) | 2, ...varint(size)]; // ArrayValue.values
      size += values.length;
      const anyValue = [(5 << 3) | 2, ...varint(size)]; // AnyValue.array_value
      size += anyValue.length;
      level.push(...anyValue, ...values);
    } else {
      const value = [(2 << 3) | 2, ...varint(size)]; // KeyValue.value
      const key = [(1 << 3) | 2, 1, 0x6b]; // KeyValue.key "k"
      size += value.length + key.length;
      const values = [(1 << 3) | 2, ...varint(size)]; // KeyValueList.values
      size += values.length;
      const anyValue = [(6 << 3) | 2, ...varint(size)]; // AnyValue.kvlist_value
      size += anyValue.length;
      level.push(...anyValue, ...values, ...key, ...value);
    }
    headers.push(level);
  }
  const out = Buffer.alloc(size);
  let at = 0;
  for (let i = headers.length - 1; i >= 0; i--) for (const byte of headers[i]!) out[at++] = byte;
  out.set(inner, at);
  return out;
}

/** A span of the shared trace; `extra` is more Span fields, already encoded. */
function protoSpan(n: number, parent: number, ...extra: Uint8Array[]): Buffer {
  return join([
    field(1, hexBytes(TRACE)), field(2, hexBytes(spanId(n))), ...(parent >= 0 ? [field(4, hexBytes(spanId(parent)))] : []),
    str(5, `op ${n % 7}`), uint(6, 2 + (n % 2)), fixed64(7, 1_700_000_000_000_000_000n + BigInt(n) * 1000n), fixed64(8, 1_700_000_001_000_000_000n - BigInt(n) * 1000n),
    ...extra,
  ]);
}

const resourceOf = (service: string) => field(1, field(1, keyValue('service.name', anyString(service))));
const tracesRequest = (...spans: Uint8Array[]) => field(1, join([resourceOf('svc'), field(2, join(spans.map((s) => field(2, s))))]));
const logsRequest = (...records: Uint8Array[]) => field(1, join([resourceOf('svc'), field(2, join(records.map((r) => field(2, r))))]));
const logRecord = (n: number, ...extra: Uint8Array[]) => join([fixed64(1, 1_700_000_000_000_000_000n + BigInt(n)), uint(2, 9), field(9, hexBytes(TRACE)), field(10, hexBytes(spanId(n))), ...extra]);
const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

function* protobufTraces(): Generator<[string, Uint8Array]> {
  for (const depth of [63, 64, 65, 1000, 100_000]) yield [`array value nested ${depth} deep`, tracesRequest(protoSpan(0, -1, field(9, keyValue('deep', nestedAnyValue(depth, 'array')))))];
  yield ['map value nested 100,000 deep', tracesRequest(protoSpan(0, -1, field(9, keyValue('deep', nestedAnyValue(100_000, 'kvlist')))))];
  // Groups (wire type 3) of an unknown field, one inside the next, in a span: skipped without recursing, or refused.
  yield ['unknown groups nested 100,000 deep', tracesRequest(protoSpan(0, -1, groupsOf(100_000)))];
  yield ['fan-out: 100,000 spans under one parent', tracesRequest(...times(100_000, (i) => protoSpan(i, i === 0 ? -1 : 0)))];
  yield ['a chain of 100,000 spans', tracesRequest(...times(100_000, (i) => protoSpan(i, i - 1)))];
  yield ['10,000 resources of one span each', join(times(10_000, (i) => field(1, join([resourceOf(`svc-${i}`), field(2, field(2, protoSpan(i, i - 1)))]))))];
  yield ['a million empty resource_spans', Buffer.alloc(2_000_000, Buffer.from([0x0a, 0x00]))];
  yield ['a 16 MiB span name', tracesRequest(protoSpan(0, -1, str(5, 'n'.repeat(16 * MiB))))];
  yield ['a 16 MiB attribute value', tracesRequest(protoSpan(0, -1, field(9, keyValue('big', anyString('v'.repeat(16 * MiB))))))];
  yield ['a 16 MiB bytes value', tracesRequest(protoSpan(0, -1, field(9, keyValue('big', field(7, Buffer.alloc(16 * MiB, 7))))))];
  yield ['a 1 MiB attribute key', tracesRequest(protoSpan(0, -1, field(9, keyValue('k'.repeat(MiB), anyString('v')))))];
  yield ['a 16 MiB trace id', tracesRequest(join([field(1, Buffer.alloc(16 * MiB, 0xab)), field(2, hexBytes(spanId(0)))]))];
  yield ['100,000 attributes on one span', tracesRequest(protoSpan(0, -1, ...times(100_000, (i) => field(9, keyValue(`key.${i}`, anyString(String(i)))))))];
  yield ['100,000 attributes of one key', tracesRequest(protoSpan(0, -1, ...times(100_000, (i) => field(9, keyValue('same', anyString(String(i)))))))];
  yield ['100,000 events on one span', tracesRequest(protoSpan(0, -1, ...times(100_000, (i) => field(11, join([fixed64(1, 1_700_000_000_500_000_000n + BigInt(i)), str(2, `event ${i}`)])))))];
  yield ['100,000 links on one span', tracesRequest(protoSpan(0, -1, ...times(100_000, (i) => field(13, join([field(1, hexBytes(TRACE)), field(2, hexBytes(spanId(i + 1)))])))))];
  yield ['counts and times of 2^64 - 1', tracesRequest(protoSpan(0, -1, uint(10, 2n ** 64n - 1n), uint(12, 2n ** 64n - 1n), uint(14, 2n ** 64n - 1n), fixed64(7, 2n ** 64n - 1n), field(9, keyValue('int', uint(3, 2n ** 64n - 1n)))))];
  yield ['a length that claims 4 GiB', Uint8Array.from([0x0a, ...varint(2 ** 32 - 1), 0x12, 0x00])];
  yield ['a length that claims 2^64 - 1', Uint8Array.from([0x0a, ...varint(2n ** 64n - 1n), 0x12, 0x00])];
  yield ['an 11-byte varint', tracesRequest(protoSpan(0, -1, Uint8Array.from([6 << 3, ...Array<number>(10).fill(0xff), 0x01])))];
}

/** `depth` start-group tags of field 20, then as many end-group tags. */
function groupsOf(depth: number): Buffer {
  return join([Buffer.alloc(2 * depth, Buffer.from(varint((20 << 3) | 3))), Buffer.alloc(2 * depth, Buffer.from(varint((20 << 3) | 4)))]);
}

function* protobufLogs(): Generator<[string, Uint8Array]> {
  for (const depth of [64, 65, 100_000]) yield [`a body nested ${depth} deep`, logsRequest(logRecord(0, field(5, nestedAnyValue(depth, 'array'))))];
  yield ['a map body nested 100,000 deep', logsRequest(logRecord(0, field(5, nestedAnyValue(100_000, 'kvlist'))))];
  yield ['100,000 records of as many traces', logsRequest(...times(100_000, (i) => join([fixed64(1, BigInt(i)), field(9, hexBytes(i.toString(16).padStart(32, '0'))), field(10, hexBytes(spanId(i)))])))];
  yield ['a 16 MiB body', logsRequest(logRecord(0, field(5, anyString('b'.repeat(16 * MiB)))))];
  yield ['100,000 attributes on one record', logsRequest(logRecord(0, ...times(100_000, (i) => field(6, keyValue(`key.${i}`, anyString('v'))))))];
  yield ['a length that claims 4 GiB', Uint8Array.from([0x0a, ...varint(2 ** 32 - 1), 0x12, 0x00])];
}

// ── JSON, as text ──

const jsonSpan = (n: number, parent: number, extra = '') =>
  `{"traceId":"${TRACE}","spanId":"${spanId(n)}"${parent >= 0 ? `,"parentSpanId":"${spanId(parent)}"` : ''},"name":"op ${n % 7}","kind":${2 + (n % 2)},"startTimeUnixNano":"${1_700_000_000_000_000_000n + BigInt(n) * 1000n}","endTimeUnixNano":"${1_700_000_001_000_000_000n - BigInt(n) * 1000n}"${extra}}`;
const jsonTraces = (spans: string[]) => `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeSpans":[{"scope":{"name":"fuzz"},"spans":[${spans.join(',')}]}]}]}`;
const jsonAttrs = (attrs: string[]) => `,"attributes":[${attrs.join(',')}]`;
const jsonAttr = (key: string, value: string) => `{"key":${JSON.stringify(key)},"value":${value}}`;
const jsonNested = (depth: number, kind: 'array' | 'kvlist') =>
  kind === 'array'
    ? `${'{"arrayValue":{"values":['.repeat(depth)}{"stringValue":"x"}${']}}'.repeat(depth)}`
    : `${'{"kvlistValue":{"values":[{"key":"k","value":'.repeat(depth)}{"stringValue":"x"}${'}]}}'.repeat(depth)}`;
const jsonRecord = (n: number, extra = '') => `{"timeUnixNano":"${n}","traceId":"${TRACE}","spanId":"${spanId(n)}"${extra}}`;
const jsonLogs = (records: string[]) => `{"resourceLogs":[{"resource":{"attributes":[]},"scopeLogs":[{"scope":{},"logRecords":[${records.join(',')}]}]}]}`;

function* otlpJsonTraces(): Generator<[string, string]> {
  for (const depth of [64, 65, 100_000]) yield [`array value nested ${depth} deep`, jsonTraces([jsonSpan(0, -1, jsonAttrs([jsonAttr('deep', jsonNested(depth, 'array'))]))])];
  yield ['map value nested 100,000 deep', jsonTraces([jsonSpan(0, -1, jsonAttrs([jsonAttr('deep', jsonNested(100_000, 'kvlist'))]))])];
  yield ['JSON arrays nested 1,000,000 deep in an unknown field', jsonTraces([jsonSpan(0, -1, `,"x":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`)])];
  yield ['an unclosed nesting of 1,000,000 objects', `{"resourceSpans":${'{"a":'.repeat(1_000_000)}`];
  yield ['fan-out: 100,000 spans under one parent', jsonTraces(times(100_000, (i) => jsonSpan(i, i === 0 ? -1 : 0)))];
  yield ['a chain of 100,000 spans', jsonTraces(times(100_000, (i) => jsonSpan(i, i - 1)))];
  yield ['10,000 resources of one span each', `{"resourceSpans":[${times(10_000, (i) => `{"resource":{"attributes":[]},"scopeSpans":[{"spans":[${jsonSpan(i, i - 1)}]}]}`).join(',')}]}`];
  yield ['a 16 MiB span name', jsonTraces([jsonSpan(0, -1, `,"name":"${'n'.repeat(16 * MiB)}"`)])];
  yield ['a 16 MiB attribute value', jsonTraces([jsonSpan(0, -1, jsonAttrs([jsonAttr('big', `{"stringValue":"${'v'.repeat(16 * MiB)}"}`)]))])];
  yield ['a million escapes in a value', jsonTraces([jsonSpan(0, -1, jsonAttrs([jsonAttr('esc', `{"stringValue":"${'\\u00e9\\n'.repeat(500_000)}"}`)]))])];
  yield ['100,000 attributes on one span', jsonTraces([jsonSpan(0, -1, jsonAttrs(times(100_000, (i) => jsonAttr(`key.${i}`, `{"intValue":"${i}"}`))))])];
  yield ['100,000 events on one span', jsonTraces([jsonSpan(0, -1, `,"events":[${times(100_000, (i) => `{"timeUnixNano":"${i}","name":"e${i}"}`).join(',')}]`)])];
  yield ['numbers past every range', jsonTraces([jsonSpan(0, -1, `,"startTimeUnixNano":"18446744073709551616","endTimeUnixNano":1e400,"droppedAttributesCount":1e308,"kind":99999999999${jsonAttrs([jsonAttr('i', '{"intValue":"99999999999999999999999"}'), jsonAttr('d', '{"doubleValue":1e999}')])}`)])];
}

function* otlpJsonLogs(): Generator<[string, string]> {
  for (const depth of [64, 65, 100_000]) yield [`a body nested ${depth} deep`, jsonLogs([jsonRecord(0, `,"body":${jsonNested(depth, 'array')}`)])];
  yield ['100,000 records of as many traces', jsonLogs(times(100_000, (i) => `{"timeUnixNano":"${i}","traceId":"${i.toString(16).padStart(32, '0')}"}`))];
  yield ['a 16 MiB body', jsonLogs([jsonRecord(0, `,"body":{"stringValue":"${'b'.repeat(16 * MiB)}"}`)])];
  yield ['JSON arrays nested 1,000,000 deep in an unknown field', jsonLogs([jsonRecord(0, `,"x":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`)])];
}

const jaegerSpan = (n: number, refs: string, extra = '') =>
  `{"traceID":"${TRACE}","spanID":"${spanId(n)}","operationName":"op ${n % 7}","references":[${refs}],"startTime":${1_700_000_000_000_000 + n},"duration":${1_000_000 - n},"tags":[],"processID":"p1"${extra}}`;
const childOf = (parent: number) => (parent < 0 ? '' : `{"refType":"CHILD_OF","traceID":"${TRACE}","spanID":"${spanId(parent)}"}`);
const jaeger = (spans: string[], processes = '"p1":{"serviceName":"svc","tags":[]}') => `{"data":[{"traceID":"${TRACE}","spans":[${spans.join(',')}],"processes":{${processes}}}]}`;

function* jaegerJson(): Generator<[string, string]> {
  yield ['a chain of 100,000 spans', jaeger(times(100_000, (i) => jaegerSpan(i, childOf(i - 1))))];
  yield ['fan-out: 100,000 spans under one parent', jaeger(times(100_000, (i) => jaegerSpan(i, childOf(i === 0 ? -1 : 0))))];
  yield ['100,000 references on one span', jaeger([jaegerSpan(0, ''), jaegerSpan(1, times(100_000, (i) => childOf(i % 2)).join(','))])];
  yield ['100,000 tags on one span', jaeger([jaegerSpan(0, '', `,"tags":[${times(100_000, (i) => `{"key":"k${i}","type":"string","value":"v"}`).join(',')}]`)])];
  yield ['a 16 MiB tag value', jaeger([jaegerSpan(0, '', `,"tags":[{"key":"big","type":"string","value":"${'v'.repeat(16 * MiB)}"}]`)])];
  yield ['100,000 processes', jaeger([jaegerSpan(0, '')], times(100_000, (i) => `"p${i}":{"serviceName":"svc-${i}","tags":[]}`).join(','))];
  yield ['JSON arrays nested 1,000,000 deep in a tag', jaeger([jaegerSpan(0, '', `,"tags":[{"key":"x","type":"string","value":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}]`)])];
}

const zipkinSpan = (n: number, parent: number, extra = '') =>
  `{"traceId":"${TRACE}","id":"${spanId(n)}"${parent >= 0 ? `,"parentId":"${spanId(parent)}"` : ''},"name":"op ${n % 7}","kind":"${n % 2 ? 'SERVER' : 'CLIENT'}","timestamp":${1_700_000_000_000_000 + n},"duration":${1_000_000 - n},"localEndpoint":{"serviceName":"svc-${n % 3}"}${extra}}`;

function* zipkinJson(): Generator<[string, string]> {
  yield ['a chain of 100,000 spans', `[${times(100_000, (i) => zipkinSpan(i, i - 1)).join(',')}]`];
  yield ['fan-out: 100,000 spans under one parent', `[${times(100_000, (i) => zipkinSpan(i, i === 0 ? -1 : 0)).join(',')}]`];
  yield ['100,000 shared halves of one id', `[${times(100_000, (i) => zipkinSpan(0, -1, i % 2 ? ',"shared":true' : '')).join(',')}]`];
  yield ['100,000 tags on one span', `[${zipkinSpan(0, -1, `,"tags":{${times(100_000, (i) => `"k${i}":"v"`).join(',')}}`)}]`];
  yield ['100,000 annotations on one span', `[${zipkinSpan(0, -1, `,"annotations":[${times(100_000, (i) => `{"timestamp":${i},"value":"a${i}"}`).join(',')}]`)}]`];
  yield ['a 16 MiB tag value', `[${zipkinSpan(0, -1, `,"tags":{"big":"${'v'.repeat(16 * MiB)}"}`)}]`];
  yield ['JSON arrays nested 1,000,000 deep', `[${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}]`];
}

export function* wireShapes(): Generator<WireShape> {
  const text = (target: string, shapes: Generator<[string, string]>) => (function* () {
    for (const [name, json] of shapes) yield { target, name, bytes: utf8.encode(json) };
  })();
  for (const [name, bytes] of protobufTraces()) yield { target: 'OTLP protobuf traces', name, bytes };
  for (const [name, bytes] of protobufLogs()) yield { target: 'OTLP protobuf logs', name, bytes };
  for (const shape of text('OTLP JSON traces', otlpJsonTraces())) {
    yield shape;
    yield { ...shape, target: 'OTLP JSON traces (fast path)' };
  }
  yield* text('OTLP JSON logs', otlpJsonLogs());
  yield* text('Jaeger UI JSON', jaegerJson());
  yield* text('Zipkin v2 JSON', zipkinJson());
}
