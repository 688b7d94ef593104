/** The Open Trace command: a trace id, a Traces view row, or a pick from the recent traces. */
import * as vscode from 'vscode';
import { plural } from '../common/format';
import { traceIdArgument } from './panel-inputs';
import type { TraceList } from './trace-list';
import { traceRowText } from './trace-row-text';

export async function openTraceCommand(arg: unknown, list: TraceList, open: (traceId: string) => void): Promise<void> {
  if (arg !== undefined) {
    const traceId = traceIdArgument(arg);
    if (traceId) return open(traceId);
    void vscode.window.showErrorMessage('Hopscope: Open Trace needs a trace id of 32 hex digits.');
    return;
  }
  const traces = list.newestFirst();
  if (traces.length === 0) {
    void vscode.window.showInformationMessage('Hopscope: no traces yet. Send a request to a service that exports to Hopscope.');
    return;
  }
  const picked = await vscode.window.showQuickPick(
    traces.map((trace) => ({
      label: trace.rootName || '(root span not received yet)',
      description: `${trace.rootService} · ${traceRowText(trace).description}`,
      detail: `${plural(trace.spanCount, 'span')}${trace.errorCount > 0 ? ` · ${plural(trace.errorCount, 'failed span')}` : ''} · ${trace.traceId}`,
      traceId: trace.traceId,
    })),
    { title: 'Hopscope: Open Trace', placeHolder: 'Recent traces, newest first', matchOnDescription: true, matchOnDetail: true },
  );
  if (picked) open(picked.traceId);
}
