/**
 * The views the receiving thread serves (`/api/call-sites`, `/api/service-map`,
 * `/api/traces/{id}/view`, and the host's messages for the same), asked of
 * the analysis thread and passed on as they come. Bounded: one request of
 * each store view at a time however many ask (they share its answer), one per
 * trace view and at most MAX_VIEWS_ASKED traces at once (more are answered
 * `busy`). While the analysis thread is down the last call sites and service
 * map it gave are answered.
 */
import type { CallSitesView } from './worker-protocol';
import type { ServiceMapView } from '../protocol/service-map';
import type { UndrawableTrace } from '../protocol/trace-document';
import type { AnalysisFeed } from './analysis-feed';
import type { AnalysisThread } from './analysis-thread';
import type { TraceStore } from './trace-store';

export const MAX_VIEWS_ASKED = 16;

/** A trace document, or why there is none: the trace is not stored, is too large to draw, or too many are being built. */
export type TraceViewAnswer = Uint8Array | UndrawableTrace | 'not-found' | 'busy';

export class AnalysisViews {
  private callSitesAsked: Promise<CallSitesView> | undefined;
  private serviceMapAsked: Promise<ServiceMapView> | undefined;
  private lastCallSites: CallSitesView | undefined;
  private lastServiceMap: ServiceMapView | undefined;
  private readonly viewsAsked = new Map<string, Promise<TraceViewAnswer>>();

  constructor(private readonly store: TraceStore, private readonly feed: AnalysisFeed, private readonly thread: AnalysisThread) {}

  callSites(): Promise<CallSitesView> {
    this.callSitesAsked ??= this.thread.ask<'callSites'>((requestId) => ({ type: 'getCallSites', requestId })).then((answer) => {
      this.callSitesAsked = undefined;
      if (answer) this.lastCallSites = answer.sites;
      return this.lastCallSites ?? { sites: [], traces: 0, computedAt: Date.now() };
    });
    return this.callSitesAsked;
  }

  serviceMap(): Promise<ServiceMapView> {
    this.serviceMapAsked ??= this.thread.ask<'serviceMap'>((requestId) => ({ type: 'getServiceMap', requestId })).then((answer) => {
      this.serviceMapAsked = undefined;
      if (answer) this.lastServiceMap = answer.map;
      return this.lastServiceMap ?? { traces: 0, spans: 0, endpoints: [], services: [], edges: [], computedAt: Date.now() };
    });
    return this.serviceMapAsked;
  }

  /**
   * The trace's document, built on the analysis thread once its copy there is what is stored. Each caller
   * gets bytes of its own (a caller may transfer them).
   */
  async traceView(traceId: string): Promise<TraceViewAnswer> {
    let asked = this.viewsAsked.get(traceId);
    if (!asked) {
      if (this.viewsAsked.size >= MAX_VIEWS_ASKED) return 'busy';
      asked = this.build(traceId).finally(() => this.viewsAsked.delete(traceId));
      this.viewsAsked.set(traceId, asked);
      return asked;
    }
    // A caller that joined another's request gets a copy: the first may hand its bytes on.
    const answer = await asked;
    return answer instanceof Uint8Array ? answer.slice() : answer;
  }

  /**
   * A kept trace document, read on the analysis thread: its spans and logs are stored again (merged by span id),
   * and the answer is the trace's document as it is then. The bytes are transferred.
   */
  async restore(document: Uint8Array): Promise<TraceViewAnswer> {
    const own = document.byteOffset === 0 && document.byteLength === document.buffer.byteLength ? document : document.slice();
    const answer = await this.thread.ask<'kept'>((requestId) => ({ type: 'readKept', requestId, document: own }), [own.buffer as ArrayBuffer]);
    if (!answer) return 'busy';
    const kept = answer.trace;
    if (!kept) return 'not-found';
    this.store.add(kept.spans);
    this.store.addLogs(kept.logs);
    return this.traceView(kept.traceId);
  }

  /** 'busy' while the analysis thread is down (or dies before it answers): asking again later can succeed. */
  private async build(traceId: string): Promise<TraceViewAnswer> {
    if (!this.thread.up) return 'busy';
    if (!(await this.feed.sync(traceId))) return this.thread.up ? 'not-found' : 'busy';
    const answer = await this.thread.ask<'traceView'>((requestId) => ({ type: 'getTraceView', requestId, traceId }));
    if (!answer) return 'busy';
    if (answer.undrawable !== undefined) return { undrawable: answer.undrawable };
    return answer.document ?? 'not-found';
  }
}
