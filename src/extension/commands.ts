/**
 * Commands that need a little dialogue with the user: copying the OTLP
 * environment for a language, choosing another port, and the status bar's menu.
 */
import { createServer } from 'node:net';
import * as vscode from 'vscode';
import { otlpEnvironment, type ReceiverPorts } from '../common/otlp-environment';
import type { ReceiverState } from '../ingest/receiver-controller';
import type { SettingKey } from './settings-contract';

/** Asks for a language and copies its environment variables for the receiver's ports. */
export async function copyEnvironment(ports: ReceiverPorts): Promise<void> {
  const snippets = otlpEnvironment(ports);
  const picked = await vscode.window.showQuickPick(
    snippets.map((snippet) => ({ label: snippet.language, description: snippet.detail, detail: snippet.text.split('\n').filter((l) => !l.startsWith('#')).join('  '), snippet })),
    { title: 'Copy OTLP environment for…', placeHolder: 'The language of the service to point at Hopscope' },
  );
  if (!picked) return;
  await vscode.env.clipboard.writeText(picked.snippet.text + '\n');
  void vscode.window.showInformationMessage(`Copied the ${picked.snippet.language} environment for Hopscope. Paste it into the shell (or .env) that starts your service.`);
}

/** Asks for a new port for the receiver that failed, suggesting a free one, and saves it in the user settings. */
export async function pickPort(which: 'http' | 'grpc', current: number, other: number): Promise<void> {
  const suggestion = await firstFreePort(current + 1, other);
  const answer = await vscode.window.showInputBox({
    title: `Hopscope: a new OTLP/${which === 'http' ? 'HTTP' : 'gRPC'} port`,
    prompt: `Port ${current} is taken. Services must send to the new port (Copy OTLP Environment gives the right variables).`,
    value: String(suggestion),
    validateInput: (text) => {
      const port = Number(text);
      if (!/^\d+$/.test(text.trim()) || port < 1 || port > 65535) return 'A whole number from 1 to 65535';
      if (port === other) return `Port ${other} is the ${which === 'http' ? 'gRPC' : 'HTTP'} port; choose another`;
      return undefined;
    },
  });
  if (answer === undefined) return;
  const key: SettingKey = which === 'http' ? 'receiver.httpPort' : 'receiver.grpcPort';
  await vscode.workspace.getConfiguration('hopscope').update(key, Number(answer), vscode.ConfigurationTarget.Global);
}

/** The status bar item's menu: what makes sense in the receiver's state. */
export async function statusActions(state: ReceiverState): Promise<void> {
  const actions: { label: string; command: string }[] = [{ label: '$(list-unordered) Show Traces', command: 'hopscope.traces.focus' }];
  if (state.kind === 'error') {
    if (state.port !== undefined) actions.unshift({ label: '$(edit) Use Another Port…', command: 'hopscope.pickPort' });
    actions.unshift({ label: '$(refresh) Retry', command: 'hopscope.startReceiver' });
  }
  if (state.kind === 'stopped') actions.unshift({ label: '$(play) Start Receiver', command: 'hopscope.startReceiver' });
  if (state.kind === 'listening' || state.kind === 'following') actions.push({ label: '$(copy) Copy OTLP Environment', command: 'hopscope.copyEnvironment' });
  if (state.kind === 'listening' || state.kind === 'following' || state.kind === 'starting') actions.push({ label: '$(debug-stop) Stop Receiver', command: 'hopscope.stopReceiver' });
  actions.push({ label: '$(output) Show Log', command: 'hopscope.showLog' });
  const picked = await vscode.window.showQuickPick(actions, { title: 'Hopscope' });
  if (picked) await vscode.commands.executeCommand(picked.command);
}

async function firstFreePort(from: number, avoid: number): Promise<number> {
  for (let port = from; port < from + 50 && port <= 65535; port++) {
    if (port !== avoid && (await isFree(port))) return port;
  }
  return from;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
