/** Seeded mutations of valid payloads, for fuzzing decoders and receivers reproducibly. */
import { concat } from './proto-writer';

/** mulberry32: a small seeded PRNG so every run mutates the same way. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One mutant of `input`: flipped bytes, a truncation, an insertion, a deletion or a duplicated slice. */
export function mutate(input: Uint8Array, next: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(next() * n);
  const bytes = Uint8Array.from(input);
  switch (pick(6)) {
    case 0: {
      for (let i = 0, n = 1 + pick(4); i < n; i++) bytes[pick(bytes.length)] = pick(256);
      return bytes;
    }
    case 1:
      return bytes.subarray(0, pick(bytes.length));
    case 2: {
      const at = pick(bytes.length);
      const extra = Uint8Array.from({ length: 1 + pick(8) }, () => pick(256));
      return concat(bytes.subarray(0, at), extra, bytes.subarray(at));
    }
    case 3: {
      const at = pick(bytes.length);
      return concat(bytes.subarray(0, at), bytes.subarray(at + 1 + pick(16)));
    }
    case 4: {
      const at = pick(bytes.length);
      const slice = bytes.subarray(at, at + 1 + pick(64));
      return concat(bytes.subarray(0, at), slice, slice, bytes.subarray(at + slice.length));
    }
    default: {
      // Bytes that mean the most to each format: varint continuation, lengths, JSON punctuation.
      const specials = [0x80, 0xff, 0x00, 0x7f, 0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0x30];
      bytes[pick(bytes.length)] = specials[pick(specials.length)]!;
      return bytes;
    }
  }
}
