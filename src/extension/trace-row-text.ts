/**
 * The words of a Traces view row, from a trace's summary (no `vscode` here):
 *
 *   ⚠ POST /orders   680 ms · 201 · 14:03:21.885 · 2 hops
 *   ✓ POST /orders   143 ms · 201 · 14:03:21.990 · async
 *   ✕ POST /orders   91 ms · 502 · 14:03:22.120 · 3 failed · 2 hops
 *
 *   ⏸ POST /orders   100 ms · 201 · 14:03:22.301 · paused 6.00 s · 2 hops
 *   ⟳ POST /orders   4.20 s · 14:03:23.010 · running · 2 hops
 *
 * The label is the endpoint; the description says the request's latency (the
 * root's duration; without the debugger's pauses when it stopped the request),
 * the root's status code, when (local time) and how the request travelled
 * (paused, still running, failures, a blocking chain over services, calls
 * through a broker): in a narrow side bar the end is cut first, and the
 * latency is what a developer scans for.
 */
import { formatDuration, formatTimeOfDay, plural } from '../common/format';
import { pausedSentence } from '../common/pause-words';
import type { TraceSummary } from '../ingest/trace-store';

/** Which codicon stands for the row, and in which theme colour. */
export interface RowIcon {
  id: 'error' | 'sync~spin' | 'debug-pause' | 'loading~spin' | 'warning' | 'pass';
  color?: 'errorForeground' | 'editorWarning.foreground' | 'debugIcon.pauseForeground';
}

export interface RowText {
  label: string;
  description: string;
  icon: RowIcon;
  tooltip: string;
  accessibility: string;
}

export function endpointLabel(trace: Pick<TraceSummary, 'rootName'>): string {
  return trace.rootName || '(root span not received yet)';
}

/** How much debugger pauses inflated the request, µs; 0 when none did (or the headline says nonsense). */
const pausedUs = (trace: TraceSummary): number => {
  const us = trace.headline?.pausedUs;
  return typeof us === 'number' && Number.isFinite(us) && us > 0 ? us : 0;
};

/** Spans started and not yet finished. */
const runningSpans = (trace: TraceSummary): number => (typeof trace.runningSpans === 'number' && trace.runningSpans > 0 ? trace.runningSpans : 0);

/** The request's latency as the row shows it: the compensated root's when the debugger paused it. */
const latencyUs = (trace: TraceSummary): number => (pausedUs(trace) > 0 ? trace.headline!.durationUs : trace.rootDurationUs);

/** The latency as words: `running` while the root itself has not ended (it has no duration yet). */
const latencyText = (trace: TraceSummary): string => (runningSpans(trace) > 0 && latencyUs(trace) === 0 ? 'running' : formatDuration(latencyUs(trace)));

export function traceRowText(trace: TraceSummary): RowText {
  const latency = latencyText(trace);
  const time = formatTimeOfDay(trace.startUs);
  const failed = trace.errorCount > 0;
  const h = trace.headline;
  const paused = pausedUs(trace);
  const running = runningSpans(trace);
  const modes = [
    ...(paused > 0 ? [`paused ${formatDuration(paused)}`] : []),
    ...(running > 0 && latency !== 'running' ? ['running'] : []),
    ...(failed ? [`${trace.errorCount} failed`] : []),
    ...(h && h.hops > 0 ? [plural(h.hops, 'hop')] : []),
    ...(h && (h.asyncCalls ?? 0) > 0 ? ['async'] : []),
  ];
  const description = [latency, ...(trace.rootStatus ? [trace.rootStatus] : []), time, ...modes].join(' · ');
  // Failed, then still running, then stopped by the debugger, then still arriving, then worth a look (the
  // analysis found something), then fine.
  const worth = h?.worstSeverity === 'error' || h?.worstSeverity === 'warning';
  const icon: RowIcon = failed
    ? { id: 'error', color: 'errorForeground' }
    : running > 0
      ? { id: 'sync~spin' }
      : paused > 0
        ? { id: 'debug-pause', color: 'debugIcon.pauseForeground' }
        : !trace.settled
          ? { id: 'loading~spin' }
          : worth
            ? { id: 'warning', color: 'editorWarning.foreground' }
            : { id: 'pass' };
  const label = endpointLabel(trace);
  const accessibility = [label, latency, ...(trace.rootStatus ? [`status ${trace.rootStatus}`] : []), time, ...(failed ? [plural(trace.errorCount, 'failed span')] : []), ...modes.filter((m) => !m.endsWith('failed')), `trace ${trace.traceId.slice(0, 8)}`].join(', ');
  return { label, description, icon, tooltip: tooltip(trace), accessibility };
}

function tooltip(trace: TraceSummary): string {
  const latency = latencyText(trace);
  const paused = pausedUs(trace);
  const running = runningSpans(trace);
  // Work after the answer (consumers) only stretches the trace, not the request.
  const stretched = trace.durationUs > trace.rootDurationUs * 1.05 + 1000 ? `, spans over ${formatDuration(trace.durationUs)} (work after the answer)` : '';
  const services = plural(trace.services.length, 'service');
  const h = trace.headline;
  return [
    `${trace.rootService} ${endpointLabel(trace)}`,
    `${trace.rootStatus ? `${trace.rootStatus} · ` : ''}${latency}${stretched} · ${plural(trace.spanCount, 'span')} · ${services}${trace.errorCount > 0 ? ` · ${plural(trace.errorCount, 'failed span')}` : ''}`,
    ...(paused > 0 ? [`${pausedSentence(paused, trace.headline?.pausedAt)}; figures without it (${formatDuration(trace.rootDurationUs)} on the wall clock)`] : []),
    ...(running > 0 ? [`running · ${plural(running, 'span')} still open (times so far)`] : []),
    `started ${formatTimeOfDay(trace.startUs)}${trace.settled ? '' : ' · still receiving spans'}`,
    `services: ${trace.services.join(', ')}`,
    ...(h ? [`blocking chain: ${plural(h.hops, 'service hop')}`] : []),
    ...(h && (h.asyncCalls ?? 0) > 0 ? [`${plural(h.asyncCalls, 'call')} through a broker (async)`] : []),
    ...(h && h.findings > 0 ? [`${plural(h.findings, 'finding')} (worst: ${h.worstSeverity})${h.rules?.length ? `: ${h.rules.join(', ')}` : ''}`] : []),
    ...(h?.failureOrigin ? [`failure started in ${h.failureOrigin.service} ${h.failureOrigin.name}`] : []),
    `trace id ${trace.traceId}`,
  ].join('\n');
}

/** What the status row of the Traces view knows: how many traces, whether the list is held, what waits. */
export interface HeaderState {
  total: number;
  /** Traces the filter admits (total without a filter). */
  admitted: number;
  filtered: boolean;
  waiting: number;
  paused: boolean;
  /** Held while the user points at or has selected a trace. */
  held: boolean;
  /** Traces the worker has not read yet for the filter (a very large store). */
  unchecked: number;
  filterError?: string;
}

export interface HeaderText {
  label: string;
  description: string;
  icon: 'arrow-up' | 'debug-pause' | 'pinned' | 'pulse' | 'warning';
  tooltip: string;
}

/**
 * The status row, always first while there are traces, so that nothing moves when the list starts or stops holding:
 *   ◌ 870 traces                  live, newest first
 *   ↑ 12 new traces — show        held while you look · 14 of 870 match
 */
export function headerText(state: HeaderState): HeaderText {
  const mode = state.paused ? 'paused' : state.held ? 'held while you look' : 'live, newest first';
  const count = state.filtered ? `${state.admitted.toLocaleString('en-US')} of ${plural(state.total, 'trace')} match` : plural(state.total, 'trace');
  const checking = state.unchecked > 0 ? [`checking ${state.unchecked.toLocaleString('en-US')} more`] : [];
  const how = state.paused
    ? 'The list is paused: new traces are counted here, not added. Resume it in the view’s title bar, or click this row to add them now.'
    : 'New traces come in at the top. While you point at a trace or have one selected, the list holds still and counts what arrives here; click this row to add them.';
  if (state.filterError) return { label: `Filter: ${state.filterError}`, description: mode, icon: 'warning', tooltip: `The filter could not be applied: ${state.filterError}` };
  if (state.waiting > 0) return { label: `${plural(state.waiting, 'new trace')} — show`, description: [mode, count, ...checking].join(' · '), icon: 'arrow-up', tooltip: how };
  return { label: count, description: [mode, ...checking].join(' · '), icon: state.paused ? 'debug-pause' : state.held ? 'pinned' : 'pulse', tooltip: how };
}
