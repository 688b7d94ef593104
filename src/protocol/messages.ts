/**
 * Every message between the extension host and a Hopscope webview, one union
 * per direction. The webview starts with `ready`; the host answers with the
 * state to draw. Both sides import these types (the webview with `import type`);
 * the host checks each message it receives with `parseWebviewMessage`.
 */
import { isSpanId, isTraceId } from '../model/ids';
import type { ServiceMapView } from './service-map';

/** Where a span's code is, when the host could place it inside the workspace. */
export interface SourceLink {
  spanId: string;
  /** What to show, e.g. `orders/src/orders.ts:42` (workspace-relative). */
  label: string;
  /** The trace document's place list the line came from (sent back with `select` and `openSource`). */
  place: number;
}

export type HostToWebview =
  /**
   * The trace to draw, sent after `ready` and again (throttled) as late spans arrive; the view keeps zoom, pan and
   * selection. `document` is the trace document's bytes (trace-document.ts: a head line, then the TraceView);
   * `places[i]` is where the head's place list i is in the workspace (`orders/src/orders.ts:42`), or null.
   */
  | { type: 'trace'; document: Uint8Array; places: (string | null)[] }
  /** The trace is not (or no longer) stored, e.g. after Clear Traces or a receiver restart. */
  | { type: 'traceMissing'; traceId: string; message: string }
  /** The service map, sent after `ready` and at most once a second while traces arrive. */
  | { type: 'serviceMap'; map: ServiceMapView }
  /** Select this span and bring it into view (e.g. from a CodeLens). */
  | { type: 'select'; spanId: string };

export type WebviewToHost =
  /** The webview has loaded and listens; the host answers with `trace` or `serviceMap`. */
  | { type: 'ready' }
  /** The user selected a span (null: cleared the selection); `place`: the place list its line came from. */
  | { type: 'select'; spanId: string | null; place?: number }
  /** The user asked to open the span's source: the place list whose line the page showed (the host resolved it). */
  | { type: 'openSource'; spanId: string; place?: number }
  /** The user asked to open a trace, e.g. one of an edge's slowest calls on the service map. */
  | { type: 'openTrace'; traceId: string; spanId?: string }
  /** The user exported the graph: SVG text, or a PNG as a `data:image/png;base64,` URL. */
  | { type: 'export'; format: 'svg' | 'png'; data: string }
  /** Something went wrong inside the webview; the host writes it to the log. */
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** The largest export the host accepts (a PNG of a big graph is a few MB). */
export const MAX_EXPORT_CHARS = 64 * 1024 * 1024;
const MAX_LOG_CHARS = 4000;

export class ProtocolError extends Error {}


/** The message as a `WebviewToHost`, or a `ProtocolError` naming what is wrong with it. */
export function parseWebviewMessage(value: unknown): WebviewToHost {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProtocolError(`a webview message must be an object, not ${describe(value)}`);
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'ready':
      return { type: 'ready' };
    case 'select': {
      const spanId = message.spanId === null ? null : id(message, 'spanId', 16);
      const place = placeIndex(message);
      return place === undefined || spanId === null ? { type: 'select', spanId } : { type: 'select', spanId, place };
    }
    case 'openSource': {
      const spanId = id(message, 'spanId', 16);
      const place = placeIndex(message);
      return place === undefined ? { type: 'openSource', spanId } : { type: 'openSource', spanId, place };
    }
    case 'openTrace': {
      const traceId = id(message, 'traceId', 32);
      return message.spanId === undefined ? { type: 'openTrace', traceId } : { type: 'openTrace', traceId, spanId: id(message, 'spanId', 16) };
    }
    case 'export': {
      const format = message.format;
      if (format !== 'svg' && format !== 'png') throw new ProtocolError(`export.format must be "svg" or "png", not ${describe(format)}`);
      const data = text(message, 'data', MAX_EXPORT_CHARS);
      if (format === 'png' && !data.startsWith('data:image/png;base64,')) throw new ProtocolError('export.data for a PNG must be a data:image/png;base64, URL');
      if (format === 'svg' && !data.trimStart().startsWith('<svg')) throw new ProtocolError('export.data for an SVG must start with <svg');
      return { type: 'export', format, data };
    }
    case 'log': {
      const level = message.level;
      if (level !== 'info' && level !== 'warn' && level !== 'error') throw new ProtocolError(`log.level must be info, warn or error, not ${describe(level)}`);
      return { type: 'log', level, message: text(message, 'message', Infinity).slice(0, MAX_LOG_CHARS) };
    }
    default:
      throw new ProtocolError(`unknown webview message type ${describe(message.type)}`);
  }
}

function placeIndex(message: Record<string, unknown>): number | undefined {
  const value = message.place;
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new ProtocolError(`${String(message.type)}.place must be a place index (an integer ≥ 0), not ${describe(value)}`);
  return value;
}

function id(message: Record<string, unknown>, field: string, digits: 16 | 32): string {
  const value = message[field];
  if (!(digits === 16 ? isSpanId : isTraceId)(value)) throw new ProtocolError(`${String(message.type)}.${field} must be a ${digits}-digit lower-case hex id, not ${describe(value)}`);
  return value;
}

function text(message: Record<string, unknown>, field: string, max: number): string {
  const value = message[field];
  if (typeof value !== 'string') throw new ProtocolError(`${String(message.type)}.${field} must be a string, not ${describe(value)}`);
  if (value.length > max) throw new ProtocolError(`${String(message.type)}.${field} is ${value.length} characters; at most ${max} are accepted`);
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
