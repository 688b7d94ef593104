/**
 * What the analysis thread does (analysis-worker.ts runs it; tests run it in
 * their own thread): it keeps copies of the traces the receiving thread sends
 * (trace-copies.ts), analyses them for their headlines as they change
 * (live-analysis.ts), and answers the views asked of it — call sites, service
 * map, trace documents — from those copies. All the per-trace computation of
 * the ingest worker happens here, none on the thread that receives.
 */
import { isUndrawable } from '../views/trace-document';
import type { AnalysisStart, FromAnalysis, ToAnalysis } from './analysis-protocol';
import { CallSitesCache } from './call-site-source';
import { DerivedTraces, type DerivedTracesOptions } from './derived-traces';
import type { Logger } from './http-receiver';
import { LiveAnalysis } from './live-analysis';
import { PauseBook } from './pause-book';
import { ServiceMapCache } from './service-map-source';
import { TraceCopies } from './trace-copies';
import type { TraceSummary } from './trace-store';
import { keptTrace, TraceViews } from './trace-views';

export type PostFromAnalysis = (message: FromAnalysis, transfer?: ArrayBuffer[]) => void;

/** How long a pause is kept after it ended although no trace held reaches back to it, µs. */
const PAUSE_GRACE_US = 60_000_000;

export class AnalysisCore {
  readonly copies = new TraceCopies();
  /** The debugger pauses the editor reported (pause-book.ts): the analysis takes them out of the spans they stopped. */
  readonly pauses = new PauseBook();
  /** Traces a new or changed pause falls in: analysed again at the next round. */
  private pausedDue = new Set<string>();
  readonly derived: DerivedTraces;
  private readonly live: LiveAnalysis;
  private readonly callSites: CallSitesCache;
  private readonly serviceMap: ServiceMapCache;
  private readonly views: TraceViews;
  /** The settings changed: every trace held is analysed again, as the budget allows. */
  private reanalyseAll = false;
  private hold: Int32Array | undefined;
  private readonly log: Logger;

  constructor(private readonly start: AnalysisStart, private readonly post: PostFromAnalysis, derivedOptions: DerivedTracesOptions = {}) {
    this.log = (level, message) => post({ type: 'log', level, message });
    // One tree and analysis per trace version, shared by the headlines, the call sites, the map and the views.
    this.pauses.record(start.pauses ?? []);
    this.derived = new DerivedTraces(this.copies, start.settings, { pauses: this.pauses, ...derivedOptions });
    this.callSites = new CallSitesCache(this.copies, this.derived);
    this.callSites.setSkipFrames(start.skipFrames);
    this.live = new LiveAnalysis(this.derived);
    this.live.beforeAnalysis = () => this.holdIfAsked();
    this.serviceMap = new ServiceMapCache(this.copies, undefined, this.derived);
    this.views = new TraceViews(this.derived);
    this.views.setSkipFrames(start.skipFrames);
  }

  /**
   * Pauses go with the traces they concern: one that ended before every trace held began, and over
   * PAUSE_GRACE_US ago (a request it held may still be sending its spans), concerns nothing.
   */
  private letGoOfPauses(): void {
    if (this.pauses.size === 0) return;
    let earliest = Date.now() * 1000 - PAUSE_GRACE_US;
    for (const summary of this.copies.summaries()) if (summary.startUs < earliest) earliest = summary.startUs;
    this.pauses.dropBefore(earliest);
  }

  handle(message: ToAnalysis): void {
    switch (message.type) {
      case 'trace': {
        const problem = this.copies.apply(message);
        this.post({ type: 'applied', bytes: message.bytes });
        if (problem) this.log('error', `analysis: ${problem}; the trace is analysed again once it is sent whole`);
        break;
      }
      case 'forget':
        this.copies.forget(message.traceIds);
        this.derived.forget(message.traceIds);
        this.letGoOfPauses();
        break;
      case 'clear':
        this.copies.clear();
        this.derived.clear();
        this.live.clear();
        this.views.clear();
        this.letGoOfPauses();
        break;
      case 'settings':
        this.derived.setSettings(message.settings);
        this.live.settingsChanged();
        this.callSites.invalidate();
        this.reanalyseAll = true;
        break;
      case 'pauses': {
        const changed = this.pauses.record(message.pauses);
        if (changed.length === 0) break;
        for (const summary of this.copies.summaries()) {
          const end = summary.runningSpans ? Infinity : summary.startUs + summary.durationUs;
          if (changed.some((p) => p.startUs < end && (p.endUs === null || p.endUs > summary.startUs))) this.pausedDue.add(summary.traceId);
        }
        this.live.invalidate(this.pausedDue);
        this.callSites.invalidate();
        break;
      }
      case 'skipFrames':
        this.callSites.setSkipFrames(message.patterns);
        this.views.setSkipFrames(message.patterns);
        break;
      case 'getCallSites':
        this.post({ type: 'callSites', requestId: message.requestId, sites: this.callSites.get() });
        break;
      case 'getServiceMap':
        this.post({ type: 'serviceMap', requestId: message.requestId, map: this.serviceMap.get() });
        break;
      case 'getTraceView': {
        // A copy is transferred (the cache keeps its own): the receiving thread copies nothing.
        const document = this.views.get(message.traceId);
        if (isUndrawable(document)) {
          this.post({ type: 'traceView', requestId: message.requestId, document: null, undrawable: document.undrawable });
          break;
        }
        const copy = document?.slice();
        this.post({ type: 'traceView', requestId: message.requestId, document: copy ?? null }, copy && [copy.buffer]);
        break;
      }
      case 'readKept':
        this.post({ type: 'kept', requestId: message.requestId, trace: keptTrace(message.document, this.log) ?? null });
        break;
      case 'holdForTest':
        if (this.start.testHooks) this.hold = message.signal;
        break;
      case 'crashForTest':
        if (this.start.testHooks) setImmediate(() => { throw new Error('analysis thread crash requested by a test'); });
        break;
    }
  }

  /** A round of the live analysis (every UPDATE_INTERVAL_MS): the headlines worked out go back. */
  flush(): void {
    const { changed, removed } = this.copies.takeChanges();
    let due: readonly TraceSummary[] = this.reanalyseAll ? this.copies.summaries() : changed;
    if (!this.reanalyseAll && this.pausedDue.size > 0) {
      const paused = [...this.pausedDue].flatMap((id) => this.copies.summary(id) ?? []);
      due = [...changed.filter((s) => !this.pausedDue.has(s.traceId)), ...paused];
    }
    this.pausedDue = new Set();
    this.reanalyseAll = false;
    const worked = this.live.annotate(due, removed);
    if (worked.length === 0) return;
    const items = worked.flatMap(({ traceId, headline }) => {
      const generation = this.copies.generationOf(traceId);
      return generation === undefined ? [] : [{ traceId, generation, headline }];
    });
    this.post({ type: 'headlines', items });
  }

  /** Tests only: an armed hold makes this analysis wait (signal[1] = 1 says it does) until signal[0] is set. */
  private holdIfAsked(): void {
    const signal = this.hold;
    if (!signal) return;
    this.hold = undefined;
    Atomics.store(signal, 1, 1);
    Atomics.notify(signal, 1);
    Atomics.wait(signal, 0, 0);
  }
}
