/** Facts the views derive from a trace's analysis, computed once per trace. */
import type { ViewAnalysis as TraceAnalysis } from '../src/protocol/view-analysis';

export type FailureRole = 'origin' | 'propagated' | 'contained' | 'isolated';

/**
 * Each span's part in the trace's failure cascades. An origin whose cascade
 * stopped at an async edge is `isolated`; the span that caught a failure is
 * `contained`. A span with two roles keeps the first: origin, then propagated.
 */
export function failureRoles(analysis: TraceAnalysis): Map<string, FailureRole> {
  const roles = new Map<string, FailureRole>();
  const give = (spanId: string, role: FailureRole) => {
    if (!roles.has(spanId)) roles.set(spanId, role);
  };
  for (const cascade of analysis.failures) give(cascade.originSpanId, cascade.isolated ? 'isolated' : 'origin');
  for (const cascade of analysis.failures) for (const spanId of cascade.propagatedSpanIds) give(spanId, 'propagated');
  for (const cascade of analysis.failures) if (cascade.containedBySpanId) give(cascade.containedBySpanId, 'contained');
  return roles;
}
