/**
 * The Traces view: recent traces newest first, or grouped by endpoint, that
 * holds still while the user works in it (shown-traces.ts).
 *
 *   ◌ 870 traces               live, newest first      the status row: counts, what waits, click to show it
 *   ▾ All traces                                       the list row (or the filter in use): its rows below
 *       ✓ POST /orders         680 ms · 201 · 14:03:21.885 · 2 hops
 *
 * How VS Code draws a tree decides the shape. Refreshing the whole tree draws
 * every row again, which drops a tooltip that is waiting to show (it needs the
 * pointer to move again) — with traces arriving twice a second a tooltip never
 * appeared. Refreshing one row draws only that row and, for a row with
 * children, looks its children up again without drawing them. So new traces
 * refresh the list row, changed text refreshes just its row (in a later round
 * than a refresh of its parent, which would not draw it), and the counts live
 * in a row of their own.
 *
 * Clicks. A row's command with arguments reaches the extension by a handle
 * that lives only as long as that tree item: a list drawn again while a click
 * was on its way lost it ("Actual command not found"), about one click in three
 * while traces streamed. A trace row's command has no arguments (it is sent by
 * name), and the trace is the row VS Code says is selected, found by its
 * handle, which is the trace id: the same after any number of refreshes.
 *
 * The pointer. VS Code says nothing about it, except that it asks
 * `resolveTreeItem` for a row's tooltip once the pointer has rested on it: the
 * list then holds still for POINTER_HOLD_MS. It also holds while a trace is
 * selected and while the user has paused it. Span data is shown as plain
 * labels and plain-text tooltips only.
 */
import * as vscode from 'vscode';
import { queryErrorText } from '../analysis/trace-query';
import type { TracesUpdate } from '../ingest/receiver-controller';
import type { QueryAnswer } from '../ingest/trace-queries';
import type { TraceSummary } from '../ingest/trace-store';
import { ShownTraces } from './shown-traces';
import { groupByEndpoint, TraceList, type EndpointGroup } from './trace-list';
import { headerText, traceRowText, type HeaderState } from './trace-row-text';
import { endpointItem, groupKey, headerKey, listItem, rowKey, statusItem, traceItem } from './trace-tree-items';

export { OPEN_SELECTED_TRACE } from './trace-tree-items';

export const REPAINT_INTERVAL_MS = 500;
/**
 * New rows come in at most this often. Each time they do, the rows below move, and a tooltip waiting to show
 * (VS Code waits half a second) starts over on the row now under the pointer: at this pace one shows within a few
 * seconds, and from then on the list holds still.
 */
export const INSERT_INTERVAL_MS = 2000;
/** How long the list holds still after the pointer rested on a row. */
export const POINTER_HOLD_MS = 6000;

export type TraceNode =
  | { kind: 'status' }
  | { kind: 'list' }
  | { kind: 'trace'; trace: TraceSummary }
  | { kind: 'endpoint'; group: EndpointGroup };
type TraceRow = Extract<TraceNode, { kind: 'trace' }>;
type EndpointRow = Extract<TraceNode, { kind: 'endpoint' }>;

/** Trace files dropped on the view (from the Explorer, or the desktop) open as Open Trace File opens them. */
const fileDrops: vscode.TreeDragAndDropController<TraceNode> = {
  dragMimeTypes: [],
  dropMimeTypes: ['text/uri-list', 'files'],
  async handleDrop(_target, dataTransfer) {
    const uris: vscode.Uri[] = [];
    const list = await dataTransfer.get('text/uri-list')?.asString();
    for (const line of list?.split(/\r?\n/) ?? []) {
      if (line.trim() !== '' && !line.startsWith('#')) uris.push(vscode.Uri.parse(line.trim()));
    }
    if (uris.length === 0) {
      dataTransfer.forEach((item) => {
        const file = item.asFile();
        if (file?.uri) uris.push(file.uri);
      });
    }
    if (uris.length > 0) await vscode.commands.executeCommand('hopscope.openTraceFile', uris);
  },
};

export interface TracesViewOptions {
  /** Asks the receiver which traces a query picks. */
  query(text: string): Promise<QueryAnswer | undefined>;
  /** The filter to start with (the one in use when the window closed). */
  filter?: string;
}

interface ActiveFilter {
  text: string;
  /** The list version the last question was asked at; -1 before the first. */
  asked: number;
  asking: boolean;
  unchecked: number;
  error?: string;
}

export class TracesView implements vscode.TreeDataProvider<TraceNode>, vscode.Disposable {
  readonly list = new TraceList();
  private readonly shown = new ShownTraces(this.list);
  private readonly changes = new vscode.EventEmitter<TraceNode | TraceNode[] | undefined>();
  readonly onDidChangeTreeData = this.changes.event;
  private readonly view: vscode.TreeView<TraceNode>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private grouped = false;
  private paused = false;
  private selectionHolds = false;
  private pointerHoldUntil = 0;
  /** The trace row the pointer rested on last: its text is not drawn again while the pointer holds the list (that would drop its tooltip). */
  private pointerRow: string | undefined;
  private lastInsert = 0;
  private receiverText: string | undefined;
  private filter: ActiveFilter | undefined;
  /** The next round draws the whole tree again, with every admitted trace (the user asked: a filter, Show, Clear). */
  private redrawAll = false;
  private repaintTimer: NodeJS.Timeout | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  private lastRepaint = 0;
  // One object per row for as long as it is shown: the tree knows its rows by these objects.
  private readonly status: TraceNode = { kind: 'status' };
  private readonly listRow: TraceNode = { kind: 'list' };
  private traceRows = new Map<string, TraceRow>();
  private endpointRows = new Map<string, EndpointRow>();
  /** What each row was last drawn with: a row is drawn again only when this changes. */
  private readonly drawn = new WeakMap<TraceNode, string>();
  /** Rows whose text changed in a round that refreshed their parent: drawn in the next round. */
  private stale = new Set<TraceNode>();
  private rootShown = false;

  constructor(private readonly options: TracesViewOptions) {
    this.view = vscode.window.createTreeView('hopscope.traces', { treeDataProvider: this, showCollapseAll: true, dragAndDropController: fileDrops });
    this.subscriptions.push(
      this.view,
      this.changes,
      this.view.onDidChangeSelection(({ selection }) => {
        const holds = selection.some((node) => node.kind === 'trace' || node.kind === 'endpoint');
        if (holds === this.selectionHolds) return;
        this.selectionHolds = holds;
        this.scheduleRepaint();
      }),
    );
    void vscode.commands.executeCommand('setContext', 'hopscope.groupedByEndpoint', false);
    void vscode.commands.executeCommand('setContext', 'hopscope.tracesPaused', false);
    this.setFilter(options.filter);
  }

  apply(update: TracesUpdate): void {
    this.list.apply(update);
    // Cleared, or another receiver: nothing held is worth keeping.
    if (update.reset) this.redrawAll = true;
    this.scheduleRepaint();
  }

  /** The filter in use, as the user wrote it. */
  get filterText(): string | undefined {
    return this.filter?.text;
  }

  /** Shows only the traces the query picks (the worker answers it); undefined or '' shows all. */
  setFilter(text: string | undefined): void {
    const query = text?.trim() || undefined;
    this.filter = query ? { text: query, asked: -1, asking: false, unchecked: 0 } : undefined;
    void vscode.commands.executeCommand('setContext', 'hopscope.tracesFiltered', query !== undefined);
    this.describe();
    if (query) return this.ask(this.filter!);
    this.shown.admit(undefined);
    this.redrawAll = true;
    this.repaintNow();
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    void vscode.commands.executeCommand('setContext', 'hopscope.tracesPaused', paused);
    this.describe();
    this.repaintNow();
  }

  /** Adds the traces that arrived while the list held still (the status row's "show"). */
  showNew(): void {
    this.redrawAll = true;
    this.pointerHoldUntil = 0;
    this.repaintNow();
  }

  setGrouped(grouped: boolean): void {
    this.grouped = grouped;
    void vscode.commands.executeCommand('setContext', 'hopscope.groupedByEndpoint', grouped);
    this.redrawAll = true;
    this.repaintNow();
  }

  /** What the receiver is doing when it is worth a word under the view's title (e.g. that the traces come from another window). */
  setDescription(text: string | undefined): void {
    this.receiverText = text;
    this.describe();
  }

  /**
   * The trace of the selected row, for a row's click: the click's selection reaches the extension before its
   * command, but while the tree looks the rows up again (a refresh under way) the selection names a row it does
   * not know yet; it is asked again for a while.
   */
  async selectedTrace(): Promise<string | undefined> {
    for (let attempt = 0; attempt < 60; attempt++) {
      const node = this.view.selection[0];
      if (node) return node.kind === 'trace' ? node.trace.traceId : undefined;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return undefined;
  }

  getChildren(node?: TraceNode): TraceNode[] {
    if (!node) {
      this.rootShown = this.hasRows();
      return this.rootShown ? [this.status, this.listRow] : [];
    }
    if (node.kind === 'endpoint') return node.group.traces.map((trace) => this.traceRow(trace));
    if (node.kind !== 'list') return [];
    const rows = this.shown.rows();
    if (this.grouped) {
      const previous = this.endpointRows;
      this.endpointRows = new Map();
      return groupByEndpoint(rows).map((group) => {
        const row = previous.get(group.key) ?? { kind: 'endpoint', group };
        row.group = group;
        this.endpointRows.set(group.key, row);
        return row;
      });
    }
    const previous = this.traceRows;
    this.traceRows = new Map();
    return rows.map((trace) => this.traceRow(trace, previous));
  }

  getTreeItem(node: TraceNode): vscode.TreeItem {
    // What each row is drawn with is remembered: it is drawn again only when that changes.
    switch (node.kind) {
      case 'status': {
        const text = this.statusText();
        this.drawn.set(node, headerKey(text));
        return statusItem(text, this.held() && this.shown.waiting > 0);
      }
      case 'list':
        return listItem(this.filter?.text);
      case 'trace': {
        const text = traceRowText(node.trace);
        this.drawn.set(node, rowKey(node.trace, text));
        return traceItem(node.trace, text);
      }
      case 'endpoint':
        this.drawn.set(node, groupKey(node.group));
        return endpointItem(node.group);
    }
  }

  /** Called when the pointer rests on a trace row, for its tooltip. */
  resolveTreeItem(item: vscode.TreeItem, node: TraceNode): vscode.TreeItem {
    if (node.kind !== 'trace') return item;
    this.pointerRested(node.trace.traceId);
    item.tooltip = traceRowText(this.shown.get(node.trace.traceId) ?? node.trace).tooltip;
    return item;
  }

  dispose(): void {
    clearTimeout(this.repaintTimer);
    clearTimeout(this.holdTimer);
    for (const s of this.subscriptions) s.dispose();
  }

  private held(): boolean {
    return this.paused || this.selectionHolds || Date.now() < this.pointerHoldUntil;
  }

  private hasRows(): boolean {
    return this.list.size > 0 || this.filter !== undefined;
  }

  private pointerRested(traceId: string): void {
    this.pointerRow = traceId;
    this.pointerHoldUntil = Date.now() + POINTER_HOLD_MS;
    clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(() => this.scheduleRepaint(), POINTER_HOLD_MS + 10);
  }

  private traceRow(trace: TraceSummary, previous = this.traceRows): TraceRow {
    const row = previous.get(trace.traceId) ?? { kind: 'trace', trace };
    row.trace = trace;
    this.traceRows.set(trace.traceId, row);
    return row;
  }

  private describe(): void {
    const parts = [this.receiverText, this.filter?.text, this.paused ? 'paused' : undefined].filter((p) => p);
    this.view.description = parts.length > 0 ? parts.join(' · ') : undefined;
  }

  private ask(filter: ActiveFilter): void {
    // The first answer to a new filter replaces the rows at once; later ones wait while the list holds still.
    const first = filter.asked === -1;
    filter.asking = true;
    filter.asked = this.list.version;
    void this.options.query(filter.text).then((answer) => {
      filter.asking = false;
      if (this.filter !== filter) return;
      if (answer && !answer.ok) filter.error = queryErrorText(answer.error);
      else delete filter.error;
      filter.unchecked = answer?.ok ? answer.unchecked : 0;
      this.shown.admit(new Set(answer?.ok ? answer.traceIds : []));
      if (!first) return this.scheduleRepaint();
      this.redrawAll = true;
      this.repaintNow();
    });
  }

  private scheduleRepaint(): void {
    if (this.repaintTimer) return;
    const wait = Math.max(0, this.lastRepaint + REPAINT_INTERVAL_MS - Date.now());
    this.repaintTimer = setTimeout(() => this.repaintNow(), wait);
  }

  private repaintNow(): void {
    clearTimeout(this.repaintTimer);
    this.repaintTimer = undefined;
    this.lastRepaint = Date.now();
    const filter = this.filter;
    // Asked again when traces changed, or to read on where the last answer had to stop (a very large store).
    if (filter && !filter.asking && (filter.asked !== this.list.version || filter.unchecked > 0)) this.ask(filter);
    if (this.redrawAll || this.hasRows() !== this.rootShown) {
      this.redrawAll = false;
      this.stale.clear();
      this.shown.update(false);
      return this.changes.fire(undefined);
    }
    if (!this.rootShown) return;
    const held = this.held();
    // Rows drawn late come first: while they wait, no rows come in; nor more often than INSERT_INTERVAL_MS.
    const insertWaits = this.stale.size > 0 || Date.now() - this.lastInsert < INSERT_INTERVAL_MS;
    const { reordered, changed } = this.shown.update(held || insertWaits);
    if (reordered) this.lastInsert = Date.now();
    else if (!held && this.shown.waiting > 0) this.scheduleRepaint();
    const refresh = new Set<TraceNode>();
    if (this.drawn.get(this.status) !== headerKey(this.statusText(held))) refresh.add(this.status);
    if (reordered) refresh.add(this.listRow);
    const pointed = Date.now() < this.pointerHoldUntil ? this.pointerRow : undefined;
    const candidates = new Set(this.stale);
    this.stale = new Set();
    for (const id of changed) {
      const row = this.traceRows.get(id);
      if (!row) continue;
      row.trace = this.shown.get(id)!;
      if (this.drawn.get(row) !== rowKey(row.trace)) candidates.add(row);
    }
    if (this.grouped && changed.length > 0) {
      for (const group of groupByEndpoint(this.shown.rows())) {
        const row = this.endpointRows.get(group.key);
        if (!row) continue;
        row.group = group;
        if (this.drawn.get(row) !== groupKey(group)) candidates.add(row);
      }
    }
    // A row refreshed with its parent would not be drawn again: it waits for the next round.
    const underRefreshedGroup = new Set<string>();
    for (const row of candidates) if (row.kind === 'endpoint') for (const t of row.group.traces) underRefreshedGroup.add(t.traceId);
    for (const row of candidates) {
      const parentRefreshed = refresh.has(this.listRow) || (row.kind === 'trace' && underRefreshedGroup.has(row.trace.traceId));
      if (parentRefreshed || (row.kind === 'trace' && row.trace.traceId === pointed)) this.stale.add(row);
      else refresh.add(row);
    }
    if (this.stale.size > 0) this.scheduleRepaint();
    if (refresh.size > 0) this.changes.fire([...refresh]);
  }

  /** `held`: whether the user holds the list (else traces that wait for their turn are not worth a word). */
  private statusText(held = this.held()) {
    const state: HeaderState = {
      total: this.list.size,
      admitted: this.shown.admittedCount,
      filtered: this.filter !== undefined,
      waiting: held ? this.shown.waiting : 0,
      paused: this.paused,
      held,
      unchecked: this.filter?.unchecked ?? 0,
      ...(this.filter?.error ? { filterError: this.filter.error } : {}),
    };
    return headerText(state);
  }
}
