import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  RECORD_HEADER_BYTES, SEGMENT_HEADER_BYTES, readSegmentHeader, recordHeader, scanSegment, segmentHeader, type JournalSignal,
} from '../../../src/ingest/journal/record-format';
import type { Encoding } from '../../../src/wire/otlp-responses';

interface Written {
  signal: JournalSignal;
  encoding: Encoding;
  receivedMs: number;
  payload: Uint8Array;
}

const bytesOf = (text: string) => new TextEncoder().encode(text);

function segment(records: Written[]): { bytes: Uint8Array; offsets: number[] } {
  const parts: Uint8Array[] = [segmentHeader(1_700_000_000_000)];
  const offsets: number[] = [];
  let at = SEGMENT_HEADER_BYTES;
  for (const r of records) {
    offsets.push(at);
    parts.push(recordHeader(r.signal, r.encoding, r.receivedMs, r.payload), r.payload);
    at += RECORD_HEADER_BYTES + r.payload.length;
  }
  const bytes = new Uint8Array(at);
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  return { bytes, offsets };
}

const RECORDS: Written[] = [
  { signal: 'traces', encoding: 'protobuf', receivedMs: 1_700_000_000_001.5, payload: new Uint8Array([0x0a, 0x02, 0x12, 0x00]) },
  { signal: 'logs', encoding: 'json', receivedMs: 1_700_000_000_002, payload: bytesOf('{"resourceLogs":[]}') },
  { signal: 'traces', encoding: 'json', receivedMs: 1_700_000_000_003, payload: bytesOf('{"resourceSpans":[{"scopeSpans":[]}]}') },
  { signal: 'traces', encoding: 'protobuf', receivedMs: 1_700_000_000_004, payload: new Uint8Array(0) },
];

describe('journal record format', () => {
  it('reads back every field of every record, in order', () => {
    const { bytes, offsets } = segment(RECORDS);
    assert.equal(readSegmentHeader(bytes), 1_700_000_000_000);
    const scanned = scanSegment(bytes);
    assert.deepEqual(scanned.damage, []);
    assert.equal(scanned.validEnd, bytes.length);
    assert.deepEqual(scanned.records.map((r) => ({ signal: r.signal, encoding: r.encoding, receivedMs: r.receivedMs, payload: [...r.payload], offset: r.offset })),
      RECORDS.map((r, i) => ({ signal: r.signal, encoding: r.encoding, receivedMs: r.receivedMs, payload: [...r.payload], offset: offsets[i] })));
  });

  it('refuses a file that is not a segment', () => {
    assert.equal(readSegmentHeader(bytesOf('HSJRNL02 and more bytes')), undefined);
    assert.equal(readSegmentHeader(bytesOf('short')), undefined);
  });

  it('a tail cut at every byte offset of the last record keeps all the others and reports the tear', () => {
    const { bytes, offsets } = segment(RECORDS.slice(0, 3));
    const last = offsets[2]!;
    for (let cut = last + 1; cut < bytes.length; cut++) {
      const scanned = scanSegment(bytes.subarray(0, cut));
      assert.equal(scanned.records.length, 2, `cut at ${cut}`);
      assert.deepEqual(scanned.damage, [{ offset: last, bytes: cut - last, kind: 'torn' }], `cut at ${cut}`);
      assert.equal(scanned.validEnd, last, `cut at ${cut}`);
    }
    // Cut exactly at a record's end: nothing is damaged.
    assert.deepEqual(scanSegment(bytes.subarray(0, last)).damage, []);
  });

  it('a flipped bit in a middle record loses that record only, wherever the bit is', () => {
    const { bytes, offsets } = segment(RECORDS);
    const start = offsets[1]!;
    const end = offsets[2]!;
    for (let at = start; at < end; at++) {
      for (const bit of [0, 3, 7]) {
        const copy = bytes.slice();
        copy[at]! ^= 1 << bit;
        const scanned = scanSegment(copy);
        assert.deepEqual(scanned.records.map((r) => r.offset), [offsets[0], offsets[2], offsets[3]], `bit ${bit} of byte ${at}`);
        assert.deepEqual(scanned.damage, [{ offset: start, bytes: end - start, kind: 'corrupt' }], `bit ${bit} of byte ${at}`);
      }
    }
  });

  it('garbage after the last record is reported, not read as records', () => {
    const { bytes } = segment(RECORDS.slice(0, 1));
    const garbage = new Uint8Array(5000).map((_, i) => (i * 7919) & 0xff);
    const joined = new Uint8Array(bytes.length + garbage.length);
    joined.set(bytes);
    joined.set(garbage, bytes.length);
    const scanned = scanSegment(joined);
    assert.equal(scanned.records.length, 1);
    assert.equal(scanned.damage.reduce((sum, d) => sum + d.bytes, 0), garbage.length);
  });
});
