/**
 * The extension's entry point: the receiver (an ingest worker, or another
 * Hopscope's traces when one already holds the port), the views, a table of
 * commands and the settings service, each in a named lifetime (lifetimes.ts).
 * Activation only wires things up; the worker starts in the background so
 * start-up is not slowed.
 */
import * as vscode from 'vscode';
import { errorText } from '../common/errors';
import { ReceiverController } from '../ingest/receiver-controller';
import { commandTable, registerCommands } from './command-table';
import { trackPauses } from './debug-pauses';
import { createViews, type Views } from './extension-views';
import { Launches } from './launches';
import { Lifetime } from './lifetimes';
import { ReceiverSession } from './receiver-session';
import type { SettingsChange } from './settings-changes';
import { SettingsService } from './settings-service';
import { settingsWarner } from './settings-warnings';
import { workspaceFolders } from './workspace-locator';

/** The receiver's resources: the controller and what listens to it, ended (awaited) by `deactivate`. */
let receiverLifetime: Lifetime | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const activationStarted = performance.now();
  const log = vscode.window.createOutputChannel('Hopscope', { log: true });
  const reportError = (error: unknown, lifetime: string) => log.error(`ending the ${lifetime}'s resources: ${errorText(error)}`);
  const extension = new Lifetime('extension', reportError);
  const forReceiver = new Lifetime('receiver', reportError);
  receiverLifetime = forReceiver;
  // Disposed in order when the window closes: the views, then the receiver, and the log last so that both can still write to it.
  context.subscriptions.push(extension, { dispose: () => void forReceiver.dispose() }, log);

  const settings = new SettingsService(workspaceFolders, context.globalStorageUri.fsPath);
  const receiver = forReceiver.add(
    new ReceiverController({ runner: `${vscode.env.appName} window`, version: context.extension.packageJSON.version as string, workerPath: context.asAbsolutePath('dist/worker.js') }),
  );
  const views = createViews({ context, log, receiver, settings }, extension);
  const session = new ReceiverSession({ receiver, settings, log, statusBar: views.statusBar, traces: views.traces });
  forReceiver.push(...session.listen());
  extension.push(...registerCommands(commandTable({ context, log, receiver, session, settings, views })));
  // What VS Code launches (debug sessions, terminals, tasks) sends here without set-up.
  const launches = new Launches({ context, log, settings, receiver, endpoints: () => session.endpoints() });
  extension.push(...launches.listen());
  // When those sessions stop at a breakpoint: the analysis takes the pause out of their spans' time.
  // A pause that opens, learns its place or ends changes what the open panels say of it (their spans may not).
  extension.add(trackPauses((pause) => {
    receiver.recordPauses([pause]);
    views.tracePanels.refreshAll();
  }));

  // Stack frames the locator passes over, the worker passes over too: the call sites and the trace view agree.
  const passSkipFrames = () => receiver.setSkipFrames(settings.sourceLines().value.skipFrames);
  const warnAboutSourceLines = settingsWarner(log, 'hopscope.sourceLines');
  const checkSourceLines = () => warnAboutSourceLines(settings.sourceLines().problems);
  passSkipFrames();
  checkSourceLines();
  extension.add(settings.onDidChange((change) => applySettingsChange(change, { log, session, views, launches, passSkipFrames, checkSourceLines })));
  void session.restart();
  log.info(`Hopscope ${context.extension.packageJSON.version as string} activated in ${(performance.now() - activationStarted).toFixed(1)} ms`);
}

export async function deactivate(): Promise<void> {
  await receiverLifetime?.dispose();
  receiverLifetime = undefined;
}

interface ChangeDeps {
  log: vscode.LogOutputChannel;
  session: ReceiverSession;
  views: Views;
  launches: Launches;
  passSkipFrames(): void;
  checkSourceLines(): void;
}

/** What each kind of settings change does (settings-changes.ts says which kind a change is). */
function applySettingsChange(change: SettingsChange, { log, session, views, launches, passSkipFrames, checkSourceLines }: ChangeDeps): void {
  switch (change) {
    case 'receiver':
      log.info('receiver settings changed; restarting the receiver');
      void session.restart();
      return;
    case 'pathMappings':
      log.info('path mappings changed; finding the spans\' code again');
      views.locator.forget();
      views.tracePanels.refreshAll();
      return;
    case 'skipFrames':
      checkSourceLines();
      log.info('skipped stack frames changed; finding the spans\' code again');
      passSkipFrames();
      views.locator.forget();
      views.tracePanels.refreshAll();
      views.sourceLines.reload();
      return;
    case 'sourceLines':
      checkSourceLines();
      views.sourceLines.reload();
      return;
    case 'analysis':
      session.reanalyse();
      views.tracePanels.refreshAll();
      return;
    case 'launches':
      launches.settingsChanged();
      return;
  }
}
