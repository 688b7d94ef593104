/**
 * A tiny protobuf writer for hand-made test payloads: every field is written
 * exactly as asked, so tests can build what no SDK sends (unknown fields,
 * groups, bad lengths, 10-byte varints, deep nesting).
 */
export type Field = Uint8Array;

export function varintBytes(value: bigint): number[] {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

const tag = (field: number, wireType: number) => varintBytes(BigInt((field << 3) | wireType));

export const varint = (field: number, value: number | bigint): Field => Uint8Array.from([...tag(field, 0), ...varintBytes(BigInt(value))]);

export function fixed64(field: number, value: bigint): Field {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
  return Uint8Array.from([...tag(field, 1), ...bytes]);
}

export function double(field: number, value: number): Field {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value, true);
  return Uint8Array.from([...tag(field, 1), ...bytes]);
}

export function fixed32(field: number, value: number): Field {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return Uint8Array.from([...tag(field, 5), ...bytes]);
}

export const bytes = (field: number, value: Uint8Array): Field => Uint8Array.from([...tag(field, 2), ...varintBytes(BigInt(value.length)), ...value]);
export const string = (field: number, value: string): Field => bytes(field, new TextEncoder().encode(value));
export const message = (field: number, ...fields: Field[]): Field => bytes(field, concat(...fields));
export const group = (field: number, ...fields: Field[]): Field => concat(Uint8Array.from(tag(field, 3)), ...fields, Uint8Array.from(tag(field, 4)));
export const hex = (text: string): Uint8Array => Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** KeyValue helpers (common.proto). */
export const kv = (field: number, key: string, ...anyValue: Field[]): Field => message(field, string(1, key), message(2, ...anyValue));
