// Runs every test file under test/ with node's own test runner (TypeScript via tsx).
// Node 20's `--test` does not expand globs, so the files are listed here.
// Usage: node scripts/run-tests.mjs [--unit] [substring ...]  (only files whose path contains one)
//   --unit  the fast lane: only the files that need no browser, no VS Code and no database or broker
//           (told by what they import: the harnesses that start those)
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const HARNESSES = /from '(?:\.\.\/support\/(?:servers|code-server|webview-harness|served-demo)|\.\/stack)'/;
const unit = process.argv[2] === '--unit';
const filters = process.argv.slice(unit ? 3 : 2);
const files = testFiles('test')
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .filter((file) => !unit || !HARNESSES.test(readFileSync(file, 'utf8')))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(', ')}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
