/** The same data through the protobuf and the JSON decoder yields identical spans. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { JsonLogsSerializer, JsonTraceSerializer, ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeLogsJson } from '../../src/wire/otlp-json-logs';
import { decodeTracesJson } from '../../src/wire/otlp-json-traces';
import { decodeLogsProto } from '../../src/wire/otlp-proto-logs';
import { decodeTracesProto } from '../../src/wire/otlp-proto-traces';
import { shopTrace, serviceTracer } from '../support/otel-trace';
import { inSpan, sdkLogRecords } from '../support/otel-logs';

const text = new TextDecoder();

describe('the protobuf and JSON decoders', () => {
  it('yield identical spans for a multi-service SDK trace', async () => {
    const spans = await shopTrace();
    const fromProto = decodeTracesProto(ProtobufTraceSerializer.serializeRequest(spans)!);
    const fromJson = decodeTracesJson(text.decode(JsonTraceSerializer.serializeRequest(spans)));
    assert.equal(fromProto.spans.length, spans.length);
    assert.deepEqual(fromJson, fromProto);
  });

  it('yield identical spans for attribute values of every type and extreme numbers', async () => {
    const { provider, exporter } = serviceTracer('values');
    const span = provider.getTracer('t').startSpan('values', {
      startTime: [1763900000, 123456789],
      attributes: {
        int: -42, big: Number.MAX_SAFE_INTEGER, float: 3.14159, tiny: 5e-324, neg: -0.5, t: true, f: false,
        str: 'ünïcödé ✓ 𝄞', empty: '', ints: [1, -2, 3], floats: [1.5, -2.25], bools: [true], strs: ['a', ''],
      },
    });
    span.end([1763900001, 999999999]);
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    const fromProto = decodeTracesProto(ProtobufTraceSerializer.serializeRequest(spans)!);
    const fromJson = decodeTracesJson(text.decode(JsonTraceSerializer.serializeRequest(spans)));
    assert.deepEqual(fromJson, fromProto);
    assert.equal(fromProto.spans[0]!.startUs, 1763900000123456);
  });

  it('yield identical log records', async () => {
    const ctx = inSpan('5b8efff798038103d269b633813fc60c', 'eee19b7ec3c1b174');
    const records = await sdkLogRecords((logger) => {
      logger.emit({ body: { text: 'sent', recipients: ['a', 'b'], retries: 2 }, severityText: 'WARN', severityNumber: SeverityNumber.WARN, attributes: { to: 'a@example.com', ok: true }, context: ctx, timestamp: [1763900000, 5000] });
      logger.emit({ body: { order: 7, items: ['a', 'b'] }, severityNumber: SeverityNumber.INFO, context: ctx, eventName: 'order.placed' });
      logger.emit({ body: 'no trace', severityNumber: SeverityNumber.INFO });
    });
    const fromProto = decodeLogsProto(ProtobufLogsSerializer.serializeRequest(records)!);
    const fromJson = decodeLogsJson(text.decode(JsonLogsSerializer.serializeRequest(records)));
    assert.equal(fromProto.logs.length, 2);
    assert.deepEqual(fromJson, fromProto);
  });
});
