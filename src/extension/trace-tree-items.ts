/**
 * The rows of the Traces view as VS Code draws them (traces-view.ts decides
 * which to draw when), and the keys that say whether a row looks different
 * from when it was drawn last. Span data goes into plain labels and plain-text
 * tooltips only.
 */
import * as vscode from 'vscode';
import { formatDuration, plural } from '../common/format';
import type { TraceSummary } from '../ingest/trace-store';
import { medianDurationUs, type EndpointGroup } from './trace-list';
import { endpointLabel, traceRowText, type headerText } from './trace-row-text';

/** The command of a trace row: no arguments, so it is sent by name and never goes stale (see traces-view.ts). */
export const OPEN_SELECTED_TRACE = 'hopscope.openSelectedTrace';

type HeaderText = ReturnType<typeof headerText>;
type RowText = ReturnType<typeof traceRowText>;

/** The status row: counts and what waits; with `showNew`, a click shows the traces that arrived while the list held. */
export function statusItem(text: HeaderText, showNew: boolean): vscode.TreeItem {
  const item = new vscode.TreeItem(text.label, vscode.TreeItemCollapsibleState.None);
  item.id = 'hopscope.traces.status';
  item.description = text.description;
  item.tooltip = text.tooltip;
  item.iconPath = new vscode.ThemeIcon(text.icon);
  item.contextValue = 'tracesStatus';
  // No argument: a command without one is sent by its name, which never goes stale.
  if (showNew) item.command = { command: 'hopscope.showNewTraces', title: 'Show New Traces' };
  return item;
}

/** The list row: all traces, or the filter in use, with the rows under it. */
export function listItem(filter: string | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(filter ?? 'All traces', vscode.TreeItemCollapsibleState.Expanded);
  item.id = 'hopscope.traces.list';
  item.description = filter ? 'filter' : 'newest first';
  item.iconPath = new vscode.ThemeIcon(filter ? 'filter-filled' : 'list-flat');
  item.tooltip = filter ? `Only the traces the query ${filter} picks (Filter Traces… to change it, ✕ to show all)` : 'Every trace received, newest first (Filter Traces… to pick some)';
  item.contextValue = filter ? 'tracesListFiltered' : 'tracesList';
  return item;
}

/** A trace's row, from its text (`traceRowText`); its tooltip comes from the view's resolveTreeItem. */
export function traceItem(trace: TraceSummary, text: RowText = traceRowText(trace)): vscode.TreeItem {
  const item = new vscode.TreeItem(text.label, vscode.TreeItemCollapsibleState.None);
  item.id = `trace:${trace.traceId}`;
  item.description = text.description;
  item.iconPath = new vscode.ThemeIcon(text.icon.id, text.icon.color && new vscode.ThemeColor(text.icon.color));
  item.contextValue = 'trace';
  item.accessibilityInformation = { label: text.accessibility };
  item.command = { command: OPEN_SELECTED_TRACE, title: 'Open Trace' };
  return item;
}

export function endpointItem(group: EndpointGroup): vscode.TreeItem {
  const item = new vscode.TreeItem(endpointLabel(group.traces[0]!), vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `endpoint:${group.key}`;
  item.description = groupDescription(group);
  item.iconPath = new vscode.ThemeIcon(group.errorCount > 0 ? 'warning' : 'symbol-event');
  item.contextValue = 'endpoint';
  item.tooltip = `${group.service} ${endpointLabel(group.traces[0]!)}\n${plural(group.traces.length, 'trace')}, ${group.errorCount} with errors`;
  return item;
}

export function rowKey(trace: TraceSummary, text: RowText = traceRowText(trace)): string {
  return [text.label, text.description, text.icon.id, text.icon.color, text.tooltip, text.accessibility].join('\n');
}

export function headerKey(text: HeaderText): string {
  return [text.label, text.description, text.icon].join('\n');
}

export function groupKey(group: EndpointGroup): string {
  return `${groupDescription(group)}\n${group.errorCount}`;
}

function groupDescription(group: EndpointGroup): string {
  return `${group.service} · ${plural(group.traces.length, 'trace')} · p50 ${formatDuration(medianDurationUs(group.traces))}`;
}
