/**
 * The trace document (its format: src/protocol/trace-document.ts): written
 * from a view and its place lists in the ingest worker, its head read by the
 * host, its view read where it must be (the worker taking a kept copy back,
 * tests). Pure: TextEncoder/TextDecoder are globals in Node and the browser.
 */
import { errorText } from '../common/errors';
import type { PlaceCandidate } from '../model/code-place';
import { isTraceId } from '../model/ids';
import type { TraceDocumentHead, UndrawableTrace } from '../protocol/trace-document';
import type { TraceView } from '../protocol/trace-view';

export const TRACE_DOCUMENT_FORMAT: TraceDocumentHead['format'] = 1;
export const TRACE_DOCUMENT_TYPE = 'application/x-ndjson';

const NEWLINE = 10;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The document of a view and its place lists. */
export function encodeTraceDocument(view: TraceView, places: PlaceCandidate[][]): Uint8Array {
  const root = view.nodes[0];
  const head: TraceDocumentHead = { format: TRACE_DOCUMENT_FORMAT, traceId: view.traceId, spans: view.spans.length, logs: view.logs.length, places };
  if (root && !root.placeholder) head.root = { name: root.name, durationUs: root.endUs - root.startUs, startUs: root.startUs };
  // JSON.stringify never writes a raw newline, so the first one ends the head.
  return encoder.encode(`${JSON.stringify(head)}\n${JSON.stringify(view)}`);
}

export const isUndrawable = (value: unknown): value is UndrawableTrace =>
  typeof value === 'object' && value !== null && typeof (value as Partial<UndrawableTrace>).undrawable === 'string';

export class TraceDocumentError extends Error {}

/** The head, read and checked; the view stays bytes. Throws a TraceDocumentError naming what is wrong. */
export function readTraceHead(document: Uint8Array): TraceDocumentHead {
  const end = document.indexOf(NEWLINE);
  if (end < 0) throw new TraceDocumentError('a trace document has two lines (head, view); this one has one');
  let head: unknown;
  try {
    head = JSON.parse(decoder.decode(document.subarray(0, end)));
  } catch (error) {
    throw new TraceDocumentError(`the head of a trace document is not JSON: ${errorText(error)}`);
  }
  const h = head as Partial<TraceDocumentHead> | null;
  if (typeof h !== 'object' || h === null) throw new TraceDocumentError('the head of a trace document must be an object');
  if (h.format !== TRACE_DOCUMENT_FORMAT) throw new TraceDocumentError(`trace document format ${JSON.stringify(h.format)} is not ${TRACE_DOCUMENT_FORMAT}`);
  if (!isTraceId(h.traceId)) throw new TraceDocumentError('the head of a trace document names no valid traceId');
  if (!Number.isSafeInteger(h.spans) || !Number.isSafeInteger(h.logs)) throw new TraceDocumentError('the head of a trace document must count its spans and logs');
  if (!Array.isArray(h.places) || !h.places.every((list) => Array.isArray(list) && list.every(isCandidate))) throw new TraceDocumentError('the places of a trace document must be lists of {path, line, from}');
  if (h.root !== undefined && (typeof h.root?.name !== 'string' || typeof h.root.durationUs !== 'number' || (h.root.startUs !== undefined && typeof h.root.startUs !== 'number'))) throw new TraceDocumentError('the root of a trace document must have a name and a duration');
  return h as TraceDocumentHead;
}

/** The view line's bytes (for the webview, which parses them). */
export function traceViewBytes(document: Uint8Array): Uint8Array {
  const end = document.indexOf(NEWLINE);
  return end < 0 ? document : document.subarray(end + 1);
}

/** The view itself (where it must be read: the webview, the worker taking a kept copy back, tests). */
export function readTraceView(document: Uint8Array): TraceView {
  const view = JSON.parse(decoder.decode(traceViewBytes(document))) as TraceView | null;
  if (typeof view !== 'object' || view === null || !Array.isArray(view.nodes) || !Array.isArray(view.spans) || !Array.isArray(view.logs)) throw new TraceDocumentError('the view of a trace document must have nodes, spans and logs');
  return view;
}

function isCandidate(value: unknown): value is PlaceCandidate {
  const c = value as Partial<PlaceCandidate> | null;
  return typeof c === 'object' && c !== null && typeof c.path === 'string' && Number.isSafeInteger(c.line) && typeof c.from === 'string';
}
