/**
 * Trace files from disk → SpanRecords (the formats and their errors: src/wire/trace-file.ts). Errors name the
 * file and the place: `path:line:column:` for JSON, the byte offset for protobuf. One bad file never stops the
 * others: `loadTraceInputs` collects them in `errors`. Each file is read once, one at a time.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { errorText } from '../common/errors';
import { decodeTraceFile, type TraceFile, TraceFileProblem } from '../wire/trace-file';

export { decodeTraceFile, type TraceFile, type TraceFileFormat } from '../wire/trace-file';

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
    if (error instanceof TraceFileProblem) throw new Error(`${path}${error.where === '' ? '' : `:${error.where}`}: ${error.detail}`);
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

