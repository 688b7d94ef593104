/**
 * From a line of compiled JavaScript back to the source it came from, through
 * the file's source map: its `//# sourceMappingURL=` comment (a file beside it
 * or an inline `data:` URL), or else a `<file>.map` beside it. Maps are never
 * fetched from the network, and a map file is read only when it is inside the
 * workspace (the caller's `placeMap` says so).
 *
 *   dist/orders.js  line 10 col 5      //# sourceMappingURL=orders.js.map
 *        │
 *        ▼ orders.js.map: sources ["../src/orders.ts"]
 *   { source: '<ws>/src/orders.ts', kind: 'local', line: 7, column: 3 }
 *
 * A relative source is resolved against the map and comes back `local`: it is
 * exactly that file or nothing. An absolute path or a bundler URL
 * (`webpack://shop/./src/orders.ts`) was written on the build machine and comes
 * back `foreign`, for the caller to map like any other foreign path.
 *
 * Source maps count lines from 1 like OTel, but columns from 0: a column
 * crosses only in `lookup`, through src/common/positions.ts.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SourceMapConsumer } from 'source-map-js';
import { column0, column1, line1, toColumn0, toColumn1, type Column0, type Column1 } from '../common/positions';

export interface OriginalPosition {
  /** `local`: an absolute local path. `foreign`: a path (or a bundler URL's path) from elsewhere. */
  source: string;
  kind: 'local' | 'foreign';
  /** 1-based. */
  line: number;
  /** 1-based. */
  column?: number;
  name?: string;
}

/** Compiled files and maps larger than this are not read. */
export const MAX_MAP_INPUT_BYTES = 32 * 1024 * 1024;
const MAX_CACHED_MAPS = 64;
const MARKERS = ['//# sourceMappingURL=', '//@ sourceMappingURL='];

interface LoadedMap {
  consumer: SourceMapConsumer;
  /** The real path of the map, or of the compiled file for an inline map. */
  base: string;
}

export class SourceMaps {
  private readonly maps = new Map<string, Promise<LoadedMap | undefined>>();

  /** @param placeMap the map file's real path when it is inside the workspace, else undefined */
  constructor(private readonly placeMap: (path: string) => Promise<string | undefined>) {}

  /** Where (line, column) of the compiled file `file` came from, if its source map says. */
  async original(file: string, line: number, column?: number): Promise<OriginalPosition | undefined> {
    if (!/\.[cm]?js$/i.test(file)) return undefined;
    let loaded = this.maps.get(file);
    if (!loaded) {
      if (this.maps.size >= MAX_CACHED_MAPS) this.maps.delete(this.maps.keys().next().value!);
      this.maps.set(file, (loaded = this.load(file).catch(() => undefined)));
    }
    const map = await loaded;
    if (!map) return undefined;
    try {
      return lookup(map, line, column);
    } catch {
      return undefined;
    }
  }

  private async load(file: string): Promise<LoadedMap | undefined> {
    const text = await readSmall(file);
    const url = text === undefined ? undefined : mappingUrl(text);
    let json: string | undefined;
    let base = file;
    if (url?.startsWith('data:')) {
      json = dataUrlText(url);
    } else {
      const local = url === undefined ? undefined : mapPath(file, url);
      const candidates = local === undefined ? [`${file}.map`] : [local];
      for (const candidate of candidates) {
        const placed = await this.placeMap(candidate);
        if (placed === undefined) continue;
        json = await readSmall(placed);
        base = placed;
        if (json !== undefined) break;
      }
    }
    if (json === undefined) return undefined;
    const consumer = new SourceMapConsumer(JSON.parse(json) as ConstructorParameters<typeof SourceMapConsumer>[0]);
    return { consumer, base };
  }
}

function lookup(map: LoadedMap, line: number, column: number | undefined): OriginalPosition | undefined {
  const at = { line: line1(line), column: column === undefined ? column0(0) : mapColumn(column1(column)) };
  // Without a column, the first mapping on the line is the best guess.
  const biases = column === undefined ? [SourceMapConsumer.LEAST_UPPER_BOUND] : [SourceMapConsumer.GREATEST_LOWER_BOUND, SourceMapConsumer.LEAST_UPPER_BOUND];
  for (const bias of biases) {
    const found = map.consumer.originalPositionFor({ ...at, bias });
    // At run time the fields are null when nothing maps.
    const source = found.source as string | null;
    const originalLine = found.line as number | null;
    if (source === null || originalLine === null || !(originalLine >= 1)) continue;
    const where = sourcePath(source, map.base);
    if (!where) return undefined;
    const out: OriginalPosition = { ...where, line: originalLine };
    const originalColumn = found.column as number | null;
    if (originalColumn !== null && originalColumn >= 0) out.column = toColumn1(column0(originalColumn));
    if (typeof found.name === 'string' && found.name !== '') out.name = found.name;
    return out;
  }
  return undefined;
}

/** A map's source as a local path (relative to the map) or a foreign one. */
function sourcePath(source: string, base: string): Pick<OriginalPosition, 'source' | 'kind'> | undefined {
  if (source.includes('\0')) return undefined;
  if (source.startsWith('file://')) {
    try {
      return { source: fileURLToPath(source), kind: 'foreign' };
    } catch {
      return undefined;
    }
  }
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(source);
  if (scheme) return scheme[1] ? { source: scheme[1].replace(/^\/(\.\/)?/, ''), kind: 'foreign' } : undefined;
  if (isAbsolute(source)) return { source, kind: 'foreign' };
  return { source: resolve(dirname(base), source), kind: 'local' };
}

/** The URL of the last `sourceMappingURL` comment, if any. */
function mappingUrl(text: string): string | undefined {
  const at = Math.max(...MARKERS.map((m) => text.lastIndexOf(m)));
  if (at < 0) return undefined;
  return /^\S+/.exec(text.slice(at + MARKERS[0]!.length))?.[0];
}

/** A map comment's URL as a local path beside the compiled file; never a fetch. */
function mapPath(file: string, url: string): string | undefined {
  try {
    if (url.startsWith('file://')) return fileURLToPath(url);
    if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return undefined;
    return resolve(dirname(file), decodeURIComponent(url));
  } catch {
    return undefined;
  }
}

function dataUrlText(url: string): string | undefined {
  const m = /^data:([^,]*?)(;base64)?,(.*)$/s.exec(url);
  if (!m || !/^(application\/json)?(;charset=utf-?8)?$/i.test(m[1]!)) return undefined;
  try {
    return m[2] ? Buffer.from(m[3]!, 'base64').toString('utf8') : decodeURIComponent(m[3]!);
  } catch {
    return undefined;
  }
}

async function readSmall(path: string): Promise<string | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile() || info.size > MAX_MAP_INPUT_BYTES) return undefined;
  return readFile(path, 'utf8').catch(() => undefined);
}

/** An OTel / stack-trace column as a source map's; a column 0, which no stack trace has, is the first. */
function mapColumn(column: Column1): Column0 {
  return column0(Math.max(0, toColumn0(column)));
}
