/**
 * Real OpenTelemetry JS exporters (OTLP/HTTP JSON, OTLP/HTTP protobuf, OTLP/gRPC)
 * send a multi-service trace to `hopscope serve`; the stored trace must equal
 * what the SDK recorded, field for field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as HttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { SpanRecord } from '../../src/model/span';
import { shopTrace } from '../support/otel-trace';
import { inSpan, sdkLogRecords } from '../support/otel-logs';
import { expectedSpan, withTraceFlags } from '../support/expected-span';
import { request } from '../support/http-client';
import { serve, type Served } from '../support/serve-process';

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

async function storedSpans(port: number, traceId: string): Promise<SpanRecord[]> {
  const reply = await request(port, 'GET', `/api/traces/${traceId}`);
  assert.equal(reply.status, 200, reply.text);
  return (JSON.parse(reply.text) as { spans: SpanRecord[] }).spans;
}

const byId = (a: SpanRecord, b: SpanRecord) => a.spanId.localeCompare(b.spanId);

describe('real OpenTelemetry exporters sending to hopscope serve', () => {
  let server: Served;
  before(async () => (server = await serve()));
  after(() => server.stop());

  const cases: [string, string, () => SpanExporter][] = [
    ['OTLP/HTTP JSON', '1a000000000000000000000000000001', () => new HttpJsonExporter({ url: `http://127.0.0.1:${server.httpPort}/v1/traces` })],
    ['OTLP/HTTP protobuf', '1a000000000000000000000000000002', () => new HttpProtoExporter({ url: `http://127.0.0.1:${server.httpPort}/v1/traces` })],
    ['OTLP/HTTP protobuf, gzip', '1a000000000000000000000000000003', () => new HttpProtoExporter({ url: `http://127.0.0.1:${server.httpPort}/v1/traces`, compression: CompressionAlgorithm.GZIP })],
    ['OTLP/gRPC', '1a000000000000000000000000000004', () => new GrpcExporter({ url: `http://127.0.0.1:${server.grpcPort}` })],
    ['OTLP/gRPC, gzip', '1a000000000000000000000000000005', () => new GrpcExporter({ url: `http://127.0.0.1:${server.grpcPort}`, compression: CompressionAlgorithm.GZIP })],
  ];

  for (const [name, traceId, make] of cases) {
    it(`stores exactly what the ${name} exporter sent`, async () => {
      const spans = await shopTrace(traceId);
      const exporter = make();
      try {
        const result = await exportWith(exporter, spans);
        assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
      } finally {
        await exporter.shutdown();
      }
      const stored = await storedSpans(server.httpPort, traceId);
      assert.deepEqual(stored.map(withTraceFlags).sort(byId), spans.map(expectedSpan).sort(byId));
    });
  }

  it('keeps log records sent by the OTLP/HTTP log exporter with their trace', async () => {
    const traceId = '1a000000000000000000000000000006';
    const exporter = new HttpJsonExporter({ url: `http://127.0.0.1:${server.httpPort}/v1/traces` });
    await exportWith(exporter, await shopTrace(traceId));
    await exporter.shutdown();
    const records = await sdkLogRecords((logger) => logger.emit({ body: 'payment declined', severityText: 'ERROR', severityNumber: SeverityNumber.ERROR, context: inSpan(traceId, 'eee19b7ec3c1b174') }));
    const logExporter = new OTLPLogExporter({ url: `http://127.0.0.1:${server.httpPort}/v1/logs` });
    const sent = await new Promise<ExportResult>((resolve) => logExporter.export(records, resolve));
    assert.equal(sent.code, ExportResultCode.SUCCESS, String(sent.error));
    await logExporter.shutdown();
    const reply = await request(server.httpPort, 'GET', `/api/traces/${traceId}`);
    const stored = JSON.parse(reply.text) as { logs: { body: unknown; spanId: string; severityText: string }[] };
    assert.deepEqual(stored.logs.map((l) => [l.body, l.spanId, l.severityText]), [['payment declined', 'eee19b7ec3c1b174', 'ERROR']]);
  });
});
