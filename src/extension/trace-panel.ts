/**
 * One webview panel per trace (`hopscope.trace`). The page says `ready`, the
 * host answers with the drawn trace; while the panel is open, late spans
 * redraw it at most once a second, and a trace that goes away (cleared,
 * evicted, receiver restarted) is reported as missing. Opening a trace that is
 * already open reveals its panel.
 */
import * as vscode from 'vscode';
import type { AnalysisSettings } from '../analysis/settings';
import type { Disposable } from '../common/emitter';
import { errorText } from '../common/errors';
import { Throttle } from '../common/throttle';
import type { ReceiverController, TracesUpdate } from '../ingest/receiver-controller';
import type { TraceSummary } from '../ingest/trace-store';
import type { JournalStatus } from '../ingest/ingest-core';
import type { WebviewToHost } from '../protocol/messages';
import { isUndrawable, readTraceHead } from '../views/trace-document';
import type { TraceDocumentHead } from '../protocol/trace-document';
import { restoredTrace } from './panel-inputs';
import { keptTraceMessage, missingTraceMessage, restoringTraceMessage, summaryRoot, traceTitle, undrawableTraceMessage } from './panel-text';
import { editorLine } from './positions';
import type { PlacedLine, SourceLocator } from '../source/locator';
import type { KeptTraces } from './kept-traces';
import { PanelConnection, webviewOptions, type PanelContext } from './webview-panel';

export const TRACE_VIEW_TYPE = 'hopscope.trace';
export const REFRESH_INTERVAL_MS = 1000;
/** A growing trace's kept copy is written again at most this often (ms): the whole trace, so not on every refresh. */
const KEEP_INTERVAL_MS = 10_000;

export interface TracePanelDeps extends PanelContext {
  receiver: Pick<ReceiverController, 'getTraceView' | 'restoreTrace' | 'onTraces' | 'state'>;
  analysisSettings(): AnalysisSettings;
  /** Finds spans' code inside the workspace (one per workspace state, with its caches). */
  locator(): SourceLocator;
  /** Whether selecting a span shows its line beside the panel (`hopscope.sourceLines.revealOnSelect`). */
  revealOnSelect(): boolean;
  /** The Traces view's summary, for a title before the trace is fetched. */
  summary(traceId: string): TraceSummary | undefined;
  /** Copies of the drawn traces, for panels restored after the receiver lost them. */
  kept: KeptTraces;
}

export class TracePanels implements vscode.Disposable {
  private readonly panels = new Map<string, TracePanel>();
  private readonly subscription: Disposable;
  private closing = false;
  /** The receiver's journal as its last update told it (undefined: no update yet). */
  private readonly journal: JournalView = { status: undefined };

  constructor(private readonly deps: TracePanelDeps) {
    this.subscription = deps.receiver.onTraces((update) => {
      const wasRestoring = this.journal.status?.restoring === true;
      this.journal.status = update.stats.journal;
      const restoredNow = wasRestoring && update.stats.journal?.restoring !== true;
      for (const panel of this.panels.values()) panel.update(update, restoredNow);
    });
  }

  /** Shows the trace (its open panel, else a new one); `spanId` is selected once it is drawn. */
  open(traceId: string, spanId?: string, options: { beside?: boolean } = {}): void {
    const open = this.panels.get(traceId);
    if (open) return open.reveal(spanId);
    const title = traceTitle(traceId, summaryRoot(this.deps.summary(traceId)));
    // From the editor (a CodeLens, a hover, a quick fix) the trace opens beside the code, which stays in view.
    const panel = vscode.window.createWebviewPanel(TRACE_VIEW_TYPE, title, options.beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active, { ...webviewOptions(this.deps.extensionUri), retainContextWhenHidden: false });
    this.adopt(panel, traceId, spanId);
  }

  /** A panel VS Code brought back after a window reload, with the state its page saved. */
  restore(panel: vscode.WebviewPanel, state: unknown): void {
    const restored = restoredTrace(state);
    if ('problem' in restored) {
      this.deps.log.warn(`closed a restored trace panel: ${restored.problem}`);
      panel.dispose();
      return;
    }
    if (this.panels.has(restored.traceId)) {
      panel.dispose();
      return;
    }
    this.adopt(panel, restored.traceId, undefined, restored.selected);
  }

  /** The trace of the panel in front, if a trace panel is. */
  activeTraceId(): string | undefined {
    for (const panel of this.panels.values()) if (panel.connection.panel.active) return panel.traceId;
    return undefined;
  }

  /** Draws every open trace again (e.g. the analysis settings changed). */
  refreshAll(): void {
    for (const panel of this.panels.values()) panel.refresh.request();
  }

  dispose(): void {
    this.subscription.dispose();
    // The window is closing: the panels stay open (VS Code restores them after a reload), and so do their kept copies.
    this.closing = true;
    for (const panel of [...this.panels.values()]) panel.release();
    this.panels.clear();
  }

  private adopt(panel: vscode.WebviewPanel, traceId: string, spanId?: string, selected: string | null = null): void {
    const tracePanel = new TracePanel(panel, traceId, this.deps, this.journal, (id, span) => this.open(id, span), spanId, selected);
    this.panels.set(traceId, tracePanel);
    tracePanel.connection.onClose(() => {
      if (!this.closing) void this.deps.kept.forget(traceId).catch(() => undefined);
      if (this.panels.get(traceId) === tracePanel) this.panels.delete(traceId);
    });
  }
}

/** Shared by the panels: what the receiver's last update said of its journal. */
interface JournalView {
  status: JournalStatus | null | undefined;
}

class TracePanel {
  readonly connection: PanelConnection;
  readonly refresh = new Throttle(REFRESH_INTERVAL_MS, () => this.load());
  private ready = false;
  private drawn = false;
  /** Bumped by every load and by a missing trace, so that an older answer is never drawn over a newer one. */
  private generation = 0;
  /** The drawn document's place lists as lines of this workspace (undefined: not in it), by list index. */
  private places: (PlacedLine | undefined)[] = [];
  /** The place the page gave for the selected span's line. */
  private selectedPlace: number | undefined;
  /** How many spans and logs the drawn trace had: stored spans never change, so equal counts mean nothing new to draw. */
  private drawnCounts: { spans: number; logs: number } | undefined;
  /** How many spans and logs the copy kept with the panel had, and when it was written (ms). */
  private keptCounts: { spans: number; logs: number; atMs: number } | undefined;
  /** A newer view to keep once KEEP_INTERVAL_MS has passed since the last copy was written. */
  private keepLater: { document: Uint8Array; head: TraceDocumentHead; timer: ReturnType<typeof setTimeout> } | undefined;

  constructor(
    panel: vscode.WebviewPanel,
    readonly traceId: string,
    private readonly deps: TracePanelDeps,
    private readonly journal: JournalView,
    private readonly openTrace: (traceId: string, spanId?: string) => void,
    private pendingSelect: string | undefined,
    /** The span selected last (null: none); kept for revealing its code beside the graph. */
    public selected: string | null,
  ) {
    this.connection = new PanelConnection(panel, 'trace', deps, (message) => this.receive(message));
    this.connection.onClose(() => {
      if (this.keepLater) clearTimeout(this.keepLater.timer);
      this.refresh.dispose();
      this.revealSelected.dispose();
    });
  }

  /** Arrow keys walk the graph quickly: the line beside follows at most every 250 ms, ending on the last selection. */
  private readonly revealSelected = new Throttle(250, () => this.revealSource());

  reveal(spanId?: string): void {
    this.connection.panel.reveal();
    if (!spanId) return;
    if (this.drawn) this.connection.post({ type: 'select', spanId });
    else this.pendingSelect = spanId;
  }

  update(update: TracesUpdate, restoredNow: boolean): void {
    if (!this.ready) return; // `ready` loads the trace anyway
    const summary = update.changed.find((s) => s.traceId === this.traceId);
    // The journal was read back without this trace coming with it: say so (or draw a copy kept from before).
    if (!summary && restoredNow && !this.drawn) return this.refresh.request();
    if (summary) {
      // A trace that only settled, or got its headline, looks the same: no need to send it again.
      if (summary.spanCount !== this.drawnCounts?.spans || summary.logCount !== this.drawnCounts.logs) this.refresh.request();
    } else if (update.reset || update.removed.includes(this.traceId)) this.missing();
  }

  dispose(): void {
    this.connection.dispose();
  }

  release(): void {
    this.connection.release();
  }

  private receive(message: WebviewToHost): unknown {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.drawn = false;
        return this.load();
      case 'select':
        this.selected = message.spanId;
        this.selectedPlace = message.place;
        if (message.spanId && message.place !== undefined && this.deps.revealOnSelect()) this.revealSelected.request();
        return undefined;
      case 'openSource':
        return this.openSource(message.spanId, message.place);
      case 'openTrace':
        return this.openTrace(message.traceId, message.spanId);
      case 'export':
        return this.connection.saveExport(message, `trace-${this.traceId.slice(0, 8)}`);
      case 'log':
        return this.deps.log[message.level](`trace view ${this.traceId.slice(0, 8)}: ${message.message}`);
    }
  }

  private async load(): Promise<void> {
    const generation = ++this.generation;
    const stale = () => this.connection.disposed || generation !== this.generation;
    try {
      // The worker built the trace's document (once per trace version, for every panel): this thread reads its
      // small head, resolves its few place lists and forwards the bytes; it never parses or walks the spans.
      let document = await this.deps.receiver.getTraceView(this.traceId);
      if (stale()) return;
      let fromKeptCopy = false;
      if (!document && !this.drawn && this.journal.status?.restoring) {
        // The receiver is reading its journal back: the trace's spans come with an update, which loads it again.
        this.generation++;
        return this.connection.post({ type: 'traceMissing', traceId: this.traceId, message: restoringTraceMessage(this.traceId) });
      }
      if (!document && !this.drawn) {
        // Not in the receiver (any more, e.g. it restarted with the window): the copy kept with the panel goes back
        // into it, merged with whatever arrived since. A window that follows another Hopscope cannot write to it:
        // then, once, the copy is drawn as it is.
        const kept = await this.deps.kept.load(this.traceId);
        if (stale()) return;
        if (kept) {
          // The bytes are transferred to the worker (empty afterwards) unless this window has none.
          document = (await this.deps.receiver.restoreTrace(kept)) ?? (kept.byteLength > 0 ? kept : undefined);
          fromKeptCopy = true;
          if (stale()) return;
        }
      }
      if (!document) return this.missing();
      if (isUndrawable(document)) {
        this.drawnCounts = undefined;
        this.deps.log.warn(`trace ${this.traceId} is not drawn: ${document.undrawable}`);
        return this.connection.post({ type: 'traceMissing', traceId: this.traceId, message: undrawableTraceMessage(this.traceId, document.undrawable) });
      }
      const head = readTraceHead(document);
      if (head.traceId !== this.traceId) throw new Error(`the receiver answered with trace ${head.traceId}`);
      this.keep(document, head);
      const places = await this.deps.locator().placesOf(head.places);
      if (stale()) return;
      this.places = places;
      this.connection.panel.title = traceTitle(this.traceId, head.root);
      this.connection.post({ type: 'trace', document, places: places.map((place) => place?.label ?? null) });
      if (!this.drawn) this.deps.log.info(`trace ${this.traceId.slice(0, 8)}: sent to its panel, ${head.spans} spans`);
      this.drawn = true;
      this.drawnCounts = { spans: head.spans, logs: head.logs };
      if (this.pendingSelect) this.connection.post({ type: 'select', spanId: this.pendingSelect });
      this.pendingSelect = undefined;
      if (fromKeptCopy) this.connection.post({ type: 'traceMissing', traceId: this.traceId, message: keptTraceMessage(this.traceId) });
    } catch (error) {
      if (stale()) return;
      const why = errorText(error);
      this.deps.log.error(`could not show trace ${this.traceId}: ${why}`);
      this.connection.post({ type: 'traceMissing', traceId: this.traceId, message: `Trace ${this.traceId} could not be shown: ${why}` });
    }
  }

  /**
   * Keeps a copy of the trace's document with the panel, for after a window reload (the receiver's store lives in
   * memory): written when it first shows and then at most every KEEP_INTERVAL_MS while the trace grows, not on
   * every refresh. The bytes are written as they came: nothing is serialised on this thread.
   */
  private keep(document: Uint8Array, head: TraceDocumentHead): void {
    // A receiver with a journal keeps the trace itself, across reloads and restarts: no copy is needed.
    if (this.journal.status) return;
    const now = Date.now();
    const counts = { spans: head.spans, logs: head.logs };
    const known = this.keptCounts;
    if (known && known.spans === counts.spans && known.logs === counts.logs) return;
    if (known && now - known.atMs < KEEP_INTERVAL_MS) {
      if (this.keepLater) Object.assign(this.keepLater, { document, head });
      else {
        const later = { document, head, timer: setTimeout(() => {
          this.keepLater = undefined;
          if (!this.connection.disposed) this.keep(later.document, later.head);
        }, KEEP_INTERVAL_MS - (now - known.atMs)) };
        this.keepLater = later;
      }
      return;
    }
    this.keptCounts = { ...counts, atMs: now };
    void this.deps.kept.save(this.traceId, document).catch((error: unknown) => this.deps.log.warn(`could not keep a copy of trace ${this.traceId}: ${String(error)}`));
  }

  private missing(): void {
    this.generation++;
    this.drawnCounts = undefined;
    this.connection.post({ type: 'traceMissing', traceId: this.traceId, message: missingTraceMessage(this.traceId, this.deps.receiver.state) });
  }

  /** The page names the span and the place it showed for it; the place's line is this window's own resolution. */
  private async openSource(spanId: string, place: number | undefined): Promise<void> {
    if (!(await this.showSource(spanId, place, false))) void vscode.window.showWarningMessage('Hopscope: this span names no source file inside the workspace.');
  }

  /** The selected span's line, beside the panel, focus kept in the panel; nothing when its code is not in the workspace. */
  private async revealSource(): Promise<void> {
    if (this.selected && !this.connection.disposed) await this.showSource(this.selected, this.selectedPlace, true);
  }

  /**
   * Where a span's line opens: the group already showing the file; else the other group with a text editor in
   * it (the one used last); else the panel's own group. Never a new split: the trace keeps its width.
   */
  private codeColumn(uri: vscode.Uri): vscode.ViewColumn {
    const panelColumn = this.connection.panel.viewColumn;
    const visible = vscode.window.visibleTextEditors.filter((e) => e.viewColumn !== undefined);
    const showing = visible.find((e) => e.document.uri.fsPath === uri.fsPath);
    if (showing?.viewColumn !== undefined) return showing.viewColumn;
    const active = vscode.window.activeTextEditor;
    const other = active && active.viewColumn !== undefined && active.viewColumn !== panelColumn ? active : visible.find((e) => e.viewColumn !== panelColumn);
    return other?.viewColumn ?? panelColumn ?? vscode.ViewColumn.Active;
  }

  private async showSource(spanId: string, place: number | undefined, quietly: boolean): Promise<boolean> {
    const location = place === undefined ? undefined : this.places[place];
    if (!location) return false;
    if (quietly && this.selected !== spanId) return true; // a newer selection will show its own line
    const line = editorLine(location.line);
    const uri = vscode.Uri.file(location.file);
    const range = new vscode.Range(line, 0, line, 0);
    const viewColumn = this.codeColumn(uri);
    // Shown on selection, a line never covers the trace: with no other group to show it in, it waits for Go to Code.
    if (quietly && viewColumn === this.connection.panel.viewColumn) return true;
    const editor = await vscode.window.showTextDocument(uri, { selection: range, preserveFocus: quietly, preview: true, viewColumn });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return true;
  }
}
