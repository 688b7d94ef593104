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
import { errorText } from '../common/errors';
import type { LogRecord, SpanRecord } from '../model/span';
import { formatBytes, formatCount } from '../common/format';
import { encodeTraceDocument, readTraceHead, readTraceView, type TraceDocument } from '../protocol/trace-document';
import { toTraceView } from '../protocol/trace-view';
import { frameSkipper, type SkipFrame } from '../source/skip-frames';
import { tracePlaces } from '../source/trace-places';
import type { Logger } from './http-receiver';
import type { TraceSource } from './store-views';
import type { StoredTrace } from './trace-store';

/** Documents kept at once: the traces open in panels are few, and a document can weigh as much as its trace. */
const KEPT_VIEWS = 8;

/**
 * How large a trace the panels draw. The default store holds 200,000 spans in all, so only a raised
 * `hopscope.store.maxSpans` lets one trace pass this; a document past the byte bound would not fit a string in
 * the webview (V8's limit is about 512 Mi characters, and the page parses it beside its other data).
 */
export const DRAW_LIMITS = { maxSpans: 200_000, maxBytes: 256 * 1024 * 1024 };

/** Thrown by `traceDocument` for a trace past DRAW_LIMITS; the message says why, for the panel. */
export class TooLargeToDraw extends Error {}

/** The document a panel draws for these spans and logs; undefined when they make no tree. Throws TooLargeToDraw. */
export function traceDocument(traceId: string, spans: readonly SpanRecord[], logs: readonly LogRecord[], settings?: AnalysisSettings, skip?: SkipFrame, limits = DRAW_LIMITS): Uint8Array | undefined {
  if (spans.length > limits.maxSpans) throw new TooLargeToDraw(`it has ${formatCount(spans.length)} spans, and the trace view draws traces of at most ${formatCount(limits.maxSpans)}`);
  const view = toTraceView(traceId, spans, logs, settings);
  if (!view) return undefined;
  const byId = new Map(view.spans.map((span) => [span.spanId, span]));
  const { lists, tries } = tracePlaces(view.nodes, (spanId) => byId.get(spanId), skip);
  view.nodes.forEach((node, i) => {
    const mine = tries[i];
    if (mine) node.places = mine.map((t) => t.list);
  });
  const tooLarge = () => new TooLargeToDraw(`its view would be larger than the ${formatBytes(limits.maxBytes)} the trace view draws`);
  let document: Uint8Array;
  try {
    document = encodeTraceDocument(view, lists);
  } catch (error) {
    // Past V8's longest string: JSON.stringify throws, and nothing else is wrong.
    throw error instanceof RangeError ? tooLarge() : error;
  }
  if (document.byteLength > limits.maxBytes) throw tooLarge();
  return document;
}

/** `traceDocument`, or why the trace is not drawn. */
function documentOrWhyNot(...args: Parameters<typeof traceDocument>): TraceDocument | undefined {
  try {
    return traceDocument(...args);
  } catch (error) {
    if (error instanceof TooLargeToDraw) return { undrawable: error.message };
    throw error;
  }
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
    log('warn', `a kept trace could not be taken back: ${errorText(error)}`);
    return undefined;
  }
}

export class TraceViews {
  /** Least recently asked for first. */
  private readonly views = new Map<string, { version: string; document: TraceDocument }>();
  private settingsVersion = 0;
  private skip: SkipFrame | undefined;

  constructor(private readonly store: TraceSource, private settings: AnalysisSettings | undefined = undefined, private readonly limits = DRAW_LIMITS) {}

  /** The document of the trace as it is stored now (or why it is not drawn); undefined when the store does not hold it. */
  get(traceId: string): TraceDocument | undefined {
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
    const document = documentOrWhyNot(traceId, trace.spans, trace.logs, this.settings, this.skip, this.limits);
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
