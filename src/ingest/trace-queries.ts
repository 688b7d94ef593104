/**
 * Trace queries (src/analysis/trace-query.ts) answered over the store, in the
 * thread that holds it: the Traces view's filter (the `queryTraces` message)
 * and `GET /api/traces?q=`.
 *
 * A query is decided from each trace's summary and headline first; only an
 * attribute term reads spans. A trace only grows, so what the spans said is
 * remembered per trace and term, with how far they were read: asking again
 * while traces stream in reads only the spans that came since (a trace evicted
 * and received again starts over). One answer reads at most MAX_SPANS_READ
 * spans; traces it could not finish are left out and counted in `unchecked`
 * (newest traces are read first; asking again reads on).
 */
import type { AnalysisHeadline } from '../analysis/headline';
import { matchesTrace, spanHasAttribute, type QueriedTrace } from '../analysis/trace-query-match';
import { parseTraceQuery, type AttributeTerm, type QueryError, type TraceQuery } from '../analysis/trace-query';
import type { SpanRecord } from '../model/span';
import type { TraceStore, TraceSummary } from './trace-store';

export const MAX_SPANS_READ = 1_000_000;
/** Queries whose span answers are remembered (the view's filter, and a few asked at the API). */
const REMEMBERED_QUERIES = 4;

/** Plain JSON: it crosses to the host. */
export type QueryAnswer =
  /** The matching traces, newest first; `unchecked` traces were not read in time and are not among them. */
  | { ok: true; traceIds: string[]; unchecked: number }
  | { ok: false; error: QueryError };

/** How far one attribute term has read one trace's spans, and whether one had the attribute. */
interface Reading {
  read: number;
  found: boolean;
  cursor: Iterator<SpanRecord>;
}

interface Remembered {
  /** Which entry of the store it read (a trace evicted and received again is another). */
  generation: number;
  /** By the term's position in the query text. */
  readings: Map<number, Reading>;
}

interface Query {
  parsed: TraceQuery;
  byTrace: Map<string, Remembered>;
}

export class TraceQueries {
  private readonly queries = new Map<string, Query>();

  constructor(
    private readonly store: TraceStore,
    /** The trace's analysis headline (the rules of its findings), once it has been analysed. */
    private readonly headlineOf: (traceId: string) => AnalysisHeadline | undefined = () => undefined,
    private readonly maxSpansRead = MAX_SPANS_READ,
  ) {}

  run(text: string): QueryAnswer {
    const query = this.query(text);
    if ('error' in query) return { ok: false, error: query.error };
    const { parsed } = query;
    const summaries = this.store.summaries();
    if (parsed.clauses.length === 0) return { ok: true, traceIds: summaries.map((s) => s.traceId), unchecked: 0 };
    const byTrace = new Map<string, Remembered>();
    const traceIds: string[] = [];
    let budget = this.maxSpansRead;
    let unchecked = 0;
    for (const summary of summaries) {
      const extent = this.store.extent(summary.traceId);
      if (!extent) continue;
      let remembered = query.byTrace.get(summary.traceId);
      if (remembered?.generation !== extent.generation) remembered = { generation: extent.generation, readings: new Map() };
      byTrace.set(summary.traceId, remembered);
      const { readings } = remembered;
      let unfinished = false;
      const spanTerm = (term: AttributeTerm): boolean => {
        let reading = readings.get(term.at);
        if (!reading) {
          const cursor = this.store.spanCursor(summary.traceId);
          if (!cursor) return false;
          readings.set(term.at, (reading = { read: 0, found: false, cursor }));
        }
        // A live cursor: read it only while the trace has spans it has not given yet.
        while (!reading.found && reading.read < extent.spans) {
          if (budget === 0) {
            unfinished = true;
            return false;
          }
          const next = reading.cursor.next();
          if (next.done) break;
          reading.read++;
          budget--;
          reading.found = spanHasAttribute(term, next.value);
        }
        return reading.found;
      };
      const matched = matchesTrace(parsed, queried(summary, this.headlineOf(summary.traceId)), spanTerm);
      if (unfinished) unchecked++;
      else if (matched) traceIds.push(summary.traceId);
    }
    // Only the traces still stored are remembered.
    query.byTrace = byTrace;
    return { ok: true, traceIds, unchecked };
  }

  private query(text: string): Query | { error: QueryError } {
    const known = this.queries.get(text);
    if (known) {
      this.queries.delete(text);
      this.queries.set(text, known);
      return known;
    }
    const parsed = parseTraceQuery(text);
    if (!parsed.ok) return { error: parsed.error };
    const query: Query = { parsed: parsed.query, byTrace: new Map() };
    this.queries.set(text, query);
    for (const oldest of this.queries.keys()) {
      if (this.queries.size <= REMEMBERED_QUERIES) break;
      this.queries.delete(oldest);
    }
    return query;
  }
}

function queried(summary: TraceSummary, headline: AnalysisHeadline | undefined): QueriedTrace {
  const rules = (headline ?? summary.headline)?.rules;
  return rules ? { ...summary, rules } : summary;
}
