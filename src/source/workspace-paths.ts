/**
 * The workspace's edge: whether a path is a file inside a workspace folder once
 * every symbolic link is resolved, and what to call it there. Every resolver
 * passes its answer through `place`, so nothing outside is ever offered.
 *
 *   folders: orders = /ws/orders
 *   place('/ws/orders/src/orders.ts')   ─► { file: '/ws/orders/src/orders.ts', label: 'src/orders.ts' }
 *   place('/ws/orders/src/link.ts')     ─► undefined   (a link to /etc/passwd)
 *   place('/ws/orders/../secret.txt')   ─► undefined
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';

export interface WorkspaceFolderPath {
  name: string;
  /** The folder's file-system path. */
  path: string;
}

export interface PlacedFile {
  /** The real path, inside a workspace folder. */
  file: string;
  /** Workspace-relative with `/`, prefixed with the folder's name in a multi-root workspace. */
  label: string;
}

/** Paths longer than this are not looked at (no file system has them, a hostile span might). */
export const MAX_PATH = 4096;

/** A path worth handing to the file system: a non-empty string of sane length without NUL. */
export function isSanePath(path: unknown): path is string {
  return typeof path === 'string' && path !== '' && path.length <= MAX_PATH && !path.includes('\0');
}

export class WorkspacePaths {
  private roots: Promise<(string | undefined)[]> | undefined;

  constructor(readonly folders: readonly WorkspaceFolderPath[]) {}

  /** The file at `path` if it exists and its real path is inside a folder. */
  async place(path: string): Promise<PlacedFile | undefined> {
    if (!isSanePath(path) || !isAbsolute(path)) return undefined;
    const roots = await (this.roots ??= Promise.all(this.folders.map((f) => realpath(f.path).catch(() => undefined))));
    const file = await realpath(path).catch(() => undefined);
    if (!file || !(await stat(file).then((s) => s.isFile(), () => false))) return undefined;
    const index = roots.findIndex((root) => root !== undefined && isInside(root, file));
    if (index < 0) return undefined;
    const rel = relative(roots[index]!, file).split(sep).join('/');
    return { file, label: this.folders.length > 1 ? `${this.folders[index]!.name}/${rel}` : rel };
  }
}

/** Lexically inside `folder` (not the folder itself); both paths should be real paths. */
export function isInside(folder: string, file: string): boolean {
  const rel = relative(folder, file);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
