/**
 * Decoding of the OTLP messages shared by traces and logs (common.proto and
 * resource.proto) straight into the model's shapes.
 */
import type { AttrValue, Attributes, Resource, Scope } from '../model/span';
import { FIXED64, LENGTH_DELIMITED, VARINT, type ProtoReader } from './protobuf-reader';
import { bytesToBase64, int64FromHalves, microsFromNanoHalves, setAttribute } from './span-fields';
import { MAX_VALUE_DEPTH, WireError, rethrowWithin } from './wire-error';

/** Reads one `KeyValue` (the reader is after its length prefix) into `attributes`. */
export function readKeyValue(r: ProtoReader, end: number, attributes: Attributes, depth: number): void {
  let key = '';
  let value: AttrValue = null;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 1) key = r.stringField(end, 'key');
    else if (r.field === 2) {
      r.expect(LENGTH_DELIMITED, 'value');
      try {
        const stop = r.delimited(end);
        value = readAnyValue(r, stop, depth);
      } catch (error) {
        rethrowWithin(error, 'value');
      }
    } else r.skip(end);
  }
  setAttribute(attributes, key, value);
}

/** `repeated KeyValue` field: call once per occurrence, with its index for error paths. */
export function readAttribute(r: ProtoReader, end: number, attributes: Attributes, name: string, index: number): void {
  r.expect(LENGTH_DELIMITED, name);
  try {
    const stop = r.delimited(end);
    readKeyValue(r, stop, attributes, 0);
  } catch (error) {
    rethrowWithin(error, `${name}[${index}]`);
  }
}

/** One `AnyValue`; an empty one is null. */
export function readAnyValue(r: ProtoReader, end: number, depth: number): AttrValue {
  let value: AttrValue = null;
  while (r.pos < end) {
    r.tag(end);
    switch (r.field) {
      case 1:
        value = r.stringField(end, 'string_value');
        break;
      case 2:
        r.expect(VARINT, 'bool_value');
        value = r.varint32(end) !== 0;
        break;
      case 3:
        r.expect(VARINT, 'int_value');
        r.varint64(end);
        value = int64FromHalves(r.lo, r.hi);
        break;
      case 4:
        r.expect(FIXED64, 'double_value');
        value = r.double(end);
        break;
      case 5:
        r.expect(LENGTH_DELIMITED, 'array_value');
        value = readArrayValue(r, r.delimited(end), depth + 1);
        break;
      case 6:
        r.expect(LENGTH_DELIMITED, 'kvlist_value');
        value = readKeyValueList(r, r.delimited(end), depth + 1);
        break;
      case 7: {
        r.expect(LENGTH_DELIMITED, 'bytes_value');
        const stop = r.delimited(end);
        value = bytesToBase64(r.buf, r.pos, stop);
        r.pos = stop;
        break;
      }
      default:
        r.skip(end);
    }
  }
  return value;
}

function checkDepth(r: ProtoReader, depth: number): void {
  if (depth > MAX_VALUE_DEPTH) throw new WireError(`value nested deeper than ${MAX_VALUE_DEPTH} levels at byte ${r.pos}`);
}

function readArrayValue(r: ProtoReader, end: number, depth: number): AttrValue[] {
  checkDepth(r, depth);
  const values: AttrValue[] = [];
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 1) {
      r.expect(LENGTH_DELIMITED, 'values');
      try {
        const stop = r.delimited(end);
        values.push(readAnyValue(r, stop, depth));
      } catch (error) {
        rethrowWithin(error, `array_value.values[${values.length}]`);
      }
    } else r.skip(end);
  }
  return values;
}

function readKeyValueList(r: ProtoReader, end: number, depth: number): Attributes {
  checkDepth(r, depth);
  const values: Attributes = {};
  let index = 0;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 1) {
      r.expect(LENGTH_DELIMITED, 'values');
      try {
        const stop = r.delimited(end);
        readKeyValue(r, stop, values, depth);
      } catch (error) {
        rethrowWithin(error, `kvlist_value.values[${index}]`);
      }
      index++;
    } else r.skip(end);
  }
  return values;
}

/** `Resource`: attributes (1) and dropped_attributes_count (2). */
export function readResource(r: ProtoReader, end: number): Resource {
  const attributes: Attributes = {};
  let droppedAttributesCount = 0;
  let index = 0;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 1) readAttribute(r, end, attributes, 'attributes', index++);
    else if (r.field === 2) droppedAttributesCount = r.uint32Field(end, 'dropped_attributes_count');
    else r.skip(end);
  }
  return { attributes, droppedAttributesCount };
}

/** `InstrumentationScope`: name (1) and version (2); its attributes are not kept. */
export function readScope(r: ProtoReader, end: number): Scope {
  let name = '';
  let version = '';
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 1) name = r.stringField(end, 'name');
    else if (r.field === 2) version = r.stringField(end, 'version');
    else r.skip(end);
  }
  return { name, version };
}

/** A fixed64 of nanoseconds since the epoch (`*_time_unix_nano`) as whole microseconds. */
export function readMicros(r: ProtoReader, end: number, name: string): number {
  r.expect(FIXED64, name);
  r.fixed64(end);
  return microsFromNanoHalves(r.lo, r.hi);
}

/**
 * Ids are 16 (trace) or 8 (span) bytes. A wrong length up to this only rejects
 * its span (partial success); a longer one is not an id at all and refuses the
 * request, before a string twice its size is made.
 */
export const MAX_ID_BYTES = 64;

/** A `bytes` id field as lower-case hex. */
export function readId(r: ProtoReader, end: number, name: string, hex: (buf: Uint8Array, start: number, end: number) => string): string {
  r.expect(LENGTH_DELIMITED, name);
  const at = r.pos;
  const stop = r.delimited(end);
  if (stop - r.pos > MAX_ID_BYTES) {
    throw new WireError(`${name} is ${stop - r.pos} bytes at byte ${at}; an id is 16 bytes (trace) or 8 (span), and more than ${MAX_ID_BYTES} is refused`);
  }
  const id = hex(r.buf, r.pos, stop);
  r.pos = stop;
  return id;
}

/** A length-delimited sub-message decoded by `read`, with `name[index]` (`name` when index < 0) on any error path. */
export function readSubmessage<T>(r: ProtoReader, end: number, name: string, index: number, read: (r: ProtoReader, end: number) => T): T {
  r.expect(LENGTH_DELIMITED, name);
  try {
    const stop = r.delimited(end);
    return read(r, stop);
  } catch (error) {
    rethrowWithin(error, index < 0 ? name : `${name}[${index}]`);
  }
}

/**
 * Finds the first occurrence of a sub-message field before decoding the rest:
 * protobuf allows fields in any order, and spans need their resource and scope.
 * Returns [start, end) of its bytes, or undefined when absent.
 */
export function findMessageField(r: ProtoReader, start: number, end: number, field: number): [number, number] | undefined {
  r.pos = start;
  let found: [number, number] | undefined;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === field && r.wireType === LENGTH_DELIMITED && found === undefined) {
      const stop = r.delimited(end);
      found = [r.pos, stop];
      r.pos = stop;
    } else r.skip(end);
  }
  r.pos = start;
  return found;
}
