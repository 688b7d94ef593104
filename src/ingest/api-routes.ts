/**
 * The read-only JSON API on the OTLP/HTTP port, for local tools and for a
 * second Hopscope window:
 *   GET /api/traces            summaries, newest first; `?q=` only those a trace query picks (docs/trace-queries.md;
 *                              400 naming the column of a bad one)
 *   GET /api/traces/{traceId}  one trace's spans and logs (404 when unknown); `?format=otlp`: as OTLP JSON lines, a
 *                              traces request and, when it has logs, a logs request (what Export Trace writes)
 *   GET /api/traces/{traceId}/view  what a trace panel draws: a trace document (NDJSON: head, then the view with
 *                              tree, analysis and code places; see src/protocol/trace-document.ts), once per trace version
 *   GET /api/stats             counters and which program answers
 *   GET /api/service-map       services and the calls between them, with each edge's slowest calls
 *   GET /api/call-sites        the lines of code that made calls, with what the calls cost
 *   GET /api/events            server-sent events: `hello`, then `update`s
 *   POST /api/pauses           the one write: debugger pauses from a VS Code window that follows this receiver
 *                              (`{"pauses": [...]}`, pause-book.ts), so that its breakpoints are not latency either
 * Only loopback Host names are answered, so a web page that rebinds its DNS
 * name to 127.0.0.1 cannot read traces. The write takes only `application/json`
 * (a browser must ask first, and the API answers no preflight) and no `Origin`
 * (every browser sends one with a POST): a web page cannot write to it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DebugPause } from '../model/pause';
import { readPauses } from './pause-book';
import { errorText } from '../common/errors';
import type { ServiceMapView } from '../protocol/service-map';
import type { IngestConfig } from './ingest-config';
import type { IngestCore, IngestStats } from './ingest-core';
import type { EventStream } from './event-stream';
import { isLoopbackAddress, isLoopbackHost } from './origin-policy';
import { quoted, RETRY_AFTER_SECONDS, type ApiHandler } from './http-receiver';
import type { CallSitesView } from './worker-protocol';
import { isUndrawable, TRACE_DOCUMENT_TYPE } from '../views/trace-document';
import type { TraceViewAnswer } from './analysis-views';
import { TraceQueries } from './trace-queries';
import { isTraceId } from '../model/ids';
import { traceJsonLines } from '../wire/otlp-json-encode';

const OTLP_JSON_LINES_TYPE = 'application/x-ndjson';

export const PROGRAM_ID = 'hopscope';

export interface Endpoints {
  http: { host: string; port: number };
  grpc: { host: string; port: number } | null;
}

export interface StatsDocument extends IngestStats {
  program: typeof PROGRAM_ID;
  /** Who runs this receiver: `hopscope serve`, or a VS Code window. */
  runner: string;
  version: string;
  pid: number;
  endpoints: Endpoints;
}

/**
 * Views over the store, answered when they are ready: the worker asks its analysis thread (analysis-views.ts);
 * tests and tools compute them on their own thread (fresh-views.ts).
 */
export interface StoreViews {
  serviceMap(): Promise<ServiceMapView>;
  callSites(): Promise<CallSitesView>;
  /** What a trace panel draws for the trace, as a trace document built once per trace version. */
  traceView(traceId: string): Promise<TraceViewAnswer>;
}

/** Bytes a POST /api/pauses body may have (256 pauses of ≈ 300 bytes, with room). */
export const MAX_PAUSES_BODY_BYTES = 128 * 1024;

export function apiHandler(
  config: IngestConfig,
  core: IngestCore,
  events: EventStream,
  stats: () => StatsDocument,
  views: StoreViews,
  queries = new TraceQueries(core.store),
  /** Where debugger pauses a following window sends go; without it POST /api/pauses is 404. */
  recordPauses?: (pauses: DebugPause[]) => void,
): ApiHandler {
  const checkHost = isLoopbackAddress(config.host);
  return (req, res, path) => {
    if (checkHost && !isLoopbackHost(req.headers.host)) {
      return json(res, 403, { code: 7, message: `Host ${quoted(req.headers.host ?? '')} is not allowed: the API answers loopback names only` });
    }
    if (path === '/api/pauses' && recordPauses) return postPauses(req, res, recordPauses);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET');
      return json(res, 405, { code: 12, message: `method ${req.method} is not allowed on ${quoted(path)}; the API is read-only (GET)` });
    }
    if (path === '/api/traces') {
      const q = req.url?.includes('?') ? new URLSearchParams(req.url.slice(req.url.indexOf('?') + 1)).get('q') : null;
      if (q === null) return json(res, 200, { traces: core.store.summaries() });
      const found = queries.run(q);
      if (!found.ok) return json(res, 400, { code: 3, message: `bad query at column ${found.error.column}: ${found.error.message}`, column: found.error.column });
      const picked = new Set(found.traceIds);
      return json(res, 200, { query: q, traces: core.store.summaries().filter((s) => picked.has(s.traceId)), unchecked: found.unchecked });
    }
    if (path === '/api/stats') return json(res, 200, stats());
    if (path === '/api/service-map') return answer(res, views.serviceMap());
    if (path === '/api/call-sites') return answer(res, views.callSites());
    if (path === '/api/events') return events.attach(res, () => ({ stats: stats(), traces: core.store.summaries() }));
    const match = /^\/api\/traces\/([^/]+?)(\/view)?$/.exec(path);
    if (match) {
      let traceId: string;
      try {
        traceId = decodeURIComponent(match[1]!).toLowerCase();
      } catch {
        return json(res, 400, { code: 3, message: `the trace id in ${quoted(path)} is not valid percent-encoding; a trace id is 32 hex digits` });
      }
      const valid = isTraceId(traceId);
      if (match[2]) {
        if (!valid) return json(res, 404, { code: 5, message: `not found: no trace ${quoted(traceId)} is stored` });
        void views.traceView(traceId).then((document) => {
          if (document instanceof Uint8Array) return bytes(res, document, TRACE_DOCUMENT_TYPE);
          if (isUndrawable(document)) return json(res, 422, { code: 9, message: `trace ${traceId} is too large to draw: ${document.undrawable}`, undrawable: document.undrawable });
          if (document === 'busy') {
            res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
            return json(res, 503, { code: 14, message: 'the trace views being built are at their limit, or the analysis is restarting; try again shortly' });
          }
          json(res, 404, { code: 5, message: `not found: no trace ${quoted(traceId)} is stored` });
        }, (error: unknown) => failed(res, error));
        return;
      }
      const trace = valid ? core.store.get(traceId) : undefined;
      if (!trace) return json(res, 404, { code: 5, message: `not found: no trace ${quoted(traceId)} is stored` });
      const format = req.url?.includes('?') ? new URLSearchParams(req.url.slice(req.url.indexOf('?') + 1)).get('format') : null;
      if (format === 'otlp') return bytes(res, new TextEncoder().encode(traceJsonLines(trace.spans, trace.logs)), OTLP_JSON_LINES_TYPE);
      if (format !== null && format !== 'hopscope') return json(res, 400, { code: 3, message: `unknown format ${quoted(format)}: use format=otlp (OTLP JSON lines) or leave it out (Hopscope's JSON)` });
      return json(res, 200, trace);
    }
    json(res, 404, { code: 5, message: `not found: no such API path ${quoted(path)}; see /api/traces, /api/traces/{traceId}, /api/stats, /api/service-map, /api/call-sites, /api/events` });
  };
}

function postPauses(req: IncomingMessage, res: ServerResponse, record: (pauses: DebugPause[]) => void): void {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return json(res, 405, { code: 12, message: `method ${req.method} is not allowed on "/api/pauses"; use POST` });
  }
  if (req.headers.origin !== undefined) return json(res, 403, { code: 7, message: `a request with an Origin (${quoted(req.headers.origin)}) may not write debugger pauses: only a VS Code window can` });
  if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) return json(res, 415, { code: 3, message: `Content-Type ${quoted(req.headers['content-type'] ?? '')} is not accepted on "/api/pauses"; send application/json` });
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_PAUSES_BODY_BYTES) return tooLarge(res);
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_PAUSES_BODY_BYTES) {
      req.removeAllListeners('data');
      req.resume();
      tooLarge(res);
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (res.headersSent) return;
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (error) {
      return json(res, 400, { code: 3, message: `the body of "/api/pauses" is not JSON: ${errorText(error)}` });
    }
    const read = readPauses(body);
    if ('problem' in read) return json(res, 400, { code: 3, message: `bad pauses: ${read.problem}` });
    record(read.pauses);
    json(res, 200, { accepted: read.pauses.length });
  });
}

function tooLarge(res: ServerResponse): void {
  if (res.headersSent) return;
  res.setHeader('Connection', 'close');
  json(res, 413, { code: 8, message: `a "/api/pauses" body may have at most ${MAX_PAUSES_BODY_BYTES} bytes` });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

/** Answers a view once it is ready (the connection may have closed meanwhile: then nothing is written). */
function answer(res: ServerResponse, view: Promise<unknown>): void {
  view.then((body) => json(res, 200, body), (error: unknown) => failed(res, error));
}

function failed(res: ServerResponse, error: unknown): void {
  if (res.headersSent || res.destroyed) return;
  json(res, 500, { code: 13, message: `internal error: ${errorText(error)}` });
}

function bytes(res: ServerResponse, body: Uint8Array, type: string): void {
  res.writeHead(200, { 'Content-Type': `${type}; charset=utf-8`, 'Content-Length': body.byteLength, 'Cache-Control': 'no-store' });
  res.end(body);
}
