/**
 * `hopscope.pathMappings`: where a container's or build machine's folders are
 * in the workspace. Prefixes match whole path segments, longest first.
 *
 *   { from: '/app', to: '/ws/orders' }
 *   mapPath('/app/src/orders.ts')   ─► ['/ws/orders/src/orders.ts']
 *   mapPath('/application/x.ts')    ─► []        ('/app' is not a segment of it)
 *
 * The extension expands `${workspaceFolder}` before handing the entries here;
 * anything still not an absolute path is reported, never guessed at.
 */
import { isAbsolute, join } from 'node:path';
import { isSanePath } from './workspace-paths';

export interface PathMapping {
  /** A path prefix as the spans write it, e.g. `/app` or `C:\build`. */
  from: string;
  /** The local absolute folder it stands for. */
  to: string;
}

export interface ValidatedMappings {
  mappings: PathMapping[];
  /** One sentence per bad entry, naming it. */
  errors: string[];
}

/** The usable entries of a setting, as `[{ from, to }]` or `{ "/app": "/ws/orders" }`, and why the others are not. */
export function validatePathMappings(raw: unknown): ValidatedMappings {
  const out: ValidatedMappings = { mappings: [], errors: [] };
  if (raw === undefined || raw === null) return out;
  let entries: [string, unknown][];
  if (Array.isArray(raw)) entries = raw.map((entry, i) => [`entry ${i + 1}`, entry]);
  else if (typeof raw === 'object') entries = Object.entries(raw as Record<string, unknown>).map(([from, to]) => [JSON.stringify(from), { from, to }]);
  else return { mappings: [], errors: [`hopscope.pathMappings must be an object of "from": "to" paths, not ${typeof raw}.`] };
  for (const [name, entry] of entries.slice(0, 1000)) {
    const problem = mappingProblem(entry);
    if (problem) out.errors.push(`hopscope.pathMappings ${name}: ${problem}`);
    else out.mappings.push({ from: (entry as PathMapping).from, to: (entry as PathMapping).to });
  }
  return out;
}

function mappingProblem(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return 'must be { "from": "<path prefix>", "to": "<local folder>" }.';
  const { from, to } = entry as Record<string, unknown>;
  if (!isSanePath(from)) return '"from" must be a non-empty path prefix such as "/app".';
  if (!isSanePath(to)) return `"to" for ${JSON.stringify(from)} must be a non-empty local folder path.`;
  if (/\$\{[^}]*\}/.test(to)) return `"to" ${JSON.stringify(to)} has a variable that was not expanded (only \${workspaceFolder} and \${workspaceFolder:name} are).`;
  if (!isAbsolute(to)) return `"to" ${JSON.stringify(to)} must be absolute; start it with \${workspaceFolder}.`;
  if (!/^([/\\]|[a-z]:[/\\]?)/i.test(from)) return `"from" ${JSON.stringify(from)} must be an absolute path as the spans write it, such as "/app".`;
  return undefined;
}

/** The local paths `path` stands for, longest matching `from` first; [] when none matches. */
export function mapPath(path: string, mappings: readonly PathMapping[]): string[] {
  const slashed = path.replace(/\\/g, '/');
  const matches: { length: number; mapped: string }[] = [];
  for (const { from, to } of mappings) {
    const prefix = from.replace(/\\/g, '/').replace(/\/+$/, '');
    const rest = prefix === '' ? slashed : slashed.startsWith(`${prefix}/`) ? slashed.slice(prefix.length) : undefined;
    if (rest === undefined || rest === '/') continue;
    const tail = rest.split('/').filter((s) => s !== '' && s !== '.');
    // A mapping is a prefix, not a way out of its folder.
    if (tail.includes('..')) continue;
    matches.push({ length: prefix.length, mapped: join(to, ...tail) });
  }
  return matches.sort((a, b) => b.length - a.length).map((m) => m.mapped);
}
