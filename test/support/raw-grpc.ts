/** OTLP/gRPC calls on a bare HTTP/2 session, so that one big message can be sent many times without a copy each. */
import { connect, type ClientHttp2Session } from 'node:http2';
import { gzipSync } from 'node:zlib';

/** A client session allowed to queue big messages (Node's default of 10 MB would reset them with ENHANCE_YOUR_CALM on this side). */
export function grpcSession(port: number): ClientHttp2Session {
  const session = connect(`http://127.0.0.1:${port}`, { maxSessionMemory: 4096 });
  session.on('error', () => undefined); // each stream reports its own end
  return session;
}

/** A gRPC length-prefixed message: an ExportTraceServiceRequest whose one resource_spans holds an unknown field of `size` bytes. */
export function grpcFrame(size: number): Buffer {
  const unknown = Buffer.concat([Buffer.from([(15 << 3) | 2, ...varint(size)]), Buffer.alloc(size)]);
  const outer = Buffer.concat([Buffer.from([(1 << 3) | 2, ...varint(unknown.length)]), unknown]);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(outer.length, 1);
  return Buffer.concat([prefix, outer]);
}

/** The message of a frame gzip'd, flagged compressed: send it with `grpc-encoding: gzip`. */
export function gzipFrame(frame: Buffer): Buffer {
  const zipped = gzipSync(frame.subarray(5));
  const prefix = Buffer.from([1, 0, 0, 0, 0]);
  prefix.writeUInt32BE(zipped.length, 1);
  return Buffer.concat([prefix, zipped]);
}

function varint(value: number): number[] {
  const out: number[] = [];
  while (value >= 128) {
    out.push((value % 128) | 128);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}

/** One unary call on a raw HTTP/2 session, writing the (shared) frame by reference; resolves with its grpc-status. */
export function rawGrpc(session: ClientHttp2Session, frame: Buffer, headers: Record<string, string> = {}): Promise<{ code: number; retryInfo: boolean; message: string }> {
  return new Promise((resolve) => {
    const stream = session.request({ ':method': 'POST', ':path': '/opentelemetry.proto.collector.trace.v1.TraceService/Export', 'content-type': 'application/grpc', te: 'trailers', ...headers });
    let code = -1;
    let retryInfo = false;
    let message = '';
    const read = (headers: Record<string, unknown>) => {
      if (headers['grpc-status'] !== undefined) code = Number(headers['grpc-status']);
      if (headers['grpc-message'] !== undefined) message = decodeURIComponent(String(headers['grpc-message']));
      if (headers['grpc-status-details-bin'] !== undefined) retryInfo = Buffer.from(String(headers['grpc-status-details-bin']), 'base64').includes('google.rpc.RetryInfo');
    };
    stream.on('response', read);
    stream.on('trailers', read);
    stream.on('error', () => undefined);
    stream.on('close', () => resolve({ code, retryInfo, message }));
    stream.resume();
    stream.end(frame);
  });
}
