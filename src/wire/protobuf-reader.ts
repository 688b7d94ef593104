import { decodeString } from './ascii-strings';
import { WireError } from './wire-error';

/** Protobuf wire types. */
export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;
export const START_GROUP = 3;
export const END_GROUP = 4;
export const FIXED32 = 5;

const WIRE_TYPE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32', '6', '7'];

const MAX_GROUP_DEPTH = 64;

/**
 * A cursor over protobuf bytes. Readers return plain numbers; 64-bit values
 * land in `lo`/`hi` (unsigned 32-bit halves) so that nothing allocates.
 * Every read checks bounds and throws a WireError naming the byte offset.
 */
export class ProtoReader {
  pos = 0;
  /** Low and high 32 bits of the last 64-bit read. */
  lo = 0;
  hi = 0;
  /** Field number and wire type of the last `tag()`. */
  field = 0;
  wireType = 0;
  private readonly view: DataView;

  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Reads a field tag; fills `field` and `wireType`. */
  tag(end: number): void {
    const at = this.pos;
    const tag = this.varint32(end);
    this.field = tag >>> 3;
    this.wireType = tag & 7;
    if (this.field === 0) throw new WireError(`field number 0 in tag at byte ${at}`);
  }

  /** A varint's low 32 bits, unsigned (enough for tags, lengths, uint32 and enums). */
  varint32(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    let value = 0;
    for (let shift = 0; shift < 32; shift += 7) {
      if (pos >= end) throw this.truncated('varint', end);
      const b = buf[pos++]!;
      value |= (b & 127) << shift;
      if (b < 128) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    // Bits above 32 (sign-extended negative numbers take 10 bytes): skip them.
    for (let i = 0; i < 5; i++) {
      if (pos >= end) throw this.truncated('varint', end);
      if (buf[pos++]! < 128) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    throw new WireError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  /** A full 64-bit varint into `lo`/`hi`. */
  varint64(end: number): void {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw this.truncated('varint', end);
      const b = buf[pos++]!;
      const bits = b & 127;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28;
        hi = bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (b < 128) {
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    throw new WireError(`varint longer than 10 bytes at byte ${start}`);
  }

  fixed32(end: number): number {
    if (this.pos + 4 > end) throw this.truncated('fixed32', end);
    const value = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return value;
  }

  /** A fixed64 into `lo`/`hi`. */
  fixed64(end: number): void {
    if (this.pos + 8 > end) throw this.truncated('fixed64', end);
    this.lo = this.view.getUint32(this.pos, true);
    this.hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
  }

  double(end: number): number {
    if (this.pos + 8 > end) throw this.truncated('double', end);
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** Reads a length prefix and returns where the delimited bytes end; `pos` is their start. */
  delimited(end: number): number {
    const at = this.pos;
    const length = this.varint32(end);
    const stop = this.pos + length;
    if (stop > end) {
      throw new WireError(`length ${length} at byte ${at} runs past the end of its message (${end - this.pos} bytes left)`);
    }
    return stop;
  }

  /** A length-delimited UTF-8 string (invalid sequences become U+FFFD, as TextDecoder does). */
  string(end: number): string {
    const stop = this.delimited(end);
    const start = this.pos;
    this.pos = stop;
    return decodeString(this.buf, start, stop);
  }

  // A field's value after its tag, its wire type checked first (`name` is for the error).

  stringField(end: number, name: string): string {
    this.expect(LENGTH_DELIMITED, name);
    return this.string(end);
  }

  /** A uint32 (counts) as an unsigned number. */
  uint32Field(end: number, name: string): number {
    this.expect(VARINT, name);
    return this.varint32(end);
  }

  /** An int32 or enum as a signed number. */
  int32Field(end: number, name: string): number {
    this.expect(VARINT, name);
    return this.varint32(end) | 0;
  }

  fixed32Field(end: number, name: string): number {
    this.expect(FIXED32, name);
    return this.fixed32(end);
  }

  /** Asserts the last tag's wire type; names the field and offset when it differs. */
  expect(wireType: number, name: string): void {
    if (this.wireType !== wireType) {
      throw new WireError(
        `${name} has wire type ${WIRE_TYPE_NAMES[this.wireType]}, expected ${WIRE_TYPE_NAMES[wireType]} (field ${this.field}, before byte ${this.pos})`,
      );
    }
  }

  /** Skips the value of the last tag (an unknown field). */
  skip(end: number, depth = 0): void {
    switch (this.wireType) {
      case VARINT:
        this.varint32(end);
        return;
      case FIXED64:
        if (this.pos + 8 > end) throw this.truncated('fixed64', end);
        this.pos += 8;
        return;
      case LENGTH_DELIMITED:
        this.pos = this.delimited(end);
        return;
      case FIXED32:
        if (this.pos + 4 > end) throw this.truncated('fixed32', end);
        this.pos += 4;
        return;
      case START_GROUP:
        this.skipGroup(end, depth);
        return;
      default:
        throw new WireError(`unexpected wire type ${this.wireType} (field ${this.field}) before byte ${this.pos}`);
    }
  }

  private skipGroup(end: number, depth: number): void {
    if (depth >= MAX_GROUP_DEPTH) throw new WireError(`groups nested deeper than ${MAX_GROUP_DEPTH} at byte ${this.pos}`);
    const field = this.field;
    for (;;) {
      if (this.pos >= end) throw this.truncated(`group (field ${field})`, end);
      this.tag(end);
      if (this.wireType === END_GROUP) {
        if (this.field !== field) throw new WireError(`group of field ${field} ends with field ${this.field} before byte ${this.pos}`);
        return;
      }
      this.skip(end, depth + 1);
    }
  }

  private truncated(what: string, end: number): WireError {
    return new WireError(`${what} at byte ${this.pos} is cut off by the end of its message at byte ${end}`);
  }
}
