/**
 * The trace view's state, shared by the graph, the accumulation bar, the
 * findings, the waterfall and the details: one source of truth, and one
 * event that says which part changed. Components read it and call its
 * setters; none of them talks to another directly.
 */
import type { FailureRole } from './facts';
import { PauseFacts, type TimeMode } from './pauses';
import { failureRoles } from './facts';
import type { SourceLink } from '../src/protocol/messages';
import type { TraceView, ViewNode } from '../src/protocol/trace-view';
import type { ViewSpan as SpanRecord } from '../src/protocol/view-span';

export type Aspect =
  /** A new trace, or the same trace with late spans. */
  | 'view'
  /** The selected span. */
  | 'selection'
  /** The blocking chain shown, or the finding whose spans are highlighted. */
  | 'highlight'
  /** The search text. */
  | 'search'
  /** Collapsed repeated calls opened or closed. */
  | 'expanded'
  /** The time mode: without the debugger's pauses, or on the wall clock. */
  | 'time';

/** Who changed the selection: the graph and the waterfall scroll to a selection made elsewhere. */
export type Origin = 'graph' | 'waterfall' | 'findings' | 'bar' | 'details' | 'host' | 'keyboard' | 'search';

export class Store {
  view: TraceView | undefined;
  nodes = new Map<string, ViewNode>();
  spans = new Map<string, SpanRecord>();
  sources = new Map<string, SourceLink>();
  /** Spans on the critical path. */
  critical = new Set<string>();
  failure = new Map<string, FailureRole>();
  selected: string | null = null;
  selectionOrigin: Origin = 'host';
  /** Index into `analysis.blockingChains` (0: the longest). */
  chain = 0;
  /** Index into `analysis.findings` whose spans are highlighted, or null. */
  finding: number | null = null;
  search = '';
  /** Keys of repeated-call groups the user opened. */
  expanded = new Set<string>();
  /** The debugger's pauses in this trace (none before a view). */
  pauses: PauseFacts | undefined;
  /** Times without the debugger's pauses (what the analysis describes), or as the clock ran. */
  timeMode: TimeMode = 'compensated';
  private readonly listeners: ((aspect: Aspect) => void)[] = [];
  /** Set by the page: shows the span's line in the editor (the host opens it), when its place is known. */
  goToCode: (spanId: string) => void = () => {};

  /** Whether the host placed the span's code in the workspace ("Go to Code" can open it). */
  hasCode(spanId: string): boolean {
    return this.sources.has(spanId);
  }

  on(listener: (aspect: Aspect) => void): void {
    this.listeners.push(listener);
  }

  setView(view: TraceView, sources: SourceLink[]): void {
    const same = this.view?.traceId === view.traceId;
    this.view = view;
    this.nodes = new Map(view.nodes.map((n) => [n.spanId, n]));
    this.spans = new Map(view.spans.map((s) => [s.spanId, s]));
    this.sources = new Map(sources.map((s) => [s.spanId, s]));
    this.critical = new Set(view.analysis.criticalPath.map((s) => s.spanId));
    this.failure = failureRoles(view.analysis);
    this.pauses = new PauseFacts(view);
    if (!this.pauses.any) this.timeMode = 'compensated';
    if (!same) {
      this.selected = null;
      this.chain = 0;
      this.finding = null;
      this.expanded.clear();
    } else {
      if (this.selected !== null && !this.nodes.has(this.selected)) this.selected = null;
      if (this.chain >= view.analysis.blockingChains.length) this.chain = 0;
      if (this.finding !== null && this.finding >= view.analysis.findings.length) this.finding = null;
    }
    this.emit('view');
  }

  select(spanId: string | null, origin: Origin): void {
    if (spanId !== null && !this.nodes.has(spanId)) return;
    if (spanId === this.selected) return;
    this.selected = spanId;
    this.selectionOrigin = origin;
    this.emit('selection');
  }

  setChain(index: number): void {
    this.chain = index;
    this.finding = null;
    this.emit('highlight');
  }

  setFinding(index: number | null): void {
    this.finding = index;
    this.emit('highlight');
  }

  setTimeMode(mode: TimeMode): void {
    if (mode === this.timeMode) return;
    this.timeMode = mode;
    this.emit('time');
  }

  setSearch(text: string): void {
    this.search = text;
    this.emit('search');
  }

  toggleExpanded(key: string): void {
    if (!this.expanded.delete(key)) this.expanded.add(key);
    this.emit('expanded');
  }

  /** The spans to highlight: the selected finding's, or else the chosen blocking chain's. */
  highlighted(): Set<string> {
    const analysis = this.view?.analysis;
    if (!analysis) return new Set();
    if (this.finding !== null) return new Set(analysis.findings[this.finding]?.spanIds ?? []);
    return new Set(analysis.blockingChains[this.chain]?.spanIds ?? []);
  }

  /** Spans whose label, name, peer, service or attribute values contain the search text (case-insensitive), or with that id. */
  matches(): Set<string> {
    const needle = this.search.trim().toLowerCase();
    const out = new Set<string>();
    if (!needle) return out;
    const has = (text: string | undefined) => text !== undefined && text.toLowerCase().includes(needle);
    for (const node of this.nodes.values()) {
      if (has(node.label) || has(node.name) || has(node.peer) || has(node.service) || node.spanId === needle) {
        out.add(node.spanId);
        continue;
      }
      const span = this.spans.get(node.spanId);
      if (span && Object.values(span.attributes).some((v) => typeof v === 'string' && v.toLowerCase().includes(needle))) out.add(node.spanId);
    }
    return out;
  }

  private emit(aspect: Aspect): void {
    for (const listener of this.listeners) listener(aspect);
  }
}
