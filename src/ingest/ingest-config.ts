import { DEFAULT_ANALYSIS_SETTINGS, type AnalysisSettings } from '../analysis/settings';
import { DEFAULT_ALLOWED_ORIGINS } from './origin-policy';
import { DEFAULT_QUEUE_LIMITS } from './ingest-queue';
import { DEFAULT_STORE_LIMITS } from './store-limits';

/** Everything the ingest worker is started with. Plain JSON: it crosses into the worker. */
export interface IngestConfig {
  host: string;
  /** 0 picks a free port. */
  httpPort: number;
  grpcPort: number;
  /** False to run OTLP/HTTP only. */
  grpcEnabled: boolean;
  maxSpans: number;
  maxTraces: number;
  /** The store's byte budget: estimated retained bytes of spans and logs (see retained-size.ts). */
  maxStoreBytes: number;
  /** Longest attribute value or log body kept, UTF-8 bytes; longer ones are cut and marked. */
  maxAttributeBytes: number;
  settleMs: number;
  /** Largest request body after decompression, bytes (OTLP/HTTP and OTLP/gRPC). */
  maxBodyBytes: number;
  /**
   * Request bytes held at once across all OTLP/HTTP and OTLP/gRPC requests
   * being read, decoded or answered; past it a request is refused with
   * 503 / RESOURCE_EXHAUSTED before more of it is read. Never less than
   * `maxBodyBytes` in effect.
   */
  maxInflightBytes: number;
  /** A request body that sends nothing for this long is cut off with 408. */
  bodyIdleTimeoutMs: number;
  /** A request body not complete after this long is cut off with 408. */
  bodyTimeoutMs: number;
  maxQueuedBytes: number;
  maxQueuedJobs: number;
  allowedOrigins: string[];
  /** How a user changes each port, named in the "port in use" message (a CLI flag or a setting). */
  portHints: { http: string; grpc: string };
  /** Which program runs the worker, reported by /api/stats. */
  program: string;
  /** Thresholds of the live analysis. */
  analysis: AnalysisSettings;
  /** Where accepted requests are journaled and restored from; null keeps traces in memory only. */
  journal: JournalConfig | null;
}

/** The journal's folder and bounds (src/ingest/journal). */
export interface JournalConfig {
  dir: string;
  /** Whole segments are deleted, oldest first, past this many bytes on disk… */
  diskLimitBytes: number;
  /** …or once their newest record is older than this. */
  retentionMs: number;
  segmentBytes: number;
}

export const DEFAULT_JOURNAL_LIMITS: Omit<JournalConfig, 'dir'> = { diskLimitBytes: 512 * 1024 * 1024, retentionMs: 72 * 3600_000, segmentBytes: 64 * 1024 * 1024 };

export const DEFAULT_INGEST_CONFIG: IngestConfig = {
  host: '127.0.0.1',
  httpPort: 4318,
  grpcPort: 4317,
  grpcEnabled: true,
  maxSpans: DEFAULT_STORE_LIMITS.maxSpans,
  maxTraces: DEFAULT_STORE_LIMITS.maxTraces,
  maxStoreBytes: DEFAULT_STORE_LIMITS.maxBytes,
  maxAttributeBytes: DEFAULT_STORE_LIMITS.maxAttributeBytes,
  settleMs: DEFAULT_STORE_LIMITS.settleMs,
  maxBodyBytes: 20 * 1024 * 1024,
  // Sized for the extension host: the receiver shares its process with the editor.
  maxInflightBytes: 64 * 1024 * 1024,
  bodyIdleTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
  maxQueuedBytes: DEFAULT_QUEUE_LIMITS.maxQueuedBytes,
  maxQueuedJobs: DEFAULT_QUEUE_LIMITS.maxQueuedJobs,
  allowedOrigins: [...DEFAULT_ALLOWED_ORIGINS],
  portHints: { http: '--http-port', grpc: '--grpc-port' },
  program: 'hopscope',
  analysis: DEFAULT_ANALYSIS_SETTINGS,
  journal: null,
};

/** Problems with a configuration, each naming the setting; empty when it is usable. */
export function configProblems(config: IngestConfig): string[] {
  const problems: string[] = [];
  const port = (name: string, value: number) => {
    if (!Number.isInteger(value) || value < 0 || value > 65535) problems.push(`${name} must be a whole number from 0 to 65535, not ${value}`);
  };
  const positive = (name: string, value: number) => {
    if (!Number.isInteger(value) || value < 1) problems.push(`${name} must be a whole number of at least 1, not ${value}`);
  };
  if (typeof config.host !== 'string' || config.host.trim() === '') problems.push('host must be an address such as 127.0.0.1');
  port('httpPort', config.httpPort);
  port('grpcPort', config.grpcPort);
  if (config.grpcEnabled && config.httpPort !== 0 && config.httpPort === config.grpcPort) {
    problems.push(`httpPort and grpcPort are both ${config.httpPort}; they must differ`);
  }
  positive('maxSpans', config.maxSpans);
  positive('maxTraces', config.maxTraces);
  positive('maxStoreBytes', config.maxStoreBytes);
  if (!Number.isInteger(config.maxAttributeBytes) || config.maxAttributeBytes < 1024) problems.push(`maxAttributeBytes must be a whole number of at least 1024, not ${config.maxAttributeBytes}`);
  positive('maxBodyBytes', config.maxBodyBytes);
  positive('maxInflightBytes', config.maxInflightBytes);
  positive('bodyIdleTimeoutMs', config.bodyIdleTimeoutMs);
  positive('bodyTimeoutMs', config.bodyTimeoutMs);
  positive('maxQueuedBytes', config.maxQueuedBytes);
  positive('maxQueuedJobs', config.maxQueuedJobs);
  if (!Number.isFinite(config.settleMs) || config.settleMs < 0) problems.push(`settleMs must be 0 or more, not ${config.settleMs}`);
  if (config.journal) {
    if (typeof config.journal.dir !== 'string' || config.journal.dir.trim() === '') problems.push('journal.dir must name a folder');
    positive('journal.diskLimitBytes', config.journal.diskLimitBytes);
    positive('journal.retentionMs', config.journal.retentionMs);
    if (!Number.isInteger(config.journal.segmentBytes) || config.journal.segmentBytes < 4096) problems.push(`journal.segmentBytes must be a whole number of at least 4096, not ${config.journal.segmentBytes}`);
  }
  return problems;
}
