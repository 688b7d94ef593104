/**
 * A demo service's HTTP side: JSON routes, plus the untraced plumbing every
 * service has (`GET /health`, `GET|POST /_demo/switches`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { context, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { atShutdown, shutdown } from './lifecycle';
import { failureMessages } from './span-notes';
import { switches, updateSwitches } from './switches';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** Handles one request's JSON body; a reply with an `error` string and status
 * >= 500 marks the server span failed with that message. */
export type Handler = (body: Record<string, unknown>) => Promise<Reply>;

/** A failure that carries its HTTP status; anything else thrown is a 500. */
export class HttpFailure extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Starts the service on PORT (0 picks a free one) at 127.0.0.1, or exits saying why it cannot. */
export function startService(name: string, routes: Record<string, Handler>): void {
  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const done = handle(name, routes, req, res)
      .catch((error: unknown) => send(res, 500, { error: String(error) }))
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  });
  // Requests in hand finish first (up to 4 s): work that outlives its caller,
  // like payments after orders timed out, is what the trace should show.
  atShutdown(async () => {
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections();
    await Promise.race([Promise.allSettled(inFlight), sleep(4_000)]);
    server.closeAllConnections();
    await closed;
  });
  const port = Number(process.env.PORT ?? 0);
  server.once('error', (error) => {
    process.stderr.write(`${name} cannot listen on 127.0.0.1:${port}: ${error.message}\n`);
    void shutdown(1);
  });
  server.listen(port, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`${name} listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}\n`);
  });
}

async function handle(name: string, routes: Record<string, Handler>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const key = `${req.method} ${path}`;
  if (key === 'GET /health') return send(res, 200, { service: name, ok: true });
  if (key === 'GET /_demo/switches') return send(res, 200, { ...switches() });
  if (key === 'POST /_demo/switches') {
    try {
      return send(res, 200, { ...updateSwitches(await readJson(req)) });
    } catch (error) {
      return send(res, 400, { error: String(error) });
    }
  }
  const handler = routes[key];
  if (!handler) return send(res, 404, { error: `${name} has no route ${key}` });

  // The instrumentation names the server span "<method> <http.route>" when the
  // response ends, taking the route from this metadata.
  const rpc = getRPCMetadata(context.active());
  if (rpc?.type === RPCType.HTTP) rpc.route = path;
  trace.getActiveSpan()?.setAttribute('http.route', path);

  let reply: Reply;
  try {
    reply = await handler(await readJson(req));
  } catch (error) {
    const status = error instanceof HttpFailure ? error.status : 500;
    reply = { status, body: { error: error instanceof Error ? error.message : String(error) } };
  }
  const error = reply.body.error;
  if (reply.status >= 500 && typeof error === 'string') failureMessages.set(res, error);
  // Lets a caller (the load generator, a test) find the order's trace.
  const traceId = trace.getActiveSpan()?.spanContext().traceId;
  if (traceId) res.setHeader('x-trace-id', traceId);
  send(res, reply.status, reply.body);
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      try {
        const value: unknown = text ? JSON.parse(text) : {};
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected a JSON object');
        resolve(value as Record<string, unknown>);
      } catch (error) {
        reject(new HttpFailure(400, `bad JSON body: ${String(error)}`));
      }
    });
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
