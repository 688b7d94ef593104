/**
 * Runs a task at most once per interval, and always once more after the last
 * request, so the final state is never lost. An async task never overlaps
 * itself: a request made while it runs is served after it finishes.
 *
 *   requests  x    x x x        x                   x
 *   runs      R────────R────────R                   R
 *             ├interval┤
 */
export interface Clock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class Throttle {
  private last = -Infinity;
  private timer: unknown;
  private running = false;
  private again = false;
  private disposed = false;

  /** `task` reports its own errors; a rejection is swallowed here so that the throttle keeps working. */
  constructor(
    private readonly intervalMs: number,
    private readonly task: () => unknown,
    private readonly clock: Clock = SYSTEM_CLOCK,
  ) {}

  /** Runs the task as soon as the interval allows (at once when it has been quiet long enough). */
  request(): void {
    if (this.disposed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.last + this.intervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => void this.fire(), wait);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async fire(): Promise<void> {
    this.timer = undefined;
    if (this.disposed) return;
    this.last = this.clock.now();
    this.running = true;
    try {
      await this.task();
    } catch {
      // the task logs its own failures
    } finally {
      this.running = false;
    }
    if (this.again) {
      this.again = false;
      this.request();
    }
  }
}
