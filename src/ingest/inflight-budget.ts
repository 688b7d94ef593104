/**
 * How many request bytes the receivers hold at once, across OTLP/HTTP and
 * OTLP/gRPC: every body counts from its first byte read (or, for a declared
 * Content-Length, before it is read) until its request ends in any way
 * (answered, refused, timed out, aborted). A request that would pass the
 * budget is refused with 503 / RESOURCE_EXHAUSTED and a retry delay, and its
 * body is not read any further. This bounds the receiver's memory under many
 * slow or large uploads, which the per-request body limit alone does not.
 */
import type { IngestConfig } from './ingest-config';

export class InflightBudget {
  private used = 0;
  constructor(readonly limit: number) {}

  /** Bytes held now by all open requests. */
  get inUse(): number {
    return this.used;
  }

  /** A request's share, empty to begin with. */
  open(): Reservation {
    return new Reservation(this);
  }

  /** @internal */
  take(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  /** @internal */
  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

/** One request's bytes in the budget. `release` is idempotent. */
export class Reservation {
  private held = 0;
  private released = false;
  constructor(private readonly budget: InflightBudget) {}

  get bytes(): number {
    return this.held;
  }

  /** The whole budget's size, for messages. */
  get limit(): number {
    return this.budget.limit;
  }

  /** Grows the share to at least `total` bytes; false (and nothing taken) when the budget cannot. */
  ensure(total: number): boolean {
    if (this.released) return false;
    if (total <= this.held) return true;
    if (!this.budget.take(total - this.held)) return false;
    this.held = total;
    return true;
  }

  /** Adds `bytes` to the share; false when the budget cannot. */
  add(bytes: number): boolean {
    return this.ensure(this.held + bytes);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.give(this.held);
    this.held = 0;
  }
}

/**
 * The budget both receivers of one ingest core share. Keyed by the core (the
 * object both are started with), so neither receiver needs the other.
 */
const budgets = new WeakMap<object, InflightBudget>();

export function inflightBudget(core: object, config: Pick<IngestConfig, 'maxInflightBytes' | 'maxBodyBytes'>): InflightBudget {
  let budget = budgets.get(core);
  if (!budget) {
    // One body of the largest allowed size always fits, or that limit would mean nothing.
    budget = new InflightBudget(Math.max(config.maxInflightBytes, config.maxBodyBytes));
    budgets.set(core, budget);
  }
  return budget;
}
