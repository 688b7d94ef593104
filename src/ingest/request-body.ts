import type { IncomingMessage } from 'node:http';
import { gunzip, inflate, type InputType } from 'node:zlib';
import { ReceiverError, badRequest, tooLarge } from './receiver-error';
import { GrpcCode } from '../wire/otlp-responses';

/**
 * Reads a request body, never holding more than `limit` bytes: a Content-Length
 * over it is refused before reading, a stream that grows past it is cut off,
 * and decompression stops as soon as its output would pass it.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'deflate' && encoding !== '') {
    throw new ReceiverError(415, GrpcCode.INVALID_ARGUMENT, `unsupported Content-Encoding "${encoding}"; send gzip, deflate or none`);
  }
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw tooLarge(limit);
  const raw = await collect(req, limit);
  if (encoding === 'identity' || encoding === '') return raw;
  try {
    return await decompress(encoding === 'gzip' ? gunzip : inflate, raw, limit, encoding);
  } finally {
    releaseBody(raw);
  }
}

/**
 * Large bodies are read into reused buffers: a fresh allocation over ~128 KiB
 * is new memory from the OS, and touching it page by page costs more than
 * decoding it (measured: 1.1 ms to fill 516 KiB fresh, 0.04 ms reused).
 * A body goes back with `releaseBody` once it has been decoded.
 */
const POOLED_FROM = 64 * 1024;
const POOL_SIZE = 8;
const pool: ArrayBuffer[] = [];
const pooled = new WeakSet<ArrayBuffer>();

function pooledBuffer(size: number): Buffer {
  const index = pool.findIndex((buffer) => buffer.byteLength >= size);
  const buffer = index >= 0 ? pool.splice(index, 1)[0]! : new ArrayBuffer(Math.max(size, 1 << Math.ceil(Math.log2(size))));
  pooled.add(buffer);
  return Buffer.from(buffer, 0, size);
}

/** Gives a body read by `readBody` back for reuse; it must not be used after. */
export function releaseBody(body: Uint8Array): void {
  const buffer = body.buffer as ArrayBuffer;
  if (!pooled.has(buffer)) return;
  pooled.delete(buffer);
  if (pool.length < POOL_SIZE) pool.push(buffer);
}

function collect(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.removeAllListeners('data');
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (chunks.length === 1 || size < POOLED_FROM) return resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      const body = pooledBuffer(size);
      let at = 0;
      for (const chunk of chunks) {
        body.set(chunk, at);
        at += chunk.length;
      }
      resolve(body);
    });
    req.on('error', (error) => reject(badRequest(`request body could not be read: ${error.message}`)));
    req.on('aborted', () => reject(badRequest('request body was aborted by the client')));
  });
}

type Inflater = (input: InputType, options: { maxOutputLength: number }, callback: (error: Error | null, result: Buffer) => void) => void;

function decompress(inflater: Inflater, raw: Uint8Array, limit: number, name: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    inflater(raw, { maxOutputLength: limit }, (error, result) => {
      if (!error) return resolve(result);
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return reject(tooLarge(limit));
      reject(badRequest(`${name} body is corrupt or truncated: ${error.message}`));
    });
  });
}
