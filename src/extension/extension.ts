/**
 * The extension's entry point: the receiver (an ingest worker, or another
 * Hopscope's traces when one already holds the port), the status bar item, the
 * Traces view, the trace and service-map panels and the commands. Activation
 * only wires things up; the worker starts in the background so start-up is not
 * slowed.
 */
import * as vscode from 'vscode';
import { ReceiverController, type ReceiverState } from '../ingest/receiver-controller';
import { copyEnvironment, pickPort, statusActions } from './commands';
import { openTraceCommand } from './open-trace';
import { readReceiverSettings, type ReadSettings } from './receiver-settings';
import { SERVICE_MAP_VIEW_TYPE, ServiceMapPanel } from './service-map-panel';
import { ReceiverStatusBar } from './status-bar';
import { SourceLocator } from '../source/locator';
import { KeptTraces } from './kept-traces';
import { TRACE_VIEW_TYPE, TracePanels } from './trace-panel';
import { OPEN_SELECTED_TRACE, TracesView, type TraceNode } from './traces-view';
import { ACTIVE_FILTER_KEY, FILTER_HISTORY_KEY, rememberQuery } from './filter-history';
import { askForFilter } from './trace-filter';
import { SHOW_SPAN_COMMAND } from './line-calls';
import { readSourceLineSettings, type SourceLineSettings } from './source-line-settings';
import { SourceLines } from './source-lines';
import { settingsWarner } from './settings-warnings';
import { isSpanId, isTraceId } from '../model/ids';

let controller: ReceiverController | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const activationStarted = performance.now();
  const log = vscode.window.createOutputChannel('Hopscope', { log: true });
  const receiver = new ReceiverController({
    runner: `${vscode.env.appName} window`,
    version: context.extension.packageJSON.version as string,
    workerPath: context.asAbsolutePath('dist/worker.js'),
  });
  controller = receiver;
  const statusBar = new ReceiverStatusBar();
  const traces = new TracesView({ query: (text) => receiver.queryTraces(text), filter: context.workspaceState.get<string>(ACTIVE_FILTER_KEY) });
  context.subscriptions.push(log, statusBar, traces, { dispose: () => void receiver.dispose() });

  const settings = (): ReadSettings => {
    const config = vscode.workspace.getConfiguration('hopscope');
    return readReceiverSettings((key) => config.get(key));
  };
  const panelContext = { extensionUri: context.extensionUri, log };
  const sourceLineSettings = (): SourceLineSettings => {
    const config = vscode.workspace.getConfiguration('hopscope');
    return readSourceLineSettings((key) => config.get(key), workspaceFolders());
  };
  // One source locator per workspace state: its caches (the file list for suffix matching, source maps) last until files or mappings change.
  let locator: SourceLocator | undefined;
  const warnAboutMappings = settingsWarner(log, 'hopscope.pathMappings');
  const currentLocator = (): SourceLocator => {
    if (locator) return locator;
    const { pathMappings, skipFrames } = sourceLineSettings();
    locator = newSourceLocator(pathMappings, skipFrames);
    warnAboutMappings(locator.mappingErrors);
    return locator;
  };
  const forgetLocator = () => {
    locator = undefined;
    sourceLines?.reload();
  };
  let sourceLines: SourceLines | undefined;
  // Stack frames the locator passes over, the worker passes over too: the call sites and the trace view agree.
  const passSkipFrames = () => receiver.setSkipFrames(sourceLineSettings().skipFrames);
  passSkipFrames();
  const warnAboutSourceLineSettings = () => {
    const { errors } = sourceLineSettings();
    for (const error of errors) log.warn(error);
    if (errors.length > 0) void vscode.window.showWarningMessage(`Hopscope: ${errors.join(' · ')}`);
  };
  warnAboutSourceLineSettings();
  context.subscriptions.push(
    vscode.workspace.onDidChangeWorkspaceFolders(forgetLocator),
    vscode.workspace.onDidCreateFiles(forgetLocator),
    vscode.workspace.onDidDeleteFiles(forgetLocator),
    vscode.workspace.onDidRenameFiles(forgetLocator),
  );
  const kept = new KeptTraces(vscode.Uri.joinPath(context.globalStorageUri, 'kept-traces').fsPath);
  void kept.prune();
  const tracePanels = new TracePanels({
    ...panelContext,
    receiver,
    analysisSettings: () => settings().settings.config.analysis,
    locator: currentLocator,
    revealOnSelect: () => sourceLineSettings().revealOnSelect,
    summary: (traceId) => traces.list.get(traceId),
    kept,
  });
  sourceLines = new SourceLines({ receiver, locator: currentLocator, settings: sourceLineSettings, log });
  context.subscriptions.push(sourceLines);
  const serviceMap = new ServiceMapPanel({ ...panelContext, receiver, openTrace: (traceId, spanId) => tracePanels.open(traceId, spanId) });
  context.subscriptions.push(
    tracePanels,
    serviceMap,
    vscode.window.registerWebviewPanelSerializer(TRACE_VIEW_TYPE, { deserializeWebviewPanel: async (panel, state: unknown) => tracePanels.restore(panel, state) }),
    vscode.window.registerWebviewPanelSerializer(SERVICE_MAP_VIEW_TYPE, { deserializeWebviewPanel: async (panel) => serviceMap.restore(panel) }),
  );
  let userStopped = false;
  const warnAboutSettings = settingsWarner(log, 'hopscope.');
  const restart = async (): Promise<void> => {
    const { settings: current, problems } = settings();
    warnAboutSettings(problems);
    if (userStopped) return;
    const started = performance.now();
    await receiver.start(current);
    if (receiver.state.kind === 'listening') log.info(`receiver ready ${Math.round(performance.now() - started)} ms after it was asked to start`);
  };

  let lastError = '';
  receiver.onLog(({ level, message }) => log[level](message));
  receiver.onState((state) => {
    statusBar.setState(state);
    traces.setDescription(describe(state));
    void vscode.commands.executeCommand('setContext', 'hopscope.receiverState', state.kind);
    if (state.kind === 'listening' || state.kind === 'following') {
      const standard = state.endpoints.http.port === 4318 && (state.endpoints.grpc === null || state.endpoints.grpc.port === 4317);
      void vscode.commands.executeCommand('setContext', 'hopscope.defaultPorts', standard);
    }
    if (state.kind === 'error' && state.message !== lastError) void offerFixes(state);
    lastError = state.kind === 'error' ? state.message : '';
  });
  receiver.onTraces((update) => {
    traces.apply(update);
    statusBar.setStats(update.stats);
  });

  const endpoints = () => {
    const state = receiver.state;
    if (state.kind === 'listening' || state.kind === 'following') return { host: state.endpoints.http.host, httpPort: state.endpoints.http.port, grpcPort: state.endpoints.grpc?.port };
    const { config } = settings().settings;
    return { host: config.host, httpPort: config.httpPort, grpcPort: config.grpcEnabled ? config.grpcPort : undefined };
  };
  const offerFixes = async (state: Extract<ReceiverState, { kind: 'error' }>) => {
    const actions = state.port === undefined ? ['Retry', 'Show Log'] : ['Use Another Port…', 'Retry', 'Show Log'];
    const action = await vscode.window.showErrorMessage(`Hopscope: ${state.message}`, ...actions);
    if (action === 'Use Another Port…') await vscode.commands.executeCommand('hopscope.pickPort');
    else if (action === 'Retry') await vscode.commands.executeCommand('hopscope.startReceiver');
    else if (action === 'Show Log') log.show(true);
  };

  const command = (id: string, run: (...args: never[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, run));
  command('hopscope.startReceiver', () => {
    userStopped = false;
    return restart();
  });
  command('hopscope.stopReceiver', () => {
    userStopped = true;
    log.info('receiver stopped by the user');
    return receiver.stop('stopped');
  });
  command('hopscope.clearTraces', () => receiver.clear());
  command('hopscope.copyEnvironment', () => copyEnvironment(endpoints()));
  command('hopscope.showLog', () => log.show());
  command('hopscope.copyTraceId', async (node?: TraceNode) => {
    if (node?.kind !== 'trace') return;
    await vscode.env.clipboard.writeText(node.trace.traceId);
    vscode.window.setStatusBarMessage(`Copied trace id ${node.trace.traceId}`, 3000);
  });
  command('hopscope.openTrace', (arg?: unknown) => openTraceCommand(arg, traces.list, (traceId) => tracePanels.open(traceId)));
  command('hopscope.openServiceMap', () => serviceMap.open());
  // From CodeLenses, hovers and Code Actions: a trace with one of its spans selected. Arguments come from links, so they are checked.
  command(SHOW_SPAN_COMMAND, (traceId?: unknown, spanId?: unknown) => {
    if (typeof traceId !== 'string' || !isTraceId(traceId.toLowerCase())) return;
    tracePanels.open(traceId.toLowerCase(), typeof spanId === 'string' && isSpanId(spanId.toLowerCase()) ? spanId.toLowerCase() : undefined, { beside: vscode.window.activeTextEditor !== undefined });
  });
  command('hopscope.toggleLineHints', async () => {
    const config = vscode.workspace.getConfiguration('hopscope');
    await config.update('sourceLines.hints', !sourceLineSettings().hints, vscode.ConfigurationTarget.Global);
  });
  const applyFilter = async (query: string) => {
    traces.setFilter(query);
    await context.workspaceState.update(ACTIVE_FILTER_KEY, query || undefined);
    if (query) await context.workspaceState.update(FILTER_HISTORY_KEY, rememberQuery(context.workspaceState.get<string[]>(FILTER_HISTORY_KEY) ?? [], query));
  };
  command('hopscope.filterTraces', async () => {
    const query = await askForFilter(traces.filterText, context.workspaceState.get<string[]>(FILTER_HISTORY_KEY) ?? []);
    if (query !== undefined) await applyFilter(query);
  });
  command('hopscope.clearTraceFilter', () => applyFilter(''));
  command('hopscope.pauseTraces', () => traces.setPaused(true));
  command('hopscope.resumeTraces', () => traces.setPaused(false));
  command('hopscope.showNewTraces', () => traces.showNew());
  // A trace row's click (see traces-view.ts: the command has no arguments; the row is the selected one).
  command(OPEN_SELECTED_TRACE, async () => {
    const traceId = await traces.selectedTrace();
    if (traceId) tracePanels.open(traceId);
  });
  command('hopscope.groupByEndpoint', () => traces.setGrouped(true));
  command('hopscope.ungroupTraces', () => traces.setGrouped(false));
  command('hopscope.statusActions', () => statusActions(receiver.state));
  command('hopscope.pickPort', () => {
    const state = receiver.state;
    const { config } = settings().settings;
    const which = state.kind === 'error' && state.port === config.grpcPort ? 'grpc' : 'http';
    return which === 'http' ? pickPort('http', config.httpPort, config.grpcPort) : pickPort('grpc', config.grpcPort, config.httpPort);
  });

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('hopscope.receiver') || event.affectsConfiguration('hopscope.store')) {
        log.info('receiver settings changed; restarting the receiver');
        void restart();
      } else if (event.affectsConfiguration('hopscope.pathMappings')) {
        log.info('path mappings changed; finding the spans\' code again');
        forgetLocator();
        tracePanels.refreshAll();
      } else if (event.affectsConfiguration('hopscope.sourceLines')) {
        warnAboutSourceLineSettings();
        if (event.affectsConfiguration('hopscope.sourceLines.skipFrames')) {
          log.info('skipped stack frames changed; finding the spans\' code again');
          passSkipFrames();
          forgetLocator();
          tracePanels.refreshAll();
        }
        sourceLines?.reload();
      } else if (event.affectsConfiguration('hopscope.analysis')) {
        const { settings: current, problems } = settings();
        for (const problem of problems) log.warn(problem);
        log.info('analysis settings changed; analysing the traces again');
        receiver.setAnalysisSettings(current.config.analysis);
        tracePanels.refreshAll();
      }
    }),
  );
  void restart();
  log.info(`Hopscope ${context.extension.packageJSON.version as string} activated in ${(performance.now() - activationStarted).toFixed(1)} ms`);
}

export async function deactivate(): Promise<void> {
  await controller?.dispose();
  controller = undefined;
}

function describe(state: ReceiverState): string | undefined {
  switch (state.kind) {
    case 'following':
      return `shared with ${state.runner}`;
    case 'stopped':
      return 'receiver stopped';
    case 'error':
      return 'not receiving';
    default:
      return undefined;
  }
}

function workspaceFolders(): { name: string; path: string }[] {
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
