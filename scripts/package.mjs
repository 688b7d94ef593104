// Packages the built extension as hopscope-<version>.vsix with @vscode/vsce.
// Dependencies are bundled by esbuild, so the .vsix carries none of node_modules.
// Usage: node scripts/package.mjs [--out <file.vsix>]   (after `node esbuild.mjs --production`)
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs vsce; returns the .vsix path. */
export function packageExtension(out) {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const file = resolve(out ?? join(root, `hopscope-${version}.vsix`));
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--out', file], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return file;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const file = packageExtension(at > 0 ? process.argv[at + 1] : undefined);
  console.log(`${file} (${(statSync(file).size / 1024).toFixed(0)} KiB)`);
}
