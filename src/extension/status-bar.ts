/**
 * The status bar item: whether this window receives spans, and how many it
 * holds. Listening `Hopscope :4318 · 1,234 spans`; following another
 * Hopscope; stopped; or an error with what to do (click for actions).
 */
import * as vscode from 'vscode';
import { formatCount, plural } from '../common/format';
import type { IngestStats } from '../ingest/ingest-core';
import type { ReceiverState } from '../ingest/receiver-controller';

export class ReceiverStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('hopscope.receiver', vscode.StatusBarAlignment.Left, 10);
  private state: ReceiverState = { kind: 'starting' };
  private stats: IngestStats | undefined;

  constructor() {
    this.item.name = 'Hopscope Receiver';
    this.item.command = 'hopscope.statusActions';
    this.render();
    this.item.show();
  }

  setState(state: ReceiverState): void {
    this.state = state;
    this.render();
  }

  setStats(stats: IngestStats): void {
    this.stats = stats;
    this.render();
  }

  dispose(): void {
    this.item.dispose();
  }

  private render(): void {
    const { state, stats } = this;
    const spans = stats ? ` · ${plural(stats.spansStored, 'span')}` : '';
    this.item.backgroundColor = undefined;
    switch (state.kind) {
      case 'starting':
        this.item.text = '$(sync~spin) Hopscope';
        this.item.tooltip = 'Hopscope: starting the OTLP receiver…';
        break;
      case 'listening':
        this.item.text = `$(radio-tower) Hopscope :${state.endpoints.http.port}${spans}`;
        this.item.tooltip = tooltip(
          state.restarts
            ? `Hopscope is receiving spans\n\nThe receiver's worker died and was restarted ${plural(state.restarts, 'time')} (last: ${state.lastCrash ?? 'unknown'}); ${stats?.journal ? 'its traces came back from the journal' : 'the traces it held were lost'}. See Show Log.`
            : 'Hopscope is receiving spans',
          state.endpoints,
          stats,
        );
        break;
      case 'following':
        this.item.text = `$(radio-tower) Hopscope :${state.endpoints.http.port} (shared)${spans}`;
        this.item.tooltip = tooltip(
          `Hopscope: port ${state.endpoints.http.port} is held by another Hopscope (${state.runner}, pid ${state.pid}); this window shows its traces live and takes the port over when it closes`,
          state.endpoints,
          stats,
          true,
        );
        break;
      case 'stopped':
        this.item.text = '$(debug-stop) Hopscope stopped';
        this.item.tooltip = state.why === 'disabled' ? 'Hopscope: the receiver is turned off (hopscope.receiver.enabled)' : 'Hopscope: the receiver is stopped — click to start it';
        break;
      case 'error':
        this.item.text = state.reason === 'port-in-use' && state.port !== undefined ? `$(error) Hopscope: port ${state.port} in use` : '$(error) Hopscope: error';
        this.item.tooltip = `Hopscope: ${state.message}\n\nClick for actions.`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
    }
    this.item.accessibilityInformation = { label: this.item.text.replace(/\$\([^)]*\)\s*/g, ''), role: 'button' };
  }
}

/** Where the traces are kept, and whether that works. `undefined`: an older Hopscope that has no journal. */
function journalLine(journal: IngestStats['journal'] | undefined): string {
  if (!journal) return 'traces kept in memory only (no journal): a restart loses them';
  if (journal.restoring) return `restoring traces from the journal (${formatCount(journal.restoredSpans)} spans so far)…`;
  const damaged = journal.damaged > 0 ? `; ${plural(journal.damaged, 'damaged stretch', 'damaged stretches')} skipped (see Show Log)` : '';
  if (!journal.writing) return `not journaling:  ${journal.problem}; traces are kept in memory only${damaged}`;
  const unwritten = journal.recordsNotWritten > 0 ? `, ${formatCount(journal.recordsNotWritten)} in memory only` : '';
  return `journaled to disk (${formatCount(journal.recordsWritten)} requests${unwritten}), restored on restart${damaged}`;
}

function formatMiB(bytes: number): string {
  return `${(bytes / 1048576).toFixed(bytes < 10 * 1048576 ? 1 : 0)} MiB`;
}

function tooltip(headline: string, endpoints: { http: { host: string; port: number }; grpc: { host: string; port: number } | null }, stats: IngestStats | undefined, following = false): string {
  const lines = [headline, '', `OTLP/HTTP  ${endpoints.http.host}:${endpoints.http.port}`, `OTLP/gRPC  ${endpoints.grpc ? `${endpoints.grpc.host}:${endpoints.grpc.port}` : 'off'}`];
  if (stats) {
    lines.push(
      '',
      `${plural(stats.tracesStored, 'trace')}, ${plural(stats.spansStored, 'span')} held`,
      `${formatCount(stats.spansRejected)} rejected, ${formatCount(stats.spansEvicted)} evicted (${plural(stats.tracesEvicted, 'trace')})`,
    );
    // Absent in the stats of an older Hopscope this window follows.
    if (stats.maxStoreBytes) {
      const cut = stats.valuesTruncated > 0 ? `, ${formatCount(stats.valuesTruncated)} long values cut` : '';
      const dropped = stats.logsDropped > 0 ? `, ${formatCount(stats.logsDropped)} logs dropped` : '';
      lines.push(`memory ${formatMiB(stats.bytesStored)} of ${formatMiB(stats.maxStoreBytes)} (estimated)${cut}${dropped}`);
    }
    lines.push(`${plural(stats.requests, 'request')}, ${formatCount(stats.badRequests)} malformed`);
    lines.push(journalLine(stats.journal));
    // A followed Hopscope's restarts are known only from its counters (this window's own are in the headline).
    if (following && stats.restarts) lines.push(`its worker was restarted ${plural(stats.restarts, 'time')}; the traces it held then were lost`);
  }
  return lines.join('\n');
}
