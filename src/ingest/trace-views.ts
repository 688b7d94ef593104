/**
 * Each trace's view (tree, analysis, view nodes) built in the ingest worker,
 * once per trace version, for every panel in every window that shows it: the
 * extension host only forwards it, so its thread never computes per span.
 *
 *   panel A ─getTraceView(t)─┐
 *   panel B ─getTraceView(t)─┼─► cache hit while t has not changed ─► the same view
 *   window 2 ─/view──────────┘         t changed: built again, once
 */
import type { AnalysisSettings } from '../analysis/settings';
import { toTraceView, type TraceView } from '../protocol/trace-view';
import type { TraceStore } from './trace-store';

/** Views kept at once: the traces open in panels are few, and a view can weigh as much as its trace. */
const KEPT_VIEWS = 8;

export class TraceViews {
  /** Least recently asked for first. */
  private readonly views = new Map<string, { version: string; view: TraceView }>();
  private settingsVersion = 0;

  constructor(private readonly store: TraceStore, private settings: AnalysisSettings | undefined = undefined) {}

  /** The view of the trace as it is stored now; undefined when the store does not hold it. */
  get(traceId: string): TraceView | undefined {
    // Asking about a trace that did not change copies nothing: its summary and last change say so.
    const summary = this.store.summary(traceId);
    const kept = this.views.get(traceId);
    this.views.delete(traceId);
    if (!summary) return undefined;
    const version = `${summary.spanCount}:${this.store.lastChangeMs(traceId) ?? 0}:${this.settingsVersion}`;
    if (kept?.version === version) {
      this.views.set(traceId, kept);
      return kept.view;
    }
    const trace = this.store.get(traceId)!;
    const view = toTraceView(traceId, trace.spans, trace.logs, this.settings);
    if (!view) return undefined;
    this.views.set(traceId, { version, view });
    for (const id of this.views.keys()) {
      if (this.views.size <= KEPT_VIEWS) break;
      this.views.delete(id);
    }
    return view;
  }

  /** The analysis settings changed: every view is built again when next asked for. */
  setSettings(settings: AnalysisSettings | undefined): void {
    this.settings = settings;
    this.settingsVersion++;
  }

  clear(): void {
    this.views.clear();
  }
}
