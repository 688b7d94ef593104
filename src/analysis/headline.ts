/** The few facts of a trace's analysis that travel with its summary: shown in lists without opening the trace. */
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
}

export function headline(analysis: TraceAnalysis, nameOf: (spanId: string) => { service: string; name: string } | undefined): AnalysisHeadline {
  const cascade = analysis.failures.find((f) => f.containedBySpanId === null && !f.isolated) ?? analysis.failures[0];
  const origin = cascade ? nameOf(cascade.originSpanId) : undefined;
  const paused = analysis.pausedUs ?? 0;
  return {
    ...(paused > 0 ? { pausedUs: paused } : {}),
    durationUs: analysis.durationUs,
    hops: Math.max(0, ...analysis.blockingChains.map((c) => c.hops)),
    failureOrigin: cascade && origin ? { spanId: cascade.originSpanId, ...origin } : null,
    findings: analysis.findings.length,
    worstSeverity: worstSeverity(analysis.findings),
    rules: [...new Set(analysis.findings.map((f) => f.rule))],
    asyncCalls: analysis.edges.filter((e) => e.mode === 'async').length,
  };
}
