import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Client, compressionAlgorithms, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { DEFAULT_INGEST_CONFIG, type IngestConfig } from '../../src/ingest/ingest-config';
import { IngestCore } from '../../src/ingest/ingest-core';
import { startGrpcReceiver, type GrpcReceiver } from '../../src/ingest/grpc-receiver';
import { shopTrace } from '../support/otel-trace';
import { bytes, hex, message } from '../support/proto-writer';
import { decodePartialSuccess } from '../support/status';

const TRACE_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const identity = (b: Buffer) => b;

function call(port: number, path: string, body: Uint8Array, compression = compressionAlgorithms.identity): Promise<Buffer> {
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure(), { 'grpc.default_compression_algorithm': compression });
  return new Promise<Buffer>((resolve, reject) => {
    client.makeUnaryRequest(path, identity, identity, Buffer.from(body), (error: ServiceError | null, reply?: Buffer) => {
      client.close();
      if (error) reject(error);
      else resolve(reply!);
    });
  });
}

async function start(overrides: Partial<IngestConfig> = {}, schedule?: (drain: () => void) => void) {
  const config: IngestConfig = { ...DEFAULT_INGEST_CONFIG, grpcPort: 0, ...overrides };
  const core = new IngestCore(config, schedule);
  const receiver = await startGrpcReceiver(config, core, () => undefined);
  return { core, receiver };
}

describe('the OTLP/gRPC receiver', () => {
  let core: IngestCore;
  let receiver: GrpcReceiver;
  before(async () => ({ core, receiver } = await start()));
  after(() => receiver.close());

  it('stores an exported trace and answers an empty response', async () => {
    const spans = await shopTrace('3c000000000000000000000000000001');
    const reply = await call(receiver.port, TRACE_PATH, ProtobufTraceSerializer.serializeRequest(spans)!);
    assert.equal(reply.length, 0);
    assert.equal(core.store.get('3c000000000000000000000000000001')?.spans.length, spans.length);
  });

  it('stores a trace a real grpc-js client sends gzip\'d or deflated, as the Collector\'s exporter does by default', async () => {
    for (const [traceId, compression] of [['3c000000000000000000000000000004', compressionAlgorithms.gzip], ['3c000000000000000000000000000005', compressionAlgorithms.deflate]] as const) {
      const spans = await shopTrace(traceId);
      const reply = await call(receiver.port, TRACE_PATH, ProtobufTraceSerializer.serializeRequest(spans)!, compression);
      assert.equal(reply.length, 0);
      assert.equal(core.store.get(traceId)?.spans.length, spans.length, compressionAlgorithms[compression]);
    }
  });

  it('answers partial success for rejected spans', async () => {
    const payload = message(1, message(2, message(2, bytes(1, hex('3c000000000000000000000000000002')), bytes(2, new Uint8Array(8)))));
    const reply = await call(receiver.port, TRACE_PATH, payload);
    assert.deepEqual(decodePartialSuccess(reply), { rejected: 1, errorMessage: 'resource_spans[0].scope_spans[0].spans[0]: spanId is all zeros' });
  });

  it('answers INVALID_ARGUMENT naming what is wrong with a malformed message', async () => {
    await assert.rejects(call(receiver.port, TRACE_PATH, Uint8Array.from([0x0a, 0x7f, 0x01])), (error: ServiceError) => {
      assert.equal(error.code, status.INVALID_ARGUMENT);
      assert.match(error.details, /length 127 at byte 1 runs past the end/);
      return true;
    });
  });

  it('serves the logs and metrics Export methods too', async () => {
    assert.equal((await call(receiver.port, '/opentelemetry.proto.collector.logs.v1.LogsService/Export', new Uint8Array(0))).length, 0);
    assert.equal((await call(receiver.port, '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export', new Uint8Array(0))).length, 0);
  });
});

describe('the OTLP/gRPC receiver under overload', () => {
  it('answers UNAVAILABLE while the queue is full and keeps what it accepted', async () => {
    const drains: (() => void)[] = [];
    const { core, receiver } = await start({ maxQueuedJobs: 1 }, (drain) => drains.push(drain));
    try {
      const spans = await shopTrace('3c000000000000000000000000000003');
      const first = call(receiver.port, TRACE_PATH, ProtobufTraceSerializer.serializeRequest(spans)!);
      while (core.queue.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      await assert.rejects(call(receiver.port, TRACE_PATH, new Uint8Array(0)), (error: ServiceError) => error.code === status.UNAVAILABLE);
      drains.shift()!();
      await first;
      assert.equal(core.store.get('3c000000000000000000000000000003')?.spans.length, spans.length);
    } finally {
      await receiver.close();
    }
  });
});

describe('binding the gRPC port', () => {
  it('fails on a port in use with a message naming the port and the setting', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await assert.rejects(start({ grpcPort: port, portHints: { http: 'h', grpc: 'the hopscope.receiver.grpcPort setting' } }), new RegExp(`OTLP/gRPC port ${port} on 127.0.0.1 is already in use.*hopscope\\.receiver\\.grpcPort`));
    } finally {
      blocker.close();
    }
  });
});
