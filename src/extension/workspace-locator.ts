/**
 * One source locator per workspace state: its caches (the file list for
 * suffix matching, source maps) last until files, folders or mappings change,
 * and then it is made again on first use.
 */
import * as vscode from 'vscode';
import { Emitter, type Event } from '../common/emitter';
import { SourceLocator } from '../source/locator';
import { settingsWarner } from './settings-warnings';
import type { SourceLineSettings } from './source-line-settings';

export class WorkspaceLocator implements vscode.Disposable {
  private locator: SourceLocator | undefined;
  private readonly forgets = new Emitter<void>();
  /** Fires when the locator is let go: what was placed with it must be placed again. */
  readonly onForget: Event<void> = this.forgets.event;
  private readonly warnAboutMappings: (problems: readonly string[]) => void;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly settings: () => SourceLineSettings,
    log: Pick<vscode.LogOutputChannel, 'warn'>,
  ) {
    this.warnAboutMappings = settingsWarner(log, 'hopscope.pathMappings');
    const forget = () => this.forget();
    this.subscriptions = [
      this.forgets,
      vscode.workspace.onDidChangeWorkspaceFolders(forget),
      vscode.workspace.onDidCreateFiles(forget),
      vscode.workspace.onDidDeleteFiles(forget),
      vscode.workspace.onDidRenameFiles(forget),
    ];
  }

  current(): SourceLocator {
    if (this.locator) return this.locator;
    const { pathMappings, skipFrames } = this.settings();
    this.locator = newSourceLocator(pathMappings, skipFrames);
    this.warnAboutMappings(this.locator.mappingErrors);
    return this.locator;
  }

  forget(): void {
    this.locator = undefined;
    this.forgets.fire();
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}

export function workspaceFolders(): { name: string; path: string }[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => ({ name: f.name, path: f.uri.fsPath }));
}

/** Spans' code in the open workspace folders; suffix matching looks through the workspace's files (not node_modules). */
function newSourceLocator(mappings: unknown, skipFrames: readonly string[]): SourceLocator {
  return new SourceLocator(workspaceFolders(), {
    mappings: mappings as Record<string, string>, // as the user wrote it: the locator validates it and names bad entries
    skipFrames,
    listFiles: async () => (await vscode.workspace.findFiles('**/*', '**/node_modules/**', 50_000)).map((uri) => uri.fsPath),
  });
}
