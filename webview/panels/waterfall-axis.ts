/**
 * The waterfall's time axis: tick spacing that stays readable at any zoom,
 * and tick labels precise enough that neighbouring ticks never read the same.
 * Offsets are µs from the request's start.
 *
 *   0 ms      100 ms     200 ms     300 ms        (step 100 ms, ≈ 90 px apart)
 *   |          |          |          |
 */
import { formatDuration } from '../../src/common/format';

/** The step (1, 2 or 5 × 10^k µs) that puts ticks about `targetPx` apart at `pxPerUs`. */
export function tickStep(pxPerUs: number, targetPx = 90): number {
  const raw = targetPx / Math.max(pxPerUs, 1e-12);
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

/** Tick offsets (multiples of `step`) inside [fromUs, toUs]. */
export function ticks(fromUs: number, toUs: number, step: number): number[] {
  const out: number[] = [];
  for (let t = Math.ceil(fromUs / step) * step; t <= toUs && out.length < 1000; t += step) out.push(t);
  return out;
}

/** `0`, `250 µs`, `1.5 ms`, `120 ms`, `1.25 s`: as many decimals as the step needs. */
export function tickLabel(offsetUs: number, step: number): string {
  if (offsetUs === 0) return '0';
  const sign = offsetUs < 0 ? '−' : '';
  const us = Math.abs(offsetUs);
  if (step >= 60_000_000) return sign + formatDuration(us);
  if (step >= 100_000 && us >= 1_000_000) return `${sign}${(us / 1_000_000).toFixed(decimals(step / 1_000_000))} s`;
  if (us >= 1000 && step >= 100) return `${sign}${(us / 1000).toFixed(decimals(step / 1000))} ms`;
  return `${sign}${Math.round(us)} µs`;
}

/** Decimals needed to tell multiples of `step` apart (step 0.5 → 1, 0.02 → 2, 5 → 0). */
function decimals(step: number): number {
  return Math.max(0, Math.min(6, Math.ceil(-Math.log10(step) - 1e-9)));
}
