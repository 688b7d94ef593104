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
  if (encoding === 'gzip') return decompress(gunzip, raw, limit, 'gzip');
  if (encoding === 'deflate') return decompress(inflate, raw, limit, 'deflate');
  return raw;
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
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
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
