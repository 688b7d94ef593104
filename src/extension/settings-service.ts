/**
 * The `hopscope.*` settings for the rest of the extension: each read through
 * its reader (defaults and bounds from package.json), written back by key, and
 * a change told as what it calls for (settings-changes.ts).
 */
import * as vscode from 'vscode';
import type { ReceiverSettings } from '../ingest/receiver-controller';
import { readLaunchSettings, type LaunchSettings } from './launch-settings';
import { readReceiverSettings } from './receiver-settings';
import type { SettingKey } from './settings-contract';
import { settingsChange, type SettingsChange } from './settings-changes';
import type { Read } from './settings-reader';
import { readSourceLineSettings, type SourceLineSettings } from './source-line-settings';

export class SettingsService {
  /** `dataDir`: the extension's global storage, where the trace journal lives. */
  constructor(
    private readonly folders: () => { name: string; path: string }[],
    private readonly dataDir?: string,
  ) {}

  receiver(): Read<ReceiverSettings> {
    const config = vscode.workspace.getConfiguration('hopscope');
    return readReceiverSettings((key) => config.get(key), this.dataDir);
  }

  sourceLines(): Read<SourceLineSettings> {
    const config = vscode.workspace.getConfiguration('hopscope');
    return readSourceLineSettings((key) => config.get(key), this.folders());
  }

  launches(): Read<LaunchSettings> {
    const config = vscode.workspace.getConfiguration('hopscope');
    return readLaunchSettings((key) => config.get(key));
  }

  /** Saves `value` in the user settings. */
  async update(key: SettingKey, value: unknown): Promise<void> {
    await vscode.workspace.getConfiguration('hopscope').update(key, value, vscode.ConfigurationTarget.Global);
  }

  onDidChange(listener: (change: SettingsChange) => void): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((event) => {
      const change = settingsChange((section) => event.affectsConfiguration(section));
      if (change) listener(change);
    });
  }
}
