/**
 * What the extension shows: the status bar item, the Traces view, the trace
 * and service-map panels (restored after a reload) and the lines that made
 * calls. Each goes into the extension's lifetime.
 */
import * as vscode from 'vscode';
import type { ReceiverController } from '../ingest/receiver-controller';
import { ACTIVE_FILTER_KEY } from './filter-history';
import { KeptTraces } from './kept-traces';
import type { Lifetime } from './lifetimes';
import { SERVICE_MAP_VIEW_TYPE, ServiceMapPanel } from './service-map-panel';
import type { SettingsService } from './settings-service';
import { SourceLines } from './source-lines';
import { ReceiverStatusBar } from './status-bar';
import { TRACE_VIEW_TYPE, TracePanels } from './trace-panel';
import { TracesView } from './traces-view';
import { WorkspaceLocator } from './workspace-locator';

export interface Views {
  statusBar: ReceiverStatusBar;
  traces: TracesView;
  locator: WorkspaceLocator;
  tracePanels: TracePanels;
  serviceMap: ServiceMapPanel;
  sourceLines: SourceLines;
}

export interface ViewDeps {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  receiver: ReceiverController;
  settings: SettingsService;
}

export function createViews({ context, log, receiver, settings }: ViewDeps, lifetime: Lifetime): Views {
  const sourceLineSettings = () => settings.sourceLines().value;
  const statusBar = lifetime.add(new ReceiverStatusBar());
  const traces = lifetime.add(new TracesView({ query: (text) => receiver.queryTraces(text), filter: context.workspaceState.get<string>(ACTIVE_FILTER_KEY) }));
  const locator = lifetime.add(new WorkspaceLocator(sourceLineSettings, log));
  const kept = new KeptTraces(vscode.Uri.joinPath(context.globalStorageUri, 'kept-traces').fsPath);
  void kept.prune();
  const panelContext = { extensionUri: context.extensionUri, log };
  const tracePanels = new TracePanels({
    ...panelContext,
    receiver,
    analysisSettings: () => settings.receiver().value.config.analysis,
    locator: () => locator.current(),
    revealOnSelect: () => sourceLineSettings().revealOnSelect,
    summary: (traceId) => traces.list.get(traceId),
    kept,
  });
  const sourceLines = lifetime.add(new SourceLines({ receiver, locator: () => locator.current(), settings: sourceLineSettings, log }));
  lifetime.add(locator.onForget(() => sourceLines.reload()));
  const serviceMap = new ServiceMapPanel({ ...panelContext, receiver, openTrace: (traceId, spanId) => tracePanels.open(traceId, spanId) });
  lifetime.push(
    tracePanels,
    serviceMap,
    vscode.window.registerWebviewPanelSerializer(TRACE_VIEW_TYPE, { deserializeWebviewPanel: async (panel, state: unknown) => tracePanels.restore(panel, state) }),
    vscode.window.registerWebviewPanelSerializer(SERVICE_MAP_VIEW_TYPE, { deserializeWebviewPanel: async (panel) => serviceMap.restore(panel) }),
  );
  return { statusBar, traces, locator, tracePanels, serviceMap, sourceLines };
}
