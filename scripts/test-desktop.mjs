// `npm run test:desktop`: the extension in desktop VS Code, through
// @vscode/test-electron, for contributors who can download VS Code. (It cannot
// on machines without internet access beyond npm; `npm test` runs the same
// extension in code-server instead, and that is what CI runs.)
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const workspace = mkdtempSync(join(tmpdir(), 'hopscope-desktop-'));
mkdirSync(join(workspace, '.vscode'));
// Free-ish ports so a Hopscope already running on 4318 does not turn this into a follower.
writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'hopscope.receiver.httpPort': 44318, 'hopscope.receiver.grpcPort': 44317 }));

try {
  await runTests({
    version: process.env.VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'test', 'desktop', 'suite.cjs'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
  console.log('1 passed, 0 failed');
} catch (error) {
  console.error(`desktop tests failed: ${error instanceof Error ? error.message : String(error)}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
