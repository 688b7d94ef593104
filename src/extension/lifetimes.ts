/**
 * Disposables grouped by how long they live, as rust-analyzer's client keeps
 * `pushExtCleanup` apart from `pushClientCleanup`: the extension's list ends
 * with the window; the receiver's list (the receiver and what listens to it)
 * ends when the extension deactivates, awaited, so that its worker and sockets
 * are gone before the host moves on. Everything a registration returns goes
 * into one of them; nothing is dropped.
 */
import type { Disposable } from '../common/emitter';

/** A disposable whose end may take a while (the receiver closes its worker). */
export interface AsyncDisposable {
  dispose(): void | Promise<void>;
}

export class Lifetime implements Disposable {
  private items: AsyncDisposable[] = [];
  private ended: Promise<void> | undefined;

  /** `name` says whose list it is in reports; `onError` hears of a disposable that threw (the rest are still disposed). */
  constructor(
    readonly name: string,
    private readonly onError: (error: unknown, lifetime: string) => void = () => undefined,
  ) {}

  /** Keeps `item` until this lifetime ends, and returns it. Added after the end, it is disposed at once. */
  add<T extends AsyncDisposable>(item: T): T {
    if (this.ended) void this.end([item]);
    else this.items.push(item);
    return item;
  }

  push(...items: AsyncDisposable[]): void {
    for (const item of items) this.add(item);
  }

  get size(): number {
    return this.items.length;
  }

  /** Disposes everything, the last added first (a listener before what it listens to); once. */
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- awaitable by those who care, a Disposable to vscode
  dispose(): Promise<void> {
    if (!this.ended) {
      const items = this.items.reverse();
      this.items = [];
      this.ended = this.end(items);
    }
    return this.ended;
  }

  private async end(items: AsyncDisposable[]): Promise<void> {
    for (const item of items) {
      try {
        await item.dispose();
      } catch (error) {
        this.onError(error, this.name);
      }
    }
  }
}
