/**
 * A trace's analysis as a trace view carries it (`TraceView.analysis`): the shapes the webview reads,
 * declared here so that its contract is this folder. The analysis (src/analysis/) is their source:
 * each is structurally the analysis's type, which src/views/view-contract.ts checks both ways at compile
 * time, so a change on either side that the other does not follow fails the type check. Meanings:
 * docs/architecture.md (edge modes, critical path, blocking chains, failures, findings, what-if).
 */

/** How a parent called a child (src/analysis/edge-modes.ts). */
export type ViewEdgeMode = 'sync' | 'parallel' | 'fire-and-forget' | 'async';

/** The finding rules (src/analysis/rules.ts `RULES`), in the order findings are listed. */
export type ViewRule = 'deep-sync-chain' | 'sync-non-critical' | 'sequential-calls' | 'n-plus-one' | 'long-sync-call' | 'retry-amplification' | 'request-reply-over-messaging' | 'cascading-failure';

export type ViewSeverity = 'error' | 'warning' | 'info';

export interface ViewFinding {
  rule: ViewRule;
  severity: ViewSeverity;
  spanIds: string[];
  message: string;
  /** Latency the suggested change would save end to end, µs; null when it cannot be priced. */
  savingUs: number | null;
}

/** `async`: only publish; `parallel`: stop waiting for the sibling it followed; `faster`: half the time. */
export type ViewChange = 'async' | 'parallel' | 'faster';

export interface ViewWhatIf {
  spanId: string;
  change: ViewChange;
  /** The root's duration after the change, µs. */
  durationUs: number;
  /** What the change saves end to end, µs (never negative). */
  savingUs: number;
}

export interface ViewPathSegment {
  spanId: string;
  startUs: number;
  endUs: number;
}

export interface ViewHopBreakdown {
  service: string;
  /** The hop's first span on the chain. */
  spanId: string;
  selfUs: number;
  networkUs: number;
  waitUs: number;
}

export interface ViewBlockingChain {
  spanIds: string[];
  services: string[];
  hops: number;
  accumulatedUs: number;
  breakdown: ViewHopBreakdown[];
}

export interface ViewCascade {
  originSpanId: string;
  /** Failed spans above the origin that the failure reached, nearest first. */
  propagatedSpanIds: string[];
  /** The nearest non-failed sync ancestor above the failure: where it was contained. */
  containedBySpanId: string | null;
  /** The failure stopped at an async or fire-and-forget edge. */
  isolated: boolean;
  services: string[];
  blastRadius: { services: number; spans: number };
}

export interface ViewTimeout {
  callerSpanId: string;
  calleeSpanId: string;
  /** How long the callee worked on after the caller gave up, µs. */
  overrunUs: number;
}

export interface ViewRetry {
  parentSpanId: string;
  spanIds: string[];
  amplification: number;
}

export type ViewRepair =
  | { kind: 'duplicate-span'; spanId: string }
  | { kind: 'self-parent'; spanId: string }
  | { kind: 'cycle'; spanId: string }
  | { kind: 'missing-parent'; spanId: string; children: string[] }
  | { kind: 'clock-skew'; spanId: string; shiftUs: number }
  | { kind: 'detached-root'; spanId: string };

export interface ViewSpanPause {
  spanId: string;
  pausedUs: number;
}

export interface ViewPauseEffect {
  kind: 'timeout' | 'finding';
  rule?: ViewRule;
  spanIds: string[];
  message: string;
}

/** The analysis (src/analysis/analyze-trace.ts `TraceAnalysis`). */
export interface ViewAnalysis {
  traceId: string;
  rootSpanId: string;
  rootService: string;
  rootName: string;
  durationUs: number;
  spanCount: number;
  /** `queueUs` on async edges: the consumer's start minus the producer's end. */
  edges: { parentSpanId: string; childSpanId: string; mode: ViewEdgeMode; queueUs?: number }[];
  criticalPath: ViewPathSegment[];
  blockingChains: ViewBlockingChain[];
  failures: ViewCascade[];
  timeouts: ViewTimeout[];
  retries: ViewRetry[];
  findings: ViewFinding[];
  whatIf: ViewWhatIf[];
  repairs: ViewRepair[];
  // Only when debugger pauses touched the trace (everything above is then without them).
  pausedUs?: number;
  pauses?: ViewSpanPause[];
  rawDurationUs?: number;
  rawAccumulatedUs?: number[];
  pauseEffects?: ViewPauseEffect[];
}
