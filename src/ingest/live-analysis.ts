/**
 * Analysis in the worker, as traces change: a trace is analysed when it
 * settles, and at most once a second while spans still arrive. Each flush
 * spends at most a small time budget (smaller still while requests are
 * queued); traces left over wait for the next one, so ingest keeps its pace
 * however large the traces.
 */
import { analyzeTree } from '../analysis/analyze-trace';
import type { AnalysedTrace } from '../analysis/call-sites';
import { headline, type AnalysisHeadline } from '../analysis/headline';
import { DEFAULT_ANALYSIS_SETTINGS, type AnalysisSettings } from '../analysis/settings';
import { buildTree } from '../analysis/trace-tree';
import type { TraceStore, TraceSummary } from './trace-store';

export const REANALYSE_MS = 1000;
export const FLUSH_BUDGET_MS = 20;
/** While requests wait to be decoded, analysis yields: receiving comes first. */
export const BUSY_FLUSH_BUDGET_MS = 2;

export class LiveAnalysis {
  private readonly headlines = new Map<string, { headline: AnalysisHeadline; atMs: number; settled: boolean }>();
  private readonly waiting = new Map<string, TraceSummary>();

  constructor(
    private readonly store: TraceStore,
    private settings: AnalysisSettings = DEFAULT_ANALYSIS_SETTINGS,
    private readonly now: () => number = () => performance.now(),
    /** Told of every analysis (the trace as stored, with this many spans), so the call sites need not make it again. */
    private readonly analysed: (traceId: string, spanCount: number, analysis: AnalysedTrace) => void = () => {},
  ) {}

  /** New thresholds: every trace is analysed again, as the budget allows. */
  setSettings(settings: AnalysisSettings): void {
    this.settings = settings;
    for (const entry of this.headlines.values()) entry.atMs = -Infinity;
  }

  /** Adds headlines to these summaries (fresh where the budget allows, else the last one); returns summaries whose headline changed since. */
  annotate(changed: TraceSummary[], removed: string[], busy = false): TraceSummary[] {
    const budget = busy ? BUSY_FLUSH_BUDGET_MS : FLUSH_BUDGET_MS;
    for (const id of removed) {
      this.headlines.delete(id);
      this.waiting.delete(id);
    }
    const fresh = new Set<TraceSummary>(changed);
    for (const s of changed) this.waiting.set(s.traceId, s);
    const started = this.now();
    const refreshed: TraceSummary[] = [];
    for (const [id, summary] of this.waiting) {
      if (this.now() - started > budget) break;
      const last = this.headlines.get(id);
      const due = !last || (summary.settled && !last.settled) || this.now() - last.atMs >= REANALYSE_MS;
      if (!due) continue;
      this.waiting.delete(id);
      const trace = this.store.get(id);
      const tree = trace && buildTree(trace.spans);
      if (!tree) continue;
      const analysis = analyzeTree(tree, this.settings);
      this.analysed(id, trace.spans.length, { tree, findings: analysis.findings });
      const h = headline(analysis, (spanId) => {
        const node = tree.byId.get(spanId);
        return node && { service: node.service, name: node.name };
      });
      this.headlines.set(id, { headline: h, atMs: this.now(), settled: summary.settled });
      if (!fresh.has(summary)) refreshed.push(summary);
    }
    for (const s of [...changed, ...refreshed]) {
      const h = this.headlines.get(s.traceId);
      if (h) s.headline = h.headline;
    }
    return refreshed;
  }

  /** The last headline worked out for the trace, if any. */
  headlineOf(traceId: string): AnalysisHeadline | undefined {
    return this.headlines.get(traceId)?.headline;
  }

  clear(): void {
    this.headlines.clear();
    this.waiting.clear();
  }
}
