/**
 * Restore: the journal's records go back into the store when the receiver starts, newest first, until the
 * store's bounds would be passed (older traces stay on disk, out of memory); then they are added oldest
 * first, so the store's own eviction order stays the order things were received.
 *
 *   segments   …  41  42  43        read 43, then 42, …; each record decoded newest first
 *   budget     ████████████░░░      spans / traces / bytes as the store counts them; stop when full
 *   store.add  oldest kept → newest
 *
 * The receiver listens meanwhile: restore yields between records, and spans that arrive are merged by span
 * id as always (a span received again is a duplicate, dropped). Damage — a torn tail (the last write of a
 * killed process) or a record whose check fails — is cut off or skipped, counted and logged with the file and
 * the offset; nothing else is lost and nothing is skipped silently.
 */
import { readFile, truncate } from 'node:fs/promises';
import { basename } from 'node:path';
import { errorText } from '../../common/errors';
import type { LogRecord, SpanRecord } from '../../model/span';
import { decodeLogs, decodeSpans } from '../ingest-core';
import { logBytes, spanBytes } from '../retained-size';
import type { StoreLimits } from '../store-limits';
import type { TraceStore } from '../trace-store';
import { readSegmentHeader, scanSegment, type Damage } from './record-format';
import { listSegments } from './segments';

export interface RestoreReport {
  segments: number;
  records: number;
  spans: number;
  logs: number;
  /** Records left on disk because the store was full. */
  recordsLeft: number;
  /** Every stretch of a segment that was not a whole record. */
  damage: (Damage & { file: string })[];
  /** Records whose bytes checked but did not decode (written by a different version, say). */
  undecodable: number;
  ms: number;
}

type Batch = { spans: SpanRecord[] } | { logs: LogRecord[] };

export interface RestoreOptions {
  dir: string;
  /** The segment the writer has just opened: not restored (it holds nothing yet). */
  skip?: string;
  limits: Pick<StoreLimits, 'maxSpans' | 'maxTraces' | 'maxBytes'>;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Between records once a slice of work is done; by default a turn of the event loop. */
  pause?: () => Promise<void>;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Work between two pauses: the receiver answers within about this much of a request arriving. */
const SLICE_MS = 8;

export async function restoreJournal(store: TraceStore, options: RestoreOptions): Promise<RestoreReport> {
  const started = performance.now();
  const turn = options.pause ?? nextTurn;
  let sliceStart = performance.now();
  const pause = async () => {
    if (performance.now() - sliceStart < SLICE_MS) return;
    await turn();
    sliceStart = performance.now();
  };
  const report: RestoreReport = { segments: 0, records: 0, spans: 0, logs: 0, recordsLeft: 0, damage: [], undecodable: 0, ms: 0 };
  let segments;
  try {
    segments = listSegments(options.dir).filter((s) => s.path !== options.skip).reverse();
  } catch (error) {
    options.log('warn', `journal: nothing restored, ${options.dir} cannot be read: ${errorText(error)}`);
    return report;
  }
  const batches: Batch[] = [];
  const traces = new Set<string>();
  let spans = 0;
  let bytes = 0;
  let full = false;
  for (const [index, segment] of segments.entries()) {
    const file = basename(segment.path);
    let content: Uint8Array;
    try {
      content = await readFile(segment.path);
    } catch (error) {
      options.log('error', `journal: ${segment.path} cannot be read, its traces are not restored: ${errorText(error)}`);
      continue;
    }
    report.segments++;
    if (readSegmentHeader(content) === undefined) {
      report.damage.push({ file, offset: 0, bytes: content.length, kind: 'corrupt' });
      options.log('error', `journal: ${segment.path} is not a Hopscope journal segment (its header is wrong): ${content.length} bytes not restored`);
      continue;
    }
    const scanned = scanSegment(content);
    for (const damage of scanned.damage) {
      report.damage.push({ file, ...damage });
      options.log('warn', damage.kind === 'torn'
        ? `journal: ${segment.path} ends inside a record at offset ${damage.offset} (${damage.bytes} bytes of an unfinished write): cut off`
        : `journal: ${segment.path}: ${damage.bytes} bytes at offset ${damage.offset} failed their check and are lost; the records after them are restored`);
    }
    // The newest segment's torn tail is the write a crash interrupted: cut it, so the file reads clean next time.
    if (index === 0 && scanned.damage.at(-1)?.kind === 'torn') await truncate(segment.path, scanned.validEnd).catch(() => undefined);
    for (let r = scanned.records.length - 1; r >= 0; r--) {
      if (full) {
        report.recordsLeft++;
        continue;
      }
      const record = scanned.records[r]!;
      try {
        if (record.signal === 'traces') {
          const decoded = decodeSpans(record.encoding, record.payload).spans;
          let addedBytes = 0;
          const before = traces.size;
          for (const span of decoded) {
            traces.add(span.traceId);
            addedBytes += spanBytes(span);
          }
          if (spans + decoded.length > options.limits.maxSpans || traces.size > options.limits.maxTraces || bytes + addedBytes > options.limits.maxBytes) {
            full = true;
            report.recordsLeft++;
            if (traces.size > before) for (const span of decoded) traces.delete(span.traceId);
            continue;
          }
          spans += decoded.length;
          bytes += addedBytes;
          batches.push({ spans: decoded });
          report.spans += decoded.length;
        } else {
          const decoded = decodeLogs(record.encoding, record.payload).logs;
          bytes += decoded.reduce((sum, log) => sum + logBytes(log), 0);
          batches.push({ logs: decoded });
          report.logs += decoded.length;
        }
        report.records++;
      } catch (error) {
        report.undecodable++;
        options.log('warn', `journal: ${segment.path}: the record at offset ${record.offset} does not decode (${errorText(error)}): not restored`);
      }
      await pause();
    }
  }
  for (let b = batches.length - 1; b >= 0; b--) {
    const batch = batches[b]!;
    if ('spans' in batch) store.add(batch.spans);
    else store.addLogs(batch.logs);
    batches[b] = undefined as unknown as Batch;
    await pause();
  }
  report.ms = performance.now() - started;
  return report;
}

/** The restore in one line for the log. */
export function restoreSummary(report: RestoreReport, dir: string): string {
  const left = report.recordsLeft > 0 ? `; ${report.recordsLeft} older requests stay on disk (the store is full)` : '';
  const damage = report.damage.length > 0 ? `; ${report.damage.length} damaged stretch(es) of ${report.damage.reduce((s, d) => s + d.bytes, 0)} bytes not restored` : '';
  const undecodable = report.undecodable > 0 ? `; ${report.undecodable} records did not decode` : '';
  return `journal: restored ${report.spans} spans and ${report.logs} log records from ${report.records} requests in ${report.segments} segment(s) of ${dir} in ${Math.round(report.ms)} ms${left}${damage}${undecodable}`;
}
