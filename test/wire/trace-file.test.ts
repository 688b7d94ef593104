import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { JsonLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeLogs, decodeSpans } from '../../src/ingest/ingest-core';
import { traceJsonLines } from '../../src/wire/otlp-json-encode';
import { decodeTraceFile } from '../../src/wire/trace-file';
import { inSpan, sdkLogRecords } from '../support/otel-logs';
import { shopTrace } from '../support/otel-trace';

const bytes = (text: string) => new TextEncoder().encode(text);
const TRACE = '5b8efff798038103d269b633813fc60c';

async function storedTrace() {
  const spans = decodeSpans('protobuf', ProtobufTraceSerializer.serializeRequest(await shopTrace(TRACE))!).spans;
  const records = await sdkLogRecords((logger) => logger.emit({ body: 'charged', severityNumber: SeverityNumber.INFO, context: inSpan(TRACE, spans[0]!.spanId) }));
  const logs = decodeLogs('json', bytes(new TextDecoder().decode(JsonLogsSerializer.serializeRequest(records)!))).logs;
  return { spans, logs };
}

function delimited(...messages: Uint8Array[]): Uint8Array {
  const parts: number[] = [];
  for (const m of messages) {
    for (let n = m.length; ; n >>>= 7) {
      if (n < 0x80) {
        parts.push(n);
        break;
      }
      parts.push((n & 0x7f) | 0x80);
    }
    parts.push(...m);
  }
  return Uint8Array.from(parts);
}

describe('trace files', () => {
  it('an exported trace (OTLP JSON lines: spans, then logs) reads back as the same spans and logs', async () => {
    const { spans, logs } = await storedTrace();
    assert.equal(logs.length, 1);
    const file = decodeTraceFile(bytes(traceJsonLines(spans, logs)));
    assert.equal(file.format, 'otlp-jsonl');
    assert.deepEqual(file.spans, spans);
    assert.deepEqual(file.logs, logs);
  });

  it("reads Hopscope's own /api/traces/{traceId} JSON, logs included", async () => {
    const { spans, logs } = await storedTrace();
    const file = decodeTraceFile(bytes(JSON.stringify({ traceId: TRACE, spans, logs }, null, 2)));
    assert.equal(file.format, 'hopscope');
    assert.deepEqual(file.spans, spans);
    assert.deepEqual(file.logs, logs);
  });

  it('reads length-delimited OTLP protobuf requests', async () => {
    const first = ProtobufTraceSerializer.serializeRequest(await shopTrace(TRACE))!;
    const second = ProtobufTraceSerializer.serializeRequest(await shopTrace('6b8efff798038103d269b633813fc60c'))!;
    const file = decodeTraceFile(delimited(first, second));
    assert.equal(file.format, 'otlp-proto-delimited');
    assert.deepEqual(file.spans, [...decodeSpans('protobuf', first).spans, ...decodeSpans('protobuf', second).spans]);
  });

  it('names the line of a bad line in JSON lines, logs lines included', async () => {
    const { spans, logs } = await storedTrace();
    const lines = traceJsonLines(spans, logs).split('\n');
    lines[1] = lines[1]!.replace('"resourceLogs"', '"resourceLog"');
    assert.throws(() => decodeTraceFile(bytes(lines.join('\n'))), /^Error: 2: expected an OTLP export request object/);
  });
});
