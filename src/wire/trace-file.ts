/**
 * A trace file's bytes → SpanRecords, whatever wrote them: an OTLP/JSON or OTLP/protobuf
 * ExportTraceServiceRequest (what the SDKs send), length-delimited OTLP protobuf requests, OTLP JSON lines
 * (the OpenTelemetry Collector's file exporter: one request per line), a Jaeger UI export, a Zipkin v2 span
 * array, or Hopscope's own `/api/traces/{traceId}` JSON. The format is told from the content, not the file
 * name. Pure: `hopscope analyze` reads the files, the ingest worker decodes what the editor opens.
 *
 * Errors name the place: `line:column` for JSON (for JSON lines, the line of the file), the byte offset for
 * protobuf (TraceFileProblem). Nothing here is worse than linear in the file's size.
 */
import { errorText } from '../common/errors';
import type { DecodedLogs, DecodedSpans, LogRecord, SpanRecord } from '../model/span';
import { isObject } from './export-fields';
import { decodeHopscopeTraceJson, isHopscopeTraceJson } from './hopscope-json';
import { decodeJaegerJson } from './jaeger-json';
import { jsonSyntaxError, lineColumn } from './json-syntax';
import { decodeTracesJsonFast } from './otlp-json-fast';
import { decodeLogsJson } from './otlp-json-logs';
import { decodeTracesJson } from './otlp-json-traces';
import { decodeTracesProto } from './otlp-proto-traces';
import { WireError } from './wire-error';
import { decodeZipkinJson } from './zipkin-json';

export type TraceFileFormat = 'otlp-json' | 'otlp-jsonl' | 'otlp-proto' | 'otlp-proto-delimited' | 'jaeger' | 'zipkin' | 'hopscope';

export interface TraceFile {
  format: TraceFileFormat;
  spans: SpanRecord[];
  /** Spans left out because their ids cannot place them in a trace, and why the first was. */
  rejected: number;
  rejectReason: string;
  /** Log records, from the formats that carry them (OTLP JSON lines with logs requests, Hopscope's JSON). */
  logs: LogRecord[];
}

const NO_LOGS: LogRecord[] = [];

/** A problem at a place in a file: `where` is `line:column`, `line`, or '' (the detail names the offset). */
export class TraceFileProblem extends Error {
  constructor(readonly where: string, readonly detail: string) {
    super(where === '' ? detail : `${where}: ${detail}`);
  }
}

/**
 * Tells the format from the content and decodes it. Throws a TraceFileProblem naming the place (`line:column`)
 * if there is one. Given `problems`, a bad line of JSON lines is noted there (`line: why`) and its neighbours
 * are still read, instead of failing the file.
 */
export function decodeTraceFile(bytes: Uint8Array, problems?: string[]): TraceFile {
  // A protobuf request starts with 0x0a (field 1, length-delimited), which is also '\n':
  // when that reads as a request holding spans, it is one; else the bytes may be JSON.
  if (bytes[0] === 0x0a) {
    const proto = tryProto(bytes);
    if (proto !== undefined && (proto.spans.length > 0 || proto.rejected > 0)) return { format: 'otlp-proto', ...proto, logs: NO_LOGS };
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // a UTF-8 byte order mark
  let i = start;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (i === bytes.length) throw new TraceFileProblem('', 'the file is empty');
  if (bytes[i] === 0x7b) return decodeJsonObject(bytes.subarray(start), problems); // '{'
  if (bytes[i] === 0x5b) { // '['
    const root = parseWhole(new TextDecoder().decode(bytes.subarray(start)));
    return labelled('zipkin', () => decodeZipkinJson(root as object));
  }
  const delimited = tryDelimited(bytes);
  if (delimited) return { format: 'otlp-proto-delimited', ...delimited, logs: NO_LOGS };
  return { format: 'otlp-proto', ...decodeProto(bytes), logs: NO_LOGS };
}

/** Reads a varint at `at`: [value, next offset], or undefined past the end or over 2^35. */
function varint(bytes: Uint8Array, at: number): [number, number] | undefined {
  let value = 0;
  for (let shift = 0, i = at; i < bytes.length && shift < 35; shift += 7, i++) {
    value += (bytes[i]! & 0x7f) * 2 ** shift;
    if (bytes[i]! < 0x80) return [value, i + 1];
  }
  return undefined;
}

/**
 * Length-delimited OTLP protobuf: requests one after another, each after its length as a varint (what
 * protobuf's writeDelimitedTo and the Collector's file exporter with `format: proto` write). Undefined when
 * the bytes are not exactly that, or hold no spans.
 */
function tryDelimited(bytes: Uint8Array): DecodedSpans | undefined {
  const out: DecodedSpans = { spans: [], rejected: 0, rejectReason: '' };
  for (let at = 0, n = 0; at < bytes.length; n++) {
    const length = varint(bytes, at);
    if (!length || length[1] + length[0] > bytes.length) return undefined;
    const decoded = tryProto(bytes.subarray(length[1], length[1] + length[0]));
    if (!decoded) return undefined;
    for (const span of decoded.spans) out.spans.push(span);
    if (decoded.rejected > 0 && out.rejected === 0) out.rejectReason = `request ${n + 1}: ${decoded.rejectReason}`;
    out.rejected += decoded.rejected;
    at = length[1] + length[0];
  }
  return out.spans.length > 0 || out.rejected > 0 ? out : undefined;
}

function tryProto(bytes: Uint8Array): DecodedSpans | undefined {
  try {
    return decodeTracesProto(bytes);
  } catch {
    return undefined;
  }
}

function decodeProto(bytes: Uint8Array): DecodedSpans {
  let decoded: DecodedSpans;
  try {
    decoded = decodeTracesProto(bytes);
  } catch (error) {
    throw new TraceFileProblem('', `not JSON, and not OTLP protobuf: ${errorText(error)}`);
  }
  // Stray bytes can happen to parse as unknown fields; a request with no spans at all is not taken for one.
  if (decoded.spans.length === 0 && decoded.rejected === 0) {
    const first = bytes[0]!.toString(16).padStart(2, '0');
    throw new TraceFileProblem('', `not JSON, and not OTLP protobuf: no spans in ${bytes.length} bytes (expected field 1, resource_spans; byte 0 is 0x${first})`);
  }
  return decoded;
}

/** A file starting with '{': OTLP JSON, a Jaeger export, or OTLP JSON lines. */
function decodeJsonObject(bytes: Uint8Array, problems: string[] | undefined): TraceFile {
  const fast = decodeTracesJsonFast(bytes);
  if (fast !== undefined && (fast.spans.length > 0 || fast.rejected > 0)) return { format: 'otlp-json', ...fast, logs: NO_LOGS };
  const text = new TextDecoder().decode(bytes);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    if (isJsonLines(text)) return { format: 'otlp-jsonl', ...decodeJsonLines(bytes, problems) };
    throw syntaxError(text, error, 0);
  }
  if (isObject(root) && (root.resourceSpans !== undefined || root.resource_spans !== undefined)) {
    return labelled('otlp-json', () => decodeTracesJson(text));
  }
  if (isObject(root) && Array.isArray(root.data)) return labelled('jaeger', () => decodeJaegerJson(root));
  // Its log records come along: labelled spreads what the decoder gives over the empty default.
  if (isHopscopeTraceJson(root)) return labelled('hopscope', () => decodeHopscopeTraceJson(root));
  const keys = isObject(root) ? Object.keys(root).slice(0, 5).map((k) => JSON.stringify(k)).join(', ') : '';
  throw new TraceFileProblem('', `expected "resourceSpans" (an OTLP ExportTraceServiceRequest), "data" (a Jaeger export) or "spans" (Hopscope's /api/traces/{traceId}), got an object with keys ${keys || '(none)'}`);
}

const LABELS: Record<TraceFileFormat, string> = {
  'otlp-json': 'OTLP JSON', 'otlp-jsonl': 'OTLP JSON lines', 'otlp-proto': 'OTLP protobuf', 'otlp-proto-delimited': 'length-delimited OTLP protobuf',
  jaeger: 'Jaeger JSON', zipkin: 'Zipkin JSON', hopscope: "Hopscope's trace JSON",
};

/** Runs a decoder; its WireError (a field path and what was expected) is prefixed with the format it read. */
function labelled(format: TraceFileFormat, decode: () => DecodedSpans): TraceFile {
  try {
    return { logs: NO_LOGS, format, ...decode() };
  } catch (error) {
    if (error instanceof WireError) throw new TraceFileProblem('', `${LABELS[format]}: ${error.message}`);
    throw error;
  }
}

/** More than one line, and the first is a JSON object on its own. */
function isJsonLines(text: string): boolean {
  const newline = text.indexOf('\n');
  if (newline < 0 || text.slice(newline).trim() === '') return false;
  try {
    return isObject(JSON.parse(text.slice(0, newline)));
  } catch {
    return false;
  }
}

/** One ExportTraceServiceRequest per line; blank lines are skipped. Errors name the line. */
function decodeJsonLines(bytes: Uint8Array, problems: string[] | undefined): DecodedSpans & { logs: LogRecord[] } {
  const out: DecodedSpans & { logs: LogRecord[] } = { spans: [], rejected: 0, rejectReason: '', logs: [] };
  const decoder = new TextDecoder();
  let line = 0;
  for (let start = 0; start < bytes.length; ) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    line++;
    const lineBytes = bytes.subarray(start, end > start && bytes[end - 1] === 0x0d ? end - 1 : end);
    start = end + 1;
    if (lineBytes.every((b) => b === 0x20 || b === 0x09)) continue;
    const fast = decodeTracesJsonFast(lineBytes);
    let decoded: DecodedSpans | DecodedLogs;
    try {
      decoded = fast !== undefined && (fast.spans.length > 0 || fast.rejected > 0) ? fast : decodeLine(decoder.decode(lineBytes), line);
    } catch (error) {
      if (!problems || !(error instanceof TraceFileProblem)) throw error;
      problems.push(error.message);
      continue;
    }
    if ('logs' in decoded) {
      for (const log of decoded.logs) out.logs.push(log);
      continue;
    }
    for (const span of decoded.spans) out.spans.push(span);
    if (decoded.rejected > 0 && out.rejected === 0) out.rejectReason = `line ${line}: ${decoded.rejectReason}`;
    out.rejected += decoded.rejected;
  }
  return out;
}

/** One line: a traces request, or a logs request (an exported trace's logs, after its spans). */
function decodeLine(text: string, line: number): DecodedSpans | DecodedLogs {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw syntaxError(text, error, line);
  }
  const logs = isObject(root) && (root.resourceLogs !== undefined || root.resource_logs !== undefined);
  if (!isObject(root) || (!logs && root.resourceSpans === undefined && root.resource_spans === undefined)) {
    throw new TraceFileProblem(`${line}`, 'expected an OTLP export request object {"resourceSpans": [...]} or {"resourceLogs": [...]} on this line');
  }
  try {
    return logs ? decodeLogsJson(text) : decodeTracesJson(text);
  } catch (error) {
    throw new TraceFileProblem(`${line}`, `${LABELS['otlp-json']}: ${errorText(error)}`);
  }
}

/** A whole-file JSON text → value, with the syntax error's line:column. */
function parseWhole(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw syntaxError(text, error, 0);
  }
}

/** Where JSON.parse failed: `line:column` in the file (`line` given: a JSON-lines line, column within it). */
function syntaxError(text: string, error: unknown, line: number): TraceFileProblem {
  const found = jsonSyntaxError(text);
  if (found === undefined) return new TraceFileProblem(line === 0 ? '' : `${line}`, `invalid JSON: ${errorText(error)}`);
  const at = lineColumn(text, found.offset);
  return new TraceFileProblem(line === 0 ? `${at.line}:${at.column}` : `${line}:${at.column}`, `invalid JSON: ${found.detail}`);
}
