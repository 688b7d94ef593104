import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { JsonLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeLogs, decodeSpans } from '../../src/ingest/ingest-core';
import type { SpanRecord } from '../../src/model/span';
import { encodeLogsJson, encodeTracesJson, traceJsonLines } from '../../src/wire/otlp-json-encode';
import { inSpan, sdkLogRecords } from '../support/otel-logs';
import { shopTrace } from '../support/otel-trace';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('OTLP/JSON encoding of stored records', () => {
  it('spans the real SDK made decode back to the same records, every field', async () => {
    const spans = decodeSpans('protobuf', ProtobufTraceSerializer.serializeRequest(await shopTrace())!).spans;
    assert.ok(spans.length >= 6);
    const again = decodeSpans('json', bytes(encodeTracesJson(spans))).spans;
    assert.deepEqual(again, spans);
  });

  it('values of every type, nested, and times, survive the round trip', () => {
    const span: SpanRecord = {
      traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', parentSpanId: '', traceState: 'a=1', flags: 1, name: 'GET',
      kind: 'server', service: 'shop', startUs: 1_700_000_000_123_456, endUs: 1_700_000_000_223_456, status: { code: 'error', message: 'boom' },
      attributes: { s: 'x', i: 42, big: '9223372036854775807', d: 0.5, b: false, n: null, list: [1, 'two', [3, { four: 4 }]], map: { a: { b: { c: [true] } } } },
      events: [{ name: 'exception', timeUs: 1_700_000_000_200_000, attributes: { 'exception.message': 'boom' }, droppedAttributesCount: 2 }],
      links: [{ traceId: '1af7651916cd43dd8448eb211c80319c', spanId: 'c7ad6b7169203331', traceState: '', attributes: { k: 1 }, droppedAttributesCount: 0, flags: 0 }],
      resource: { attributes: { 'service.name': 'shop' }, droppedAttributesCount: 1 }, scope: { name: 'http', version: '1.0' },
      droppedAttributesCount: 3, droppedEventsCount: 4, droppedLinksCount: 5,
    };
    assert.deepEqual(decodeSpans('json', bytes(encodeTracesJson([span]))).spans, [span]);
  });

  it('log records round-trip, and a trace becomes JSON lines: spans, then logs', async () => {
    const traceId = '5b8efff798038103d269b633813fc60c';
    const records = await sdkLogRecords((logger) => {
      logger.emit({ body: { order: 7, lines: ['a', 'b'] }, severityNumber: SeverityNumber.WARN, severityText: 'WARN', attributes: { 'user.id': 7 }, context: inSpan(traceId, 'b7ad6b7169203331') });
      logger.emit({ body: 'sent', severityNumber: SeverityNumber.INFO, context: inSpan(traceId, 'b7ad6b7169203332') });
    });
    const logs = decodeLogs('json', bytes(new TextDecoder().decode(JsonLogsSerializer.serializeRequest(records)))).logs;
    assert.equal(logs.length, 2);
    assert.deepEqual(decodeLogs('json', bytes(encodeLogsJson(logs))).logs, logs);
    const spans = decodeSpans('protobuf', ProtobufTraceSerializer.serializeRequest(await shopTrace(traceId))!).spans;
    const lines = traceJsonLines(spans, logs).split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[2], '');
    assert.deepEqual(decodeSpans('json', bytes(lines[0]!)).spans, spans);
    assert.deepEqual(decodeLogs('json', bytes(lines[1]!)).logs, logs);
    assert.equal(traceJsonLines(spans, []).split('\n').length, 2);
  });

  it('writes what the spec writes: hex ids, nanosecond strings, integer enums, int64 as strings', () => {
    const json = JSON.parse(encodeTracesJson([{
      traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', parentSpanId: 'a7ad6b7169203331', traceState: '', flags: 0, name: 'q', kind: 'client',
      service: 's', startUs: 5, endUs: 0, status: { code: 'unset', message: '' }, attributes: { n: 3 }, events: [], links: [],
      resource: { attributes: {}, droppedAttributesCount: 0 }, scope: { name: '', version: '' }, droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
    }]));
    const span = json.resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(span.startTimeUnixNano, '5000');
    assert.equal(span.endTimeUnixNano, '0');
    assert.equal(span.kind, 3);
    assert.deepEqual(span.status, { code: 0 });
    assert.deepEqual(span.attributes, [{ key: 'n', value: { intValue: '3' } }]);
    assert.equal(span.parentSpanId, 'a7ad6b7169203331');
  });

  it('a value nested 64 deep is encoded without recursion', () => {
    let value: SpanRecord['attributes'][string] = 'leaf';
    for (let i = 0; i < 60; i++) value = [value];
    const text = encodeTracesJson([{
      traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', parentSpanId: '', traceState: '', flags: 0, name: 'q', kind: 'internal',
      service: 's', startUs: 1, endUs: 2, status: { code: 'unset', message: '' }, attributes: { deep: value }, events: [], links: [],
      resource: { attributes: {}, droppedAttributesCount: 0 }, scope: { name: '', version: '' }, droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
    }]);
    assert.deepEqual(decodeSpans('json', bytes(text)).spans[0]!.attributes.deep, value);
  });
});
