// The CRC-32C half of SheetJS's crc-32 package ships without its own declaration.
declare module 'crc-32/crc32c' {
  /** CRC-32C of `data`, continuing from `seed` (a previous result); a signed 32-bit integer. */
  export function buf(data: Uint8Array, seed?: number): number;
}
