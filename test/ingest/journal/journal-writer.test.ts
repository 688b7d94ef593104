import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_JOURNAL_OPTIONS, JournalWriter, RETRY_MS } from '../../../src/ingest/journal/journal-writer';
import { scanSegment } from '../../../src/ingest/journal/record-format';
import { applyRetention, listSegments, segmentName } from '../../../src/ingest/journal/segments';
import { readFileSync } from 'node:fs';

const logs: string[] = [];
const log = (level: string, message: string) => logs.push(`${level}: ${message}`);
let root: string;
before(() => (root = mkdtempSync(join(tmpdir(), 'hopscope-journal-writer-'))));
after(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const folder = () => join(root, `w${folders++}`);
const payload = (n: number, size = 1000) => new Uint8Array(size).fill(n & 0xff);

describe('journal writer', () => {
  it('appends resolve once their bytes are in the file; concurrent appends are written together, in order', async () => {
    const dir = folder();
    const writer = new JournalWriter({ ...DEFAULT_JOURNAL_OPTIONS, dir, log });
    await writer.start();
    await Promise.all(Array.from({ length: 50 }, (_, i) => writer.append('traces', 'protobuf', payload(i), i)));
    const [segment] = listSegments(dir);
    const scanned = scanSegment(readFileSync(segment!.path));
    assert.deepEqual(scanned.records.map((r) => r.receivedMs), Array.from({ length: 50 }, (_, i) => i));
    assert.deepEqual(scanned.records.map((r) => r.payload[0]), Array.from({ length: 50 }, (_, i) => i));
    assert.equal(writer.stats.recordsWritten, 50);
    await writer.close();
  });

  it('rolls segments at their size and deletes the oldest past the disk limit', async () => {
    const dir = folder();
    const writer = new JournalWriter({ ...DEFAULT_JOURNAL_OPTIONS, dir, log, segmentBytes: 4096, diskLimitBytes: 3 * 4096 });
    await writer.start();
    for (let i = 0; i < 40; i++) await writer.append('traces', 'json', payload(i), i);
    await writer.close();
    const segments = listSegments(dir);
    const total = segments.reduce((sum, s) => sum + s.bytes, 0);
    assert.ok(total <= 3 * 4096 + 4096 + 1020, `${total} bytes on disk`);
    assert.ok(writer.stats.segmentsDeleted > 0);
    // What is left is the newest: the last record written is there, the first is not.
    const kept = segments.flatMap((s) => scanSegment(readFileSync(s.path)).records.map((r) => r.receivedMs));
    assert.equal(kept.at(-1), 39);
    assert.ok(!kept.includes(0));
  });

  it('deletes segments older than the retention, never the one being written', () => {
    const dir = folder();
    mkdirSync(dir);
    const now = Date.now();
    for (const [seq, ageHours] of [[1, 100], [2, 80], [3, 10], [4, 200]] as const) {
      const path = join(dir, segmentName(seq));
      writeFileSync(path, 'x');
      utimesSync(path, new Date(now - ageHours * 3600_000), new Date(now - ageHours * 3600_000));
    }
    const deleted = applyRetention(dir, { diskLimitBytes: 1e9, retentionMs: 72 * 3600_000 }, now, join(dir, segmentName(4)));
    assert.deepEqual(deleted.map((s) => s.seq), [1, 2]);
    assert.deepEqual(listSegments(dir).map((s) => s.seq), [3, 4]);
  });

  it('an unusable folder keeps appends working, in memory, and says why', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    logs.length = 0;
    const writer = new JournalWriter({ ...DEFAULT_JOURNAL_OPTIONS, dir: join(file, 'journal'), log });
    assert.equal(await writer.start(), false);
    await writer.append('traces', 'protobuf', payload(1), 0);
    assert.equal(writer.stats.writing, false);
    assert.equal(writer.stats.recordsNotWritten, 1);
    assert.match(writer.stats.problem, /ENOTDIR|not a directory/i);
    assert.match(logs.join('\n'), /not writing to disk, traces are kept in memory only/);
    await writer.close();
  });

  const isRoot = process.getuid?.() === 0;
  it('a full disk switches the journal off with the reason, and it comes back when there is room', { skip: !isRoot && 'mounting a tiny tmpfs needs root (CI runs as root)' }, async () => {
    const dir = folder();
    mkdirSync(dir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    try {
      let clock = 1_000_000;
      logs.length = 0;
      const writer = new JournalWriter({ ...DEFAULT_JOURNAL_OPTIONS, dir, log, now: () => clock });
      assert.equal(await writer.start(), true);
      for (let i = 0; i < 100; i++) await writer.append('traces', 'protobuf', payload(i, 4000), i);
      assert.equal(writer.stats.writing, false);
      assert.match(writer.stats.problem, /ENOSPC/);
      assert.ok(writer.stats.recordsWritten > 5 && writer.stats.recordsNotWritten > 0, JSON.stringify(writer.stats));
      assert.equal(writer.stats.recordsWritten + writer.stats.recordsNotWritten, 100);
      // Room again, and the retry time passed: appends reach the disk again.
      for (const s of listSegments(dir)) rmSync(s.path);
      clock += RETRY_MS;
      await writer.append('traces', 'protobuf', payload(200), 200);
      await writer.append('traces', 'protobuf', payload(201), 201);
      assert.equal(writer.stats.writing, true, writer.stats.problem);
      await writer.close();
      const records = listSegments(dir).flatMap((s) => scanSegment(readFileSync(s.path)).records.map((r) => r.receivedMs));
      assert.deepEqual(records, [200, 201]);
      assert.match(logs.join('\n'), /writing to .* again/);
    } finally {
      execFileSync('umount', [dir]);
    }
  });
});
