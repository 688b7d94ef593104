/**
 * The load generator: sends orders to the gateway at a steady rate without
 * waiting for earlier ones (an open loop, like real customers), so a slow
 * service shows up as latency rather than as fewer orders.
 */
import type { Demo, Mode, OrderResult } from './shop';

export interface LoadOptions {
  /** `both` alternates sync and events orders, so both shapes appear side by side. */
  mode: Mode | 'both';
  /** Orders per second. */
  rate: number;
  /** Stop after this many orders; default: until the signal aborts. */
  orders?: number;
  signal?: AbortSignal;
  onOrder?: (result: OrderResult, index: number) => void;
}

/** Resolves once the last order has been answered (or the signal aborted). */
export async function runLoad(demo: Pick<Demo, 'sendOrder'>, options: LoadOptions): Promise<OrderResult[]> {
  const results: Promise<OrderResult>[] = [];
  const intervalMs = 1000 / options.rate;
  const started = performance.now();
  for (let i = 0; options.orders === undefined || i < options.orders; i++) {
    if (options.signal?.aborted) break;
    const mode: Mode = options.mode === 'both' ? (i % 2 === 0 ? 'sync' : 'events') : options.mode;
    const index = i + 1;
    results.push(demo.sendOrder(mode).then((result) => (options.onOrder?.(result, index), result)));
    if (options.orders !== undefined && index >= options.orders) break;
    // Wait for the next slot on a fixed schedule, so slow answers do not add drift.
    await delay(started + (i + 1) * intervalMs - performance.now(), options.signal);
  }
  return Promise.all(results);
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** One line per order, e.g. `#12 sync    201    671 ms  trace 4bf92f35...`. */
export function formatOrder(result: OrderResult, index: number): string {
  const status = result.status === 0 ? 'ERR' : String(result.status);
  const line = `#${String(index).padEnd(4)} ${result.mode.padEnd(6)} ${status.padEnd(4)} ${String(result.ms).padStart(6)} ms`;
  const trace = result.traceId ? `  trace ${result.traceId}` : '';
  return line + trace + (result.error ? `  ${result.error}` : '');
}
