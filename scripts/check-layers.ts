/**
 * The layer boundaries of ARCHITECTURE.md as a check: which folder may import
 * what. `npm test` runs it through test/architecture/layers.test.ts.
 */
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

export interface Layer {
  /** Folder prefix (posix, relative to the repo). */
  folder: string;
  /** What may not be imported at run time: 'vscode', 'node' (built-ins), or folder prefixes. */
  forbid: string[];
  /** Folder prefixes that may be imported only with `import type`. */
  typeOnly?: string[];
}

const SRC_LAYERS = ['src/common/', 'src/model/', 'src/wire/', 'src/analysis/', 'src/protocol/', 'src/views/', 'src/ingest/', 'src/source/', 'src/cli/', 'src/extension/', 'src/processor/', 'src/instrument/'];
const PURE = ['vscode', 'node', 'src/ingest/', 'src/cli/', 'src/extension/', 'src/source/', 'webview/'];
/** Every src layer but these. */
const allBut = (...kept: string[]) => SRC_LAYERS.filter((l) => !kept.includes(l));

export const LAYERS: Layer[] = [
  { folder: 'src/common/', forbid: [...PURE, 'src/views/'] },
  { folder: 'src/model/', forbid: [...PURE, 'src/views/'] },
  { folder: 'src/wire/', forbid: [...PURE, 'src/views/'] },
  { folder: 'src/analysis/', forbid: [...PURE, 'src/views/'] },
  // The view shapes the host sends the webview, and nothing else: types only (the layer test checks that
  // nothing in it runs), declared here rather than imported, so the webview's contract is this folder.
  { folder: 'src/protocol/', forbid: ['vscode', 'node', 'webview/', ...allBut('src/protocol/')] },
  // What builds the views (trace view, service map, pauses, the trace document) from the analysis: pure.
  { folder: 'src/views/', forbid: ['vscode', 'node', 'webview/', ...allBut('src/common/', 'src/model/', 'src/analysis/', 'src/protocol/', 'src/views/')] },
  { folder: 'src/ingest/', forbid: ['vscode', 'src/extension/', 'src/cli/', 'webview/'] },
  { folder: 'src/source/', forbid: ['vscode', 'src/extension/', 'src/cli/', 'webview/'] },
  { folder: 'src/cli/', forbid: ['vscode', 'src/extension/', 'webview/'] },
  { folder: 'src/extension/', forbid: ['webview/'] },
  // The call-site span processor runs inside the user's services as its own bundle: the
  // service brings OpenTelemetry, so the processor may use its types but load none of it.
  { folder: 'src/processor/', forbid: ['vscode', 'src/extension/', 'webview/', '@opentelemetry/'], typeOnly: ['@opentelemetry/'] },
  // The register module runs inside the user's Node apps as its own bundle: it carries OpenTelemetry and
  // the call-site processor, and nothing of the editor, the receiver or the analysis.
  { folder: 'src/instrument/', forbid: ['vscode', 'src/extension/', 'src/ingest/', 'src/cli/', 'src/source/', 'src/analysis/', 'src/views/', 'src/wire/', 'webview/'] },
  // The webview bundles src/common (formatting) and sees the host's data only as src/protocol's types.
  { folder: 'webview/', forbid: ['vscode', 'node', ...allBut('src/common/')], typeOnly: ['src/protocol/'] },
];

const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

export interface Violation {
  file: string;
  line: number;
  specifier: string;
  rule: string;
}

/** Import specifiers of a TypeScript source, with whether each is type-only. */
export function importsOf(source: string): { specifier: string; line: number; typeOnly: boolean }[] {
  const found: { specifier: string; line: number; typeOnly: boolean }[] = [];
  const pattern = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const match of source.matchAll(pattern)) {
    const specifier = match[3] ?? match[4] ?? match[5]!;
    const line = source.slice(0, match.index + match[0].length).split('\n').length;
    found.push({ specifier, line, typeOnly: match[2] !== undefined });
  }
  return found;
}

/** The violations in one file (path relative to the repo root, posix). */
export function checkFile(file: string, source: string): Violation[] {
  const layer = LAYERS.find((l) => file.startsWith(l.folder));
  if (!layer) return [];
  const violations: Violation[] = [];
  for (const { specifier, line, typeOnly } of importsOf(source)) {
    const target = specifier.startsWith('.') ? relative('.', resolve(dirname(file), specifier)).split('\\').join('/') + '/' : specifier;
    for (const rule of layer.forbid) {
      const hit =
        rule === 'vscode' ? specifier === 'vscode' :
        rule === 'node' ? NODE_BUILTINS.has(specifier) :
        target.startsWith(rule);
      if (!hit) continue;
      if (typeOnly && (rule === 'vscode' || layer.typeOnly?.some((allowed) => target.startsWith(allowed)))) continue;
      violations.push({ file, line, specifier, rule: `${layer.folder} must not import ${rule === 'node' ? 'Node built-ins' : rule}` });
    }
  }
  return violations;
}

export function checkTree(root: string): Violation[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mts|cts|tsx)$/.test(entry.name)) files.push(path);
    }
  };
  for (const top of ['src', 'webview']) walk(top);
  return files.flatMap((file) => checkFile(file, readFileSync(join(root, file), 'utf8')));
}
