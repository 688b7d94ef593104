import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeLogsJson } from '../../src/wire/otlp-json-logs';
import { decodeTracesJson } from '../../src/wire/otlp-json-traces';
import { decodeTracesProto } from '../../src/wire/otlp-proto-traces';
import { WireError } from '../../src/wire/wire-error';
import type { SpanRecord } from '../../src/model/span';
import { shopTrace } from '../support/otel-trace';
import { expectedSpan, withTraceFlags } from '../support/expected-span';
import { bytes, kv, message } from '../support/proto-writer';

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';
const PARENT = '59f6933b7d837602';

type JsonObject = Record<string, unknown>;

/** One ExportTraceServiceRequest (as text) holding `spans` under one resource and scope. */
function traces(spans: JsonObject[], resourceAttributes: JsonObject[] = [{ key: 'service.name', value: { stringValue: 'orders' } }]): string {
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: resourceAttributes }, scopeSpans: [{ scope: { name: 'lib', version: '1.0' }, spans }] }],
  });
}
const span = (fields: JsonObject = {}): JsonObject => ({ traceId: TRACE, spanId: SPAN, name: 'op', ...fields });
const only = (text: string): SpanRecord => {
  const decoded = decodeTracesJson(text);
  assert.equal(decoded.rejected, 0, decoded.rejectReason);
  assert.equal(decoded.spans.length, 1);
  return decoded.spans[0]!;
};
const attributesOf = (...attributes: JsonObject[]) => only(traces([span({ attributes })])).attributes;

/** Renames every object key from lowerCamelCase to snake_case (attribute keys are values, so they stay). */
function snakeCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCase);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeCase(inner)]));
}

/** `levels` nested arrayValues around a string, built as text so that no recursion is needed to make it. */
function nestedArrays(levels: number): string {
  return '{"arrayValue":{"values":['.repeat(levels) + '{"stringValue":"bottom"}' + ']}}'.repeat(levels);
}

/** Asserts that decoding throws a WireError whose message matches `pattern`. */
function throwsWire(decode: () => unknown, pattern: RegExp | string): void {
  assert.throws(decode, (error: unknown) => {
    assert.ok(error instanceof WireError, `expected a WireError, got ${String(error)}`);
    if (typeof pattern === 'string') assert.equal(error.message, pattern);
    else assert.match(error.message, pattern);
    return true;
  });
}

const FULL_SPAN: JsonObject = {
  traceId: TRACE, spanId: SPAN, parentSpanId: PARENT, traceState: 'vendor=abc', flags: 257, name: 'GET /orders', kind: 2,
  startTimeUnixNano: '1763900000123456789', endTimeUnixNano: '1763900000223456789',
  attributes: [
    { key: 'http.request.method', value: { stringValue: 'GET' } },
    { key: 'http.response.status_code', value: { intValue: '200' } },
    { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { boolValue: true }] } } },
    { key: 'map', value: { kvlistValue: { values: [{ key: 'inner', value: { doubleValue: 1.5 } }] } } },
  ],
  droppedAttributesCount: 1,
  events: [{ timeUnixNano: '1763900000150000000', name: 'retry', attributes: [{ key: 'attempt', value: { intValue: 2 } }], droppedAttributesCount: 0 }],
  droppedEventsCount: 2,
  links: [{ traceId: TRACE, spanId: PARENT, traceState: 'x=1', attributes: [{ key: 'why', value: { stringValue: 'follows' } }], droppedAttributesCount: 0, flags: 1 }],
  droppedLinksCount: 3,
  status: { code: 2, message: 'card declined' },
};

describe('the OTLP/JSON trace decoder', () => {
  it('decodes what the SDK JSON serializer writes into exactly the spans the protobuf decoder makes', async () => {
    const spans = await shopTrace();
    const fromJson = decodeTracesJson(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)));
    assert.equal(fromJson.rejected, 0);
    assert.deepEqual(fromJson, decodeTracesProto(ProtobufTraceSerializer.serializeRequest(spans)!));
    assert.deepEqual(fromJson.spans.map(withTraceFlags), spans.map(expectedSpan));
  });

  it('decodes every field of a span into the model', () => {
    const decoded = only(traces([FULL_SPAN]));
    assert.deepEqual(decoded, {
      traceId: TRACE, spanId: SPAN, parentSpanId: PARENT, traceState: 'vendor=abc', flags: 257, name: 'GET /orders', kind: 'server',
      service: 'orders', startUs: 1763900000123456, endUs: 1763900000223456,
      status: { code: 'error', message: 'card declined' },
      attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200, tags: ['a', true], map: { inner: 1.5 } },
      events: [{ name: 'retry', timeUs: 1763900000150000, attributes: { attempt: 2 }, droppedAttributesCount: 0 }],
      links: [{ traceId: TRACE, spanId: PARENT, traceState: 'x=1', attributes: { why: 'follows' }, droppedAttributesCount: 0, flags: 1 }],
      resource: { attributes: { 'service.name': 'orders' }, droppedAttributesCount: 0 },
      scope: { name: 'lib', version: '1.0' },
      droppedAttributesCount: 1, droppedEventsCount: 2, droppedLinksCount: 3,
    });
  });

  it('fills in the defaults of every field a span leaves out', () => {
    const decoded = only(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE, spanId: SPAN }] }] }] }));
    assert.deepEqual(decoded, {
      traceId: TRACE, spanId: SPAN, parentSpanId: '', traceState: '', flags: 0, name: '', kind: 'internal', service: 'unknown_service',
      startUs: 0, endUs: 0, status: { code: 'unset', message: '' }, attributes: {}, events: [], links: [],
      resource: { attributes: {}, droppedAttributesCount: 0 }, scope: { name: '', version: '' },
      droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
    });
  });

  it('reads snake_case keys exactly as it reads lowerCamelCase keys', () => {
    const camel = JSON.parse(traces([FULL_SPAN])) as unknown;
    const snake = snakeCase(camel);
    assert.match(JSON.stringify(snake), /"resource_spans".*"scope_spans".*"parent_span_id".*"start_time_unix_nano".*"int_value".*"kvlist_value"/);
    assert.deepEqual(decodeTracesJson(JSON.stringify(snake)), decodeTracesJson(JSON.stringify(camel)));
  });

  it('accepts the old instrumentationLibrarySpans and instrumentationLibrary names for scopeSpans and scope', () => {
    const current = decodeTracesJson(traces([span()]));
    const old = decodeTracesJson(JSON.stringify({
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }] },
        instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'lib', version: '1.0' }, spans: [span()] }],
      }],
    }));
    assert.deepEqual(old, current);
    assert.deepEqual(decodeTracesJson(JSON.stringify(snakeCase(JSON.parse(JSON.stringify({
      resourceSpans: [{ instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'lib', version: '1.0' }, spans: [span()] }] }],
    }))))).spans[0]!.scope, { name: 'lib', version: '1.0' });
  });

  it('reads span kinds and status codes given as integers or as enum names', () => {
    const decoded = decodeTracesJson(traces([
      span({ kind: 3, status: { code: 1 } }),
      span({ kind: 'SPAN_KIND_PRODUCER', status: { code: 'STATUS_CODE_ERROR', message: 'boom' } }),
      span({ kind: 'span_kind_consumer', status: { code: 'STATUS_CODE_OK' } }),
      span({ kind: 0, status: { code: 'STATUS_CODE_UNSET' } }),
      span({ kind: 'SPAN_KIND_UNSPECIFIED', status: {} }),
      span({ kind: 99, status: { code: 7 } }),
    ]));
    assert.deepEqual(decoded.spans.map((s) => [s.kind, s.status.code, s.status.message]), [
      ['client', 'ok', ''], ['producer', 'error', 'boom'], ['consumer', 'ok', ''], ['internal', 'unset', ''], ['internal', 'unset', ''], ['internal', 'unset', ''],
    ]);
  });

  it('refuses an enum name it does not know, naming the field', () => {
    throwsWire(() => decodeTracesJson(traces([span({ kind: 'SPAN_KIND_BOGUS' })])),
      'resourceSpans[0].scopeSpans[0].spans[0].kind: expected a SpanKind integer or name such as "SPAN_KIND_SERVER", got "SPAN_KIND_BOGUS"');
    throwsWire(() => decodeTracesJson(traces([span({ status: { code: 'ERROR' } })])), /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.status\.code: expected a StatusCode/);
  });

  it('reads 64-bit times and counts given as decimal strings or as numbers, times in whole microseconds', () => {
    const fromStrings = only(traces([span({
      startTimeUnixNano: '1763900000123456789', endTimeUnixNano: '18446744073709551615', droppedAttributesCount: '4', droppedEventsCount: '5', droppedLinksCount: '6', flags: '769',
    })]));
    assert.deepEqual(
      [fromStrings.startUs, fromStrings.endUs, fromStrings.droppedAttributesCount, fromStrings.droppedEventsCount, fromStrings.droppedLinksCount, fromStrings.flags],
      [1763900000123456, Number(18446744073709551n), 4, 5, 6, 769],
    );
    const fromNumbers = only(traces([span({ startTimeUnixNano: 1763900000123999, endTimeUnixNano: 999, droppedAttributesCount: 4, droppedEventsCount: 5, droppedLinksCount: 6, flags: 769 })]));
    assert.deepEqual(
      [fromNumbers.startUs, fromNumbers.endUs, fromNumbers.droppedAttributesCount, fromNumbers.droppedEventsCount, fromNumbers.droppedLinksCount, fromNumbers.flags],
      [1763900000123, 0, 4, 5, 6, 769],
    );
  });

  it('refuses a time that is not a non-negative integer, naming the field', () => {
    for (const bad of ['-5', '1.5', 'soon', '', -1, 1.5, true]) {
      throwsWire(() => decodeTracesJson(traces([span({ endTimeUnixNano: bad })])),
        /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.endTimeUnixNano: expected nanoseconds as a non-negative integer/);
    }
  });

  it('lower-cases hex ids of any case, in spans and in their links', () => {
    const decoded = only(traces([span({
      traceId: TRACE.toUpperCase(), spanId: 'EeE19b7eC3C1B174', parentSpanId: PARENT.toUpperCase(),
      links: [{ traceId: TRACE.toUpperCase(), spanId: PARENT.toUpperCase() }],
    })]));
    assert.deepEqual([decoded.traceId, decoded.spanId, decoded.parentSpanId], [TRACE, SPAN, PARENT]);
    assert.deepEqual([decoded.links[0]!.traceId, decoded.links[0]!.spanId], [TRACE, PARENT]);
  });

  it('keeps a link whose ids are not valid hex as given, lower-cased, without rejecting its span', () => {
    const decoded = decodeTracesJson(traces([span({ links: [{ traceId: 'NOT-HEX', spanId: 'ABC' }, {}] })]));
    assert.equal(decoded.rejected, 0);
    assert.deepEqual(decoded.spans[0]!.links.map((l) => [l.traceId, l.spanId]), [['not-hex', 'abc'], ['', '']]);
  });

  it('ignores unknown fields at every level', () => {
    const extra = { unknownField: { nested: [1, 2, { deeper: true }] }, schemaUrl: 'https://opentelemetry.io/schemas/1.26.0', another: null };
    const noisy = JSON.stringify({
      ...extra,
      resourceSpans: [{
        ...extra,
        resource: { ...extra, attributes: [{ ...extra, key: 'service.name', value: { ...extra, stringValue: 'orders' } }] },
        scopeSpans: [{
          ...extra,
          scope: { ...extra, name: 'lib', version: '1.0', attributes: [{ key: 'scope.attr', value: { stringValue: 'ignored' } }] },
          spans: [{
            ...FULL_SPAN, ...extra,
            status: { ...(FULL_SPAN.status as JsonObject), ...extra, deprecatedCode: 1 },
            events: (FULL_SPAN.events as JsonObject[]).map((e) => ({ ...e, ...extra })),
            links: (FULL_SPAN.links as JsonObject[]).map((l) => ({ ...l, ...extra })),
          }],
        }],
      }],
    });
    assert.deepEqual(decodeTracesJson(noisy), decodeTracesJson(traces([FULL_SPAN])));
  });

  it('treats null where an object or array is expected as an absent field', () => {
    const decoded = only(JSON.stringify({ resourceSpans: [{ resource: null, scopeSpans: [{ scope: null, spans: [{
      traceId: TRACE, spanId: SPAN, parentSpanId: null, name: null, kind: null, attributes: null, events: null, links: null, status: null, startTimeUnixNano: null,
    }] }] }] }));
    assert.deepEqual([decoded.parentSpanId, decoded.name, decoded.kind, decoded.attributes, decoded.events, decoded.links, decoded.status, decoded.startUs],
      ['', '', 'internal', {}, [], [], { code: 'unset', message: '' }, 0]);
    assert.deepEqual(decodeTracesJson('{"resourceSpans":null}'), { spans: [], rejected: 0, rejectReason: '' });
  });

  it('decodes every AnyValue type, with nested lists and maps, and an empty or missing value as null', () => {
    assert.deepEqual(attributesOf(
      { key: 's', value: { stringValue: 'text' } },
      { key: 'empty.string', value: { stringValue: '' } },
      { key: 'b', value: { boolValue: false } },
      { key: 'i', value: { intValue: -42 } },
      { key: 'i.text', value: { intValue: '-42' } },
      { key: 'd', value: { doubleValue: -2.5 } },
      { key: 'd.int', value: { doubleValue: 3 } },
      { key: 'd.text', value: { doubleValue: '6.02e23' } },
      { key: 'raw', value: { bytesValue: 'AP8QAQ==' } },
      { key: 'list', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: '7' }, { arrayValue: { values: [{ boolValue: true }] } }, {}] } } },
      { key: 'map', value: { kvlistValue: { values: [{ key: 'inner', value: { kvlistValue: { values: [{ key: 'deep', value: { arrayValue: {} } }] } } }, { key: 'none' }] } } },
      { key: 'empty.list', value: { arrayValue: { values: [] } } },
      { key: 'empty.map', value: { kvlistValue: {} } },
      { key: 'nothing', value: {} },
      { key: 'missing' },
    ), {
      s: 'text', 'empty.string': '', b: false, i: -42, 'i.text': -42, d: -2.5, 'd.int': 3, 'd.text': 6.02e23, raw: 'AP8QAQ==',
      list: ['x', 7, [true], null], map: { inner: { deep: [] }, none: null }, 'empty.list': [], 'empty.map': {}, nothing: null, missing: null,
    });
  });

  it('reads the special double strings NaN, Infinity and -Infinity', () => {
    const attributes = attributesOf(
      { key: 'nan', value: { doubleValue: 'NaN' } },
      { key: 'inf', value: { doubleValue: 'Infinity' } },
      { key: 'minus.inf', value: { doubleValue: '-Infinity' } },
    );
    assert.ok(Number.isNaN(attributes.nan));
    assert.equal(attributes.inf, Infinity);
    assert.equal(attributes['minus.inf'], -Infinity);
    throwsWire(() => attributesOf({ key: 'd', value: { doubleValue: '0x10' } }), /attributes\[0\]\.value\.doubleValue: expected a number/);
  });

  it('keeps integers beyond 2^53 as exact decimal strings and refuses ones beyond int64', () => {
    assert.deepEqual(attributesOf(
      { key: 'big', value: { intValue: '9007199254740993' } },
      { key: 'min', value: { intValue: '-9223372036854775808' } },
      { key: 'max', value: { intValue: '9223372036854775807' } },
      { key: 'safe', value: { intValue: '9007199254740991' } },
      { key: 'big.number', value: { intValue: 2 ** 60 } },
    ), { big: '9007199254740993', min: '-9223372036854775808', max: '9223372036854775807', safe: 9007199254740991, 'big.number': '1152921504606846976' });
    throwsWire(() => attributesOf({ key: 'over', value: { intValue: '9223372036854775808' } }), /attributes\[0\]\.value\.intValue: expected an integer/);
    throwsWire(() => attributesOf({ key: 'fraction', value: { intValue: 1.5 } }), /attributes\[0\]\.value\.intValue: expected an integer/);
  });

  it('normalises url-safe and unpadded base64 bytes to the standard padded base64 the protobuf decoder makes', () => {
    const raw = Uint8Array.from([0xfb, 0xff, 0xbf, 0x00, 0xfb]);
    const protoPayload = message(1, message(2, message(2, bytes(1, Uint8Array.from(Buffer.from(TRACE, 'hex'))), bytes(2, Uint8Array.from(Buffer.from(SPAN, 'hex'))), kv(9, 'raw', bytes(7, raw)))));
    const expected = decodeTracesProto(protoPayload).spans[0]!.attributes.raw;
    assert.equal(expected, '+/+/APs=');
    assert.deepEqual(attributesOf(
      { key: 'standard', value: { bytesValue: '+/+/APs=' } },
      { key: 'url.safe', value: { bytesValue: '-_-_APs=' } },
      { key: 'unpadded', value: { bytesValue: '-_-_APs' } },
      { key: 'one.byte', value: { bytesValue: 'AA' } },
      { key: 'empty', value: { bytesValue: '' } },
    ), { standard: expected, 'url.safe': expected, unpadded: expected, 'one.byte': 'AA==', empty: '' });
  });

  it('refuses bytes that are not base64, naming the field', () => {
    for (const bad of ['A', 'AB=C', 'A===', 'AAA*', 'AAAAA=']) {
      throwsWire(() => attributesOf({ key: 'raw', value: { bytesValue: bad } }), /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.attributes\[0\]\.value\.bytesValue: expected base64/);
    }
  });

  it('keeps an attribute named __proto__ as an own property without touching the prototype', () => {
    const attributes = attributesOf(
      { key: '__proto__', value: { stringValue: 'polluted' } },
      { key: 'map', value: { kvlistValue: { values: [{ key: '__proto__', value: { kvlistValue: { values: [{ key: 'isAdmin', value: { boolValue: true } }] } } }] } } },
    );
    assert.equal(Object.getPrototypeOf(attributes), Object.prototype);
    assert.deepEqual(Object.keys(attributes), ['__proto__', 'map']);
    assert.equal(Object.getOwnPropertyDescriptor(attributes, '__proto__')!.value, 'polluted');
    const map = attributes.map as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(map), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(map, '__proto__')!.value, { isAdmin: true });
    assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
  });

  it('rejects spans whose ids cannot place them, keeps the rest, and says why with the JSON path', () => {
    const decoded = decodeTracesJson(traces([
      span(),
      span({ traceId: TRACE.slice(2) }),
      span({ traceId: '0'.repeat(32) }),
      span({ spanId: '0'.repeat(16) }),
      span({ spanId: 'aaaaaaaaaaaaaaaa', parentSpanId: 'abcd' }),
      span({ spanId: 'bbbbbbbbbbbbbbbb' }),
    ]));
    assert.equal(decoded.rejected, 4);
    assert.equal(decoded.rejectReason, 'resourceSpans[0].scopeSpans[0].spans[1]: traceId is 15 bytes, expected 16');
    assert.deepEqual(decoded.spans.map((s) => s.spanId), [SPAN, 'bbbbbbbbbbbbbbbb']);
  });

  it('rejects spans whose ids are not hex, naming the field, and keeps the rest', () => {
    const notHex = decodeTracesJson(traces([span({ traceId: 'zz'.repeat(16) }), span()]));
    assert.equal(notHex.rejected, 1);
    assert.equal(notHex.spans.length, 1);
    assert.equal(notHex.rejectReason, `resourceSpans[0].scopeSpans[0].spans[0]: traceId is not hex: "${'zz'.repeat(16)}"`);
    const odd = decodeTracesJson(JSON.stringify({ resource_spans: [{ scope_spans: [{ spans: [span(), { trace_id: TRACE, span_id: 'abc' }] }] }] }));
    assert.equal(odd.rejectReason, 'resource_spans[0].scope_spans[0].spans[1]: span_id has an odd number of hex digits (3)');
    const base64 = decodeTracesJson(traces([span({ parentSpanId: 'W47/95gDgQM=' })]));
    assert.equal(base64.rejected, 1);
    assert.match(base64.rejectReason, /spans\[0\]: parentSpanId is not hex: "W47\/95gDgQM="$/);
  });

  it('reads a parent of sixteen zeros, an empty parent and no parent all as a root span', () => {
    const decoded = decodeTracesJson(traces([span({ parentSpanId: '0000000000000000' }), span({ parentSpanId: '' }), span()]));
    assert.equal(decoded.rejected, 0);
    assert.deepEqual(decoded.spans.map((s) => s.parentSpanId), ['', '', '']);
  });

  it('shares one Resource per resourceSpans entry and one Scope per scopeSpans entry', () => {
    const decoded = decodeTracesJson(JSON.stringify({
      resourceSpans: [
        { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'a' } }] }, scopeSpans: [
          { scope: { name: 'one' }, spans: [span(), span()] },
          { scope: { name: 'two' }, spans: [span()] },
        ] },
        { resource: { attributes: [] }, scopeSpans: [{ spans: [span()] }] },
      ],
    }));
    const [a, b, c, d] = decoded.spans;
    assert.equal(a!.resource, b!.resource);
    assert.equal(a!.resource, c!.resource);
    assert.notEqual(a!.resource, d!.resource);
    assert.equal(a!.scope, b!.scope);
    assert.notEqual(a!.scope, c!.scope);
    assert.deepEqual([a!.service, c!.service, d!.service], ['a', 'a', 'unknown_service']);
    assert.deepEqual([c!.scope, d!.scope], [{ name: 'two', version: '' }, { name: '', version: '' }]);
  });

  it('accepts values nested to the depth bound and refuses deeper ones', () => {
    const atBound = JSON.parse(nestedArrays(64)) as JsonObject;
    assert.equal(JSON.stringify(attributesOf({ key: 'deep', value: atBound }).deep), '['.repeat(64) + '"bottom"' + ']'.repeat(64));
    throwsWire(() => attributesOf({ key: 'deep', value: JSON.parse(nestedArrays(65)) as JsonObject }), /nested deeper than 64 levels$/);
  });

  it('refuses a depth bomb of 100000 nested arrays with a WireError, without overflowing the stack', () => {
    const bomb = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE}","spanId":"${SPAN}","attributes":[{"key":"bomb","value":${nestedArrays(100_000)}}]}]}]}]}`;
    throwsWire(() => decodeTracesJson(bomb), /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.attributes\[0\]\.value\.arrayValue\.values\[0\]\..*: value nested deeper than 64 levels$/);
    const mapBomb = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":${'{"kvlistValue":{"values":[{"key":"k","value":'.repeat(100_000)}{}${'}]}}'.repeat(100_000)}}]}]}]}`;
    throwsWire(() => decodeLogsJson(mapBomb), /^resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.body\.kvlistValue\.values\[0\]\.value\..*: value nested deeper than 64 levels$/);
  });

  it('refuses a body that is not JSON, saying so', () => {
    throwsWire(() => decodeTracesJson('{"resourceSpans": ['), /^body is not valid JSON: /);
    throwsWire(() => decodeTracesJson(''), /^body is not valid JSON: /);
    throwsWire(() => decodeLogsJson('not json'), /^body is not valid JSON: /);
  });

  it('refuses a top level that is not a JSON object', () => {
    for (const text of ['[]', 'null', '42', '"resourceSpans"']) {
      throwsWire(() => decodeTracesJson(text), /^expected a JSON object \(ExportTraceServiceRequest\), got /);
    }
    assert.deepEqual(decodeTracesJson('{}'), { spans: [], rejected: 0, rejectReason: '' });
  });

  it('names the JSON path and what it expected in structural errors', () => {
    throwsWire(() => decodeTracesJson(traces([span(), span(), span({ attributes: [{ key: 'ok', value: { intValue: 1 } }, { key: 'n', value: { intValue: 'abc' } }] })])),
      'resourceSpans[0].scopeSpans[0].spans[2].attributes[1].value.intValue: expected an integer (number or decimal string), got "abc"');
    throwsWire(() => decodeTracesJson(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: 'nope' }] }] })),
      'resourceSpans[0].scopeSpans[0].spans: expected an array, got "nope"');
    throwsWire(() => decodeTracesJson(JSON.stringify({ resourceSpans: {} })), 'resourceSpans: expected an array, got an object');
    throwsWire(() => decodeTracesJson(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [null] }] }] })),
      'resourceSpans[0].scopeSpans[0].spans[0]: expected a Span object, got null');
    throwsWire(() => decodeTracesJson(traces([span()], [{ key: 5, value: { stringValue: 'x' } }])),
      'resourceSpans[0].resource.attributes[0].key: expected a string, got 5');
    throwsWire(() => decodeTracesJson(traces([span({ traceId: 12 })])), 'resourceSpans[0].scopeSpans[0].spans[0].traceId: expected a hex string, got 12');
    throwsWire(() => decodeTracesJson(traces([span({ name: ['x'] })])), 'resourceSpans[0].scopeSpans[0].spans[0].name: expected a string, got an array');
    throwsWire(() => decodeTracesJson(traces([span({ events: [{}, { attributes: [{ key: 'm', value: { kvlistValue: { values: [{ key: 'b', value: { bytesValue: '!' } }] } } }] }] })])),
      /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.events\[1\]\.attributes\[0\]\.value\.kvlistValue\.values\[0\]\.value\.bytesValue: expected base64/);
    throwsWire(() => decodeTracesJson(traces([span({ links: [{ flags: -1 }] })])), /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.links\[0\]\.flags: expected an unsigned 32-bit integer/);
    throwsWire(() => decodeTracesJson(traces([span({ attributes: [{ key: 'b', value: { boolValue: 'yes' } }] })])), /attributes\[0\]\.value\.boolValue: expected true or false, got "yes"$/);
    throwsWire(() => decodeTracesJson(traces([span({ attributes: [{ key: 'a', value: { arrayValue: { values: [{ stringValue: 'ok' }, 'bare'] } } }] })])),
      /attributes\[0\]\.value\.arrayValue\.values\[1\]: expected an AnyValue object, got "bare"$/);
  });

  it('spells the path of an error as the request spelled its keys', () => {
    const snake = snakeCase(JSON.parse(traces([span({ startTimeUnixNano: 'later' })])));
    throwsWire(() => decodeTracesJson(JSON.stringify(snake)),
      'resource_spans[0].scope_spans[0].spans[0].start_time_unix_nano: expected nanoseconds as a non-negative integer (number or decimal string), got "later"');
  });
});

describe('the OTLP/JSON logs decoder', () => {
  const RECORD = {
    timeUnixNano: '1763900000000001000', observedTimeUnixNano: 1763900000000002000, severityNumber: 'SEVERITY_NUMBER_WARN', severityText: 'WARN',
    body: { kvlistValue: { values: [{ key: 'order', value: { intValue: 7 } }] } }, attributes: [{ key: 'to', value: { stringValue: 'a@example.com' } }],
    droppedAttributesCount: 1, flags: 1, traceId: TRACE.toUpperCase(), spanId: SPAN, eventName: 'order.placed',
  };
  const logs = (records: JsonObject[]) => JSON.stringify({
    resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'email' } }] }, scopeLogs: [{ scope: { name: 'mailer', version: '2' }, logRecords: records }] }],
  });

  it('decodes every field of a log record into the model', () => {
    const decoded = decodeLogsJson(logs([RECORD]));
    assert.deepEqual(decoded, {
      logs: [{
        traceId: TRACE, spanId: SPAN, timeUs: 1763900000000001, observedTimeUs: 1763900000000002, severityNumber: 13, severityText: 'WARN',
        eventName: 'order.placed', body: { order: 7 }, attributes: { to: 'a@example.com' }, service: 'email',
        resource: { attributes: { 'service.name': 'email' }, droppedAttributesCount: 0 }, scope: { name: 'mailer', version: '2' },
        flags: 1, droppedAttributesCount: 1,
      }],
      rejected: 0, rejectReason: '',
    });
  });

  it('keeps only the records that name a trace, and rejects those with unusable ids', () => {
    const decoded = decodeLogsJson(logs([
      { body: { stringValue: 'no trace here' } },
      { ...RECORD, traceId: '0'.repeat(32) },
      { ...RECORD, traceId: TRACE.slice(2) },
      { ...RECORD, spanId: 'not hex!' },
      { ...RECORD, body: { stringValue: 'kept' } },
      { traceId: TRACE },
    ]));
    assert.equal(decoded.rejected, 2);
    assert.equal(decoded.rejectReason, 'resourceLogs[0].scopeLogs[0].logRecords[2]: traceId is 15 bytes, expected 16');
    assert.deepEqual(decoded.logs.map((l) => [l.body, l.spanId, l.eventName, l.timeUs]), [['kept', SPAN, 'order.placed', 1763900000000001], [null, '', '', 0]]);
  });

  it('reads severity numbers as integers or names, and snake_case and old keys as lowerCamelCase', () => {
    const camel = decodeLogsJson(logs([RECORD, { ...RECORD, severityNumber: 9 }, { ...RECORD, severityNumber: 'SEVERITY_NUMBER_FATAL4' }]));
    assert.deepEqual(camel.logs.map((l) => l.severityNumber), [13, 9, 24]);
    assert.deepEqual(decodeLogsJson(JSON.stringify(snakeCase(JSON.parse(logs([RECORD]))))), decodeLogsJson(logs([RECORD])));
    const old = decodeLogsJson(JSON.stringify({
      resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'email' } }] }, instrumentationLibraryLogs: [{ instrumentationLibrary: { name: 'mailer', version: '2' }, logs: [RECORD] }] }],
    }));
    assert.deepEqual(old, decodeLogsJson(logs([RECORD])));
    throwsWire(() => decodeLogsJson(logs([{ ...RECORD, severityNumber: 'LOUD' }])), /^resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.severityNumber: expected a SeverityNumber/);
  });

  it('names the path of an error inside a body', () => {
    throwsWire(() => decodeLogsJson(logs([{ ...RECORD, body: { arrayValue: { values: [{ intValue: 'x' }] } } }])),
      'resourceLogs[0].scopeLogs[0].logRecords[0].body.arrayValue.values[0].intValue: expected an integer (number or decimal string), got "x"');
  });
});
