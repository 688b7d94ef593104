/**
 * Which traces the Traces view shows, in which order, and what holds it still
 * (no `vscode` here; traces-view.ts renders it).
 *
 *   live     every trace the filter admits, newest first: new ones come in at the top
 *   held     the rows stay as they are (no row added, moved or taken away; a row's
 *            own text still changes) while the user points at or has selected a trace,
 *            or has paused the view; what would have come in is counted as `waiting`
 *
 * A filter's answer (the ids the worker found, see src/ingest/trace-queries.ts)
 * admits traces; a trace that arrived after the last answer waits for the next.
 */
import type { TraceSummary } from '../ingest/trace-store';
import type { TraceList } from './trace-list';

export interface ShownChange {
  /** Rows were added, removed or moved: the whole list is drawn again. */
  reordered: boolean;
  /** Shown traces whose summary is new since the last update (their rows may need drawing again). */
  changed: string[];
}

export class ShownTraces {
  /** The ids the filter's last answer admitted; undefined without a filter. */
  private admitted: ReadonlySet<string> | undefined;
  private shown: string[] = [];
  /** The summary each shown row was last given (a held row keeps its last one when its trace goes). */
  private readonly summaries = new Map<string, TraceSummary>();
  private waitingCount = 0;

  constructor(private readonly list: TraceList) {}

  /** Traces that would be shown were the view not held. */
  get waiting(): number {
    return this.waitingCount;
  }

  /** How many traces the filter admitted in its last answer (all traces without a filter). */
  get admittedCount(): number {
    return this.admitted ? this.admitted.size : this.list.size;
  }

  get filtered(): boolean {
    return this.admitted !== undefined;
  }

  /** The filter's answer: the ids it admits, or undefined for no filter. Takes effect at the next update. */
  admit(ids: ReadonlySet<string> | undefined): void {
    this.admitted = ids;
  }

  /** Works out the rows: all admitted traces, unless `held`, when the rows stay and the rest is counted. */
  update(held: boolean): ShownChange {
    const admitted = this.admitted;
    const candidates = this.list.newestFirst().filter((t) => !admitted || admitted.has(t.traceId));
    let reordered = false;
    if (held) {
      const shown = new Set(this.shown);
      this.waitingCount = candidates.reduce((n, t) => n + (shown.has(t.traceId) ? 0 : 1), 0);
    } else {
      const next = candidates.map((t) => t.traceId);
      reordered = next.length !== this.shown.length || next.some((id, i) => id !== this.shown[i]);
      this.shown = next;
      this.waitingCount = 0;
    }
    const changed: string[] = [];
    const kept = new Set(this.shown);
    for (const id of this.summaries.keys()) if (!kept.has(id)) this.summaries.delete(id);
    for (const id of this.shown) {
      const summary = this.list.get(id);
      if (!summary || summary === this.summaries.get(id)) continue;
      this.summaries.set(id, summary);
      changed.push(id);
    }
    return { reordered, changed };
  }

  /** The shown traces, in order. */
  rows(): TraceSummary[] {
    return this.shown.flatMap((id) => {
      const summary = this.summaries.get(id);
      return summary ? [summary] : [];
    });
  }

  /** The summary a shown row has, also for a trace the receiver no longer holds. */
  get(traceId: string): TraceSummary | undefined {
    return this.summaries.get(traceId);
  }
}
