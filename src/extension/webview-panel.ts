/**
 * What the trace and service-map panels share: the narrow resource roots, the
 * page, posting that is safe after the panel closed, incoming messages checked
 * by parseWebviewMessage (a bad one is logged and ignored), and saving an export.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { errorText } from '../common/errors';
import { parseWebviewMessage } from './webview-messages';
import type { HostToWebview, WebviewToHost } from '../protocol/messages';
import { exportFile } from './export-file';
import { webviewHtml, type WebviewKind } from './webview-html';

export interface PanelContext {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
}

/** Scripts on; resources only from the bundles and the extension's media. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')] };
}

/** One panel's page and messages. Disposed with the panel (or by its owner). */
export class PanelConnection implements vscode.Disposable {
  private closed = false;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly closeListeners: (() => void)[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly kind: WebviewKind,
    private readonly context: PanelContext,
    onMessage: (message: WebviewToHost) => unknown,
  ) {
    const { webview } = panel;
    // A restored panel keeps no options: set them again before the page loads.
    webview.options = webviewOptions(context.extensionUri);
    const uri = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, ...path)).toString();
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      script: uri('dist', 'webview.js'),
      styles: [uri('dist', 'codicons', 'codicon.css'), uri('media', 'webview.css'), uri('media', 'panels.css')],
      title: kind === 'trace' ? 'Hopscope trace' : 'Hopscope service map',
      kind,
    });
    this.subscriptions.push(
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw, onMessage)),
      panel.onDidDispose(() => this.close()),
    );
  }

  get disposed(): boolean {
    return this.closed;
  }

  /** Called once when the panel goes, whoever closed it. */
  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  /** Posts to the page; after the panel closed, does nothing. */
  post(message: HostToWebview): void {
    if (this.closed) return;
    try {
      void this.panel.webview.postMessage(message).then(undefined, () => undefined);
    } catch {
      // closed between the check and the call
    }
  }

  /** Asks where to save an exported graph, then writes it. */
  async saveExport(message: Extract<WebviewToHost, { type: 'export' }>, baseName: string): Promise<void> {
    const file = exportFile(message.format, message.data, baseName);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const defaultUri = folder ? vscode.Uri.joinPath(folder, file.fileName) : vscode.Uri.file(join(homedir(), file.fileName));
    const target = await vscode.window.showSaveDialog({ defaultUri, filters: file.filter, saveLabel: 'Export' });
    if (!target) return;
    try {
      await vscode.workspace.fs.writeFile(target, file.bytes);
    } catch (error) {
      void vscode.window.showErrorMessage(`Hopscope: could not save ${target.fsPath}: ${errorText(error)}`);
      return;
    }
    this.context.log.info(`exported the ${this.kind} view as ${message.format.toUpperCase()} to ${target.fsPath}`);
    void vscode.window.showInformationMessage(`Hopscope: saved ${target.fsPath}`);
  }

  dispose(): void {
    if (this.closed) return;
    this.close();
    this.panel.dispose();
  }

  /**
   * Stops listening but leaves the panel open: when the extension deactivates
   * (the window closes or reloads), so that VS Code saves the panel and the
   * serializer brings it back. Closing it then raced the saving of the layout.
   */
  release(): void {
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const subscription of this.subscriptions) subscription.dispose();
    for (const listener of this.closeListeners.splice(0)) listener();
  }

  private receive(raw: unknown, onMessage: (message: WebviewToHost) => unknown): void {
    let message: WebviewToHost;
    try {
      message = parseWebviewMessage(raw);
    } catch (error) {
      this.context.log.warn(`ignored a message from the ${this.kind} view: ${errorText(error)}`);
      return;
    }
    const failed = (error: unknown) => this.context.log.error(`the ${this.kind} view's ${message.type} message failed: ${errorText(error)}`);
    try {
      void Promise.resolve(onMessage(message)).catch(failed);
    } catch (error) {
      failed(error);
    }
  }
}
