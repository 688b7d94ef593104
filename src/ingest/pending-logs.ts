/**
 * Logs of traces the store does not hold (yet): kept aside, bounded by count
 * and bytes, never as trace entries (so they cannot evict traces), and handed
 * over when the trace's first span arrives. Oldest trace first.
 */
import type { LogRecord } from '../model/span';

export interface WaitingLogs {
  logs: LogRecord[];
  bytes: number;
}

export class PendingLogs {
  private readonly byTrace = new Map<string, WaitingLogs>();
  count = 0;
  bytes = 0;

  add(log: LogRecord, bytes: number): void {
    let waiting = this.byTrace.get(log.traceId);
    if (!waiting) this.byTrace.set(log.traceId, (waiting = { logs: [], bytes: 0 }));
    waiting.logs.push(log);
    waiting.bytes += bytes;
    this.count++;
    this.bytes += bytes;
  }

  /** The logs waiting for this trace, no longer kept here. */
  take(traceId: string): WaitingLogs | undefined {
    const waiting = this.byTrace.get(traceId);
    if (!waiting) return undefined;
    this.byTrace.delete(traceId);
    this.count -= waiting.logs.length;
    this.bytes -= waiting.bytes;
    return waiting;
  }

  /** Drops the oldest traces' logs until within the bounds; how many logs it dropped. */
  trim(maxCount: number, maxBytes: number): number {
    let dropped = 0;
    for (const traceId of this.byTrace.keys()) {
      if (this.count <= maxCount && this.bytes <= maxBytes) break;
      dropped += this.take(traceId)!.logs.length;
    }
    return dropped;
  }

  clear(): void {
    this.byTrace.clear();
    this.count = 0;
    this.bytes = 0;
  }
}
