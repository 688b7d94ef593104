/**
 * The journal's on-disk format: what was received, in OTLP's own encoding, one framed record per accepted
 * export request. A segment file is a 16-byte header and then records:
 *
 *   segment   "HSJRNL01" | created ms (f64 LE)
 *   record    length u32 | crc32c u32 | signal u8 | encoding u8 | 0 u16 | received ms f64 | payload (length bytes)
 *             └─ LE ───┘   └─ over signal … end of payload ──────────────────────────────────────────────┘
 *
 * The CRC-32C (Castagnoli, as in iSCSI, ext4 and Kafka) covers everything after itself, so a torn write
 * (power loss, kill -9 in the middle of a write) or a flipped bit anywhere in a record is found when it is
 * read back. The payload is the request body exactly as the sender encoded it (protobuf, or JSON: kept as
 * JSON rather than re-encoded, so appending costs no CPU on the receiving thread; docs/architecture.md,
 * "Durability").
 */
import * as crc32c from 'crc-32/crc32c';
import type { Encoding } from '../../wire/otlp-responses';

export const SEGMENT_MAGIC = 'HSJRNL01';
export const SEGMENT_HEADER_BYTES = 16;
export const RECORD_HEADER_BYTES = 20;
/** No export request is larger (the receivers refuse bodies over 64 MiB); a longer length is damage. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

export type JournalSignal = 'traces' | 'logs';

const SIGNAL_CODE: Record<JournalSignal, number> = { traces: 1, logs: 2 };
const ENCODING_CODE: Record<Encoding, number> = { protobuf: 1, json: 2 };
const SIGNALS: (JournalSignal | undefined)[] = [undefined, 'traces', 'logs'];
const ENCODINGS: (Encoding | undefined)[] = [undefined, 'protobuf', 'json'];

export interface JournalRecord {
  signal: JournalSignal;
  encoding: Encoding;
  receivedMs: number;
  payload: Uint8Array;
  /** Where the record starts in its segment. */
  offset: number;
}

/** A stretch of a segment that is not a whole record: what was lost, and where. */
export interface Damage {
  offset: number;
  bytes: number;
  /** 'torn': the segment ends inside a record (a write that did not finish); 'corrupt': a record whose check failed. */
  kind: 'torn' | 'corrupt';
}

export function segmentHeader(createdMs: number): Uint8Array {
  const header = new Uint8Array(SEGMENT_HEADER_BYTES);
  for (let i = 0; i < SEGMENT_MAGIC.length; i++) header[i] = SEGMENT_MAGIC.charCodeAt(i);
  new DataView(header.buffer).setFloat64(8, createdMs, true);
  return header;
}

/** The creation time a segment's header gives, or undefined when it is not a journal segment. */
export function readSegmentHeader(bytes: Uint8Array): number | undefined {
  if (bytes.length < SEGMENT_HEADER_BYTES) return undefined;
  for (let i = 0; i < SEGMENT_MAGIC.length; i++) if (bytes[i] !== SEGMENT_MAGIC.charCodeAt(i)) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat64(8, true);
}

/** A record's header for `payload`: written just before it. */
export function recordHeader(signal: JournalSignal, encoding: Encoding, receivedMs: number, payload: Uint8Array): Uint8Array {
  const header = new Uint8Array(RECORD_HEADER_BYTES);
  const view = new DataView(header.buffer);
  view.setUint32(0, payload.length, true);
  header[8] = SIGNAL_CODE[signal];
  header[9] = ENCODING_CODE[encoding];
  view.setFloat64(12, receivedMs, true);
  const crc = crc32c.buf(payload, crc32c.buf(header.subarray(8)));
  view.setUint32(4, crc >>> 0, true);
  return header;
}

/** Bytes the last recordAt ran its check over (0 when the header alone ruled the offset out). */
let crcBytes = 0;

/** The record at `offset` if one is there whole and its check holds; 'torn' when the bytes end inside it. */
function recordAt(bytes: Uint8Array, view: DataView, offset: number): JournalRecord | 'torn' | 'corrupt' {
  crcBytes = 0;
  if (bytes.length - offset < RECORD_HEADER_BYTES) return 'torn';
  const length = view.getUint32(offset, true);
  const signal = SIGNALS[bytes[offset + 8]!];
  const encoding = ENCODINGS[bytes[offset + 9]!];
  if (length > MAX_RECORD_BYTES || !signal || !encoding || view.getUint16(offset + 10, true) !== 0) return 'corrupt';
  const end = offset + RECORD_HEADER_BYTES + length;
  if (end > bytes.length) return 'torn';
  crcBytes = end - offset;
  const crc = crc32c.buf(bytes.subarray(offset + RECORD_HEADER_BYTES, end), crc32c.buf(bytes.subarray(offset + 8, offset + RECORD_HEADER_BYTES))) >>> 0;
  if (crc !== view.getUint32(offset + 4, true)) return 'corrupt';
  return { signal, encoding, receivedMs: view.getFloat64(offset + 12, true), payload: bytes.subarray(offset + RECORD_HEADER_BYTES, end), offset };
}

const RESYNC_BUDGET = 4;

export interface ScannedSegment {
  records: JournalRecord[];
  damage: Damage[];
  /** Where the whole records end: a writer that goes on appending to this segment truncates it here first. */
  validEnd: number;
}

/**
 * Every whole record of a segment, in order, and every stretch that is not one. After a corrupt record the
 * scan looks for the next offset where a record checks (a flipped bit in a length must not lose the rest of
 * the segment); only the bytes between are reported lost. Iterative, and linear in the segment's size for
 * damage in lengths (a candidate is checked only when its header is plausible and its CRC range ends in the
 * segment), with a budget: a segment whose damage would cost more than RESYNC_BUDGET × its size to search
 * is given up from there as one corrupt stretch.
 */
export function scanSegment(bytes: Uint8Array): ScannedSegment {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: JournalRecord[] = [];
  const damage: Damage[] = [];
  let offset = SEGMENT_HEADER_BYTES;
  let validEnd = offset;
  let budget = RESYNC_BUDGET * bytes.length;
  while (offset < bytes.length) {
    const found = recordAt(bytes, view, offset);
    if (typeof found === 'object') {
      records.push(found);
      offset = validEnd = found.offset + RECORD_HEADER_BYTES + found.payload.length;
      continue;
    }
    // Not a record here: find the next one, if any; what lies between is lost.
    let next = offset + 1;
    for (; next < bytes.length && budget > 0; next++) {
      if (typeof recordAt(bytes, view, next) === 'object') break;
      budget -= crcBytes;
    }
    if (budget <= 0) next = bytes.length;
    const kind = next >= bytes.length && found === 'torn' ? 'torn' : 'corrupt';
    damage.push({ offset, bytes: next - offset, kind });
    offset = next;
  }
  return { records, damage, validEnd };
}
