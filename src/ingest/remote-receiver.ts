/**
 * Another Hopscope that already holds the port (a second VS Code window, or
 * `hopscope serve`): ask who answers there, and follow its traces through the
 * read-only JSON API and its event stream, the same summaries a worker sends.
 */
import type { DebugPause } from '../model/pause';
import { request, type IncomingMessage } from 'node:http';
import { Emitter } from '../common/emitter';
import { errorText } from '../common/errors';
import type { CallSitesView } from './worker-protocol';
import type { ServiceMapView } from '../protocol/service-map';
import type { TraceDocument } from '../protocol/trace-document';
import { PROGRAM_ID, type StatsDocument } from './api-routes';
import type { QueryAnswer } from './trace-queries';
import type { StoredTrace, TraceSummary } from './trace-store';

export interface RemoteHello {
  stats: StatsDocument;
  traces: TraceSummary[];
}

export interface RemoteUpdate {
  changed: TraceSummary[];
  removed: string[];
  stats: StatsDocument;
}

const PROBE_TIMEOUT_MS = 1500;
/** The largest answer read from another Hopscope (a trace document is bounded by its store's bytes). */
const MAX_ANSWER_BYTES = 1024 * 1024 * 1024;

/** Who answers `GET /api/stats` on host:port: a Hopscope's stats, or undefined for anything else (or nothing). */
export async function probeHopscope(host: string, port: number): Promise<StatsDocument | undefined> {
  try {
    const { status, body } = await getText(host, port, '/api/stats', PROBE_TIMEOUT_MS);
    if (status !== 200) return undefined;
    const stats = JSON.parse(body) as Partial<StatsDocument>;
    return stats.program === PROGRAM_ID && typeof stats.spansStored === 'number' ? (stats as StatsDocument) : undefined;
  } catch {
    return undefined;
  }
}

/** One trace from the Hopscope on host:port, or undefined when it is not there. */
export async function fetchRemoteTrace(host: string, port: number, traceId: string): Promise<StoredTrace | undefined> {
  try {
    const { status, body } = await getText(host, port, `/api/traces/${encodeURIComponent(traceId)}`, 10_000);
    return status === 200 ? (JSON.parse(body) as StoredTrace) : undefined;
  } catch {
    return undefined;
  }
}

/** The trace as OTLP JSON lines, from the Hopscope on host:port; undefined when it has none or does not answer. */
export async function fetchRemoteTraceExport(host: string, port: number, traceId: string): Promise<Uint8Array | undefined> {
  try {
    const { status, body } = await getBody(host, port, `/api/traces/${encodeURIComponent(traceId)}?format=otlp`, 30_000);
    return status === 200 ? new Uint8Array(body) : undefined;
  } catch {
    return undefined;
  }
}

/** What a trace panel draws for the trace, as the trace document the Hopscope on host:port built; undefined when it has none or does not answer. */
export async function fetchRemoteTraceView(host: string, port: number, traceId: string): Promise<TraceDocument | undefined> {
  try {
    const { status, body } = await getBody(host, port, `/api/traces/${encodeURIComponent(traceId)}/view`, 10_000);
    if (status === 422) return { undrawable: String((JSON.parse(body.toString()) as { undrawable?: unknown }).undrawable) };
    return status === 200 ? body : undefined;
  } catch {
    return undefined;
  }
}

/** The service map of the Hopscope on host:port, or undefined when it has none (an older version) or does not answer. */
export const fetchRemoteServiceMap = (host: string, port: number): Promise<ServiceMapView | undefined> => fetchRemoteJson(host, port, '/api/service-map');

/** The call sites of the Hopscope on host:port, or undefined when it has none (an older version) or does not answer. */
export const fetchRemoteCallSites = (host: string, port: number): Promise<CallSitesView | undefined> => fetchRemoteJson(host, port, '/api/call-sites');

/**
 * The traces a query picks at the Hopscope on host:port (`GET /api/traces?q=`): the answer a worker gives, or
 * undefined when it does not answer. A Hopscope from before queries ignores `q` (its answer names no query): that is
 * said as an error, rather than every trace passing.
 */
export async function fetchRemoteQuery(host: string, port: number, query: string): Promise<QueryAnswer | undefined> {
  try {
    const { status, body } = await getText(host, port, `/api/traces?q=${encodeURIComponent(query)}`, 10_000);
    const answer = JSON.parse(body) as { query?: string; traces?: { traceId: string }[]; unchecked?: number; message?: string; column?: number };
    if (status === 400 && typeof answer.column === 'number') {
      const message = (answer.message ?? '').replace(/^bad query at column \d+: /, '');
      return { ok: false, error: { message, offset: answer.column - 1, column: answer.column } };
    }
    if (status !== 200 || !Array.isArray(answer.traces)) return undefined;
    if (answer.query !== query) return { ok: false, error: { message: 'the Hopscope this window follows is too old to filter traces', offset: 0, column: 1 } };
    return { ok: true, traceIds: answer.traces.map((t) => t.traceId), unchecked: answer.unchecked ?? 0 };
  } catch {
    return undefined;
  }
}

async function fetchRemoteJson<T>(host: string, port: number, path: string): Promise<T | undefined> {
  try {
    const { status, body } = await getText(host, port, path, 10_000);
    return status === 200 ? (JSON.parse(body) as T) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Follows `/api/events`. `onHello` gives the whole state (again after a `resync`), `onUpdate` what
 * changed, and `onClose` fires once when the stream ends for any reason
 * (the other Hopscope went away, or close() was called).
 */
export class RemoteReceiver {
  private readonly hellos = new Emitter<RemoteHello>();
  private readonly updates = new Emitter<RemoteUpdate>();
  private readonly closes = new Emitter<Error | undefined>();
  readonly onHello = this.hellos.event;
  readonly onUpdate = this.updates.event;
  readonly onClose = this.closes.event;
  private response: IncomingMessage | undefined;
  private closed = false;
  private readonly req;

  constructor(readonly host: string, readonly port: number) {
    this.req = request({ host, port, path: '/api/events', headers: { Accept: 'text/event-stream', Host: hostHeader(host, port) } }, (res) => {
      this.response = res;
      if (res.statusCode !== 200) {
        res.resume();
        return this.finish(new Error(`the Hopscope on port ${port} answered ${res.statusCode} to /api/events`));
      }
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.dispatch(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      });
      res.on('end', () => this.finish(undefined));
      res.on('error', (error) => this.finish(error));
      res.on('close', () => this.finish(undefined));
    });
    this.req.on('error', (error) => this.finish(error));
    this.req.end();
  }

  close(): void {
    this.req.destroy();
    this.response?.destroy();
    this.finish(undefined);
  }

  private dispatch(frame: string): void {
    let event = 'message';
    let data = '';
    for (const line of frame.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data += line.slice(5).trimStart();
    }
    if (data === '') return; // heartbeat comment
    try {
      // `resync`: this stream fell behind and gets the whole state again (see event-stream.ts).
      if (event === 'hello' || event === 'resync') this.hellos.fire(JSON.parse(data) as RemoteHello);
      else if (event === 'update') this.updates.fire(JSON.parse(data) as RemoteUpdate);
    } catch (error) {
      this.req.destroy();
      this.finish(new Error(`the Hopscope on port ${this.port} sent an event that is not JSON: ${errorText(error)}`));
    }
  }

  private finish(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.closes.fire(error);
  }
}

/**
 * Sends debugger pauses to the Hopscope this window follows (POST /api/pauses). Resolves to what went wrong, or
 * undefined when they were taken.
 */
export function postRemotePauses(host: string, port: number, pauses: DebugPause[]): Promise<string | undefined> {
  const body = JSON.stringify({ pauses });
  return new Promise((resolve) => {
    const req = request(
      { host, port, path: '/api/pauses', method: 'POST', headers: { Host: hostHeader(host, port), 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }, timeout: 5000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.length < 16 && chunks.push(chunk));
        res.on('end', () => resolve(res.statusCode === 200 ? undefined : `${host}:${port} answered ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`));
        res.on('error', (error) => resolve(error.message));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${host}:${port} within 5 s`)));
    req.on('error', (error) => resolve(error.message));
    req.end(body);
  });
}

function hostHeader(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

async function getText(host: string, port: number, path: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  const { status, body } = await getBody(host, port, path, timeoutMs);
  return { status, body: body.toString('utf8') };
}

function getBody(host: string, port: number, path: string, timeoutMs: number): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, headers: { Host: hostHeader(host, port) }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_ANSWER_BYTES) return req.destroy(new Error(`${host}:${port} answered ${path} with more than ${MAX_ANSWER_BYTES} bytes`));
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
