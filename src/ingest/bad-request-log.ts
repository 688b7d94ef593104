/**
 * Lines about malformed requests, rate-limited: the first few of each minute
 * are written as they happen, the rest only counted, and when the minute ends
 * one summary line says how many there were. A flood of bad requests (a port
 * scanner, a misconfigured client in a loop) then cannot fill the log.
 */
import type { Logger } from './http-receiver';

export const BAD_REQUEST_LINES_PER_WINDOW = 5;
export const BAD_REQUEST_WINDOW_MS = 60_000;

export class BadRequestLog {
  private count = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly log: Logger, private readonly windowMs = BAD_REQUEST_WINDOW_MS, private readonly linesPerWindow = BAD_REQUEST_LINES_PER_WINDOW) {}

  warn(message: string): void {
    this.count++;
    if (this.count === 1) {
      this.timer = setTimeout(() => this.flush(), this.windowMs);
      this.timer.unref();
    }
    if (this.count <= this.linesPerWindow) this.log('warn', message);
  }

  /** Ends the current window: writes its summary when lines were held back. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const count = this.count;
    this.count = 0;
    if (count > this.linesPerWindow) {
      const window = this.windowMs === 60_000 ? 'minute' : `${this.windowMs / 1000} s`;
      this.log('warn', `${count} bad requests in the last ${window} (${count - this.linesPerWindow} not logged one by one)`);
    }
  }

  close(): void {
    this.flush();
  }
}
