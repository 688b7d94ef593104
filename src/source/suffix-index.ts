/**
 * A path from somewhere else (a container, a CI build, a colleague's laptop)
 * matched to a workspace file by the longest run of trailing path segments
 * the two share. Built once from the workspace's file list.
 *
 *   workspace:  services/orders/src/orders.ts
 *               services/billing/src/billing.ts
 *               services/billing/src/orders.ts
 *               tools/orders.ts
 *
 *   /app/src/orders.ts          2 segments with services/{orders,billing}/src/orders.ts ─► none (a tie, not a guess)
 *   /app/orders/src/orders.ts   3 segments with services/orders/src/orders.ts ─► that one
 *   /build/orders.ts            1 segment with all three; tools/orders.ts is shortest ─► tools/orders.ts
 *
 * Ties on the longest suffix go to the shortest workspace-relative path; a tie
 * on that too is no answer.
 */

interface Entry {
  path: string;
  /** Workspace-relative segments, last first. */
  reversed: string[];
}

/** The index holds at most this many files; a bigger workspace is indexed in part. */
export const MAX_INDEXED_FILES = 500_000;

export class SuffixIndex {
  private readonly byName = new Map<string, Entry[]>();

  /**
   * @param files absolute paths of workspace files
   * @param roots the workspace folders' paths, so that depth is counted from a folder
   */
  constructor(files: readonly string[], roots: readonly string[]) {
    const slashedRoots = roots.map((r) => slashed(r).replace(/\/+$/, '')).sort((a, b) => b.length - a.length);
    for (const path of new Set(files.slice(0, MAX_INDEXED_FILES))) {
      if (typeof path !== 'string') continue;
      const p = slashed(path);
      const root = slashedRoots.find((r) => p.startsWith(`${r}/`));
      const reversed = segments(root === undefined ? p : p.slice(root.length)).reverse();
      const name = reversed[0];
      if (name === undefined) continue;
      const list = this.byName.get(name);
      if (list) list.push({ path, reversed });
      else this.byName.set(name, [{ path, reversed }]);
    }
  }

  /** The workspace file that shares the longest path suffix with `path`, if exactly one is best. */
  match(path: string): string | undefined {
    const wanted = segments(slashed(path));
    // Whatever comes before a `..` says nothing about where the file is.
    const after = wanted.lastIndexOf('..');
    const reversed = wanted.slice(after + 1).reverse();
    const candidates = reversed[0] === undefined ? undefined : this.byName.get(reversed[0]);
    if (!candidates) return undefined;
    let best: Entry | undefined;
    let bestShared = 0;
    let tie = false;
    for (const entry of candidates) {
      const shared = sharedLength(reversed, entry.reversed);
      const better = shared > bestShared || (shared === bestShared && entry.reversed.length < best!.reversed.length);
      if (better) {
        best = entry;
        bestShared = shared;
        tie = false;
      } else if (shared === bestShared && entry.reversed.length === best!.reversed.length) {
        tie = true;
      }
    }
    return tie ? undefined : best?.path;
  }
}

function sharedLength(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

function slashed(path: string): string {
  return path.replace(/\\/g, '/');
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '' && s !== '.');
}
