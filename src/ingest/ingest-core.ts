/**
 * Decode → store, behind the bounded queue, with the counters every surface
 * reports. One instance lives in the ingest worker; tests build their own.
 */
import type { DecodedLogs, DecodedSpans } from '../model/span';
import { decodeLogsJson } from '../wire/otlp-json-logs';
import { decodeTracesJson } from '../wire/otlp-json-traces';
import { decodeTracesJsonFast, decodeTracesJsonFastInSlices } from '../wire/otlp-json-fast';
import { decodeLogsProto } from '../wire/otlp-proto-logs';
import { decodeTracesProto } from '../wire/otlp-proto-traces';
import type { Encoding, Signal } from '../wire/otlp-responses';
import { bodyText } from './body-text';
import type { IngestConfig } from './ingest-config';
import { IngestQueue, Slices } from './ingest-queue';
import type { JournalWriter } from './journal/journal-writer';
import type { JournalSignal } from './journal/record-format';
import { DEFAULT_STORE_LIMITS } from './store-limits';
import { TraceStore } from './trace-store';

/** An OTLP traces request's spans; WireError on bad data. */
export function decodeSpans(encoding: Encoding, body: Uint8Array): DecodedSpans {
  return encoding === 'protobuf' ? decodeTracesProto(body) : (decodeTracesJsonFast(body) ?? decodeTracesJson(bodyText(body)));
}

/** An OTLP logs request's records; WireError on bad data. */
export function decodeLogs(encoding: Encoding, body: Uint8Array): DecodedLogs {
  return encoding === 'protobuf' ? decodeLogsProto(body) : decodeLogsJson(bodyText(body));
}

/** JSON trace requests at least this big are decoded and stored in slices (ingest-queue.ts, `Slices`). */
export const SLICED_BODY_BYTES = 256 * 1024;
/** Spans decoded, or stored, per slice: a few milliseconds of work. */
const SPANS_PER_SLICE = 500;
const STORED_PER_SLICE = 2000;

export interface IngestJob {
  signal: Signal;
  encoding: Encoding;
  body: Uint8Array;
}

export interface IngestResult {
  accepted: number;
  rejected: number;
  rejectReason: string;
}

export interface IngestStats {
  requests: number;
  badRequests: number;
  busyResponses: number;
  spansReceived: number;
  spansRejected: number;
  duplicateSpans: number;
  spansStored: number;
  spansEvicted: number;
  tracesStored: number;
  tracesEvicted: number;
  logsStored: number;
  /** Log records waiting for their trace's first span (they never make a trace themselves). */
  logsPending: number;
  /** Log records not kept (over the per-trace bound, or dropped from the waiting buffer). */
  logsDropped: number;
  /** The store's estimated retained bytes, and its budget. */
  bytesStored: number;
  maxStoreBytes: number;
  /** Attribute values and log bodies cut to the attribute limit. */
  valuesTruncated: number;
  /** The worker's own V8 heap in use, bytes (0 outside a worker's stats). */
  heapUsedBytes: number;
  /** Event-stream (`/api/events`) clients, and how they are kept up (see event-stream.ts). */
  eventClients: number;
  eventBytesQueued: number;
  eventUpdatesCoalesced: number;
  eventClientsDropped: number;
  /** How often the ingest worker was started again (after it died, or could not listen again) since the receiver started. */
  restarts: number;
  /** The journal, when the receiver keeps one (a data folder); null when traces live in memory only. */
  journal: JournalStatus | null;
}

export interface JournalStatus {
  dir: string;
  /** Whether accepted requests reach the disk now; when not, `problem` says why. */
  writing: boolean;
  problem: string;
  recordsWritten: number;
  /** Accepted requests kept in memory only (the disk failed, or fell behind). */
  recordsNotWritten: number;
  /** True while the journal is being read back into the store. */
  restoring: boolean;
  restoredSpans: number;
  restoredLogs: number;
  /** Stretches of segments found damaged (a torn tail, a failed check) when restoring. */
  damaged: number;
}

/**
 * The counters that only grow. A worker started again after one died continues
 * them from the last update the dead one sent, so /api/stats, the status bar
 * and serve count since the receiver started; the other fields say what the
 * running worker holds now.
 */
export const CUMULATIVE_STATS = [
  'requests', 'badRequests', 'busyResponses', 'spansReceived', 'spansRejected', 'duplicateSpans', 'spansEvicted', 'tracesEvicted',
  'logsDropped', 'valuesTruncated', 'eventUpdatesCoalesced', 'eventClientsDropped',
] as const satisfies readonly (keyof IngestStats)[];

/** What a worker is started with from the workers before it. */
export type CarriedStats = Pick<IngestStats, (typeof CUMULATIVE_STATS)[number] | 'restarts'>;

/**
 * What the next worker carries on: the counters of the last update of the one that ended (they include what it
 * carried), or, when it sent none, what it was itself started with; and the restarts so far.
 */
export function carriedStats(last: IngestStats | undefined, before: CarriedStats | undefined, restarts: number): CarriedStats {
  const from = last ?? before;
  const carried = { restarts } as CarriedStats;
  for (const key of CUMULATIVE_STATS) carried[key] = from?.[key] ?? 0;
  return carried;
}

/** What the event stream reports into the stats; zeros where there is none. */
export interface EventStreamStats {
  eventClients: number;
  eventBytesQueued: number;
  eventUpdatesCoalesced: number;
  eventClientsDropped: number;
}

const NO_EVENT_STREAM: EventStreamStats = { eventClients: 0, eventBytesQueued: 0, eventUpdatesCoalesced: 0, eventClientsDropped: 0 };

export class IngestCore {
  readonly store: TraceStore;
  readonly queue: IngestQueue<IngestJob, IngestResult>;
  private requests = 0;
  private badRequests = 0;
  private busyResponses = 0;
  private spansReceived = 0;
  private spansRejected = 0;
  private readonly maxStoreBytes: number;
  /** Set by the worker: its event stream's counters. */
  eventStats: () => EventStreamStats = () => NO_EVENT_STREAM;
  /** Set by the worker: the journal's state. */
  journalStatus: () => JournalStatus | null = () => null;
  /** Set by the worker: its heap in use. */
  heapUsed: () => number = () => 0;
  /** Set by the worker when the receiver keeps a journal (a data folder). */
  journal: Pick<JournalWriter, 'append'> | undefined;
  /** Set by the worker: the counters of the workers before it, added to its own. */
  carried: CarriedStats | undefined;

  constructor(
    config: Pick<IngestConfig, 'maxSpans' | 'maxTraces' | 'settleMs' | 'maxQueuedBytes' | 'maxQueuedJobs'> & Partial<Pick<IngestConfig, 'maxStoreBytes' | 'maxAttributeBytes'>>,
    schedule?: (drain: () => void) => void,
    now?: () => number,
  ) {
    this.store = new TraceStore({
      maxSpans: config.maxSpans, maxTraces: config.maxTraces, settleMs: config.settleMs,
      ...(config.maxStoreBytes === undefined ? {} : { maxBytes: config.maxStoreBytes }),
      ...(config.maxAttributeBytes === undefined ? {} : { maxAttributeBytes: config.maxAttributeBytes }),
    }, now);
    this.maxStoreBytes = config.maxStoreBytes ?? DEFAULT_STORE_LIMITS.maxBytes;
    this.queue = new IngestQueue((job) => this.process(job), { maxQueuedBytes: config.maxQueuedBytes, maxQueuedJobs: config.maxQueuedJobs }, schedule);
  }

  /**
   * Queues a request's body; undefined when the queue is full (answer "busy"). Rejects with WireError on bad data.
   * With a journal, resolves once the request is in it too (or the journal said it cannot keep it): a success
   * answer means kept.
   */
  submit(job: IngestJob): Promise<IngestResult> | undefined {
    this.requests++;
    const result = this.queue.offer(job, job.body.length);
    if (!result) this.busyResponses++;
    const journal = this.journal;
    if (!result || !journal || job.signal === 'metrics') return result;
    const receivedMs = Date.now();
    return result.then(async (answer) => {
      if (answer.accepted > 0) await journal.append(job.signal as JournalSignal, job.encoding, job.body, receivedMs);
      return answer;
    });
  }

  /** Counts a request refused before it reached the queue (bad method, type, size …). */
  countRefused(status: number): void {
    this.requests++;
    if (status === 503) this.busyResponses++;
    else this.badRequests++;
  }

  stats(): IngestStats {
    const store = this.store.stats;
    const stats: IngestStats = {
      requests: this.requests,
      badRequests: this.badRequests,
      busyResponses: this.busyResponses,
      spansReceived: this.spansReceived,
      spansRejected: this.spansRejected,
      duplicateSpans: store.duplicateSpans,
      spansStored: store.spansStored,
      spansEvicted: store.evictedSpans,
      tracesStored: store.tracesStored,
      tracesEvicted: store.evictedTraces,
      logsStored: store.logsStored,
      logsPending: store.logsPending,
      logsDropped: store.droppedLogs,
      bytesStored: store.bytesStored,
      maxStoreBytes: this.maxStoreBytes,
      valuesTruncated: store.truncatedValues,
      heapUsedBytes: this.heapUsed(),
      ...this.eventStats(),
      restarts: 0,
      journal: this.journalStatus(),
    };
    const carried = this.carried;
    if (carried) {
      for (const key of CUMULATIVE_STATS) stats[key] += carried[key];
      stats.restarts = carried.restarts;
    }
    return stats;
  }

  private process(job: IngestJob): IngestResult | Slices<IngestResult> {
    try {
      if (job.signal === 'traces' && job.encoding === 'json' && job.body.length >= SLICED_BODY_BYTES) return new Slices(this.tracesInSlices(job.body));
      if (job.signal === 'traces') {
        const decoded = decodeSpans(job.encoding, job.body);
        this.store.add(decoded.spans);
        return this.counted(decoded);
      }
      if (job.signal === 'logs') {
        const decoded = decodeLogs(job.encoding, job.body);
        this.store.addLogs(decoded.logs);
        return { accepted: decoded.logs.length, rejected: decoded.rejected, rejectReason: decoded.rejectReason };
      }
      // Metrics are accepted so SDKs that export them do not log errors; Hopscope does not show them.
      return { accepted: 0, rejected: 0, rejectReason: '' };
    } catch (error) {
      this.badRequests++;
      throw error;
    }
  }

  /** Counts a traces request's spans (stored by the caller) and gives its answer. */
  private counted(decoded: DecodedSpans): IngestResult {
    this.spansReceived += decoded.spans.length + decoded.rejected;
    this.spansRejected += decoded.rejected;
    return { accepted: decoded.spans.length, rejected: decoded.rejected, rejectReason: decoded.rejectReason };
  }

  /** A big JSON traces request: decoded a slice of spans at a time, then stored a slice at a time. */
  private *tracesInSlices(body: Uint8Array): Generator<void, IngestResult> {
    try {
      const decoded = (yield* decodeTracesJsonFastInSlices(body, SPANS_PER_SLICE)) ?? decodeTracesJson(bodyText(body));
      for (let from = 0; from < decoded.spans.length; from += STORED_PER_SLICE) {
        if (from > 0) yield;
        this.store.add(decoded.spans.length <= STORED_PER_SLICE ? decoded.spans : decoded.spans.slice(from, from + STORED_PER_SLICE));
      }
      return this.counted(decoded);
    } catch (error) {
      this.badRequests++;
      throw error;
    }
  }
}
