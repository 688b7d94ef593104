/**
 * Reports spans that are still running, so that a request stuck at a
 * breakpoint is seen while it is stuck: a span still open `afterMs` after it
 * started is sent once, with no end (`end_time_unix_nano` 0) and
 * `hopscope.span.state=started`; the finished span replaces it in Hopscope's
 * store (same span id) when it ends.
 *
 *   onStart ──► queue (a push; bounded)
 *   every afterMs: ended ─► dropped      (nearly every span: nothing is sent for it)
 *                  older than afterMs ─► sent as started, dropped from the queue
 *                  younger ─► kept for the next round
 *
 * The stopped process itself cannot send (its timers are stopped too): what
 * shows the wait is its callers' started spans, sent by their processes.
 */
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { SPAN_STATE_ATTRIBUTE } from '../model/span';

export interface StartedSpanOptions {
  /** How long a span runs before it is reported as started, ms. */
  afterMs: number;
  /** Most spans waiting to be looked at; more are not reported as started (they still arrive when they end). */
  maxQueued: number;
}

const DEFAULTS: StartedSpanOptions = { afterMs: 250, maxQueued: 4096 };

export class StartedSpanProcessor implements SpanProcessor {
  private readonly options: StartedSpanOptions;
  private queue: Span[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Spans not queued because the queue was full. */
  dropped = 0;

  constructor(private readonly exporter: SpanExporter, options: Partial<StartedSpanOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  onStart(span: Span): void {
    if (this.stopped) return;
    if (this.queue.length >= this.options.maxQueued) {
      this.dropped++;
      return;
    }
    this.queue.push(span);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.sendStarted(), this.options.afterMs);
      this.timer.unref();
    }
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    this.sendStarted();
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.stopped = true;
    this.queue = [];
    this.stopTimer();
    return Promise.resolve();
  }

  /** One round: drop what ended, send what has run long enough, keep the rest. */
  private sendStarted(): void {
    const due = Date.now() - this.options.afterMs;
    const keep: Span[] = [];
    const send: ReadableSpan[] = [];
    for (const span of this.queue) {
      if (span.ended) continue;
      if (startMs(span) <= due) send.push(startedRecord(span));
      else keep.push(span);
    }
    this.queue = keep;
    if (keep.length === 0) this.stopTimer();
    if (send.length === 0) return;
    // The export's own HTTP request must not become a span.
    context.with(suppressTracing(context.active()), () => this.exporter.export(send, () => {}));
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}

const startMs = (span: ReadableSpan): number => span.startTime[0] * 1000 + span.startTime[1] / 1e6;

/** The span as it is now, with no end and the started mark; the span itself is not touched. */
function startedRecord(span: Span): ReadableSpan {
  return Object.create(span, {
    endTime: { value: [0, 0] },
    duration: { value: [0, 0] },
    ended: { value: false },
    attributes: { value: { ...span.attributes, [SPAN_STATE_ATTRIBUTE]: 'started' } },
    events: { value: span.events.slice() },
  }) as ReadableSpan;
}
