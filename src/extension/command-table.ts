/**
 * Every command the extension contributes, as a table from id to what it
 * does (rust-analyzer's `commandFactories`); `activate` registers the table.
 */
import * as vscode from 'vscode';
import { isSpanId, isTraceId } from '../model/ids';
import type { ReceiverController } from '../ingest/receiver-controller';
import { copyEnvironment, statusActions } from './commands';
import type { Views } from './extension-views';
import { ACTIVE_FILTER_KEY, FILTER_HISTORY_KEY, rememberQuery } from './filter-history';
import { SHOW_SPAN_COMMAND } from './line-calls';
import { openTraceCommand } from './open-trace';
import type { ReceiverSession } from './receiver-session';
import type { SettingsService } from './settings-service';
import { exportTraceFile, openTraceFiles, type TraceFileDeps } from './trace-file-commands';
import { askForFilter } from './trace-filter';
import { OPEN_SELECTED_TRACE, type TraceNode } from './traces-view';

export type CommandTable = Record<string, (...args: never[]) => unknown>;

export interface CommandDeps {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  receiver: ReceiverController;
  session: ReceiverSession;
  settings: SettingsService;
  views: Views;
}

/** The files a command was given: one Uri, or a list of them (the Explorer passes its whole selection second). */
function givenUris(arg: unknown): vscode.Uri[] | undefined {
  if (arg instanceof vscode.Uri) return [arg];
  if (Array.isArray(arg) && arg.length > 0 && arg.every((u) => u instanceof vscode.Uri)) return arg as vscode.Uri[];
  return undefined;
}

/** What Open Trace File and Export Trace use (also the Traces view's drop handler). */
export function traceFileDeps(log: vscode.LogOutputChannel, receiver: ReceiverController, tracePanels: Views['tracePanels']): TraceFileDeps {
  return { receiver, log, openTrace: (traceId) => tracePanels.open(traceId), showTraces: () => void vscode.commands.executeCommand('hopscope.traces.focus') };
}

export function commandTable(deps: CommandDeps): CommandTable {
  return { ...receiverCommands(deps), ...traceCommands(deps), ...traceListCommands(deps) };
}

/** Registers each command; the registrations, for the extension's lifetime. */
export function registerCommands(table: CommandTable): vscode.Disposable[] {
  return Object.entries(table).map(([id, run]) => vscode.commands.registerCommand(id, run));
}

function receiverCommands({ log, receiver, session, settings }: CommandDeps): CommandTable {
  return {
    'hopscope.startReceiver': () => session.start(),
    'hopscope.stopReceiver': () => session.stop(),
    'hopscope.clearTraces': () => receiver.clear(),
    'hopscope.copyEnvironment': () => copyEnvironment(session.endpoints()),
    'hopscope.showLog': () => log.show(),
    'hopscope.statusActions': () => statusActions(receiver.state),
    'hopscope.pickPort': () => session.pickPort(),
    'hopscope.toggleLineHints': () => settings.update('sourceLines.hints', !settings.sourceLines().value.hints),
  };
}

function traceCommands({ log, receiver, views: { traces, tracePanels, serviceMap } }: CommandDeps): CommandTable {
  const files = traceFileDeps(log, receiver, tracePanels);
  return {
    // From the palette (asks), the Explorer's context menu (a file) or a drop on the Traces view (files).
    'hopscope.openTraceFile': (arg?: unknown, selected?: unknown) => openTraceFiles(files, givenUris(selected) ?? givenUris(arg)),
    // From a trace row's context menu (its node), or the trace panel's title bar (the active panel's trace).
    'hopscope.exportTrace': (node?: TraceNode) => {
      const traceId = node?.kind === 'trace' ? node.trace.traceId : tracePanels.activeTraceId();
      if (traceId) return exportTraceFile(files, traceId);
    },
    'hopscope.copyTraceId': async (node?: TraceNode) => {
      if (node?.kind !== 'trace') return;
      await vscode.env.clipboard.writeText(node.trace.traceId);
      vscode.window.setStatusBarMessage(`Copied trace id ${node.trace.traceId}`, 3000);
    },
    'hopscope.openTrace': (arg?: unknown) => openTraceCommand(arg, traces.list, (traceId) => tracePanels.open(traceId)),
    'hopscope.openServiceMap': () => serviceMap.open(),
    // From CodeLenses, hovers and Code Actions: a trace with one of its spans selected. Arguments come from links, so they are checked.
    [SHOW_SPAN_COMMAND]: (traceId?: unknown, spanId?: unknown) => {
      if (typeof traceId !== 'string' || !isTraceId(traceId.toLowerCase())) return;
      const span = typeof spanId === 'string' && isSpanId(spanId.toLowerCase()) ? spanId.toLowerCase() : undefined;
      tracePanels.open(traceId.toLowerCase(), span, { beside: vscode.window.activeTextEditor !== undefined });
    },
    // A trace row's click (see traces-view.ts: the command has no arguments; the row is the selected one).
    [OPEN_SELECTED_TRACE]: async () => {
      const traceId = await traces.selectedTrace();
      if (traceId) tracePanels.open(traceId);
    },
  };
}

function traceListCommands({ context, views: { traces } }: CommandDeps): CommandTable {
  const history = () => context.workspaceState.get<string[]>(FILTER_HISTORY_KEY) ?? [];
  const applyFilter = async (query: string) => {
    traces.setFilter(query);
    await context.workspaceState.update(ACTIVE_FILTER_KEY, query || undefined);
    if (query) await context.workspaceState.update(FILTER_HISTORY_KEY, rememberQuery(history(), query));
  };
  return {
    'hopscope.filterTraces': async () => {
      const query = await askForFilter(traces.filterText, history());
      if (query !== undefined) await applyFilter(query);
    },
    'hopscope.clearTraceFilter': () => applyFilter(''),
    'hopscope.pauseTraces': () => traces.setPaused(true),
    'hopscope.resumeTraces': () => traces.setPaused(false),
    'hopscope.showNewTraces': () => traces.showNew(),
    'hopscope.groupByEndpoint': () => traces.setGrouped(true),
    'hopscope.ungroupTraces': () => traces.setGrouped(false),
  };
}
