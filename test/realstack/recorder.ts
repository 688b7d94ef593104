/**
 * A recording relay between the services and `hopscope serve`: it accepts
 * OTLP/HTTP (POST /v1/traces) and OTLP/gRPC (TraceService/Export), keeps
 * every export request's ExportTraceServiceRequest bytes exactly as the SDK
 * encoded them (the HTTP body after gzip, if any, is undone; the gRPC message
 * without its 5-byte frame header), and forwards the request unchanged to
 * Hopscope, answering with Hopscope's answer. So the live test sees Hopscope
 * as the services would, and the fixtures hold real wire bytes.
 */
import * as grpc from '@grpc/grpc-js';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface RecordedRequest {
  transport: 'http' | 'grpc';
  /** When it arrived (ms since the epoch). */
  atMs: number;
  /** The ExportTraceServiceRequest, uncompressed. */
  bytes: Buffer;
}

export interface Recorder {
  httpPort: number;
  grpcPort: number;
  /** Everything recorded so far, in arrival order. */
  requests: RecordedRequest[];
  /** Requests Hopscope did not accept, as `transport: reason` (should stay empty). */
  failures: string[];
  stop(): Promise<void>;
}

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const identity = (bytes: Buffer) => bytes;

export async function startRecorder(target: { httpPort: number; grpcPort: number }): Promise<Recorder> {
  const requests: RecordedRequest[] = [];
  const failures: string[] = [];

  const http = createServer((req, res) => {
    readAll(req).then((body) => {
      if (req.method === 'POST' && req.url?.split('?')[0] === '/v1/traces') {
        try {
          const bytes = req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
          if (String(req.headers['content-type'] ?? '').startsWith('application/x-protobuf')) requests.push({ transport: 'http', atMs: Date.now(), bytes });
          else failures.push(`http: not protobuf (${req.headers['content-type']}); not recorded`);
        } catch (error) {
          failures.push(`http: cannot gunzip: ${String(error)}`);
        }
      }
      // The body is forwarded whole (not chunked), on a connection of its own.
      const { 'transfer-encoding': _chunked, connection: _connection, ...kept } = req.headers;
      const headers = { ...kept, host: `127.0.0.1:${target.httpPort}`, 'content-length': String(body.length) };
      const forward = request({ host: '127.0.0.1', port: target.httpPort, method: req.method, path: req.url, headers, agent: false }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const reply = Buffer.concat(chunks);
          if ((answer.statusCode ?? 0) >= 300) failures.push(`http: hopscope answered ${answer.statusCode}: ${reply.toString('utf8').slice(0, 200)}`);
          const { 'transfer-encoding': _te, connection: _c, ...answerHeaders } = answer.headers;
          res.writeHead(answer.statusCode ?? 502, { ...answerHeaders, 'content-length': String(reply.length) }).end(reply);
        });
      });
      forward.on('error', (error) => {
        failures.push(`http: cannot forward: ${error.message}`);
        res.writeHead(502).end();
      });
      forward.end(body);
    }, () => res.destroy());
  });
  const httpPort = await listenHttp(http);

  const client = new grpc.Client(`127.0.0.1:${target.grpcPort}`, grpc.credentials.createInsecure());
  const server = new grpc.Server();
  server.addService(
    { Export: { path: EXPORT_PATH, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity } },
    {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        requests.push({ transport: 'grpc', atMs: Date.now(), bytes: call.request });
        client.makeUnaryRequest(EXPORT_PATH, identity, identity, call.request, call.metadata, (error, reply) => {
          if (error) failures.push(`grpc: hopscope answered ${error.code} ${error.details}`);
          callback(error, reply);
        });
      },
    },
  );
  const grpcPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
  );

  return {
    httpPort,
    grpcPort,
    requests,
    failures,
    stop: async () => {
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      server.forceShutdown();
      client.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function listenHttp(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}
