/**
 * Analysis as traces change, on the analysis thread (analysis-worker.ts) over
 * its copies of the traces: a trace is analysed when it settles, and at most
 * once a second while spans still arrive. Each round spends at most a small
 * time budget, so that the views asked of the thread (call sites, service map,
 * trace views) are answered between rounds; traces left over wait for the
 * next one. (One trace's analysis is one step: a deep trace takes the thread
 * for as long as it takes, never the receiving thread.) The tree and its
 * analysis are the ones `derived` keeps for the trace's version: the call
 * sites, the map and the views read the same ones.
 */
import { headline, type AnalysisHeadline } from '../analysis/headline';
import type { DerivedTraces } from './derived-traces';
import type { TraceSummary } from './trace-store';

export const REANALYSE_MS = 1000;
export const FLUSH_BUDGET_MS = 20;

export class LiveAnalysis {
  private readonly headlines = new Map<string, { headline: AnalysisHeadline; atMs: number; settled: boolean }>();
  private readonly waiting = new Map<string, TraceSummary>();

  constructor(
    private readonly derived: DerivedTraces,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** What these traces' analyses depend on changed (a debugger pause in them): they are due again. */
  invalidate(traceIds: Iterable<string>): void {
    for (const id of traceIds) {
      const entry = this.headlines.get(id);
      if (entry) entry.atMs = -Infinity;
    }
  }

  /** New thresholds (set on `derived`): every trace is analysed again, as the budget allows. */
  settingsChanged(): void {
    for (const entry of this.headlines.values()) entry.atMs = -Infinity;
  }

  /**
   * Analyses the traces that are due among these changed ones and those left over from earlier rounds,
   * within the budget (at least one); returns the headlines worked out.
   */
  annotate(changed: readonly TraceSummary[], removed: readonly string[]): { traceId: string; headline: AnalysisHeadline }[] {
    for (const id of removed) {
      this.headlines.delete(id);
      this.waiting.delete(id);
    }
    for (const s of changed) this.waiting.set(s.traceId, s);
    const started = this.now();
    const worked: { traceId: string; headline: AnalysisHeadline }[] = [];
    for (const [id, summary] of this.waiting) {
      if (this.now() - started > FLUSH_BUDGET_MS) break;
      const last = this.headlines.get(id);
      const due = !last || (summary.settled && !last.settled) || this.now() - last.atMs >= REANALYSE_MS;
      if (!due) continue;
      this.waiting.delete(id);
      const derived = this.derived.get(id);
      if (!derived) continue;
      this.beforeAnalysis();
      const { tree } = derived;
      const analysis = derived.analysis();
      const h = headline(analysis, (spanId) => {
        const node = tree.byId.get(spanId);
        return node && { service: node.service, name: node.name };
      }, derived.pauses);
      this.headlines.set(id, { headline: h, atMs: this.now(), settled: summary.settled });
      worked.push({ traceId: id, headline: h });
    }
    return worked;
  }

  /** Tests only: called before each trace's analysis (the analysis thread's hold hook). */
  beforeAnalysis: () => void = () => {};

  /** The last headline worked out for the trace, if any. */
  headlineOf(traceId: string): AnalysisHeadline | undefined {
    return this.headlines.get(traceId)?.headline;
  }

  clear(): void {
    this.headlines.clear();
    this.waiting.clear();
  }
}
