/**
 * From where V8 runs code to where a developer wrote it.
 *
 * With `--enable-source-maps` (or `process.setSourceMapsEnabled(true)`, which
 * tsx calls) Node keeps each loaded module's source map, but maps only the
 * `.stack` string: structured call sites still carry the generated positions.
 * `module.findSourceMap(file)` hands out the map Node already parsed, and
 * `findEntry` gives the mapping Node's own stack trace shows, so the span and
 * the console agree. Not `findOrigin`: it adds the column distance from that
 * mapping in the *compiled* code, which is wrong wherever compiling widened the
 * line (`callJson(` becomes `(0, import_client.callJson)(`).
 * Without source maps there is no map and the running file's position is kept.
 */
import { findSourceMap, type SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { column0, line0, toColumn0, toColumn1, toLine0, toLine1, type Column1, type Line1 } from '../common/positions';

export interface SourcePosition {
  /** A path where there is one (file: URLs are converted); other URLs as they are. */
  path: string;
  /** As in stack traces and OTel's `code.line.number`. */
  line: Line1;
  /** As in stack traces. */
  column: Column1;
}

/** Enough for every module of a large service; past it (code evaluated under
 * ever new names) the cache starts over rather than grow without end. */
const MAX_FILES = 10_000;

export class SourcePositions {
  private readonly maps = new Map<string, SourceMap | null>();
  private readonly paths = new Map<string, string>();

  /** Where `line`:`column` of the running `file` (a path or URL, as V8 names it) was written. */
  resolve(file: string, line: Line1, column: Column1): SourcePosition {
    const entry = this.mapOf(file)?.findEntry(toLine0(line), toColumn0(column));
    if (entry && 'originalSource' in entry && entry.originalSource) {
      // Node's source maps count from 0, stack traces and OTel from 1.
      return { path: this.pathOf(entry.originalSource), line: toLine1(line0(entry.originalLine)), column: toColumn1(column0(entry.originalColumn)) };
    }
    return { path: this.pathOf(file), line, column };
  }

  private mapOf(file: string): SourceMap | undefined {
    let map = this.maps.get(file);
    if (map === undefined) {
      if (this.maps.size >= MAX_FILES) this.maps.clear();
      map = lookUp(file);
      this.maps.set(file, map);
    }
    return map ?? undefined;
  }

  private pathOf(fileOrUrl: string): string {
    let path = this.paths.get(fileOrUrl);
    if (path === undefined) {
      if (this.paths.size >= MAX_FILES) this.paths.clear();
      path = toPath(fileOrUrl);
      this.paths.set(fileOrUrl, path);
    }
    return path;
  }
}

function lookUp(file: string): SourceMap | null {
  try {
    return findSourceMap(file) ?? null;
  } catch {
    return null;
  }
}

function toPath(fileOrUrl: string): string {
  if (!fileOrUrl.startsWith('file:')) return fileOrUrl;
  try {
    return fileURLToPath(fileOrUrl);
  } catch {
    return fileOrUrl;
  }
}
