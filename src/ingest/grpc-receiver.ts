/**
 * OTLP/gRPC: the Trace, Logs and Metrics `Export` methods on @grpc/grpc-js.
 * Messages are taken as raw bytes (identity (de)serializers) and go to the
 * same decoder and queue as OTLP/HTTP; no protobufjs objects are made.
 *
 * Memory: a message over the body limit is refused by grpc-js from its
 * 5-byte length prefix, before it is buffered (RESOURCE_EXHAUSTED). Below
 * that, grpc-js buffers whole messages before any handler or interceptor sees
 * them, so the bytes-in-flight budget shared with OTLP/HTTP is kept by
 * reading each call's HTTP/2 DATA as it arrives: the message's length prefix
 * holds its whole size at once, and a call that would pass the budget is
 * answered RESOURCE_EXHAUSTED with a RetryInfo at once, and grpc-js drops the
 * rest of its data unbuffered. A gzip or deflate message is inflated here, its
 * output counted as it is made (counted-inflate.ts, as OTLP/HTTP bodies are),
 * not by grpc-js: grpc-js bounds one message's inflated size, but counts it
 * nowhere, so many small bombs at once would each inflate to the body limit.
 */
import { Metadata, ResponderBuilder, Server, ServerCredentials, ServerInterceptingCall, ServerListenerBuilder, status, type sendUnaryData, type ServerInterceptor, type ServerUnaryCall, type ServiceDefinition } from '@grpc/grpc-js';
import { constants } from 'node:http2';
import { createServer } from 'node:net';
import { WireError } from '../wire/wire-error';
import { exportResponse, retryStatusDetails, type Signal } from '../wire/otlp-responses';
import type { IngestConfig } from './ingest-config';
import type { IngestCore } from './ingest-core';
import { RETRY_AFTER_SECONDS, type Logger } from './http-receiver';
import { PortError, listen } from './listen';
import { inflightBudget, type InflightBudget } from './inflight-budget';
import { inflateCounted, InflateError } from './counted-inflate';

/** Answers are small (an Export*ServiceResponse); this only has to be large enough. */
const MAX_SEND_BYTES = 4 * 1024 * 1024;
/** HTTP/2 streams one connection may have open at once; each can hold at most one message. */
export const MAX_CONCURRENT_STREAMS = 32;

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
  const budget = inflightBudget(core, config);
  const server = new Server({
    'grpc.max_receive_message_length': config.maxBodyBytes,
    'grpc.max_send_message_length': MAX_SEND_BYTES,
    'grpc.max_concurrent_streams': MAX_CONCURRENT_STREAMS,
    interceptors: [budgetInterceptor(budget, config.maxBodyBytes)],
  });
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

/** The http2 stream under grpc-js's innermost call: a grpc-js internal, so found by feature detection. */
interface DataSource {
  prependListener(event: 'data', listener: (chunk: Buffer) => void): unknown;
  once(event: 'close', listener: () => void): unknown;
  close(code?: number): void;
}

function dataSource(call: unknown): DataSource | undefined {
  const stream = (call as { stream?: Partial<DataSource> }).stream;
  return typeof stream?.prependListener === 'function' && typeof stream.once === 'function' && typeof stream.close === 'function' ? (stream as DataSource) : undefined;
}

/** The call's `grpc-encoding`, which grpc-js takes out of the metadata (also an internal); undefined when not found. */
function incomingEncoding(call: unknown): string | undefined {
  const encoding = (call as { incomingEncoding?: unknown }).incomingEncoding;
  return typeof encoding === 'string' ? encoding.trim().toLowerCase() : undefined;
}

/**
 * Keeps each call's bytes in the shared budget from its first DATA frame until
 * it ends in any way (answered, refused, cancelled, reset), with what its
 * message inflates to. Where grpc-js does not expose the stream (another
 * version), each call instead holds the largest message it could send, and
 * what that could inflate to, from its start, which bounds memory just as
 * well, with fewer calls at once.
 */
export function budgetInterceptor(budget: InflightBudget, maxMessageBytes: number): ServerInterceptor {
  return (_method, call) => {
    const reservation = budget.open();
    let refused = false;
    const end = (code: status, details: string, metadata = new Metadata()) => {
      if (refused) return;
      refused = true;
      reservation.release();
      call.sendStatus({ code, details, metadata });
      // The answer is complete: RST_STREAM(NO_ERROR) tells the client to stop sending the rest
      // (RFC 9113 §8.1), rather than have it read here only to be thrown away.
      if (stream) setImmediate(() => stream.close(constants.NGHTTP2_NO_ERROR));
    };
    const refuse = () => {
      const details = `receiver is busy: requests in flight already hold its budget of ${budget.limit} bytes; retry after ${RETRY_AFTER_SECONDS} s`;
      const metadata = new Metadata();
      metadata.set('grpc-status-details-bin', Buffer.from(retryStatusDetails(status.RESOURCE_EXHAUSTED, details, RETRY_AFTER_SECONDS)));
      end(status.RESOURCE_EXHAUSTED, details, metadata);
    };
    const stream = dataSource(call);
    const encoding = incomingEncoding(call);
    /** Set when this interceptor, not grpc-js, inflates the message. */
    let inflate: 'gzip' | 'deflate' | undefined;
    /** What grpc-js may inflate a compressed message it inflates itself to (an encoding this cannot tell). */
    let inflatedByGrpc = 0;
    if (stream) {
      // The 5-byte gRPC frame prefix (compressed flag, length) comes first: the whole message is
      // held from it, as a Content-Length is, so an admitted call always completes, and many
      // calls cannot each take a part of the budget and none finish.
      const prefix = Buffer.alloc(5);
      let received = 0;
      // Before grpc-js's own listener, so a refused chunk is never buffered.
      stream.prependListener('data', (chunk) => {
        if (refused) return;
        if (received === 0 && chunk.length > 0 && chunk[0] === 1) {
          if (encoding === 'gzip' || encoding === 'deflate') {
            // grpc-js reads the flag from this very chunk after this listener: cleared, it hands the
            // message over as it came, and it is inflated below, counted as it inflates.
            chunk[0] = 0;
            inflate = encoding;
          } else if (encoding === undefined) {
            inflatedByGrpc = maxMessageBytes; // grpc-js inflates it, to at most its message limit
          }
        }
        if (received < 5) chunk.copy(prefix, received, 0, Math.min(chunk.length, 5 - received));
        received += chunk.length;
        const declared = received >= 5 ? 5 + prefix.readUInt32BE(1) : 0;
        // Over the message limit: grpc-js refuses it from the same prefix, before buffering.
        if (declared - 5 > maxMessageBytes) return;
        // A unary call carries one message; a second one (which grpc-js would inflate before refusing it) is not read.
        if (received >= 5 && received > declared) return end(status.UNIMPLEMENTED, 'Received a second request message for a unary Export method');
        if (!reservation.ensure(Math.min(budget.limit, Math.max(received, declared) + inflatedByGrpc))) refuse();
      });
      stream.once('close', () => reservation.release());
    } else if (!reservation.ensure(Math.min(budget.limit, 2 * maxMessageBytes))) {
      process.nextTick(refuse); // once grpc-js has finished setting up the call
    }
    const listener = new ServerListenerBuilder()
      .withOnReceiveMessage((message: Buffer, next) => {
        if (refused) return;
        if (!inflate) return next(message);
        inflateCounted(inflate, message, maxMessageBytes, reservation, 'message').then(next, (error: unknown) => {
          if (!(error instanceof InflateError) || error.refusal === 'over-budget') return refuse();
          if (error.refusal === 'too-large') return end(status.RESOURCE_EXHAUSTED, error.message);
          end(status.INVALID_ARGUMENT, error.message);
        });
      })
      .withOnCancel(() => reservation.release())
      .build();
    const responder = new ResponderBuilder()
      .withStart((next) => next(listener))
      .withSendStatus((answer, next) => {
        reservation.release();
        next(answer);
      })
      .build();
    return new ServerInterceptingCall(call, responder);
  };
}

async function probe(host: string, port: number, hint: string): Promise<void> {
  const server = createServer();
  await listen(server, host, port, 'OTLP/gRPC', hint);
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
