/**
 * A trace view as it travels — ingest worker → extension host → webview, a
 * following window's HTTP answer, the copy kept with a panel — as bytes the
 * extension host never has to parse: two lines of JSON (NDJSON).
 * src/views/trace-document.ts writes and reads it.
 *
 *   {"format":1,"traceId":"…","root":{…},"spans":10000,"logs":3,"places":[[…],…]}   ← the head: small, read by the host
 *   {"traceId":"…","nodes":[…],"spans":[…],"logs":[…],"analysis":{…}}              ← the TraceView: forwarded as it is
 *
 * The head's `places` are the distinct lists of code places the trace's spans
 * name (see src/source/trace-places.ts); each view node lists, in `places`,
 * the ones to try for its line. The host resolves each list once against its
 * own workspace and sends the webview one label per list, so neither the
 * host's work nor its messages grow with the number of spans.
 */

/** A place in the code a span names, as the telemetry names it (src/model/code-place.ts `PlaceCandidate`). */
export interface DocumentPlace {
  path: string;
  /** 1-based. */
  line: number;
  column?: number;
  /** Only the file's base name is known (Java). */
  suffixOnly?: boolean;
  /** Which of the span's data named it (src/source/span-source.ts). */
  from: 'attributes' | 'legacy-attributes' | 'code.stacktrace' | 'exception';
  functionName?: string;
}

export interface TraceDocumentHead {
  /** TRACE_DOCUMENT_FORMAT (src/views/trace-document.ts). */
  format: 1;
  traceId: string;
  /** The root span's name, duration and start (µs since the epoch; absent in documents kept before it was), for a tab title; absent when the root was never received. */
  root?: { name: string; durationUs: number; startUs?: number };
  spans: number;
  logs: number;
  /** Each list: the candidates of one place, best first; the first inside the workspace is the place. */
  places: DocumentPlace[][];
}

/**
 * A trace no view is built for, and why (it is too large to draw): what a panel shows instead of the
 * trace, and what `GET /api/traces/{id}/view` answers with 422.
 */
export interface UndrawableTrace {
  undrawable: string;
}

/** A trace document, or why the trace has none. */
export type TraceDocument = Uint8Array | UndrawableTrace;
