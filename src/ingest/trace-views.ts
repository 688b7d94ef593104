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
import { analyzeTree } from '../analysis/analyze-trace';
import type { AnalysisSettings } from '../analysis/settings';
import { buildTree } from '../analysis/trace-tree';
import { errorText } from '../common/errors';
import type { LogRecord, SpanRecord } from '../model/span';
import { formatBytes, formatCount } from '../common/format';
import { encodeTraceDocument, readTraceHead, readTraceView } from '../views/trace-document';
import type { TraceDocument } from '../protocol/trace-document';
import { pausedView, stopsView } from '../views/paused-view';
import { traceViewOf } from '../views/trace-view';
import { frameSkipper, type SkipFrame } from '../source/skip-frames';
import type { DerivedTrace, DerivedTraces } from './derived-traces';
import { treePlaces } from './tree-places';
import type { Logger } from './http-receiver';
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
  if (spans.length > limits.maxSpans) throw tooManySpans(spans.length, limits);
  const tree = buildTree(spans);
  if (!tree) return undefined;
  const analysis = analyzeTree(tree, settings);
  return documentOf(traceId, { tree, spans, recorded: tree, pauses: [], analysis: () => analysis }, logs, skip, limits);
}

const tooManySpans = (spans: number, limits: typeof DRAW_LIMITS) => new TooLargeToDraw(`it has ${formatCount(spans)} spans, and the trace view draws traces of at most ${formatCount(limits.maxSpans)}`);

/** The document of a trace already derived (its tree, analysis and places made once per version). Throws TooLargeToDraw. */
export function documentOf(traceId: string, derived: Pick<DerivedTrace, 'tree' | 'spans' | 'recorded' | 'pauses' | 'analysis'> & Partial<Pick<DerivedTrace, 'stoppedElsewhere'>>, logs: readonly LogRecord[], skip?: SkipFrame, limits = DRAW_LIMITS): Uint8Array {
  const { tree, spans } = derived;
  if (spans.length > limits.maxSpans) throw tooManySpans(spans.length, limits);
  const analysis = derived.analysis();
  const view = traceViewOf(traceId, tree, analysis, spans, logs);
  // The page draws the compensated times; what the pauses were and the recorded times go beside them.
  const paused = pausedView(derived.recorded, tree, derived.pauses, analysis);
  if (paused) view.paused = paused;
  const stops = stopsView(derived.stoppedElsewhere ?? []);
  if (stops) view.stoppedElsewhere = stops;
  // The same place lists, from the same walk over the same tree, as the call sites' (tree-places.ts).
  const { lists, tries } = treePlaces(tree, skip);
  for (const node of view.nodes) {
    const at = tree.byId.get(node.spanId);
    const mine = at && tree.nodes[at.index] === at ? tries[at.index] : undefined;
    if (mine) node.places = mine.map((t) => t.list);
  }
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

/** `documentOf`, or why the trace is not drawn. */
function documentOrWhyNot(...args: Parameters<typeof documentOf>): TraceDocument {
  try {
    return documentOf(...args);
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
  private skipVersion = 0;
  private skip: SkipFrame | undefined;

  /** `derived` gives each trace's tree and analysis, shared with the headlines, the call sites and the map. */
  constructor(private readonly derived: DerivedTraces, private readonly limits = DRAW_LIMITS) {}

  /** The document of the trace as it is stored now (or why it is not drawn); undefined when the store does not hold it. */
  get(traceId: string): TraceDocument | undefined {
    // Asking about a trace that did not change copies nothing: its version and log count say so.
    const store = this.derived.source;
    const summary = store.summary(traceId);
    const kept = this.views.get(traceId);
    this.views.delete(traceId);
    if (!summary) return undefined;
    const version = `${this.derived.versionOf(traceId)}:${summary.logCount}:${this.derived.analysisVersion}:${this.skipVersion}`;
    if (kept?.version === version) {
      this.views.set(traceId, kept);
      return kept.document;
    }
    // Too many spans: said before the tree is built.
    if (summary.spanCount > this.limits.maxSpans) return this.remember(traceId, version, { undrawable: tooManySpans(summary.spanCount, this.limits).message });
    const derived = this.derived.get(traceId);
    if (!derived) return undefined;
    const logs = store.get(traceId)?.logs ?? [];
    return this.remember(traceId, version, documentOrWhyNot(traceId, derived, logs, this.skip, this.limits));
  }

  /** `hopscope.sourceLines.skipFrames` changed: the places are read again. */
  setSkipFrames(patterns: readonly string[]): void {
    this.skip = frameSkipper(patterns);
    this.skipVersion++;
  }

  clear(): void {
    this.views.clear();
  }

  private remember(traceId: string, version: string, document: TraceDocument): TraceDocument {
    this.views.set(traceId, { version, document });
    for (const id of this.views.keys()) {
      if (this.views.size <= KEPT_VIEWS) break;
      this.views.delete(id);
    }
    return document;
  }
}
