/**
 * The service map panel (`hopscope.serviceMap`, one at most): the map over the
 * stored traces, sent when the page is ready and again at most once a second
 * while traces change. An edge's slow calls open in trace panels.
 */
import * as vscode from 'vscode';
import type { Disposable } from '../common/emitter';
import { errorText } from '../common/errors';
import { Throttle } from '../common/throttle';
import type { ReceiverController } from '../ingest/receiver-controller';
import type { WebviewToHost } from '../protocol/messages';
import { toServiceMapView } from '../views/service-map';
import { PanelConnection, webviewOptions, type PanelContext } from './webview-panel';

export const SERVICE_MAP_VIEW_TYPE = 'hopscope.serviceMap';
export const MAP_REFRESH_INTERVAL_MS = 1000;

export interface ServiceMapDeps extends PanelContext {
  receiver: Pick<ReceiverController, 'getServiceMap' | 'onTraces'>;
  openTrace(traceId: string, spanId?: string): void;
}

export class ServiceMapPanel implements vscode.Disposable {
  private connection: PanelConnection | undefined;
  private ready = false;
  private generation = 0;
  private readonly refresh = new Throttle(MAP_REFRESH_INTERVAL_MS, () => this.load());
  private readonly subscription: Disposable;

  constructor(private readonly deps: ServiceMapDeps) {
    this.subscription = deps.receiver.onTraces((update) => {
      if (this.ready && (update.reset || update.changed.length > 0 || update.removed.length > 0)) this.refresh.request();
    });
  }

  open(): void {
    if (this.connection) return this.connection.panel.reveal();
    this.adopt(vscode.window.createWebviewPanel(SERVICE_MAP_VIEW_TYPE, 'Service Map', vscode.ViewColumn.Active, { ...webviewOptions(this.deps.extensionUri), retainContextWhenHidden: false }));
  }

  /** The panel VS Code brought back after a window reload (its saved state holds nothing the host needs). */
  restore(panel: vscode.WebviewPanel): void {
    if (this.connection) {
      panel.dispose();
      return;
    }
    this.adopt(panel);
  }

  /** On deactivation: the panel stays open so that VS Code can restore it after a reload. */
  dispose(): void {
    this.subscription.dispose();
    this.refresh.dispose();
    this.connection?.release();
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.ready = false;
    const connection = new PanelConnection(panel, 'serviceMap', this.deps, (message) => this.receive(message));
    this.connection = connection;
    connection.onClose(() => {
      if (this.connection !== connection) return;
      this.connection = undefined;
      this.ready = false;
    });
  }

  private receive(message: WebviewToHost): unknown {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        return this.load();
      case 'openTrace':
        return this.deps.openTrace(message.traceId, message.spanId);
      case 'export':
        return this.connection?.saveExport(message, 'service-map');
      case 'log':
        return this.deps.log[message.level](`service map: ${message.message}`);
      case 'select':
      case 'openSource':
        return undefined; // spans belong to trace panels
    }
  }

  private async load(): Promise<void> {
    const connection = this.connection;
    const generation = ++this.generation;
    if (!connection) return;
    try {
      const map = (await this.deps.receiver.getServiceMap()) ?? toServiceMapView([], Date.now());
      if (connection.disposed || generation !== this.generation) return;
      connection.post({ type: 'serviceMap', map });
    } catch (error) {
      this.deps.log.error(`could not compute the service map: ${errorText(error)}`);
    }
  }
}
