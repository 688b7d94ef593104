/**
 * "Filter Traces…": a quick input for a trace query (docs/trace-queries.md)
 * that says at once where a query goes wrong, with the recent queries of this
 * workspace to pick from. The view's own find box filters only the rows it
 * has; this filter is answered by the worker over every stored trace.
 */
import * as vscode from 'vscode';
import { parseTraceQuery, queryErrorText } from '../analysis/trace-query';

interface Choice extends vscode.QuickPickItem {
  /** What choosing it applies: a query, '' to clear, undefined when it cannot be chosen (a bad query). */
  query: string | undefined;
}

/** Asks for a query: resolves with it ('' clears the filter), or undefined when the user gave up. */
export function askForFilter(current: string | undefined, history: readonly string[]): Promise<string | undefined> {
  const pick = vscode.window.createQuickPick<Choice>();
  pick.title = 'Filter Traces';
  pick.placeholder = 'e.g. duration>500ms  service:orders  status:5xx  finding:n-plus-one  http.route=/orders  — empty shows all';
  pick.value = current ?? '';
  pick.matchOnDescription = false;
  const recent: Choice[] = history.map((q) => ({ label: `$(history) ${q}`, description: q === current ? 'in use' : 'recent', query: q }));
  const refresh = () => {
    const text = pick.value.trim();
    if (text === '') {
      pick.items = [...(current ? [{ label: '$(close) Show all traces', description: `clears ${current}`, query: '', alwaysShow: true }] : []), ...recent];
      return;
    }
    const parsed = parseTraceQuery(text);
    // What is wrong on the line, and what to write instead below it (the picker is one line wide for each).
    const [problem, ...advice] = parsed.ok ? [] : queryErrorText(parsed.error).split('; ');
    const first: Choice = parsed.ok
      ? { label: '$(filter) Apply this filter', description: 'Enter', query: text, alwaysShow: true }
      : { label: `$(error) ${problem}`, detail: advice.length > 0 ? advice.join('; ') : 'fix the query to apply it', query: undefined, alwaysShow: true };
    pick.items = [first, ...recent];
  };
  refresh();
  return new Promise((resolve) => {
    let done = false;
    const finish = (answer: string | undefined) => {
      if (done) return;
      done = true;
      resolve(answer);
      pick.dispose();
    };
    pick.onDidChangeValue(refresh);
    pick.onDidAccept(() => {
      const chosen = pick.activeItems[0];
      if (chosen && chosen.query !== undefined) return finish(chosen.query);
      if (!chosen && pick.value.trim() === '') return finish('');
    });
    pick.onDidHide(() => finish(undefined));
    pick.show();
  });
}
