import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { decodeSpans } from '../../../src/ingest/ingest-core';
import { JournalWriter, DEFAULT_JOURNAL_OPTIONS } from '../../../src/ingest/journal/journal-writer';
import { restoreJournal, type RestoreReport } from '../../../src/ingest/journal/journal-restore';
import { listSegments } from '../../../src/ingest/journal/segments';
import { DEFAULT_STORE_LIMITS } from '../../../src/ingest/store-limits';
import { TraceStore } from '../../../src/ingest/trace-store';
import { shopTrace } from '../../support/otel-trace';

const logs: string[] = [];
const log = (level: string, message: string) => logs.push(`${level}: ${message}`);
const noPause = () => Promise.resolve();
let root: string;
let sdkTraces: ReadableSpan[][];

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'hopscope-journal-'));
  sdkTraces = await Promise.all(Array.from({ length: 6 }, (_, i) => shopTrace(`5b8efff798038103d269b633813fc6${String(i).padStart(2, '0')}`)));
});
after(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
const folder = () => join(root, `j${folders++}`);

async function write(dir: string, requests: { encoding: 'protobuf' | 'json'; body: Uint8Array }[], options: Partial<typeof DEFAULT_JOURNAL_OPTIONS> = {}): Promise<JournalWriter> {
  const writer = new JournalWriter({ ...DEFAULT_JOURNAL_OPTIONS, ...options, dir, log });
  assert.equal(await writer.start(), true, writer.stats.problem);
  for (const [i, r] of requests.entries()) await writer.append('traces', r.encoding, r.body, 1_700_000_000_000 + i);
  await writer.close();
  return writer;
}

const protobuf = (spans: ReadableSpan[]) => ({ encoding: 'protobuf' as const, body: ProtobufTraceSerializer.serializeRequest(spans)! });
const json = (spans: ReadableSpan[]) => ({ encoding: 'json' as const, body: JsonTraceSerializer.serializeRequest(spans)! });

async function restored(dir: string, limits = DEFAULT_STORE_LIMITS): Promise<{ store: TraceStore; report: RestoreReport }> {
  const store = new TraceStore(limits);
  const report = await restoreJournal(store, { dir, limits, log, pause: noPause });
  return { store, report };
}

/** What the store holds, in a form that compares: each trace's spans by id. */
const contents = (store: TraceStore) => Object.fromEntries(store.summaries().map((s) => [s.traceId, [...store.get(s.traceId)!.spans].sort((a, b) => a.spanId.localeCompare(b.spanId))]));

describe('journal: write, then restore', () => {
  it('restores the same traces, every field, from protobuf and JSON requests', async () => {
    const dir = folder();
    const requests = sdkTraces.map((spans, i) => (i % 2 === 0 ? protobuf(spans) : json(spans)));
    const writer = await write(dir, requests);
    assert.equal(writer.stats.recordsWritten, requests.length);
    const direct = new TraceStore();
    for (const r of requests) direct.add(decodeSpans(r.encoding, r.body).spans);
    const { store, report } = await restored(dir);
    assert.equal(report.records, requests.length);
    assert.equal(report.spans, direct.stats.spansStored);
    assert.deepEqual(report.damage, []);
    assert.deepEqual(contents(store), contents(direct));
  });

  it('restores across segments, and a second writer appends after the first', async () => {
    const dir = folder();
    await write(dir, sdkTraces.slice(0, 3).map(protobuf), { segmentBytes: 2048 });
    await write(dir, sdkTraces.slice(3).map(protobuf), { segmentBytes: 2048 });
    assert.ok(listSegments(dir).length >= 4, `segments: ${listSegments(dir).length}`);
    const { store, report } = await restored(dir);
    assert.equal(store.stats.tracesStored, sdkTraces.length);
    assert.equal(report.records, sdkTraces.length);
  });

  it('keeps the newest traces when the journal holds more than the store does, oldest left on disk', async () => {
    const dir = folder();
    await write(dir, sdkTraces.map(protobuf));
    const { store, report } = await restored(dir, { ...DEFAULT_STORE_LIMITS, maxTraces: 2 });
    assert.deepEqual(store.summaries().map((s) => s.traceId).sort(), [sdkTraces[4]![0]!.spanContext().traceId, sdkTraces[5]![0]!.spanContext().traceId].sort());
    assert.equal(report.recordsLeft, 4);
  });

  it('a segment cut inside its last record restores the others, reports the tear and cuts it off', async () => {
    const dir = folder();
    await write(dir, sdkTraces.map(protobuf));
    const [segment] = listSegments(dir);
    const size = statSync(segment!.path).size;
    truncateSync(segment!.path, size - 7);
    logs.length = 0;
    const { store, report } = await restored(dir);
    assert.equal(store.stats.tracesStored, sdkTraces.length - 1);
    assert.equal(report.damage.length, 1);
    assert.equal(report.damage[0]!.kind, 'torn');
    assert.match(logs.join('\n'), /ends inside a record at offset \d+ .*cut off/);
    assert.ok(statSync(segment!.path).size < size - 7, 'the torn tail is truncated');
    const again = await restored(dir);
    assert.deepEqual(again.report.damage, []);
    assert.equal(again.store.stats.tracesStored, sdkTraces.length - 1);
  });

  it('a flipped bit in a middle record loses that request only, and says where', async () => {
    const dir = folder();
    await write(dir, sdkTraces.map(protobuf));
    const [segment] = listSegments(dir);
    const bytes = readFileSync(segment!.path);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x10;
    writeFileSync(segment!.path, bytes);
    logs.length = 0;
    const { store, report } = await restored(dir);
    assert.equal(store.stats.tracesStored, sdkTraces.length - 1);
    assert.deepEqual(report.damage.map((d) => d.kind), ['corrupt']);
    assert.match(logs.join('\n'), /bytes at offset \d+ failed their check and are lost/);
  });

  it('a file that is not a segment is reported and left alone', async () => {
    const dir = folder();
    await write(dir, sdkTraces.slice(0, 1).map(protobuf));
    writeFileSync(join(dir, '000000000009.hsj'), 'not a journal');
    logs.length = 0;
    const { store, report } = await restored(dir);
    assert.equal(store.stats.tracesStored, 1);
    assert.equal(report.damage.length, 1);
    assert.match(logs.join('\n'), /000000000009\.hsj is not a Hopscope journal segment/);
  });

  it('clear deletes every segment', async () => {
    const dir = folder();
    const writer = new JournalWriter({ ...DEFAULT_JOURNAL_OPTIONS, dir, log, segmentBytes: 2048 });
    await writer.start();
    for (const r of sdkTraces.map(protobuf)) await writer.append('traces', r.encoding, r.body, 0);
    await writer.clear();
    await writer.close();
    const { store } = await restored(dir);
    assert.equal(store.stats.tracesStored, 0);
    assert.equal(listSegments(dir).length, 1, 'only the new, empty segment');
  });
});
