/**
 * A path as a span or stack trace wrote it, on a machine that may not be this
 * one, made into a workspace file, trying in turn:
 *
 *   /ws/orders/src/orders.ts     (a) absolute, and inside a folder once links are resolved
 *   /app/src/orders.ts           (b) a path mapping { from: '/app', to: '/ws/orders' }
 *   src/orders.ts                (c) relative to a workspace folder
 *   /build/x/src/orders.ts       (d) the workspace file with the longest shared path suffix
 *   /ws/orders/dist/orders.js:10 (e) …then, for compiled JavaScript, its source map:
 *                                    ─► /ws/orders/src/orders.ts:7 (only when that is inside too)
 *
 * Whatever is not inside the workspace comes back `{ outside: true, text }`:
 * something the UI may show as text, never a file it may open.
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mapPath, type PathMapping } from './path-mappings';
import { SourceMaps } from './source-maps';
import { SuffixIndex } from './suffix-index';
import { isSanePath, WorkspacePaths, type PlacedFile, type WorkspaceFolderPath } from './workspace-paths';

export interface ResolverOptions {
  folders: readonly WorkspaceFolderPath[];
  /** Valid entries only (see validatePathMappings). */
  mappings?: readonly PathMapping[];
  /** Every file in the workspace as an absolute path, for suffix matching (e.g. from `workspace.findFiles`). Asked once. */
  listFiles?: () => Promise<readonly string[]> | readonly string[];
}

/** A path or position that is not (or not known to be) in the workspace, as text to show. */
export interface Outside {
  outside: true;
  text: string;
}

export interface InsidePosition extends PlacedFile {
  outside?: undefined;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column?: number;
  /** The name the source map gives the position, if any. */
  name?: string;
  /** Set when a source map moved the position: where the compiled code was. */
  generated?: PlacedFile & { line: number; column?: number };
}

export interface CodeReference {
  path: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column?: number;
  /** Only the file's base name is known (Java): match by suffix only. */
  suffixOnly?: boolean;
}

const MAX_TEXT = 300;
/** Paths remembered; past it the oldest are forgotten (a hostile trace can name a new path per span). */
const MAX_CACHED_PATHS = 10_000;

export class PathResolver {
  private readonly workspace: WorkspacePaths;
  private readonly mappings: readonly PathMapping[];
  private readonly files = new Map<string, Promise<PlacedFile | undefined>>();
  private readonly maps: SourceMaps;
  private suffixes: Promise<SuffixIndex> | undefined;

  constructor(private readonly options: ResolverOptions) {
    this.workspace = new WorkspacePaths(options.folders);
    this.mappings = options.mappings ?? [];
    this.maps = new SourceMaps(async (path) => (await this.workspace.place(path))?.file);
  }

  /** The workspace file `path` stands for (each path is resolved once). */
  async resolveFile(path: string, suffixOnly = false): Promise<PlacedFile | Outside> {
    if (!isSanePath(path) || this.options.folders.length === 0) return outsideText(path);
    const key = `${suffixOnly ? 's' : 'p'}:${path}`;
    let found = this.files.get(key);
    if (!found) {
      if (this.files.size >= MAX_CACHED_PATHS) this.files.delete(this.files.keys().next().value!);
      this.files.set(key, (found = this.find(path, suffixOnly).catch(() => undefined)));
    }
    return (await found) ?? outsideText(path);
  }

  /** The workspace position `ref` stands for, through a source map when the file is compiled JavaScript that has one. */
  async resolvePosition(ref: CodeReference): Promise<InsidePosition | Outside> {
    const at = ref.column === undefined ? `${ref.line}` : `${ref.line}:${ref.column}`;
    const placed = await this.resolveFile(ref.path, ref.suffixOnly);
    if ('outside' in placed) return outsideText(`${ref.path}:${at}`);
    const here: InsidePosition = { ...placed, line: ref.line, ...(ref.column !== undefined && { column: ref.column }) };
    const original = await this.maps.original(placed.file, ref.line, ref.column);
    if (!original) return here;
    // A relative source is that file or nothing; a foreign one is matched like any other foreign path.
    const source = original.kind === 'local' ? await this.workspace.place(original.source) : await this.resolveFile(original.source);
    if (!source || 'outside' in source) return here;
    const out: InsidePosition = { ...source, line: original.line, generated: here };
    if (original.column !== undefined) out.column = original.column;
    if (original.name !== undefined) out.name = original.name;
    return out;
  }

  private async find(written: string, suffixOnly: boolean): Promise<PlacedFile | undefined> {
    let path = written;
    if (path.startsWith('file://')) {
      try {
        path = fileURLToPath(path);
      } catch {
        return undefined;
      }
    }
    if (!suffixOnly) {
      const direct = [
        ...(isAbsolute(path) ? [path] : []),
        ...mapPath(path, this.mappings),
        ...(isAbsolute(path) ? [] : this.options.folders.map((f) => resolve(f.path, path))),
      ];
      for (const candidate of direct) {
        const placed = await this.workspace.place(candidate);
        if (placed) return placed;
      }
    }
    const match = (await this.suffixIndex()).match(path);
    return match === undefined ? undefined : this.workspace.place(match);
  }

  private suffixIndex(): Promise<SuffixIndex> {
    const roots = this.options.folders.map((f) => f.path);
    return (this.suffixes ??= (async () => {
      const files = await this.options.listFiles?.();
      return new SuffixIndex(Array.isArray(files) ? files : [], roots);
    })().catch(() => new SuffixIndex([], roots)));
  }
}

/** Untrusted text, made safe to show: no control or bidirectional-override characters, not too long. */
function outsideText(text: unknown): Outside {
  const s = typeof text === 'string' ? text : String(text);
  // eslint-disable-next-line no-control-regex -- control characters are what it takes out
  const clean = s.slice(0, MAX_TEXT * 2).replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '\uFFFD');
  return { outside: true, text: clean.length > MAX_TEXT ? `${clean.slice(0, MAX_TEXT - 1)}…` : clean };
}
