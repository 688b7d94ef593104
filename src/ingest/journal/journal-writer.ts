/**
 * Appends every accepted export request to the journal before its success answer goes out, so that a 200
 * means kept across a crash (docs/architecture.md, "Durability").
 *
 * Writes never block the receiving thread: appends queue, one `writev` is in flight at a time and takes
 * everything queued meanwhile (group commit), and each append resolves when its bytes are in the file.
 * `fsync` runs when a segment is rolled and at most every `syncIntervalMs` (the window a power failure can
 * lose; a process crash loses nothing written). A disk that fails (full, read-only, removed) switches the
 * journal off with the reason: appends then resolve at once, the receiver keeps working in memory, and it
 * tries the folder again after RETRY_MS. The disk never causes a refusal.
 */
import { close, fsync, mkdirSync, open, writev } from 'node:fs';
import { join } from 'node:path';
import { errorText } from '../../common/errors';
import type { Encoding } from '../../wire/otlp-responses';
import { recordHeader, segmentHeader, type JournalSignal } from './record-format';
import { applyRetention, listSegments, segmentName, type Retention } from './segments';

export interface JournalOptions extends Retention {
  dir: string;
  /** A segment is closed and the next one started past this size. */
  segmentBytes: number;
  syncIntervalMs: number;
  /** Bytes waiting to be written; an append past it is kept in memory only (and counted). */
  maxQueuedBytes: number;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  now?: () => number;
}

export const DEFAULT_JOURNAL_OPTIONS = { segmentBytes: 64 * 1024 * 1024, syncIntervalMs: 1000, maxQueuedBytes: 64 * 1024 * 1024, diskLimitBytes: 512 * 1024 * 1024, retentionMs: 72 * 3600_000 };

/** After the disk failed, how long until the folder is tried again. */
export const RETRY_MS = 30_000;

export interface JournalStats {
  /** Whether appends reach the disk now; when not, why. */
  writing: boolean;
  problem: string;
  recordsWritten: number;
  bytesWritten: number;
  /** Accepted requests that are in memory only: the disk had failed, or the write queue was full. */
  recordsNotWritten: number;
  segmentsDeleted: number;
}

interface Queued {
  buffers: Uint8Array[];
  bytes: number;
  done: () => void;
}

export class JournalWriter {
  private fd: number | undefined;
  private segmentPath = '';
  private segmentSize = 0;
  private nextSeq = 1;
  private queue: Queued[] = [];
  private queuedBytes = 0;
  private writing = false;
  private unsynced = false;
  private failedAt = 0;
  private closed = false;
  private readonly syncTimer: ReturnType<typeof setInterval>;
  private readonly now: () => number;
  readonly stats: JournalStats = { writing: false, problem: 'not started', recordsWritten: 0, bytesWritten: 0, recordsNotWritten: 0, segmentsDeleted: 0 };

  constructor(private readonly options: JournalOptions) {
    this.now = options.now ?? Date.now;
    this.syncTimer = setInterval(() => this.sync(), options.syncIntervalMs);
    this.syncTimer.unref();
  }

  /** The segment being written ('' when none is open). */
  get segment(): string {
    return this.fd === undefined ? '' : this.segmentPath;
  }

  /** Opens a new segment after the ones in the folder (which restore reads); false, with the reason in stats, when the folder cannot be used. */
  start(): Promise<boolean> {
    try {
      mkdirSync(this.options.dir, { recursive: true });
      const segments = listSegments(this.options.dir);
      this.nextSeq = (segments.at(-1)?.seq ?? 0) + 1;
    } catch (error) {
      this.fail(error);
      return Promise.resolve(false);
    }
    return this.openSegment();
  }

  /** Resolves when the record is in the file (or will not be: see stats). Never rejects. */
  append(signal: JournalSignal, encoding: Encoding, payload: Uint8Array, receivedMs: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    // No segment open, and none being opened: the disk failed. Try it again once in a while.
    if (this.fd === undefined && !this.writing && this.failedAt > 0 && this.now() - this.failedAt >= RETRY_MS) void this.openSegment();
    if (this.fd === undefined && !this.writing) {
      this.stats.recordsNotWritten++;
      return Promise.resolve();
    }
    const bytes = payload.length + 20;
    if (this.queuedBytes + bytes > this.options.maxQueuedBytes) {
      this.stats.recordsNotWritten++;
      return Promise.resolve();
    }
    return new Promise<void>((done) => {
      this.queue.push({ buffers: [recordHeader(signal, encoding, receivedMs, payload), payload], bytes, done });
      this.queuedBytes += bytes;
      this.flush();
    });
  }

  /** Deletes every segment and starts a new one (Clear Traces). */
  async clear(): Promise<void> {
    await this.drained();
    await this.closeSegment();
    const deleted = applyRetention(this.options.dir, { diskLimitBytes: -1, retentionMs: -1 }, this.now());
    this.stats.segmentsDeleted += deleted.length;
    await this.openSegment();
  }

  /** Writes what is queued, syncs and closes. */
  async close(): Promise<void> {
    await this.drained();
    this.closed = true;
    clearInterval(this.syncTimer);
    await this.closeSegment();
  }

  private drained(): Promise<void> {
    if (!this.writing && this.queue.length === 0) return Promise.resolve();
    return new Promise((done) => this.queue.push({ buffers: [], bytes: 0, done }));
  }

  private flush(): void {
    if (this.writing || this.queue.length === 0) return;
    if (this.fd === undefined) {
      for (const item of this.queue.splice(0)) {
        if (item.bytes > 0) this.stats.recordsNotWritten++;
        item.done();
      }
      this.queuedBytes = 0;
      return;
    }
    if (this.segmentSize >= this.options.segmentBytes) {
      void this.roll();
      return;
    }
    const batch = this.queue.splice(0);
    const buffers = batch.flatMap((item) => item.buffers);
    const bytes = batch.reduce((sum, item) => sum + item.bytes, 0);
    if (bytes === 0) {
      for (const item of batch) item.done();
      return;
    }
    this.writing = true;
    writev(this.fd, buffers, (error) => {
      this.writing = false;
      this.queuedBytes -= bytes;
      if (error) {
        this.fail(error);
        for (const item of batch) if (item.bytes > 0) this.stats.recordsNotWritten++;
      } else {
        this.segmentSize += bytes;
        this.unsynced = true;
        this.stats.bytesWritten += bytes;
        for (const item of batch) if (item.bytes > 0) this.stats.recordsWritten++;
      }
      for (const item of batch) item.done();
      this.flush();
    });
  }

  private async roll(): Promise<void> {
    this.writing = true;
    await this.closeSegment();
    this.writing = false;
    await this.openSegment();
  }

  private openSegment(): Promise<boolean> {
    const path = join(this.options.dir, segmentName(this.nextSeq++));
    this.writing = true;
    return new Promise((resolve) => {
      open(path, 'wx', (error, fd) => {
        if (error) {
          this.writing = false;
          this.fail(error);
          this.flush();
          resolve(false);
          return;
        }
        const header = segmentHeader(this.now());
        writev(fd, [header], (writeError) => {
          this.writing = false;
          if (writeError) {
            close(fd, () => undefined);
            this.fail(writeError);
            this.flush();
            resolve(false);
            return;
          }
          const wasFailed = this.failedAt > 0;
          this.fd = fd;
          this.segmentPath = path;
          this.segmentSize = header.length;
          this.failedAt = 0;
          this.stats.writing = true;
          this.stats.problem = '';
          if (wasFailed) this.options.log('info', `journal: writing to ${path} again`);
          this.retain();
          this.flush();
          resolve(true);
        });
      });
    });
  }

  private closeSegment(): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) return Promise.resolve();
    return new Promise((done) => fsync(fd, () => close(fd, () => done())));
  }

  private sync(): void {
    if (this.fd === undefined || !this.unsynced) return;
    this.unsynced = false;
    fsync(this.fd, (error) => {
      if (error) this.fail(error);
    });
  }

  private retain(): void {
    try {
      const deleted = applyRetention(this.options.dir, this.options, this.now(), this.segmentPath);
      this.stats.segmentsDeleted += deleted.length;
    } catch (error) {
      this.options.log('warn', `journal: could not apply retention in ${this.options.dir}: ${errorText(error)}`);
    }
  }

  private fail(error: unknown): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) close(fd, () => undefined);
    this.failedAt = this.now();
    const problem = `${errorText(error)} (folder ${this.options.dir})`;
    if (this.stats.problem !== problem) this.options.log('error', `journal: not writing to disk, traces are kept in memory only: ${problem}; trying again in ${RETRY_MS / 1000} s`);
    this.stats.writing = false;
    this.stats.problem = problem;
  }
}
