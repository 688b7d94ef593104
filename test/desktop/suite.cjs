// Runs inside desktop VS Code (see scripts/test-desktop.mjs): the extension
// activates, its commands exist, and its receiver answers on the configured port.
const assert = require('node:assert/strict');
const http = require('node:http');
const vscode = require('vscode');

function stats(port) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/api/stats' }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}

async function eventually(check) {
  for (let i = 0; i < 200; i++) {
    try {
      return await check();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return check();
}

exports.run = async function run() {
  const extension = vscode.extensions.getExtension('hopscope.hopscope');
  assert.ok(extension, 'Hopscope is installed');
  await extension.activate();
  const commands = await vscode.commands.getCommands(true);
  for (const id of ['hopscope.startReceiver', 'hopscope.stopReceiver', 'hopscope.clearTraces', 'hopscope.copyEnvironment', 'hopscope.showLog']) {
    assert.ok(commands.includes(id), `${id} is registered`);
  }
  const answer = await eventually(() => stats(44318));
  assert.equal(answer.program, 'hopscope');
  await vscode.commands.executeCommand('hopscope.stopReceiver');
  await assert.rejects(stats(44318));
};
