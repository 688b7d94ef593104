/**
 * Hopscope beside the source: on each line that made calls in recent traces,
 * a CodeLens (what the call costs and what to do; click opens the trace on
 * that span), an end-of-line hint, a hover (numbers, distribution, slowest
 * traces) and Problems (one per finding, with related locations along the
 * chain, and a "Show in Hopscope" Code Action).
 *
 *   receiver.onTraces ──► throttle (≤ 1/s) ──► getCallSites() ──► resolve paths (SourceLocator)
 *                                                  ──► FileCalls ──► lenses · hints · hovers · Problems
 *
 * Nothing is redrawn unless what it shows changed, nor while the user types
 * (new numbers wait for a pause), and nothing here runs per keystroke beyond
 * a map lookup (the providers answer from what was resolved).
 */
import * as vscode from 'vscode';
import { errorText } from '../common/errors';
import type { ReceiverController } from '../ingest/receiver-controller';
import type { PlaceCandidate } from '../model/code-place';
import type { SourceLocator } from '../source/locator';
import { hintText, leadFinding, lensTitle } from './call-site-text';
import { hoverMarkdown, lineProblems, resolveLineCalls, SHOW_SPAN_COMMAND, type FileCalls, type LineCalls, type LineProblem } from './line-calls';
import { editorColumn, editorLine } from './positions';
import type { SourceLineSettings } from './source-line-settings';
import { Throttle } from '../common/throttle';

export interface SourceLinesDeps {
  receiver: Pick<ReceiverController, 'getCallSites' | 'onTraces'>;
  locator: () => SourceLocator;
  settings: () => SourceLineSettings;
  log: vscode.LogOutputChannel;
}

/** At most this many calls get a lens of their own on one line; the hover lists the rest. */
const LENSES_PER_LINE = 3;
/** Call sites age out of the receiver's recent window; look again this often even when no trace arrives. */
const AGE_OUT_CHECK_MS = 60_000;
const DIAGNOSTIC_SOURCE = 'Hopscope';
/** A problem is listed with its finding's severity (line-calls.ts), only translated to the editor's names. */
const DIAGNOSTIC_SEVERITY: Record<LineProblem['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error, warning: vscode.DiagnosticSeverity.Warning, info: vscode.DiagnosticSeverity.Information,
};
const MAX_REPORTED_OUTSIDE = 20;
/** While the user types, nothing is redrawn (new numbers wait until typing pauses this long), as VS Code does with lenses. */
const TYPING_PAUSE_MS = 1000;

export class SourceLines implements vscode.Disposable {
  private files: FileCalls = new Map();
  private problems = new Map<string, LineProblem>();
  private lensKeys = '';
  private problemKeys = '';
  private diagnosticFiles = new Set<string>();
  private readonly reportedOutside = new Set<string>();
  private loaded: { computedAt: number; locator: SourceLocator; settings: string } | undefined;
  private readonly hintKeys = new WeakMap<vscode.TextEditor, string>();
  private readonly lensChanged = new vscode.EventEmitter<void>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('hopscope');
  private readonly hint = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('hopscope.lineHintForeground'), margin: '0 0 0 2em', fontStyle: 'italic' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly warningHint = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('hopscope.lineHintWarningForeground'), margin: '0 0 0 2em', fontStyle: 'italic' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly refresh = new Throttle(1000, () => this.load());
  private readonly disposables: vscode.Disposable[] = [];
  private readonly timer = setInterval(() => this.refresh.request(), AGE_OUT_CHECK_MS);
  private lastEditAt = -Infinity;
  private afterTyping: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly deps: SourceLinesDeps) {
    const files = [{ scheme: 'file' }];
    this.disposables.push(
      this.lensChanged,
      this.diagnostics,
      this.hint,
      this.warningHint,
      deps.receiver.onTraces(() => this.refresh.request()),
      vscode.languages.registerCodeLensProvider(files, { onDidChangeCodeLenses: this.lensChanged.event, provideCodeLenses: (document) => this.lenses(document) }),
      vscode.languages.registerHoverProvider(files, { provideHover: (document, position) => this.hover(document, position) }),
      vscode.languages.registerCodeActionsProvider(files, { provideCodeActions: (document, _range, context) => this.actions(document, context) }, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.drawHints()),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length > 0 && (event.document.uri.scheme === 'file' || event.document.uri.scheme === 'untitled')) this.lastEditAt = Date.now();
      }),
    );
    this.refresh.request();
  }

  /** Settings or the workspace changed: resolve and draw everything again. */
  reload(): void {
    this.loaded = undefined;
    this.refresh.request();
  }

  dispose(): void {
    clearInterval(this.timer);
    if (this.afterTyping) clearTimeout(this.afterTyping);
    this.refresh.dispose();
    for (const d of this.disposables) d.dispose();
  }

  private async load(): Promise<void> {
    const typedAgo = Date.now() - this.lastEditAt;
    if (typedAgo < TYPING_PAUSE_MS) {
      this.afterTyping ??= setTimeout(() => {
        this.afterTyping = undefined;
        this.refresh.request();
      }, TYPING_PAUSE_MS - typedAgo);
      return;
    }
    try {
      const settings = this.deps.settings();
      // With every surface off nothing is asked of the receiver (and what was drawn is taken away).
      const wanted = settings.codeLens || settings.hints || settings.hovers || settings.problems;
      const view = wanted ? await this.deps.receiver.getCallSites() : undefined;
      const locator = this.deps.locator();
      const settingsKey = JSON.stringify(settings);
      const computedAt = view?.computedAt ?? -1;
      if (this.loaded && this.loaded.computedAt === computedAt && this.loaded.locator === locator && this.loaded.settings === settingsKey) return;
      // The rule the trace view's Open follows: a list's first candidate inside the workspace.
      const resolve = async (list: readonly PlaceCandidate[]) => {
        const at = await locator.placeOf(list);
        return at && { file: at.file, line: at.line, ...(at.column !== undefined && { column: at.column }), ...(at.functionName !== undefined && { functionName: at.functionName }) };
      };
      const files = view ? await resolveLineCalls(view, resolve, (place) => this.reportOutside(place.tries[0]?.[0]?.path ?? '')) : new Map<string, LineCalls[]>();
      const problems = settings.problems ? await lineProblems(files, resolve, settings.thresholds) : [];
      this.loaded = { computedAt, locator, settings: settingsKey };
      this.files = files;
      this.drawLenses(settings);
      this.drawHints();
      this.drawProblems(problems);
    } catch (error) {
      this.deps.log.warn(`could not show call sites beside the source: ${errorText(error)}`);
    }
  }

  /** Why a call shows on no line: said once per path in the log (the first few paths), since nothing in the editor can say it. */
  private reportOutside(path: string): void {
    if (this.reportedOutside.has(path) || this.reportedOutside.size >= MAX_REPORTED_OUTSIDE) return;
    this.reportedOutside.add(path);
    this.deps.log.info(`calls made in ${JSON.stringify(path.slice(0, 300))} are not shown beside the source: no file of this workspace matches it (hopscope.pathMappings can say where it is)`);
  }

  /** Lenses are asked for again when what they say, or the call they open, changed. */
  private drawLenses(settings: SourceLineSettings): void {
    const keys = settings.codeLens ? [...this.files.values()].flat().map((l) => `${l.file}:${l.line}:${l.calls.slice(0, LENSES_PER_LINE).map((c) => `${lensTitle(c)}>${c.latest.spanId}`).join('|')}`).join('\n') : '';
    if (keys === this.lensKeys) return;
    this.lensKeys = keys;
    this.lensChanged.fire();
  }

  private lenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.deps.settings().codeLens) return [];
    const lines = this.files.get(document.uri.fsPath) ?? [];
    return lines.flatMap((line) => {
      const at = editorLine(line.line);
      if (at >= document.lineCount) return [];
      const range = new vscode.Range(at, 0, at, 0);
      return line.calls.slice(0, LENSES_PER_LINE).map((call) => new vscode.CodeLens(range, {
        title: lensTitle(call),
        tooltip: `Open the newest of ${call.count} trace${call.count === 1 ? '' : 's'} with this call selected`,
        command: SHOW_SPAN_COMMAND,
        arguments: [call.latest.traceId, call.latest.spanId],
      }));
    });
  }

  private drawHints(): void {
    const settings = this.deps.settings();
    const on = settings.hints;
    for (const editor of vscode.window.visibleTextEditors) {
      const lines = on ? this.files.get(editor.document.uri.fsPath) ?? [] : [];
      const plain: vscode.DecorationOptions[] = [];
      const warned: vscode.DecorationOptions[] = [];
      for (const line of lines) {
        const at = editorLine(line.line);
        if (at >= editor.document.lineCount) continue;
        const first = line.calls[0];
        if (!first) continue;
        // The one thing to do (the lens says the rest); with the lenses off, the cost too.
        const text = hintText(first, settings.thresholds, !settings.codeLens);
        if (!text) continue;
        const more = line.calls.length > 1 ? ` (+${line.calls.length - 1} more)` : '';
        const end = editor.document.lineAt(at).range.end;
        const lead = leadFinding(first, settings.thresholds);
        (lead && lead.severity !== 'info' ? warned : plain).push({
          range: new vscode.Range(end, end),
          renderOptions: { after: { contentText: `${text}${more}` } },
        });
      }
      const key = JSON.stringify([plain.map((d) => [d.range.start.line, d.renderOptions?.after?.contentText]), warned.map((d) => [d.range.start.line, d.renderOptions?.after?.contentText])]);
      if (this.hintKeys.get(editor) === key) continue;
      this.hintKeys.set(editor, key);
      editor.setDecorations(this.hint, plain);
      editor.setDecorations(this.warningHint, warned);
    }
  }

  private hover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (!this.deps.settings().hovers) return undefined;
    const line = this.files.get(document.uri.fsPath)?.find((l) => editorLine(l.line) === position.line);
    if (!line) return undefined;
    const markdown = new vscode.MarkdownString(hoverMarkdown(line));
    // Links may run only the command that opens a trace; span data was escaped, and HTML is not rendered.
    markdown.isTrusted = { enabledCommands: [SHOW_SPAN_COMMAND] };
    markdown.supportHtml = false;
    return new vscode.Hover(markdown, document.lineAt(position.line).range);
  }

  private drawProblems(problems: LineProblem[]): void {
    const key = JSON.stringify(problems);
    if (key === this.problemKeys) return;
    this.problemKeys = key;
    this.problems = new Map(problems.map((p) => [problemKey(p.file, editorLine(p.line), p.message), p]));
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const problem of problems) {
      const line = editorLine(problem.line);
      const start = editorColumn(problem.column);
      const diagnostic = new vscode.Diagnostic(new vscode.Range(line, start, line, Math.max(start + 1, 10_000)), problem.message,
        DIAGNOSTIC_SEVERITY[problem.severity]);
      diagnostic.source = DIAGNOSTIC_SOURCE;
      diagnostic.code = problem.rule;
      diagnostic.relatedInformation = problem.related.map((r) => new vscode.DiagnosticRelatedInformation(
        new vscode.Location(vscode.Uri.file(r.file), new vscode.Position(editorLine(r.line), editorColumn(r.column))), r.message));
      byFile.set(problem.file, [...(byFile.get(problem.file) ?? []), diagnostic]);
    }
    // Replaced file by file (no clear first), so the Problems panel does not blink.
    for (const file of this.diagnosticFiles) if (!byFile.has(file)) this.diagnostics.delete(vscode.Uri.file(file));
    this.diagnosticFiles = new Set(byFile.keys());
    this.diagnostics.set([...byFile].map(([file, list]) => [vscode.Uri.file(file), list]));
  }

  /** "Show in Hopscope" for each Hopscope problem under the cursor; one per trace and span, named by rule when there are several. */
  private actions(document: vscode.TextDocument, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const found = new Map<string, { problem: LineProblem; diagnostics: vscode.Diagnostic[] }>();
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
      const problem = this.problems.get(problemKey(document.uri.fsPath, diagnostic.range.start.line, diagnostic.message));
      if (!problem) continue;
      const key = `${problem.traceId}/${problem.spanId}`;
      const known = found.get(key);
      if (known) known.diagnostics.push(diagnostic);
      else found.set(key, { problem, diagnostics: [diagnostic] });
    }
    return [...found.values()].map(({ problem, diagnostics }) => {
      const title = found.size > 1 ? `Show in Hopscope: ${problem.rule}` : 'Show in Hopscope';
      const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
      action.diagnostics = diagnostics;
      action.command = { title, command: SHOW_SPAN_COMMAND, arguments: [problem.traceId, problem.spanId] };
      return action;
    });
  }
}

const problemKey = (file: string, editorLineNumber: number, message: string) => `${file}\u0000${editorLineNumber}\u0000${message}`;
