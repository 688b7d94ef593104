/**
 * The bounded queue between receiving a request and decoding it. Requests are
 * answered only after their spans are stored, so a success always means kept.
 * When the queue is over its bound the receivers answer 503 / UNAVAILABLE with
 * Retry-After instead of dropping data silently.
 *
 * One request is decoded per event-loop turn, so that between requests the
 * worker keeps accepting connections, answering "busy" and sending HTTP/2
 * window updates (measured: decoding a backlog in 8 ms slices stalled gRPC
 * senders on flow control and cost ~15% of gRPC throughput).
 *
 * A big request is worked in slices instead (`process` answers `Slices`): one
 * slice per turn, and after each the request goes to the back of the queue, so
 * the small requests behind it are answered meanwhile instead of waiting for
 * its whole decode (a hostile 10,000-deep chain took ~90 ms in one piece).
 */

/** A job worked a step per turn: `next()` until done, whose value is the answer. */
export class Slices<R> {
  constructor(readonly steps: Iterator<void, R>) {}
}
export interface QueueLimits {
  /** Bytes of bodies waiting to be decoded. */
  maxQueuedBytes: number;
  maxQueuedJobs: number;
}

export const DEFAULT_QUEUE_LIMITS: QueueLimits = { maxQueuedBytes: 64 * 1024 * 1024, maxQueuedJobs: 1024 };

interface Pending<J, R> {
  job: J;
  size: number;
  /** A sliced job under way. */
  running?: Slices<R>;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export class IngestQueue<J, R> {
  private readonly pending: Pending<J, R>[] = [];
  private head = 0;
  private queuedBytes = 0;
  private scheduled = false;

  constructor(
    private readonly process: (job: J) => R | Slices<R>,
    private readonly limits: QueueLimits = DEFAULT_QUEUE_LIMITS,
    /** How a drain is scheduled; tests pass one they control. */
    private readonly schedule: (drain: () => void) => void = (drain) => setImmediate(drain),
  ) {}

  get busy(): boolean {
    return this.queuedBytes >= this.limits.maxQueuedBytes || this.pending.length - this.head >= this.limits.maxQueuedJobs;
  }

  get length(): number {
    return this.pending.length - this.head;
  }

  /** Queues a job; undefined when the queue is over its bound (answer "busy"). */
  offer(job: J, size: number): Promise<R> | undefined {
    if (this.busy) return undefined;
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ job, size, resolve, reject });
      this.queuedBytes += size;
      if (!this.scheduled) {
        this.scheduled = true;
        this.schedule(this.drain);
      }
    });
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    const item = this.pending[this.head];
    if (item) {
      this.pending[this.head++] = undefined as unknown as Pending<J, R>;
      try {
        const work = item.running ?? this.process(item.job);
        if (work instanceof Slices) {
          const step = work.steps.next();
          if (!step.done) {
            // Its bytes stay counted until it is done: they are still held.
            item.running = work;
            this.pending.push(item);
          } else {
            this.queuedBytes -= item.size;
            item.resolve(step.value);
          }
        } else {
          this.queuedBytes -= item.size;
          item.resolve(work);
        }
      } catch (error) {
        this.queuedBytes -= item.size;
        item.reject(error);
      }
    }
    if (this.head === this.pending.length) {
      this.pending.length = 0;
      this.head = 0;
    } else if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(this.drain);
    }
  };
}
