/**
 * OTLP/HTTP (`POST /v1/traces|logs|metrics`, protobuf or JSON, gzip/deflate)
 * plus the read-only JSON API under `/api/`. Every refusal is answered with a
 * `google.rpc.Status` saying exactly what was wrong.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { errorText } from '../common/errors';
import { WireError } from '../wire/wire-error';
import { GrpcCode, exportResponse, statusBody, type Encoding, type Signal } from '../wire/otlp-responses';
import type { IngestConfig } from './ingest-config';
import type { IngestCore } from './ingest-core';
import { originPolicy } from './origin-policy';
import { ReceiverError, busy } from './receiver-error';
import { admitBody, readBody, releaseBody, type BodyLimits } from './request-body';
import { listen } from './listen';
import { inflightBudget } from './inflight-budget';
import { BadRequestLog } from './bad-request-log';

export type Logger = (level: 'info' | 'warn' | 'error', message: string) => void;

/** Handles `/api/...` requests; answers 404 itself for paths it does not know. */
export type ApiHandler = (req: IncomingMessage, res: ServerResponse, path: string) => void;

const SIGNALS: Record<string, Signal> = { '/v1/traces': 'traces', '/v1/logs': 'logs', '/v1/metrics': 'metrics' };
const CONTENT_TYPES: Record<string, Encoding> = {
  'application/x-protobuf': 'protobuf',
  'application/protobuf': 'protobuf',
  'application/json': 'json',
};
const MEDIA_TYPE: Record<Encoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };
export const RETRY_AFTER_SECONDS = 1;
/** Node's own bound on a request's header block; over it the answer is 431. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** How much of a request path an error message quotes. */
const QUOTED_PATH = 80;

/** `text` for an error message, cut to `max` characters (a client's path can be as long as the header limit). */
export function quoted(text: string, max = QUOTED_PATH): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

export interface HttpReceiver {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startHttpReceiver(config: IngestConfig, core: IngestCore, api: ApiHandler, log: Logger): Promise<HttpReceiver> {
  const receiving: Receiving = { config, core, api, log, origins: originPolicy(config.allowedOrigins), budget: inflightBudget(core, config) };
  const badRequests = new BadRequestLog(log);
  const run = (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean) => {
    handle(receiving, req, res, expectsContinue).catch((error: unknown) => {
      log('error', `request failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      if (!res.headersSent) send(res, 500, 'json', statusBody('json', GrpcCode.INTERNAL, 'internal error; see the Hopscope log'));
    });
  };
  const server = createServer({ keepAliveTimeout: 30_000, maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => run(req, res, false));
  // With a listener here Node no longer answers `Expect: 100-continue` by itself: 100 is sent only
  // once the request has passed every check that needs no body (a body over the limit gets 413 instead).
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => run(req, res, true));
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const [status, reason] = CLIENT_ERROR_STATUS[error.code ?? ''] ?? [400, 'Bad Request'];
    if (socket.writable) socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
    badRequests.warn(`malformed HTTP request (answered ${status}): ${error.message}`);
  });
  const port = await listen(server, config.host, config.httpPort, 'OTLP/HTTP', config.portHints.http);
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        badRequests.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** What every request of one receiver is handled with. */
interface Receiving {
  config: IngestConfig;
  core: IngestCore;
  api: ApiHandler;
  log: Logger;
  origins: ReturnType<typeof originPolicy>;
  budget: ReturnType<typeof inflightBudget>;
}

/**
 * A request: its origin, path, method and Content-Type checked, then handed to the API or received.
 * `expectsContinue`: the client waits for `100 Continue`, sent only once the body is to be read.
 */
async function handle(receiving: Receiving, req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): Promise<void> {
  const { core, api, origins } = receiving;
  const path = (req.url ?? '/').split('?', 1)[0]!;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (!origins.allows(origin)) {
      return refuse(res, 'json', new ReceiverError(403, GrpcCode.PERMISSION_DENIED, `origin ${quoted(origin)} is not allowed; allow it with --allow-origin (hopscope serve) or the hopscope.receiver.allowedOrigins setting`), core);
    }
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
  }
  if (path.startsWith('/api/')) return api(req, res, path);
  const signal = SIGNALS[path];
  if (!signal) return refuse(res, 'json', new ReceiverError(404, GrpcCode.NOT_FOUND, `not found: no such path ${quoted(path)}; OTLP/HTTP is served at /v1/traces, /v1/logs and /v1/metrics`), core);
  if (req.method === 'OPTIONS') return preflight(req, res);
  if (req.method !== 'POST') {
    return refuse(res, 'json', new ReceiverError(405, GrpcCode.UNIMPLEMENTED, `method ${req.method} is not allowed on ${quoted(path)}; use POST`, { Allow: 'POST, OPTIONS' }), core);
  }
  const mediaType = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  const encoding = CONTENT_TYPES[mediaType];
  if (!encoding) {
    const named = mediaType === '' ? 'no Content-Type' : `Content-Type ${quoted(mediaType)}`;
    return refuse(res, 'json', new ReceiverError(415, GrpcCode.INVALID_ARGUMENT, `${named} is not supported; send application/x-protobuf or application/json`), core);
  }
  return receive(receiving, req, res, signal, encoding, expectsContinue);
}

/** An export request that passed the checks: its body read within the budget and the limits, ingested, answered. */
async function receive(
  { config, core, log, budget }: Receiving, req: IncomingMessage, res: ServerResponse, signal: Signal, encoding: Encoding, expectsContinue: boolean,
): Promise<void> {
  if (core.queue.busy) return refuse(res, encoding, busy(RETRY_AFTER_SECONDS), core);
  // The body's bytes count against the budget from before it is read until the request ends in any way.
  const reservation = budget.open();
  res.once('close', () => reservation.release());
  const limits: BodyLimits = {
    maxBytes: config.maxBodyBytes,
    reservation,
    retryAfterSeconds: RETRY_AFTER_SECONDS,
    idleTimeoutMs: config.bodyIdleTimeoutMs,
    totalTimeoutMs: config.bodyTimeoutMs,
  };
  let body: Uint8Array;
  try {
    admitBody(req, limits);
    if (expectsContinue) res.writeContinue();
    body = await readBody(req, limits);
  } catch (error) {
    return refuse(res, encoding, asReceiverError(error, log), core);
  }
  const pending = core.submit({ signal, encoding, body });
  if (!pending) {
    releaseBody(body);
    return refuse(res, encoding, busy(RETRY_AFTER_SECONDS), core, false);
  }
  try {
    const result = await pending;
    send(res, 200, encoding, exportResponse(signal, encoding, result.rejected, result.rejected > 0 ? result.rejectReason : ''));
  } catch (error) {
    refuse(res, encoding, asReceiverError(error, log), core, false);
  } finally {
    releaseBody(body); // decoded: nothing refers to its bytes any more
  }
}

/** Node's parser errors that have a more precise status than 400. */
const CLIENT_ERROR_STATUS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
};

function preflight(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? 'Content-Type, Content-Encoding');
  res.setHeader('Access-Control-Max-Age', '86400');
  res.writeHead(204).end();
}

function asReceiverError(error: unknown, log: Logger): ReceiverError {
  if (error instanceof ReceiverError) return error;
  if (error instanceof WireError) return new ReceiverError(400, GrpcCode.INVALID_ARGUMENT, error.message);
  log('error', `unexpected failure while ingesting: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  return new ReceiverError(500, GrpcCode.INTERNAL, `internal error: ${errorText(error)}`);
}

/** Answers an error. `unreadBody`: the request body may not have been read, so the connection is closed after. */
function refuse(res: ServerResponse, encoding: Encoding, error: ReceiverError, core: IngestCore, count = true, unreadBody = true): void {
  if (count) core.countRefused(error.httpStatus);
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  if (unreadBody && !res.req.complete) {
    res.setHeader('Connection', 'close');
    if (res.socket) lingeringClose(res.socket);
  }
  send(res, error.httpStatus, encoding, statusBody(encoding, error.grpcCode, error.message));
}

/** How long a connection whose body was refused unread stays half-open after the answer. */
const LINGER_MS = 2000;

/**
 * Closing a socket with unread input sends a TCP reset, and a reset makes the
 * client's kernel drop the answer it has not read yet: a client still
 * uploading would see "connection reset" instead of the 413 or 503. So the
 * answer is followed by a FIN only; reading stops (TCP flow control then stops
 * the client, and nothing more is buffered here), and the socket is destroyed
 * when the client closes or after `LINGER_MS`.
 */
function lingeringClose(socket: Socket): void {
  socket.destroySoon = () => {
    socket.pause();
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  };
}

function send(res: ServerResponse, status: number, encoding: Encoding, body: Uint8Array): void {
  res.writeHead(status, { 'Content-Type': MEDIA_TYPE[encoding], 'Content-Length': body.length });
  res.end(body);
}
