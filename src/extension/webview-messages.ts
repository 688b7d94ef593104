/**
 * The host's check of every message a webview sends (the messages:
 * src/protocol/messages.ts): a message is what `parseWebviewMessage` returns,
 * or a ProtocolError naming what is wrong with it; the host never trusts one
 * as it came.
 */
import { isSpanId, isTraceId } from '../model/ids';
import type { WebviewToHost } from '../protocol/messages';

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
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- only primitives are left here
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
