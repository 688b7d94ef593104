/**
 * The Traces view: recent traces newest first, or grouped by endpoint. Receiver
 * updates land in the TraceList at once; the tree repaints at most twice a
 * second. Span data is shown as plain labels and plain-text tooltips only.
 */
import * as vscode from 'vscode';
import { formatDuration, plural } from '../common/format';
import type { TracesUpdate } from '../ingest/receiver-controller';
import type { TraceSummary } from '../ingest/trace-store';
import { medianDurationUs, TraceList, type EndpointGroup } from './trace-list';

export const REPAINT_INTERVAL_MS = 500;

export type TraceNode = { kind: 'trace'; trace: TraceSummary } | { kind: 'endpoint'; group: EndpointGroup };

export class TracesView implements vscode.TreeDataProvider<TraceNode>, vscode.Disposable {
  readonly list = new TraceList();
  private readonly changes = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changes.event;
  private readonly view: vscode.TreeView<TraceNode>;
  private grouped = false;
  private repaintTimer: NodeJS.Timeout | undefined;
  private lastRepaint = 0;

  constructor() {
    this.view = vscode.window.createTreeView('hopscope.traces', { treeDataProvider: this, showCollapseAll: true });
    void vscode.commands.executeCommand('setContext', 'hopscope.groupedByEndpoint', false);
  }

  apply(update: TracesUpdate): void {
    this.list.apply(update);
    this.scheduleRepaint();
  }

  setGrouped(grouped: boolean): void {
    this.grouped = grouped;
    void vscode.commands.executeCommand('setContext', 'hopscope.groupedByEndpoint', grouped);
    this.changes.fire();
  }

  /** A line under the view title, e.g. that the traces come from another window. */
  setDescription(text: string | undefined): void {
    this.view.description = text;
  }

  getChildren(node?: TraceNode): TraceNode[] {
    if (!node) {
      return this.grouped ? this.list.byEndpoint().map((group) => ({ kind: 'endpoint', group })) : this.list.newestFirst().map((trace) => ({ kind: 'trace', trace }));
    }
    return node.kind === 'endpoint' ? node.group.traces.map((trace) => ({ kind: 'trace', trace })) : [];
  }

  getTreeItem(node: TraceNode): vscode.TreeItem {
    return node.kind === 'trace' ? traceItem(node.trace) : endpointItem(node.group);
  }

  dispose(): void {
    clearTimeout(this.repaintTimer);
    this.view.dispose();
    this.changes.dispose();
  }

  private scheduleRepaint(): void {
    if (this.repaintTimer) return;
    const wait = Math.max(0, this.lastRepaint + REPAINT_INTERVAL_MS - Date.now());
    this.repaintTimer = setTimeout(() => {
      this.repaintTimer = undefined;
      this.lastRepaint = Date.now();
      this.changes.fire();
    }, wait);
  }
}

function endpointLabel(trace: Pick<TraceSummary, 'rootName' | 'rootService'>): string {
  return trace.rootName || '(root span not received yet)';
}

function traceItem(trace: TraceSummary): vscode.TreeItem {
  const item = new vscode.TreeItem(endpointLabel(trace), vscode.TreeItemCollapsibleState.None);
  item.id = `trace:${trace.traceId}`;
  const services = plural(trace.services.length, 'service');
  // The request's latency is the root's duration; work after the answer (consumers) only stretches the trace.
  const latency = formatDuration(trace.rootDurationUs);
  const tail = trace.durationUs > trace.rootDurationUs * 1.05 + 1000 ? ` (trace ${formatDuration(trace.durationUs)})` : '';
  item.description = `${trace.rootService} · ${latency}${tail} · ${services}`;
  const failed = trace.errorCount > 0;
  // Failed, then worth a look (the analysis found something), then fine; spinning while spans arrive.
  const worth = trace.headline?.worstSeverity === 'error' || trace.headline?.worstSeverity === 'warning';
  item.iconPath = failed
    ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
    : !trace.settled
      ? new vscode.ThemeIcon('loading~spin')
      : worth
        ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground'))
        : new vscode.ThemeIcon('pass');
  item.contextValue = 'trace';
  item.command = { command: 'hopscope.openTrace', title: 'Open Trace', arguments: [trace.traceId] };
  const started = new Date(trace.startUs / 1000);
  item.tooltip = [
    `${trace.rootService} ${endpointLabel(trace)}`,
    `${latency}${tail ? `, spans over ${formatDuration(trace.durationUs)} (work after the answer)` : ''} · ${plural(trace.spanCount, 'span')} · ${services}${failed ? ` · ${plural(trace.errorCount, 'failed span')}` : ''}`,
    `started ${started.toLocaleTimeString()}.${String(started.getMilliseconds()).padStart(3, '0')}${trace.settled ? '' : ' · still receiving spans'}`,
    `services: ${trace.services.join(', ')}`,
    ...headlineLines(trace),
    `trace id ${trace.traceId}`,
  ].join('\n');
  item.accessibilityInformation = {
    label: `${endpointLabel(trace)}, ${trace.rootService}, ${latency}, ${services}${failed ? `, ${plural(trace.errorCount, 'error')}` : ''}`,
  };
  return item;
}

function endpointItem(group: EndpointGroup): vscode.TreeItem {
  const item = new vscode.TreeItem(endpointLabel(group.traces[0]!), vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `endpoint:${group.key}`;
  item.description = `${group.service} · ${plural(group.traces.length, 'trace')} · p50 ${formatDuration(medianDurationUs(group.traces))}`;
  item.iconPath = new vscode.ThemeIcon(group.errorCount > 0 ? 'warning' : 'symbol-event');
  item.contextValue = 'endpoint';
  item.tooltip = `${group.service} ${endpointLabel(group.traces[0]!)}\n${plural(group.traces.length, 'trace')}, ${group.errorCount} with errors`;
  return item;
}

function headlineLines(trace: TraceSummary): string[] {
  const h = trace.headline;
  if (!h) return [];
  const lines = [`blocking chain: ${plural(h.hops, 'service hop')}`];
  if (h.findings > 0) lines.push(`${plural(h.findings, 'finding')} (worst: ${h.worstSeverity})`);
  if (h.failureOrigin) lines.push(`failure started in ${h.failureOrigin.service} ${h.failureOrigin.name}`);
  return lines;
}
