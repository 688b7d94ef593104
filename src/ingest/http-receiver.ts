/**
 * OTLP/HTTP (`POST /v1/traces|logs|metrics`, protobuf or JSON, gzip/deflate)
 * plus the read-only JSON API under `/api/`. Every refusal is answered with a
 * `google.rpc.Status` saying exactly what was wrong.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WireError } from '../wire/wire-error';
import { GrpcCode, exportResponse, statusBody, type Encoding, type Signal } from '../wire/otlp-responses';
import type { IngestConfig } from './ingest-config';
import type { IngestCore } from './ingest-core';
import { originPolicy } from './origin-policy';
import { ReceiverError, busy } from './receiver-error';
import { readBody, releaseBody } from './request-body';
import { listen } from './listen';

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

export interface HttpReceiver {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startHttpReceiver(config: IngestConfig, core: IngestCore, api: ApiHandler, log: Logger): Promise<HttpReceiver> {
  const origins = originPolicy(config.allowedOrigins);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (!origins.allows(origin)) {
        return refuse(res, 'json', new ReceiverError(403, GrpcCode.PERMISSION_DENIED, `origin ${JSON.stringify(origin)} is not allowed; allow it with --allow-origin or hopscope.receiver.allowedOrigins`), core);
      }
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
    }
    if (path.startsWith('/api/')) return api(req, res, path);
    const signal = SIGNALS[path];
    if (!signal) return refuse(res, 'json', new ReceiverError(404, GrpcCode.NOT_FOUND, `no such path ${JSON.stringify(path)}; OTLP/HTTP is served at /v1/traces, /v1/logs and /v1/metrics`), core);
    if (req.method === 'OPTIONS') return preflight(req, res);
    if (req.method !== 'POST') {
      return refuse(res, 'json', new ReceiverError(405, GrpcCode.UNIMPLEMENTED, `method ${req.method} is not allowed on ${path}; use POST`, { Allow: 'POST, OPTIONS' }), core);
    }
    const mediaType = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
    const encoding = CONTENT_TYPES[mediaType];
    if (!encoding) {
      const named = mediaType === '' ? 'no Content-Type' : `Content-Type ${JSON.stringify(mediaType)}`;
      return refuse(res, 'json', new ReceiverError(415, GrpcCode.INVALID_ARGUMENT, `${named} is not supported; send application/x-protobuf or application/json`), core);
    }
    if (core.queue.busy) return refuse(res, encoding, busy(RETRY_AFTER_SECONDS), core);
    let body: Uint8Array;
    try {
      body = await readBody(req, config.maxBodyBytes);
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
  };

  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      log('error', `request failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      if (!res.headersSent) send(res, 500, 'json', statusBody('json', GrpcCode.INTERNAL, 'internal error; see the Hopscope log'));
    });
  });
  server.on('clientError', (error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    log('warn', `malformed HTTP request: ${error.message}`);
  });
  const port = await listen(server, config.host, config.httpPort, 'OTLP/HTTP', config.portHints.http);
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

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
  return new ReceiverError(500, GrpcCode.INTERNAL, `internal error: ${error instanceof Error ? error.message : String(error)}`);
}

/** Answers an error. `unreadBody`: the request body may not have been read, so the connection is closed after. */
function refuse(res: ServerResponse, encoding: Encoding, error: ReceiverError, core: IngestCore, count = true, unreadBody = true): void {
  if (count) core.countRefused(error.httpStatus);
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  if (unreadBody && !res.req.complete) res.setHeader('Connection', 'close');
  send(res, error.httpStatus, encoding, statusBody(encoding, error.grpcCode, error.message));
}

function send(res: ServerResponse, status: number, encoding: Encoding, body: Uint8Array): void {
  res.writeHead(status, { 'Content-Type': MEDIA_TYPE[encoding], 'Content-Length': body.length });
  res.end(body);
}
