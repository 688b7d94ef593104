/**
 * The call sites over the stored traces, as the worker sends them to the
 * editor (and `GET /api/call-sites` serves them): each line of code that made
 * calls, with what the calls cost. Paths are as the telemetry gives them; the
 * extension resolves them against the workspace.
 */
import type { CallSite } from '../analysis/call-sites';

export interface CallSitesView {
  sites: CallSite[];
  /** How many traces were read. */
  traces: number;
  /** When it was computed, ms since the epoch. */
  computedAt: number;
  /** Stored traces left out to bound the work (the oldest ones); absent when none were. */
  omittedTraces?: number;
}
