/** What a TraceStore may hold, and its defaults (sized for the extension host). */

export interface StoreLimits {
  maxSpans: number;
  maxTraces: number;
  /** Estimated retained bytes of the stored spans and logs (retained-size.ts). */
  maxBytes: number;
  /** Longest attribute value (or log body) kept, UTF-8 bytes; longer ones are cut and marked. */
  maxAttributeBytes: number;
  /** Log records waiting for their trace's first span: at most this many … */
  maxPendingLogs: number;
  /** … and this many estimated bytes. */
  maxPendingLogBytes: number;
  settleMs: number;
}

export const DEFAULT_STORE_LIMITS: StoreLimits = {
  maxSpans: 200_000,
  maxTraces: 2_000,
  maxBytes: 256 * 1024 * 1024,
  maxAttributeBytes: 64 * 1024,
  maxPendingLogs: 10_000,
  maxPendingLogBytes: 16 * 1024 * 1024,
  settleMs: 1_500,
};

/** Logs kept per trace; more are counted in `droppedLogs`. */
export const MAX_LOGS_PER_TRACE = 10_000;
