/**
 * The ingest worker's side of its analysis thread (analysis-worker.ts): starts
 * it, passes its messages on, answers what was asked of it, and when it dies
 * logs why and starts it again with backoff (restart-backoff.ts). The
 * receiving thread stays up meanwhile: what was asked of the dead thread is
 * answered with undefined, and `onStart` tells the feed to send the traces
 * again to the new one.
 */
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AnalysisSettings } from '../analysis/settings';
import type { DebugPause } from '../model/pause';
import type { AnalysisStart, FromAnalysis, ToAnalysis } from './analysis-protocol';
import type { Logger } from './http-receiver';
import { RestartBackoff } from './restart-backoff';

export interface AnalysisThreadOptions {
  /** The analysis thread's bundle; by default `analysis.js` beside this one. */
  path?: string;
  /** Told of every message but answers (headlines, applied bytes, logs). */
  onMessage: (message: FromAnalysis) => void;
  /** A thread has started (the first, or one after a death): it holds nothing yet. */
  onStart: () => void;
  log: Logger;
  backoff?: RestartBackoff;
}

/** Answers an asker waits for, by message type. */
type Answer = Extract<FromAnalysis, { requestId: number }>;

export class AnalysisThread {
  private worker: Worker | undefined;
  private startedAt = 0;
  private crashReason: string | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly pending = new Map<number, (answer: Answer | undefined) => void>();
  private nextRequest = 1;
  private readonly backoff: RestartBackoff;
  private readonly path: string;
  /** Restarts so far (for the log). */
  restarts = 0;
  /** The first thread has loaded its bundle (or ended trying): the receiver need not share the CPU with that. */
  readonly ready: Promise<void>;
  private onReady: (() => void) | undefined;
  /** Every debugger pause known (pause-book.ts records()), for a thread that starts. */
  private pauseRecords: () => DebugPause[];

  constructor(private start: AnalysisStart, private readonly options: AnalysisThreadOptions) {
    const given = start.pauses ?? [];
    this.pauseRecords = () => given;
    this.backoff = options.backoff ?? new RestartBackoff();
    this.path = resolve(options.path ?? join(__dirname, 'analysis.js'));
    this.ready = new Promise((done) => (this.onReady = done));
    this.launch();
  }

  /** A thread is running: what is posted reaches it. */
  get up(): boolean {
    return this.worker !== undefined;
  }

  /** To the running thread; dropped while there is none (the feed sends everything again to the next). */
  post(message: ToAnalysis, transfer?: ArrayBuffer[]): void {
    this.worker?.postMessage(message, transfer);
  }

  /** Asks the running thread; undefined when there is none, or it dies before answering. */
  ask<T extends Answer['type']>(message: (requestId: number) => ToAnalysis, transfer?: ArrayBuffer[]): Promise<Extract<Answer, { type: T }> | undefined> {
    if (!this.worker) return Promise.resolve(undefined);
    const requestId = this.nextRequest++;
    return new Promise((done) => {
      this.pending.set(requestId, done as (answer: Answer | undefined) => void);
      this.post(message(requestId), transfer);
    });
  }

  setSettings(settings: AnalysisSettings): void {
    this.start = { ...this.start, settings };
    this.post({ type: 'settings', settings });
  }

  /** `records`: every pause known, read when a thread starts (a restarted one starts with them); `changed`: the ones to send now. */
  setPauses(records: () => DebugPause[], changed: DebugPause[]): void {
    this.pauseRecords = records;
    if (changed.length > 0) this.post({ type: 'pauses', pauses: changed });
  }

  setSkipFrames(patterns: readonly string[]): void {
    this.start = { ...this.start, skipFrames: [...patterns] };
    this.post({ type: 'skipFrames', patterns: [...patterns] });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    this.worker = undefined;
    this.answerAll();
    await worker?.terminate();
  }

  private launch(): void {
    const worker = new Worker(this.path, { workerData: { ...this.start, pauses: this.pauseRecords() } satisfies AnalysisStart, name: 'hopscope-analysis' });
    this.worker = worker;
    this.startedAt = performance.now();
    this.crashReason = undefined;
    worker.on('message', (message: FromAnalysis) => {
      if (message.type === 'ready') {
        this.onReady?.();
      } else if ('requestId' in message) {
        this.pending.get(message.requestId)?.(message);
        this.pending.delete(message.requestId);
      } else {
        this.options.onMessage(message);
      }
    });
    worker.on('error', (error) => (this.crashReason = error.stack ?? error.message));
    worker.on('exit', (code) => {
      this.onReady?.();
      if (this.worker !== worker) return; // stopped
      this.worker = undefined;
      this.answerAll();
      if (this.stopped) return;
      const delay = this.backoff.next(performance.now() - this.startedAt);
      this.restarts++;
      this.options.log('error', `the analysis thread stopped (exit code ${code}${this.crashReason ? `: ${this.crashReason}` : ''}); receiving goes on, headlines, call sites, the service map and trace views wait until it is started again in ${(delay / 1000).toFixed(1)} s (restart ${this.restarts})`);
      this.restartTimer = setTimeout(() => {
        if (this.stopped) return;
        this.launch();
        this.options.log('warn', `the analysis thread is back (restart ${this.restarts}); the stored traces are sent to it again`);
      }, delay);
      this.restartTimer.unref();
    });
    this.options.onStart();
  }

  private answerAll(): void {
    for (const done of this.pending.values()) done(undefined);
    this.pending.clear();
  }
}
