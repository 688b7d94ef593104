/**
 * How long to wait before starting an ingest worker that died again: 0.5 s,
 * doubling to 30 s while it keeps dying, back to 0.5 s once a worker has stayed
 * up for a minute. Used by `hopscope serve` and the extension's controller.
 */
export const FIRST_RESTART_MS = 500;
export const MAX_RESTART_MS = 30_000;
export const STABLE_AFTER_MS = 60_000;

export class RestartBackoff {
  private failures = 0;

  /** The wait before the next start, given how long the worker that died had been up. */
  next(upMs: number): number {
    if (upMs >= STABLE_AFTER_MS) this.failures = 0;
    const delay = Math.min(MAX_RESTART_MS, FIRST_RESTART_MS * 2 ** this.failures);
    this.failures++;
    return delay;
  }
}

/** "12 traces (340 spans)", or "nothing" — what a worker that died held. */
export function lostText(stats: { tracesStored: number; spansStored: number; logsStored: number } | undefined): string {
  if (!stats || stats.tracesStored === 0) return 'it held no traces';
  return `the ${stats.tracesStored} traces (${stats.spansStored} spans, ${stats.logsStored} logs) it held are lost; they lived only in its memory`;
}
