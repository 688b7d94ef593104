/**
 * What the trace webview draws, as plain JSON: the repaired call tree in
 * depth-first order (times after clock-skew repair, self time computed once),
 * the raw spans for the details pane, the trace's logs, and its analysis.
 * src/views/trace-view.ts builds it.
 *
 *   nodes[0] root ─┬─ nodes[1] ── nodes[2]      parentSpanId is the tree's parent,
 *                  └─ nodes[3]                  after orphans and cycles were repaired
 */
import type { ViewAnalysis, ViewEdgeMode } from './view-analysis';
import type { ViewLog, ViewSpan, ViewSpanKind } from './view-span';

/** Why a debug session stopped (src/model/pause.ts `PauseReason`). */
export type ViewPauseReason = 'breakpoint' | 'step' | 'exception' | 'pause' | 'entry' | 'other' | 'measured';

export interface ViewNode {
  spanId: string;
  /** The parent in the repaired tree; '' for the root and for detached parts. */
  parentSpanId: string;
  service: string;
  /** The span's name as sent (HTTP instrumentations send just `GET`). */
  name: string;
  /** What the span is as the semantic conventions say: `GET /price/{id}`, `SELECT items`, `publish order.placed`; the name when they say nothing. Show this. */
  label: string;
  /** For a call: who answers it (`payments`, `postgresql`, `rabbitmq`); absent for spans that are not calls. */
  peer?: string;
  /** Connection-pool checkouts, acks and other plumbing: part of the call they serve, not a call of their own. */
  plumbing?: true;
  /** The request's own entry (the root and what the whole request passes through on its way in): no what-if changes it. */
  entry?: true;
  kind: ViewSpanKind;
  startUs: number;
  endUs: number;
  /** Time covered by none of its children, µs. */
  selfUs: number;
  depth: number;
  /** How the parent called it; absent for the root and detached parts. */
  mode?: ViewEdgeMode;
  failed: boolean;
  /** A stand-in for a parent that was never received. */
  placeholder: boolean;
  /** How far clock-skew repair moved it, µs (0 when untouched). */
  skewUs: number;
  /** Where its line may be, best first: indexes into the document head's `places` (see trace-document.ts). */
  places?: number[];
  /** It had not ended when the trace was analysed (`hopscope.span.state=started`): its end is "now". */
  running?: true;
}

/**
 * The debugger pauses that stopped the trace, for the views to show beside the compensated times (the nodes'
 * own): what each pause was, and the recorded (wall-clock) times of every node whose times it moved.
 *
 *   compensated  charge [20─80]                        nodes[] (what the analysis describes)
 *   wall clock   charge [20──▒▒▒▒▒▒▒▒ 2000 ▒▒▒▒▒▒──2080]  wallClock[]: recorded times, pausedUs
 */
export interface ViewPauses {
  /** How much the pauses inflated the request (the analysis's `pausedUs`), µs. */
  pausedUs: number;
  /** The pauses that fall in the trace's time, by start, at most MAX_VIEW_PAUSES (src/views/paused-view.ts) (the longest kept). */
  pauses: ViewPause[];
  /** Pauses past that bound, not listed. */
  omittedPauses?: number;
  /** Each node whose times moved or whose own session was stopped in it: its recorded times. */
  wallClock: ViewWallClock[];
}

export interface ViewPause {
  /** Which debug session stopped: an index local to this view (the same for the nodes it stopped). */
  session: number;
  startUs: number;
  /** A pause still open ends at the trace's end (and says `open`). */
  endUs: number;
  open?: true;
  reason: ViewPauseReason;
  /** The debug session's name (its launch configuration's: usually the service). */
  sessionName: string;
  /** Where the top frame stood: a path and a 1-based line; null when the adapter did not say. */
  location: { path: string; line: number } | null;
}

export interface ViewWallClock {
  spanId: string;
  /** As recorded, pauses in (after clock-skew repair, like the nodes' times). */
  startUs: number;
  endUs: number;
  /** Its time that overlapped its own session's pauses, µs (0: it only waited on a stopped span). */
  pausedUs: number;
  /** The debug session its process was launched by, when one of the pauses is that session's (ViewPause.session). */
  session?: number;
}

export interface TraceView {
  traceId: string;
  /** The request first, then any detached parts, each depth-first in child order. */
  nodes: ViewNode[];
  /** The spans as received, for the details pane (placeholders have none). */
  spans: ViewSpan[];
  logs: ViewLog[];
  analysis: ViewAnalysis;
  /** Only when debugger pauses stopped the trace (the nodes' times are without them). */
  paused?: ViewPauses;
  /** While it runs: debug sessions stopped now that sent none of its spans (what its callers wait on). */
  stoppedElsewhere?: ViewStop[];
}

/** A debug session stopped now (an open pause), as the view names it. */
export interface ViewStop {
  sessionName: string;
  startUs: number;
  reason: ViewPauseReason;
  location: { path: string; line: number } | null;
}
