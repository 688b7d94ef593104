import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ascii, decodeString, hexString } from '../../src/wire/ascii-strings';
import { bytesToBase64 } from '../../src/wire/span-fields';
import { random } from '../support/mutate';

const utf8 = new TextDecoder();

describe('decoding strings on the hot path', () => {
  it('returns the same string object for the same short ASCII bytes, from Buffers and plain arrays alike', () => {
    const a = Buffer.from('xx http.request.method yy');
    const b = new Uint8Array(Buffer.from('http.request.method'));
    const first = decodeString(a, 3, 22);
    assert.equal(first, 'http.request.method');
    assert.equal(decodeString(b, 0, b.length), first);
  });

  it('never confuses strings that collide in the cache', () => {
    // Differ only in bytes the slot hash does not sample, so they land in one slot.
    const next = random(42);
    const seen = new Map<string, string>();
    for (let i = 0; i < 20_000; i++) {
      const text = `req-${Math.floor(next() * 1e6)}-x`.slice(0, 4 + Math.floor(next() * 12));
      const bytes = Buffer.from(text);
      const decoded = decodeString(bytes, 0, bytes.length);
      assert.equal(decoded, text);
      seen.set(text, decoded);
    }
    assert.ok(seen.size > 1000);
  });

  it('decodes non-ASCII and invalid UTF-8 exactly as TextDecoder does, without caching them wrongly', () => {
    for (const bytes of [Buffer.from('Grüße'), Buffer.from('世界'), Buffer.from([0xff, 0x41]), Buffer.from([0xe2, 0x82]), Buffer.from('𝄞ab')]) {
      for (let round = 0; round < 2; round++) {
        assert.equal(decodeString(bytes, 0, bytes.length), utf8.decode(bytes));
        assert.equal(decodeString(new Uint8Array(bytes), 0, bytes.length), utf8.decode(bytes));
      }
    }
  });

  it('decodes long strings whole', () => {
    const long = Buffer.from('x'.repeat(1000) + 'é');
    assert.equal(decodeString(long, 0, long.length), 'x'.repeat(1000) + 'é');
  });

  it('writes ids as flat lower-case hex', () => {
    assert.equal(hexString(Uint8Array.from([0, 1, 0xab, 0xff]), 0, 4), '0001abff');
    assert.equal(hexString(Uint8Array.from({ length: 40 }, (_, i) => i), 0, 40).length, 80);
  });

  it('makes long strings from plain arrays (no native slicer) without overflowing the stack', () => {
    const long = new Uint8Array(600 * 1024).fill(0x61);
    assert.equal(ascii(long, 0, long.length), 'a'.repeat(long.length));
    assert.equal(ascii(long, 5, 20_005).length, 20_000);
    assert.equal(hexString(long, 0, 300 * 1024), '61'.repeat(300 * 1024));
  });
});

describe('bytes values as base64', () => {
  it('are the standard padded base64 of every slice, from Buffers and plain arrays alike', () => {
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 255);
    for (let start = 0; start < 8; start++) {
      for (let end = start; end <= bytes.length; end++) {
        const expected = Buffer.from(bytes.subarray(start, end)).toString('base64');
        assert.equal(bytesToBase64(bytes, start, end), expected, `[${start}, ${end}) of an array`);
        assert.equal(bytesToBase64(Buffer.from(bytes), start, end), expected, `[${start}, ${end}) of a Buffer`);
      }
    }
  });

  it('are right for a 16 MiB value too (written as bytes and decoded once, not appended 3 bytes at a time)', () => {
    const big = new Uint8Array(16 * 1024 * 1024).fill(0xfb);
    const text = bytesToBase64(big, 0, big.length);
    assert.equal(text.length, 4 * Math.ceil(big.length / 3));
    assert.equal(text, Buffer.from(big).toString('base64'));
  });
});
