/**
 * The peer receiver: what a typical Node OTLP receiver does, in its own process.
 * OTLP/HTTP with protobufjs decode + toObject (JSON: JSON.parse), or OTLP/gRPC
 * on @grpc/grpc-js with a protobufjs deserializer. Prints its port.
 */
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { createServer } from 'node:http';
import { ExportTraceServiceRequest, pbjsDecodeToObject } from './otlp-protobufjs';

const mode = process.argv[2];
const received: unknown[] = [];
const keep = (message: unknown) => {
  received.push(message);
  if (received.length > 400) received.shift(); // keep a window, as a store would
};

if (mode === 'grpc') {
  const server = new Server({ 'grpc.max_receive_message_length': 64 << 20 });
  server.addService(
    {
      Export: {
        path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export', requestStream: false, responseStream: false,
        requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(b), { longs: String, bytes: String }),
        responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b,
      },
    },
    { Export: (call: ServerUnaryCall<unknown, Buffer>, callback: sendUnaryData<Buffer>) => { keep(call.request); callback(null, Buffer.alloc(0)); } },
  );
  server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
    if (error) throw error;
    process.stdout.write(`${port}\n`);
  });
} else {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      keep(req.headers['content-type'] === 'application/json' ? JSON.parse(body.toString('utf8')) : pbjsDecodeToObject(body));
      res.writeHead(200, { 'content-type': String(req.headers['content-type']), 'content-length': 0 }).end();
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as { port: number }).port}\n`));
}
