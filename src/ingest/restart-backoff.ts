/**
 * How long to wait before starting an ingest worker that died again: 0.5 s,
 * doubling to 30 s while it keeps dying, back to 0.5 s once a worker has stayed
 * up for a minute. A start that fails (the worker never listens: the address or
 * port is not available, it dies on the way up) is tried again on the same
 * doubling, until 10 have failed in a row (some 2.5 minutes): then the host
 * gives up and says why. A worker that listened and then died is always
 * started again. Used by `hopscope serve` and the extension's controller.
 */
export interface BackoffLimits {
  firstMs: number;
  maxMs: number;
  /** Up this long, a worker that dies starts the doubling over. */
  stableAfterMs: number;
  /** Failed starts in a row before giving up. */
  maxFailedStarts: number;
}

export const RESTART_LIMITS: BackoffLimits = { firstMs: 500, maxMs: 30_000, stableAfterMs: 60_000, maxFailedStarts: 10 };

export class RestartBackoff {
  private failures = 0;
  private failedStarts = 0;
  private readonly limits: BackoffLimits;

  constructor(limits: Partial<BackoffLimits> = {}) {
    this.limits = { ...RESTART_LIMITS, ...limits };
  }

  /** The wait before the next start, given how long the worker that died had been up. */
  next(upMs: number): number {
    if (upMs >= this.limits.stableAfterMs) this.failures = 0;
    this.failedStarts = 0;
    return this.delay();
  }

  /** The wait before trying again after a start failed; undefined once `maxFailedStarts` in a row have: give up. */
  afterFailedStart(): number | undefined {
    if (++this.failedStarts >= this.limits.maxFailedStarts) return undefined;
    return this.delay();
  }

  /** Starts that failed in a row so far. */
  get failedInARow(): number {
    return this.failedStarts;
  }

  private delay(): number {
    const delay = Math.min(this.limits.maxMs, this.limits.firstMs * 2 ** this.failures);
    this.failures++;
    return delay;
  }
}

/** "12 traces (340 spans)", or "nothing" — what a worker that died held. */
export function lostText(stats: { tracesStored: number; spansStored: number; logsStored: number } | undefined): string {
  if (!stats || stats.tracesStored === 0) return 'it held no traces';
  return `the ${stats.tracesStored} traces (${stats.spansStored} spans, ${stats.logsStored} logs) it held are lost; they lived only in its memory`;
}

/** What the host says when it stops trying to start a worker that cannot listen. */
export function gaveUpText(failedStarts: number, reason: string): string {
  return `gave up starting the ingest worker again after ${failedStarts} failed starts in a row; the last: ${reason}`;
}
