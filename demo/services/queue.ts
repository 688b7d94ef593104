/**
 * The demo's message broker: in memory, over HTTP, and not instrumented, so
 * traces show orders → email/analytics through the messaging spans alone.
 *   POST /publish/<topic>                    {id, headers, body} → {id, offset}
 *   GET  /poll/<topic>?group=<g>&max=<n>     → {messages: [{id, headers, body}]}
 *        long-polls up to waitMs (default 10 s), then answers an empty list
 *   GET  /health
 * Like Kafka, each consumer group has its own offset, so every group reads
 * every message once. The newest 10 000 messages per topic are kept.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { atShutdown } from '../lib/lifecycle';
import type { Message } from '../lib/messaging';

const RETAINED = 10_000;

interface Topic {
  log: Message[];
  /** Offset of log[0]. */
  base: number;
  /** Next offset to deliver, per group; a new group starts at the oldest kept. */
  groups: Map<string, number>;
  waiters: Set<() => void>;
}

const topics = new Map<string, Topic>();

function topic(name: string): Topic {
  let t = topics.get(name);
  if (!t) topics.set(name, (t = { log: [], base: 0, groups: new Map(), waiters: new Set() }));
  return t;
}

function publish(name: string, message: Message): number {
  const t = topic(name);
  t.log.push(message);
  if (t.log.length > RETAINED) {
    t.log.shift();
    t.base++;
  }
  const woken = [...t.waiters];
  t.waiters.clear();
  for (const wake of woken) wake();
  return t.base + t.log.length - 1;
}

/** Takes up to `max` messages for `group`, waiting up to `waitMs` for the first. */
function poll(name: string, group: string, max: number, waitMs: number, req: IncomingMessage): Promise<Message[]> {
  const t = topic(name);
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(true), waitMs);
    // A consumer that hung up must not have messages counted as delivered to it.
    const gone = () => finish(false);
    req.socket.once('close', gone);
    function finish(deliver: boolean): void {
      clearTimeout(timer);
      req.socket.off('close', gone);
      t.waiters.delete(attempt);
      resolve(deliver ? take() : []);
    }
    function take(): Message[] {
      const offset = Math.max(t.groups.get(group) ?? t.base, t.base);
      const messages = t.log.slice(offset - t.base, offset - t.base + max);
      t.groups.set(group, offset + messages.length);
      return messages;
    }
    function attempt(): void {
      const offset = Math.max(t.groups.get(group) ?? t.base, t.base);
      if (offset < t.base + t.log.length) finish(true);
      else t.waiters.add(attempt);
    }
    attempt();
  });
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://queue');
  const [, action, rawTopic] = url.pathname.split('/');
  const name = decodeURIComponent(rawTopic ?? '');
  if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, { service: 'queue', ok: true });
  if (req.method === 'POST' && action === 'publish' && name) {
    const message = (await readJson(req)) as Partial<Message>;
    if (typeof message.id !== 'string' || typeof message.headers !== 'object' || message.headers === null) {
      return send(res, 400, { error: 'expected {id, headers, body}' });
    }
    const offset = publish(name, { id: message.id, headers: message.headers, body: message.body });
    return send(res, 200, { id: message.id, offset });
  }
  if (req.method === 'GET' && action === 'poll' && name) {
    const group = url.searchParams.get('group');
    if (!group) return send(res, 400, { error: 'group is required' });
    const max = Math.max(1, Number(url.searchParams.get('max')) || 16);
    const waitMs = Math.min(Math.max(0, Number(url.searchParams.get('waitMs') ?? 10_000)), 30_000);
    return send(res, 200, { messages: await poll(name, group, max, waitMs, req) });
  }
  send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', reject);
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        // JSON.parse throws SyntaxErrors only.
        reject(error instanceof Error ? error : new Error(String(error)));
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

const server = createServer((req, res) => void handle(req, res).catch((error: unknown) => send(res, 400, { error: String(error) })));
atShutdown(() => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`queue listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
});
