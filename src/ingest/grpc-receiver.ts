/**
 * OTLP/gRPC: the Trace, Logs and Metrics `Export` methods on @grpc/grpc-js.
 * Messages are taken as raw bytes (identity (de)serializers) and go to the
 * same decoder and queue as OTLP/HTTP; no protobufjs objects are made.
 */
import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall, type ServiceDefinition } from '@grpc/grpc-js';
import { createServer } from 'node:net';
import { WireError } from '../wire/wire-error';
import { exportResponse, type Signal } from '../wire/otlp-responses';
import type { IngestConfig } from './ingest-config';
import type { IngestCore } from './ingest-core';
import type { Logger } from './http-receiver';
import { PortError, listen } from './listen';

const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

const SERVICES: [Signal, string][] = [
  ['traces', 'opentelemetry.proto.collector.trace.v1.TraceService'],
  ['logs', 'opentelemetry.proto.collector.logs.v1.LogsService'],
  ['metrics', 'opentelemetry.proto.collector.metrics.v1.MetricsService'],
];

const identity = (bytes: Buffer): Buffer => bytes;

function exportDefinition(service: string): ServiceDefinition {
  return {
    Export: {
      path: `/${service}/Export`,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  };
}

export interface GrpcReceiver {
  port: number;
  close(): Promise<void>;
}

export async function startGrpcReceiver(config: IngestConfig, core: IngestCore, log: Logger): Promise<GrpcReceiver> {
  const server = new Server({ 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES, 'grpc.max_send_message_length': MAX_MESSAGE_BYTES });
  for (const [signal, service] of SERVICES) {
    server.addService(exportDefinition(service), {
      Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => exportCall(signal, call.request, callback, core, log),
    });
  }
  // grpc-js reports a taken port only as "no address added"; probe first so the message can say what is wrong.
  if (config.grpcPort !== 0) await probe(config.host, config.grpcPort, config.portHints.grpc);
  const address = config.host.includes(':') ? `[${config.host}]:${config.grpcPort}` : `${config.host}:${config.grpcPort}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, bound) => {
      if (error) reject(new PortError(config.grpcPort, 'BIND', `OTLP/gRPC could not listen on ${address}: ${error.message} (change the port with ${config.portHints.grpc})`));
      else resolve(bound);
    });
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 1000).unref();
      }),
  };
}

function exportCall(signal: Signal, request: Buffer, callback: sendUnaryData<Buffer>, core: IngestCore, log: Logger): void {
  const pending = core.submit({ signal, encoding: 'protobuf', body: request });
  if (!pending) {
    callback({ code: status.UNAVAILABLE, details: 'receiver is busy: its queue is full; retry with backoff' });
    return;
  }
  pending.then(
    (result) => callback(null, Buffer.from(exportResponse(signal, 'protobuf', result.rejected, result.rejected > 0 ? result.rejectReason : ''))),
    (error: unknown) => {
      if (error instanceof WireError) {
        callback({ code: status.INVALID_ARGUMENT, details: error.message });
        return;
      }
      log('error', `unexpected failure while ingesting over gRPC: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      callback({ code: status.INTERNAL, details: 'internal error; see the Hopscope log' });
    },
  );
}

async function probe(host: string, port: number, hint: string): Promise<void> {
  const server = createServer();
  await listen(server, host, port, 'OTLP/gRPC', hint);
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
