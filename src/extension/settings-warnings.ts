/**
 * Bad settings said once per distinct list of problems: each in the log, and
 * together in a warning whose button opens the settings they are about.
 */
import * as vscode from 'vscode';

export function settingsWarner(log: Pick<vscode.LogOutputChannel, 'warn'>, settingsQuery: string): (problems: readonly string[]) => void {
  let last = '';
  return (problems) => {
    const said = problems.join('\n');
    if (said !== last && problems.length > 0) {
      for (const problem of problems) log.warn(problem);
      void vscode.window.showWarningMessage(`Hopscope: ${problems.join(' · ')}`, 'Open Settings').then((action) => {
        if (action) void vscode.commands.executeCommand('workbench.action.openSettings', settingsQuery);
      });
    }
    last = said;
  };
}
