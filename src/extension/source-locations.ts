/**
 * Where a span's code is, when it is inside the workspace: from
 * `code.file.path` + `code.line.number` (or the pre-1.30 `code.filepath` +
 * `code.lineno`). A path is taken as absolute, or relative to a workspace
 * folder; the file must exist and its real path (symbolic links resolved) must
 * lie inside a folder. Nothing outside the workspace is ever offered.
 * No `vscode` here: folders come in as paths, so this is tested in Node.
 *
 *   code.file.path = src/orders.ts, code.line.number = 42
 *     └─► <folder>/src/orders.ts exists ─► { label: 'src/orders.ts:42', line: 42 }
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { SpanRecord } from '../model/span';

export interface WorkspaceFolderPath {
  name: string;
  /** The folder's file-system path. */
  path: string;
}

export interface SourceLocation {
  spanId: string;
  /** The file's real path, inside a workspace folder. */
  file: string;
  /** As OTel counts: the first line is 1 (see positions.ts for the editor's). */
  line: number;
  /** Workspace-relative, e.g. `src/orders.ts:42` (prefixed with the folder's name in a multi-root workspace). */
  label: string;
}

const MAX_PATH = 4096;

/** The span's code path and line, if it names both sensibly. */
export function codeAttributes(span: SpanRecord): { path: string; line: number } | undefined {
  const a = span.attributes;
  const path = a['code.file.path'] ?? a['code.filepath'];
  const rawLine = a['code.line.number'] ?? a['code.lineno'];
  const line = typeof rawLine === 'string' && /^\d{1,9}$/.test(rawLine) ? Number(rawLine) : rawLine;
  if (typeof path !== 'string' || path === '' || path.length > MAX_PATH || path.includes('\0')) return undefined;
  if (typeof line !== 'number' || !Number.isInteger(line) || line < 1) return undefined;
  return { path, line };
}

type Resolved = { file: string; label: string } | undefined;

/** Resolves code paths against the folders, each path once. */
export class SourceLocator {
  private readonly paths = new Map<string, Promise<Resolved>>();
  private folderPaths: Promise<(string | undefined)[]> | undefined;

  constructor(private readonly folders: readonly WorkspaceFolderPath[]) {}

  async locate(span: SpanRecord): Promise<SourceLocation | undefined> {
    const code = codeAttributes(span);
    if (!code || this.folders.length === 0) return undefined;
    let resolved = this.paths.get(code.path);
    if (!resolved) this.paths.set(code.path, (resolved = this.resolve(code.path)));
    const found = await resolved;
    return found && { spanId: span.spanId, file: found.file, line: code.line, label: `${found.label}:${code.line}` };
  }

  /** Every span that has a location, in span order. */
  async locateAll(spans: readonly SpanRecord[]): Promise<SourceLocation[]> {
    const found = await Promise.all(spans.filter((span) => codeAttributes(span) !== undefined).map((span) => this.locate(span)));
    return found.filter((location): location is SourceLocation => location !== undefined);
  }

  private async resolve(path: string): Promise<Resolved> {
    const roots = await (this.folderPaths ??= Promise.all(this.folders.map((f) => realpath(f.path).catch(() => undefined))));
    const candidates = isAbsolute(path) ? [path] : this.folders.map((f) => resolve(f.path, path));
    for (const candidate of candidates) {
      const file = await realpath(candidate).catch(() => undefined);
      if (!file || !(await stat(file).then((s) => s.isFile(), () => false))) continue;
      const index = roots.findIndex((root) => root !== undefined && inside(root, file));
      if (index < 0) continue;
      const rel = relative(roots[index]!, file).split(sep).join('/');
      return { file, label: this.folders.length > 1 ? `${this.folders[index]!.name}/${rel}` : rel };
    }
    return undefined;
  }
}

function inside(folder: string, file: string): boolean {
  const rel = relative(folder, file);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
