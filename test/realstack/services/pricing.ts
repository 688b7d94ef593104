/**
 * pricing: a bare node:http server with distinct endpoints (/price, /stock,
 * /tax, /shipping, /reviews) that its HTTP spans name only "GET", and /quote,
 * which answers 503 to the first two attempts of an order and 200 to the third.
 */
import { createServer, type ServerResponse } from 'node:http';
import { PRICING_CALLS, QUOTE_MS, QUOTE_PATH, QUOTE_STATUSES } from '../plan';
import { fatal, listen, ready, sleep } from './lib';

const attempts = new Map<string, number>();

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://pricing');
  const order = url.searchParams.get('order') ?? '';
  const call = PRICING_CALLS.find((c) => c.path === url.pathname);
  if (call) {
    await sleep(call.ms);
    return json(res, 200, { order, [call.path.slice(1)]: 42 });
  }
  if (url.pathname === QUOTE_PATH) {
    const attempt = attempts.get(order) ?? 0;
    if (attempt + 1 >= QUOTE_STATUSES.length) attempts.delete(order);
    else attempts.set(order, attempt + 1);
    await sleep(QUOTE_MS);
    const status = QUOTE_STATUSES[Math.min(attempt, QUOTE_STATUSES.length - 1)]!;
    return json(res, status, status === 200 ? { order, quote: 4200 } : { error: 'quote service warming up' });
  }
  json(res, 404, { error: `no ${url.pathname}` });
});

listen(server).then(ready, fatal);
