/**
 * Inflates a gzip or deflate body (OTLP/HTTP `Content-Encoding`, OTLP/gRPC
 * `grpc-encoding`) with its output counted as it is made: each chunk is added
 * to the request's share of the bytes-in-flight budget and to the body limit,
 * and inflation stops at the first chunk either refuses. So a thousand small
 * bombs at once hold at most the budget (and one chunk each), not a thousand
 * bodies of the largest size: a bound taken once, before inflating, would let
 * every concurrent request inflate into the same free room.
 */
import { createGunzip, createInflate } from 'node:zlib';
import type { Reservation } from './inflight-budget';

/** Output is made and counted this many bytes at a time. */
const CHUNK_BYTES = 64 * 1024;

/** Why a body was not inflated: over the body limit, over what the budget has left, or not valid gzip/deflate. */
export class InflateError extends Error {
  override readonly name = 'InflateError';
  constructor(readonly refusal: 'too-large' | 'over-budget' | 'corrupt', message: string) {
    super(message);
  }
}

/**
 * `deflate` is the zlib format, as both OTLP/HTTP and gRPC mean it; `what` names the data in messages
 * (a `body`, a `message`). Rejects with an InflateError.
 */
export function inflateCounted(encoding: 'gzip' | 'deflate', raw: Uint8Array, maxBytes: number, reservation: Reservation, what = 'body'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const inflater = encoding === 'gzip' ? createGunzip({ chunkSize: CHUNK_BYTES }) : createInflate({ chunkSize: CHUNK_BYTES });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (error: InflateError) => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      inflater.destroy();
      reject(error);
    };
    inflater.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) return fail(new InflateError('too-large', `${encoding} ${what} inflates to more than the limit of ${maxBytes} bytes`));
      if (!reservation.add(chunk.length)) return fail(new InflateError('over-budget', `${encoding} ${what} inflates to more than the bytes-in-flight budget has left`));
      chunks.push(chunk);
    });
    inflater.on('error', (error) => fail(new InflateError('corrupt', `${encoding} ${what} is corrupt or truncated: ${error.message}`)));
    inflater.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    inflater.end(raw);
  });
}
