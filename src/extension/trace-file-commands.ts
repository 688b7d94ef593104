/**
 * Open Trace File… (also a file dropped on the Traces view) and Export Trace…: files go to the ingest worker
 * as bytes and come back as bytes, so this thread never decodes or encodes a span (src/ingest/trace-files.ts).
 * Bad files get the CLI's `file:line:column` messages, in a notification and the log; the good traces in them
 * still open.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { errorText } from '../common/errors';
import { plural } from '../common/format';
import type { ReceiverController } from '../ingest/receiver-controller';

/** Larger files are refused before they are read (the store could not hold them anyway). */
export const MAX_TRACE_FILE_BYTES = 512 * 1024 * 1024;

export const TRACE_FILE_FILTERS = { 'Trace files': ['json', 'jsonl', 'ndjson', 'pb', 'binpb', 'otlp', 'bin', 'protobuf'], 'All files': ['*'] };

export interface TraceFileDeps {
  receiver: Pick<ReceiverController, 'openFile' | 'exportTrace'>;
  log: vscode.LogOutputChannel;
  /** Opens a trace's panel. */
  openTrace: (traceId: string) => void;
  /** Shows the Traces view. */
  showTraces: () => void;
}

/** Asks for files (unless given) and opens every trace in them. */
export async function openTraceFiles(deps: TraceFileDeps, given?: readonly vscode.Uri[]): Promise<void> {
  const uris = given ?? (await vscode.window.showOpenDialog({ canSelectMany: true, openLabel: 'Open Traces', filters: TRACE_FILE_FILTERS, title: 'Open Trace File' }));
  if (!uris || uris.length === 0) return;
  const opened: string[] = [];
  for (const uri of uris) opened.push(...(await openOne(deps, uri)));
  if (opened.length === 1) deps.openTrace(opened[0]!);
  else if (opened.length > 1) {
    deps.showTraces();
    void vscode.window.showInformationMessage(`Hopscope opened ${plural(opened.length, 'trace')} from ${uris.length === 1 ? basename(uris[0]!.fsPath) : plural(uris.length, 'file')}.`);
  }
}

async function openOne(deps: TraceFileDeps, uri: vscode.Uri): Promise<string[]> {
  const name = uri.scheme === 'file' ? uri.fsPath : uri.toString();
  const fail = (message: string) => {
    deps.log.error(`could not open trace file ${message}`);
    void vscode.window.showErrorMessage(`Hopscope could not open ${message}`);
    return [];
  };
  let bytes: Uint8Array;
  try {
    if (uri.scheme === 'file') {
      const size = (await stat(uri.fsPath)).size;
      if (size > MAX_TRACE_FILE_BYTES) return fail(`${name}: it is ${Math.round(size / 1048576)} MiB; files of at most ${MAX_TRACE_FILE_BYTES / 1048576} MiB are opened`);
      bytes = await readFile(uri.fsPath);
    } else {
      bytes = await vscode.workspace.fs.readFile(uri);
    }
  } catch (error) {
    return fail(`${name}: ${errorText(error)}`);
  }
  const result = await deps.receiver.openFile(name, bytes);
  if (!result) return fail(`${name}: the receiver is not running in this window (start it, or open the file in the window that holds the port)`);
  if (result.error) return fail(result.error);
  deps.log.info(`opened ${name} (${result.format ?? 'unknown format'}): ${plural(result.traceIds.length, 'trace')}, ${plural(result.spans, 'span')}, ${plural(result.logs, 'log record')}`);
  const skipped = [...result.problems, ...(result.rejected > 0 ? [`${name}: ${plural(result.rejected, 'span')} left out (${result.rejectReason})`] : [])];
  for (const problem of skipped) deps.log.warn(problem);
  if (skipped.length > 0) void vscode.window.showWarningMessage(`Hopscope opened ${plural(result.traceIds.length, 'trace')} from ${basename(name)}, but not all of it: ${skipped[0]}${skipped.length > 1 ? ` (and ${skipped.length - 1} more, see Show Log)` : ''}`);
  else if (result.traceIds.length === 0) void vscode.window.showWarningMessage(`Hopscope found no spans in ${basename(name)}.`);
  return result.traceIds;
}

/** Saves a trace as OTLP JSON lines, which `hopscope analyze`, Open Trace File and the Collector's otlpjsonfile receiver read. */
export async function exportTraceFile(deps: TraceFileDeps, traceId: string): Promise<void> {
  const bytes = await deps.receiver.exportTrace(traceId);
  if (!bytes) {
    void vscode.window.showErrorMessage(`Hopscope could not export trace ${traceId}: it is not stored (any more).`);
    return;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const suggested = folder ? vscode.Uri.joinPath(folder, `trace-${traceId.slice(0, 8)}.jsonl`) : undefined;
  const target = await vscode.window.showSaveDialog({ ...(suggested ? { defaultUri: suggested } : {}), filters: { 'OTLP JSON lines': ['jsonl'] }, title: 'Export Trace' });
  if (!target) return;
  try {
    if (target.scheme === 'file') await writeFile(target.fsPath, bytes);
    else await vscode.workspace.fs.writeFile(target, bytes);
    deps.log.info(`exported trace ${traceId} to ${target.fsPath} (${bytes.length} bytes)`);
    vscode.window.setStatusBarMessage(`Exported trace ${traceId.slice(0, 8)} to ${basename(target.fsPath)}`, 4000);
  } catch (error) {
    void vscode.window.showErrorMessage(`Hopscope could not write ${target.fsPath}: ${errorText(error)}`);
  }
}
