/**
 * Times from real clocks are only as good as their resolution: OTel JS stamps
 * span starts with Date.now() (whole milliseconds) and ends finer. Every
 * decision that compares two times (edge modes, overlap, "waited for", skew)
 * allows the coarser clock's resolution plus a little jitter between them.
 *
 *   A [0.000 ======= 12.700]               A ended at 12.7 ms
 *   B        (really 12.900) [12.000 ===]  B's start was floored to 12 ms:
 *                                          0.7 ms of "overlap" is no overlap
 */

/** Jitter between two readings of one clock (scheduling, a flush), on top of the resolution, µs. */
export const JITTER_US = 100;

/** How far apart two spans' times must be before their order means anything, µs. */
export const tolerance = (a: { resolutionUs: number }, b: { resolutionUs: number }): number => Math.max(a.resolutionUs, b.resolutionUs) + JITTER_US;
