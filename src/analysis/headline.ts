/** The few facts of a trace's analysis that travel with its summary: shown in lists without opening the trace. */
import type { DebugPause, PauseReason } from '../model/pause';
import type { TraceAnalysis } from './analyze-trace';
import { worstSeverity, type Rule, type Severity } from './findings';

export interface AnalysisHeadline {
  /** The root's duration, µs. */
  durationUs: number;
  /** Service hops of the longest blocking chain. */
  hops: number;
  /** Where the first failure that reached the root (else the first failure) started; null without failures. */
  failureOrigin: { spanId: string; service: string; name: string } | null;
  findings: number;
  worstSeverity: Severity | null;
  /** The rules of its findings, each once (a `finding:` query reads them). */
  rules: Rule[];
  /** Calls decoupled through a broker (`async` edges): the Traces view marks such a trace. */
  asyncCalls: number;
  /** How much debugger pauses inflated the request, µs (the figures above are without them); absent when none did. */
  pausedUs?: number;
  /** With `pausedUs`: the longest of those pauses (where and why the debugger stopped), and how many there were. */
  pausedAt?: { reason: PauseReason; sessionName: string; location: { path: string; line: number } | null; pauses: number };
}

/** `pauses`: the debugger pauses the analysis took out (derived-traces.ts), to say where the longest stopped. */
export function headline(analysis: TraceAnalysis, nameOf: (spanId: string) => { service: string; name: string } | undefined, pauses: readonly DebugPause[] = []): AnalysisHeadline {
  const cascade = analysis.failures.find((f) => f.containedBySpanId === null && !f.isolated) ?? analysis.failures[0];
  const origin = cascade ? nameOf(cascade.originSpanId) : undefined;
  const paused = analysis.pausedUs ?? 0;
  return {
    ...(paused > 0 ? { pausedUs: paused } : {}),
    ...(paused > 0 && pauses.length > 0 ? { pausedAt: longest(pauses) } : {}),
    durationUs: analysis.durationUs,
    hops: Math.max(0, ...analysis.blockingChains.map((c) => c.hops)),
    failureOrigin: cascade && origin ? { spanId: cascade.originSpanId, ...origin } : null,
    findings: analysis.findings.length,
    worstSeverity: worstSeverity(analysis.findings),
    rules: [...new Set(analysis.findings.map((f) => f.rule))],
    asyncCalls: analysis.edges.filter((e) => e.mode === 'async').length,
  };
}

/** The longest pause (an open one is the longest), with the count of them all. */
function longest(pauses: readonly DebugPause[]): NonNullable<AnalysisHeadline['pausedAt']> {
  const length = (p: DebugPause) => (p.endUs === null ? Infinity : p.endUs - p.startUs);
  let best = pauses[0]!;
  for (const p of pauses) if (length(p) > length(best)) best = p;
  return { reason: best.reason, sessionName: best.sessionName, location: best.location, pauses: pauses.length };
}
