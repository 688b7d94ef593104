/**
 * The terminal report of `hopscope analyze`: per trace the blocking chain and
 * its latency accumulation, the cascade, the findings and what-ifs; then the
 * endpoints. Span text is printed with control characters escaped.
 */
import type { Aggregate } from '../analysis/aggregate';
import type { TraceAnalysis } from '../analysis/analyze-trace';
import type { WhatIf } from '../analysis/what-if';
import { formatDuration as d } from '../common/format';

/** Span data is untrusted: no terminal escape sequences reach the terminal. */
export const clean = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

const SEVERITY = { error: '✖', warning: '⚠', info: 'ℹ' } as const;

export function traceReport(a: TraceAnalysis, name: (spanId: string) => string): string {
  // With debugger pauses taken out, the figures are the request's without them: the headline says how much.
  const paused = a.pausedUs ? `  paused ${d(a.pausedUs)} (debugger)` : '';
  const lines = [`trace ${a.traceId}  ${clean(a.rootService)} ${clean(a.rootName)}  ${d(a.durationUs)}  ${a.spanCount} spans${paused}`];
  const chain = a.blockingChains[0];
  if (chain) {
    lines.push(`  blocking chain, ${chain.hops} hop${chain.hops === 1 ? '' : 's'}: ${chain.services.map(clean).join(' → ')}`);
    lines.push(`    ${'service'.padEnd(18)}${'self'.padStart(10)}${'network'.padStart(10)}${'waiting'.padStart(10)}`);
    for (const hop of chain.breakdown) {
      lines.push(`    ${clean(hop.service).slice(0, 17).padEnd(18)}${d(hop.selfUs).padStart(10)}${d(hop.networkUs).padStart(10)}${d(hop.waitUs).padStart(10)}`);
    }
    lines.push(`    accumulated ${d(chain.accumulatedUs)} of the request's ${d(a.durationUs)}`);
  }
  for (const f of a.failures) {
    const where = f.isolated ? 'isolated behind an async edge' : f.containedBySpanId ? `contained by ${name(f.containedBySpanId)}` : 'reached the root';
    lines.push(`  failure: ${name(f.originSpanId)}${f.propagatedSpanIds.map((id) => ` → ${name(id)}`).join('')} (${where})`);
  }
  for (const t of a.timeouts) lines.push(`  timeout: ${name(t.callerSpanId)} gave up; ${name(t.calleeSpanId)} worked ${d(t.overrunUs)} longer`);
  for (const f of a.findings) lines.push(`  ${SEVERITY[f.severity]} ${f.rule}: ${clean(f.message)}`);
  for (const e of a.pauseEffects ?? []) lines.push(`  ⏸ caused by a debugger pause${e.rule ? ` (${e.rule})` : ''}: ${clean(e.message)}`);
  // The best change a developer can make (what-ifs come best first and never name the request's own entry).
  const best = a.whatIf[0];
  if (best && best.savingUs > 0) lines.push(`  what if ${name(best.spanId)} ${CHANGE_TEXT[best.change]}: ${d(best.durationUs)} instead of ${d(a.durationUs)} (−${d(best.savingUs)})`);
  return lines.join('\n');
}

const CHANGE_TEXT: Record<WhatIf['change'], string> = { async: 'were asynchronous', parallel: 'ran in parallel with the call before it', faster: 'took half its time' };

export function aggregateReport(agg: Aggregate): string {
  const lines = [`${agg.traces} trace${agg.traces === 1 ? '' : 's'}, ${agg.spans} spans`, `  ${'endpoint'.padEnd(40)}${'count'.padStart(7)}${'errors'.padStart(8)}${'p50'.padStart(10)}${'p95'.padStart(10)}${'p99'.padStart(10)}${'critical'.padStart(10)}`];
  for (const e of agg.endpoints.slice(0, 20)) {
    lines.push(`  ${clean(`${e.service} ${e.operation}`).slice(0, 39).padEnd(40)}${String(e.count).padStart(7)}${`${Math.round(e.errorRate * 100)}%`.padStart(8)}${d(e.p50Us).padStart(10)}${d(e.p95Us).padStart(10)}${d(e.p99Us).padStart(10)}${`${Math.round(e.criticalShare * 100)}%`.padStart(10)}`);
  }
  for (const e of agg.edges.slice(0, 20)) lines.push(`  ${clean(e.from)} ─${e.mode}→ ${clean(e.to)}: ${e.calls} calls, ${e.errors} errors, p50 ${d(e.p50Us)}, p95 ${d(e.p95Us)}`);
  return lines.join('\n');
}
