/**
 * JSON over `node:http`. Deliberately not fetch: the http instrumentation
 * patches `http.request`, and fetch (undici) bypasses it.
 */
import { request } from 'node:http';
import { clientSpans } from './span-notes';

export interface CallResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** Where a peer service answers, from the `<NAME>_URL` variable the launcher sets. */
export function serviceUrl(name: string): string {
  const variable = `${name.toUpperCase()}_URL`;
  const url = process.env[variable];
  if (!url) throw new Error(`${variable} is not set: start the services with demo/run.ts, or set it to where ${name} listens`);
  return url.replace(/\/+$/, '');
}

export interface CallOptions {
  /** The called service's name, recorded as `peer.service` on the client span. */
  peer?: string;
  method?: 'GET' | 'POST';
  body?: unknown;
  /** Give up after this long, answering with a TimeoutError. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** More request headers (e.g. an unsampled `traceparent` for a warm-up call). */
  headers?: Record<string, string>;
}

/** Thrown when a call takes longer than its timeout. Its `name` ends up as the
 * client span's `error.type`, and "timeout" is the value semconv suggests. */
export class TimeoutError extends Error {
  override name = 'timeout';
}

export function callJson(url: string, options: CallOptions = {}): Promise<CallResult> {
  const { method = 'POST', peer, timeoutMs = 10_000 } = options;
  const target = new URL(url);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string | number> = { accept: 'application/json', ...options.headers };
  if (payload !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });

  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method, headers, signal: options.signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parseJson(text) });
      });
      res.on('error', fail);
    });
    const timer = setTimeout(() => req.destroy(new TimeoutError(`${peer ?? target.host} did not answer within ${timeoutMs} ms`)), timeoutMs);
    function fail(error: Error): void {
      clearTimeout(timer);
      reject(error);
    }
    req.on('error', fail);
    if (peer) clientSpans.get(req)?.setAttribute('peer.service', peer);
    req.end(payload);
  });
}

function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return text;
  }
}

/** The `error` field of a JSON reply, or the reply itself, for messages. */
export function errorText(result: CallResult): string {
  const body = result.body;
  if (typeof body === 'object' && body !== null && 'error' in body) return String(body.error);
  return typeof body === 'string' ? body : `HTTP ${result.status}`;
}
