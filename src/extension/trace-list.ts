/**
 * The traces one window shows: summaries kept up to date from receiver
 * updates, newest first, optionally grouped by endpoint (root service and
 * operation). No `vscode` here; the tree view renders it.
 */
import { percentile } from '../common/percentile';
import type { TracesUpdate } from '../ingest/receiver-controller';
import type { TraceSummary } from '../ingest/trace-store';

export interface EndpointGroup {
  key: string;
  service: string;
  name: string;
  /** Newest first. */
  traces: TraceSummary[];
  errorCount: number;
}

export class TraceList {
  private readonly byId = new Map<string, TraceSummary>();
  private sorted: TraceSummary[] | undefined;
  private changes = 0;

  get size(): number {
    return this.byId.size;
  }

  /** Goes up with every update applied. */
  get version(): number {
    return this.changes;
  }

  apply(update: TracesUpdate): void {
    if (update.reset) this.byId.clear();
    for (const id of update.removed) this.byId.delete(id);
    for (const summary of update.changed) this.byId.set(summary.traceId, summary);
    this.sorted = undefined;
    this.changes++;
  }

  get(traceId: string): TraceSummary | undefined {
    return this.byId.get(traceId);
  }

  /** Newest first (by start time), ties by id so the order is stable. */
  newestFirst(): TraceSummary[] {
    this.sorted ??= [...this.byId.values()].sort((a, b) => b.startUs - a.startUs || (a.traceId < b.traceId ? -1 : 1));
    return this.sorted;
  }

  /** One group per endpoint, the group with the newest trace first. */
  byEndpoint(): EndpointGroup[] {
    return groupByEndpoint(this.newestFirst());
  }
}

/** One group per endpoint (root service and operation), in the order of each group's first trace. */
export function groupByEndpoint(traces: readonly TraceSummary[]): EndpointGroup[] {
  const groups = new Map<string, EndpointGroup>();
  for (const trace of traces) {
    const key = endpointKey(trace);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { key, service: trace.rootService, name: trace.rootName, traces: [], errorCount: 0 }));
    group.traces.push(trace);
    if (trace.errorCount > 0) group.errorCount++;
  }
  return [...groups.values()];
}

function endpointKey(trace: Pick<TraceSummary, 'rootService' | 'rootName'>): string {
  return `${trace.rootService}\u0000${trace.rootName}`;
}

/** The middle request latency (root duration) of a group's traces, µs. */
export function medianDurationUs(traces: readonly TraceSummary[]): number {
  return percentile(traces.map((t) => t.rootDurationUs).sort((a, b) => a - b), 0.5);
}
