/**
 * Trace files from disk → SpanRecords, whatever wrote them: an OTLP/JSON or
 * OTLP/protobuf ExportTraceServiceRequest (what the SDKs send), OTLP JSON lines
 * (the OpenTelemetry Collector's file exporter: one request per line), a Jaeger
 * UI export, or a Zipkin v2 span array. The format is told from the content,
 * not the file name, so a misnamed file still loads.
 *
 * Errors name the file and the place: `path:line:column:` for JSON (for JSON
 * lines, the line of the file), the byte offset for protobuf. One bad file
 * never stops the others: `loadTraceInputs` collects them in `errors`.
 *
 * Big files: each file is read once as a Buffer; OTLP/JSON goes first through
 * the byte-level fast decoder (no JSON.parse tree), and nothing here is worse
 * than linear in the file's size.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { errorText } from '../common/errors';
import type { DecodedSpans, SpanRecord } from '../model/span';
import { isObject } from '../wire/export-fields';
import { decodeJaegerJson } from '../wire/jaeger-json';
import { jsonSyntaxError, lineColumn } from '../wire/json-syntax';
import { decodeTracesJson } from '../wire/otlp-json-traces';
import { decodeTracesJsonFast } from '../wire/otlp-json-fast';
import { decodeTracesProto } from '../wire/otlp-proto-traces';
import { WireError } from '../wire/wire-error';
import { decodeZipkinJson } from '../wire/zipkin-json';

export type TraceFileFormat = 'otlp-json' | 'otlp-jsonl' | 'otlp-proto' | 'jaeger' | 'zipkin';

export interface TraceFile {
  format: TraceFileFormat;
  spans: SpanRecord[];
  /** Spans left out because their ids cannot place them in a trace, and why the first was. */
  rejected: number;
  rejectReason: string;
}

export interface LoadedTraceFile extends TraceFile {
  path: string;
}

export interface TraceFileError {
  path: string;
  /** Starts with the path (and `:line:column` where there is one). */
  message: string;
}

/** What a directory is searched for; a file named explicitly is read whatever its name. */
export const TRACE_FILE_EXTENSIONS: readonly string[] = ['.json', '.jsonl', '.ndjson', '.pb', '.binpb', '.otlp', '.bin', '.protobuf'];

/** A problem at a place in a file: `where` is `line:column`, `line`, or '' (the detail names the offset). */
class LocatedError extends Error {
  constructor(readonly where: string, readonly detail: string) {
    super(where === '' ? detail : `${where}: ${detail}`);
  }
}

/** Reads and decodes one trace file. Throws an Error whose message starts with the path. */
export async function loadTraceFile(path: string): Promise<TraceFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`${path}: cannot read: ${errorText(error)}`);
  }
  try {
    return decodeTraceFile(bytes);
  } catch (error) {
    if (error instanceof LocatedError) throw new Error(`${path}${error.where === '' ? '' : `:${error.where}`}: ${error.detail}`);
    throw new Error(`${path}: ${errorText(error)}`);
  }
}

/** Loads every file named, and every trace file under every directory named; a failure is an entry in `errors`. */
export async function loadTraceInputs(paths: string[]): Promise<{ loaded: LoadedTraceFile[]; errors: TraceFileError[] }> {
  const files: string[] = [];
  const errors: TraceFileError[] = [];
  for (const path of paths) await expand(path, files, errors);
  const loaded: LoadedTraceFile[] = [];
  // One at a time: a few big files at once would hold all their bytes at once.
  for (const path of new Set(files)) {
    try {
      loaded.push({ path, ...(await loadTraceFile(path)) });
    } catch (error) {
      errors.push({ path, message: errorText(error) });
    }
  }
  return { loaded, errors };
}

async function expand(path: string, files: string[], errors: TraceFileError[]): Promise<void> {
  try {
    if ((await stat(path)).isDirectory()) await walk(path, files);
    else files.push(path);
  } catch (error) {
    errors.push({ path, message: `${path}: ${errorText(error)}` });
  }
}

/** Trace files under `dir`, in name order; symbolic links to directories are not followed (no cycles). */
async function walk(dir: string, files: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, files);
    else if ((entry.isFile() || entry.isSymbolicLink()) && TRACE_FILE_EXTENSIONS.includes(extname(entry.name).toLowerCase())) files.push(path);
  }
}

/** Tells the format from the content and decodes it. Throws an Error whose message starts with the place (`line:column: `) if there is one. */
export function decodeTraceFile(bytes: Uint8Array): TraceFile {
  // A protobuf request starts with 0x0a (field 1, length-delimited), which is also '\n':
  // when that reads as a request holding spans, it is one; else the bytes may be JSON.
  if (bytes[0] === 0x0a) {
    const proto = tryProto(bytes);
    if (proto !== undefined && (proto.spans.length > 0 || proto.rejected > 0)) return { format: 'otlp-proto', ...proto };
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // a UTF-8 byte order mark
  let i = start;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (i === bytes.length) throw new LocatedError('', 'the file is empty');
  if (bytes[i] === 0x7b) return decodeJsonObject(bytes.subarray(start)); // '{'
  if (bytes[i] === 0x5b) { // '['
    const root = parseWhole(new TextDecoder().decode(bytes.subarray(start)));
    return labelled('zipkin', () => decodeZipkinJson(root as object));
  }
  return { format: 'otlp-proto', ...decodeProto(bytes) };
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
    throw new LocatedError('', `not JSON, and not OTLP protobuf: ${errorText(error)}`);
  }
  // Stray bytes can happen to parse as unknown fields; a request with no spans at all is not taken for one.
  if (decoded.spans.length === 0 && decoded.rejected === 0) {
    const first = bytes[0]!.toString(16).padStart(2, '0');
    throw new LocatedError('', `not JSON, and not OTLP protobuf: no spans in ${bytes.length} bytes (expected field 1, resource_spans; byte 0 is 0x${first})`);
  }
  return decoded;
}

/** A file starting with '{': OTLP JSON, a Jaeger export, or OTLP JSON lines. */
function decodeJsonObject(bytes: Uint8Array): TraceFile {
  const fast = decodeTracesJsonFast(bytes);
  if (fast !== undefined && (fast.spans.length > 0 || fast.rejected > 0)) return { format: 'otlp-json', ...fast };
  const text = new TextDecoder().decode(bytes);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    if (isJsonLines(text)) return { format: 'otlp-jsonl', ...decodeJsonLines(bytes) };
    throw syntaxError(text, error, 0);
  }
  if (isObject(root) && (root.resourceSpans !== undefined || root.resource_spans !== undefined)) {
    return labelled('otlp-json', () => decodeTracesJson(text));
  }
  if (isObject(root) && Array.isArray(root.data)) return labelled('jaeger', () => decodeJaegerJson(root));
  const keys = isObject(root) ? Object.keys(root).slice(0, 5).map((k) => JSON.stringify(k)).join(', ') : '';
  throw new LocatedError('', `expected "resourceSpans" (an OTLP ExportTraceServiceRequest) or "data" (a Jaeger export), got an object with keys ${keys || '(none)'}`);
}

const LABELS: Record<TraceFileFormat, string> = {
  'otlp-json': 'OTLP JSON', 'otlp-jsonl': 'OTLP JSON lines', 'otlp-proto': 'OTLP protobuf', jaeger: 'Jaeger JSON', zipkin: 'Zipkin JSON',
};

/** Runs a decoder; its WireError (a field path and what was expected) is prefixed with the format it read. */
function labelled(format: TraceFileFormat, decode: () => DecodedSpans): TraceFile {
  try {
    return { format, ...decode() };
  } catch (error) {
    if (error instanceof WireError) throw new LocatedError('', `${LABELS[format]}: ${error.message}`);
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
function decodeJsonLines(bytes: Uint8Array): DecodedSpans {
  const out: DecodedSpans = { spans: [], rejected: 0, rejectReason: '' };
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
    const decoded = fast !== undefined && (fast.spans.length > 0 || fast.rejected > 0) ? fast : decodeLine(decoder.decode(lineBytes), line);
    for (const span of decoded.spans) out.spans.push(span);
    if (decoded.rejected > 0 && out.rejected === 0) out.rejectReason = `line ${line}: ${decoded.rejectReason}`;
    out.rejected += decoded.rejected;
  }
  return out;
}

function decodeLine(text: string, line: number): DecodedSpans {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw syntaxError(text, error, line);
  }
  if (!isObject(root) || (root.resourceSpans === undefined && root.resource_spans === undefined)) {
    throw new LocatedError(`${line}`, 'expected an OTLP ExportTraceServiceRequest object {"resourceSpans": [...]} on this line');
  }
  try {
    return decodeTracesJson(text);
  } catch (error) {
    throw new LocatedError(`${line}`, `${LABELS['otlp-json']}: ${errorText(error)}`);
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
function syntaxError(text: string, error: unknown, line: number): LocatedError {
  const found = jsonSyntaxError(text);
  if (found === undefined) return new LocatedError(line === 0 ? '' : `${line}`, `invalid JSON: ${errorText(error)}`);
  const at = lineColumn(text, found.offset);
  return new LocatedError(line === 0 ? `${at.line}:${at.column}` : `${line}:${at.column}`, `invalid JSON: ${found.detail}`);
}
