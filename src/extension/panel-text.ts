/** The words the panels show: tab titles and why a trace is not there. */
import { formatDuration, formatTimeOfDay } from '../common/format';
import type { ReceiverState } from '../ingest/receiver-controller';
import type { TraceSummary } from '../ingest/trace-store';
import type { TraceView } from '../protocol/trace-view';

const MAX_TITLE = 80;

/** What a tab title says of a trace's root span; `startUs` is absent in documents kept before it was written. */
export interface TitleRoot {
  name: string;
  durationUs: number;
  startUs?: number;
}

/**
 * `POST /orders · 680 ms · 14:03:21.885`: the root operation, its duration and when it started (local time),
 * so that two tabs of one endpoint can be told apart; the short id until the root is known.
 */
export function traceTitle(traceId: string, root: TitleRoot | undefined): string {
  if (!root || root.name.trim() === '') return `Trace ${traceId.slice(0, 8)}`;
  const name = root.name.length > MAX_TITLE ? `${root.name.slice(0, MAX_TITLE - 1)}…` : root.name;
  return `${name} · ${formatDuration(root.durationUs)}${root.startUs === undefined ? '' : ` · ${formatTimeOfDay(root.startUs)}`}`;
}

/** The title's root from a drawn view (its first node, unless that stands in for a missing span). */
export function viewRoot(view: TraceView): TitleRoot | undefined {
  const root = view.nodes[0];
  return root && !root.placeholder ? { name: root.name, durationUs: root.endUs - root.startUs, startUs: root.startUs } : undefined;
}

/** The title's root from the Traces view's summary (the trace's first start: the root's, once it has come). */
export function summaryRoot(summary: TraceSummary | undefined): TitleRoot | undefined {
  return summary && { name: summary.rootName, durationUs: summary.rootDurationUs, startUs: summary.startUs };
}

/** Why trace `traceId` cannot be shown, given the receiver's state. */
/** While the receiver reads its journal back (after a reload or a restart). */
export function restoringTraceMessage(traceId: string): string {
  return `Trace ${traceId} is being restored from the journal…`;
}

export function missingTraceMessage(traceId: string, state: ReceiverState): string {
  const id = `Trace ${traceId}`;
  switch (state.kind) {
    case 'stopped':
      return `${id} is not available: the receiver is stopped. Start it to receive traces again (stored traces are kept only while it runs).`;
    case 'starting':
      return `${id} is not available yet: the receiver is starting.`;
    case 'error':
      return `${id} is not available: the receiver is not running (${state.message}).`;
    default:
      return `${id} is not stored (any more): it was cleared, dropped to stay within hopscope.store.maxSpans, or the receiver restarted. Send the request again to see a new trace.`;
  }
}

/** Shown above a trace drawn from the copy kept with its panel. */
export function undrawableTraceMessage(traceId: string, why: string): string {
  return `Trace ${traceId} is too large to draw: ${why}. Its headline stays in the Traces view, and its spans can be read at /api/traces/${traceId} on the receiver.`;
}

export function keptTraceMessage(traceId: string): string {
  return `Trace ${traceId} is drawn from the copy kept with this panel: the receiver no longer holds it (it restarted, e.g. with the window). Late spans for it are added as they arrive.`;
}
