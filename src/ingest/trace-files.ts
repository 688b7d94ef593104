/**
 * Files in and out of the store, for the editor's Open Trace File and Export Trace: what the CLI reads, run
 * in the ingest worker so the editor's thread never decodes a span.
 *
 *   open     file bytes ─ decodeTraceFile ─▶ store.add (merged by span id)  ─▶ journal (as OTLP/JSON)
 *   export   store.get(traceId) ─▶ OTLP JSON lines (otlp-json-encode.ts)
 *
 * An opened file's traces are journaled like received ones, so they too are there after a reload.
 */
import { errorText } from '../common/errors';
import { encodeLogsJson, encodeTracesJson, traceJsonLines } from '../wire/otlp-json-encode';
import { decodeTraceFile, TraceFileProblem, type TraceFileFormat } from '../wire/trace-file';
import type { IngestCore } from './ingest-core';

export interface OpenedFile {
  /** The traces the file held, in the order they first appear. */
  traceIds: string[];
  spans: number;
  logs: number;
  format: TraceFileFormat | null;
  /** Spans left out (ids that cannot place them) and why the first was. */
  rejected: number;
  rejectReason: string;
  /** Lines (of JSON lines) that were not read, each `name:line: why`; their neighbours were. */
  problems: string[];
  /** Why nothing was read: `name[:line:column]: why`. */
  error: string | null;
}

/** Decodes `bytes` (a file called `name`) into the store; never throws. */
export function openTraceFile(core: IngestCore, name: string, bytes: Uint8Array): OpenedFile {
  const problems: string[] = [];
  try {
    const file = decodeTraceFile(bytes, problems);
    core.store.add(file.spans);
    if (file.logs.length > 0) core.store.addLogs(file.logs);
    const encoder = new TextEncoder();
    const now = Date.now();
    if (file.spans.length > 0) void core.journal?.append('traces', 'json', encoder.encode(encodeTracesJson(file.spans)), now);
    if (file.logs.length > 0) void core.journal?.append('logs', 'json', encoder.encode(encodeLogsJson(file.logs)), now);
    const traceIds = [...new Set(file.spans.map((s) => s.traceId))];
    return {
      traceIds, spans: file.spans.length, logs: file.logs.length, format: file.format, rejected: file.rejected, rejectReason: file.rejectReason,
      problems: problems.map((p) => `${name}:${p}`), error: null,
    };
  } catch (error) {
    const message = error instanceof TraceFileProblem ? `${name}${error.where === '' ? '' : `:${error.where}`}: ${error.detail}` : `${name}: ${errorText(error)}`;
    return { traceIds: [], spans: 0, logs: 0, format: null, rejected: 0, rejectReason: '', problems: problems.map((p) => `${name}:${p}`), error: message };
  }
}

/** A stored trace as OTLP JSON lines (its spans' request, then its logs'); null when it is not stored. */
export function exportTrace(core: IngestCore, traceId: string): Uint8Array | null {
  const trace = core.store.get(traceId);
  return trace ? new TextEncoder().encode(traceJsonLines(trace.spans, trace.logs)) : null;
}
