import { isAscii } from 'node:buffer';

/**
 * A JSON request body as text. Nearly all OTLP JSON is ASCII: checking that
 * (SIMD, in Node) and copying it as Latin-1 is several times faster than a
 * UTF-8 decode, which is only needed when a byte is over 127.
 */
export function bodyText(body: Uint8Array): string {
  const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return isAscii(buffer) ? buffer.toString('latin1') : buffer.toString('utf8');
}
