/**
 * Each trace's view (tree, analysis, view nodes, code places) built in the
 * ingest worker, once per trace version, for every panel in every window that
 * shows it, as a trace document (src/protocol/trace-document.ts): the
 * extension host only forwards its bytes, so its thread never computes per span.
 *
 *   panel A ─getTraceView(t)─┐
 *   panel B ─getTraceView(t)─┼─► cache hit while t has not changed ─► the same document
 *   window 2 ─/view──────────┘         t changed: built again, once
 */
import type { AnalysisSettings } from '../analysis/settings';
import type { LogRecord, SpanRecord } from '../model/span';
import { encodeTraceDocument, readTraceHead, readTraceView } from '../protocol/trace-document';
import { toTraceView } from '../protocol/trace-view';
import { frameSkipper, type SkipFrame } from '../source/skip-frames';
import { tracePlaces } from '../source/trace-places';
import type { Logger } from './http-receiver';
import type { TraceSource } from './store-views';
import type { StoredTrace } from './trace-store';

/** Documents kept at once: the traces open in panels are few, and a document can weigh as much as its trace. */
const KEPT_VIEWS = 8;

/** The document a panel draws for these spans and logs; undefined when they make no tree. */
export function traceDocument(traceId: string, spans: readonly SpanRecord[], logs: readonly LogRecord[], settings?: AnalysisSettings, skip?: SkipFrame): Uint8Array | undefined {
  const view = toTraceView(traceId, spans, logs, settings);
  if (!view) return undefined;
  const byId = new Map(view.spans.map((span) => [span.spanId, span]));
  const { lists, tries } = tracePlaces(view.nodes, (spanId) => byId.get(spanId), skip);
  view.nodes.forEach((node, i) => {
    const mine = tries[i];
    if (mine) node.places = mine.map((t) => t.list);
  });
  return encodeTraceDocument(view, lists);
}

/**
 * The spans and logs of a kept trace document, only those of the trace its head names (a kept copy is the
 * extension's own file, but still checked); undefined, with a warning, for a document that cannot be read.
 */
export function keptTrace(document: Uint8Array, log: Logger): StoredTrace | undefined {
  try {
    const { traceId } = readTraceHead(document);
    const view = readTraceView(document);
    return { traceId, spans: view.spans.filter((s) => s.traceId === traceId), logs: view.logs.filter((l) => l.traceId === traceId) };
  } catch (error) {
    log('warn', `a kept trace could not be taken back: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

export class TraceViews {
  /** Least recently asked for first. */
  private readonly views = new Map<string, { version: string; document: Uint8Array }>();
  private settingsVersion = 0;
  private skip: SkipFrame | undefined;

  constructor(private readonly store: TraceSource, private settings: AnalysisSettings | undefined = undefined) {}

  /** The document of the trace as it is stored now; undefined when the store does not hold it. */
  get(traceId: string): Uint8Array | undefined {
    // Asking about a trace that did not change copies nothing: its summary and last change say so.
    const summary = this.store.summary(traceId);
    const kept = this.views.get(traceId);
    this.views.delete(traceId);
    if (!summary) return undefined;
    const version = `${summary.spanCount}:${summary.logCount}:${this.store.lastChangeMs(traceId) ?? 0}:${this.settingsVersion}`;
    if (kept?.version === version) {
      this.views.set(traceId, kept);
      return kept.document;
    }
    const trace = this.store.get(traceId)!;
    const document = traceDocument(traceId, trace.spans, trace.logs, this.settings, this.skip);
    if (!document) return undefined;
    this.views.set(traceId, { version, document });
    for (const id of this.views.keys()) {
      if (this.views.size <= KEPT_VIEWS) break;
      this.views.delete(id);
    }
    return document;
  }

  /** The analysis settings changed: every view is built again when next asked for. */
  setSettings(settings: AnalysisSettings | undefined): void {
    this.settings = settings;
    this.settingsVersion++;
  }

  /** `hopscope.sourceLines.skipFrames` changed: the places are read again. */
  setSkipFrames(patterns: readonly string[]): void {
    this.skip = frameSkipper(patterns);
    this.settingsVersion++;
  }

  clear(): void {
    this.views.clear();
  }
}
