/**
 * edge: the front door, a bare node:http server. GET /order?scenario=… calls
 * shop with the global fetch (undici) and answers with shop's status. The
 * trace id goes back in `x-trace-id` so the test can find the request.
 */
import { trace } from '@opentelemetry/api';
import { createServer } from 'node:http';
import { isScenario } from '../plan';
import { env, fatal, listen, ready } from './lib';

const shop = env('SHOP_URL');

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://edge');
  const traceId = trace.getActiveSpan()?.spanContext().traceId ?? '';
  const scenario = url.searchParams.get('scenario') ?? 'sync';
  if (req.method !== 'GET' || url.pathname !== '/order' || !isScenario(scenario)) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('GET /order?scenario=sync|events|failure|timeout|fallback|retry\n');
    return;
  }
  try {
    const reply = await fetch(`${shop}/checkout?scenario=${scenario}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer: 'c-42', items: [1, 2, 3, 4, 5] }),
    });
    const body = await reply.text();
    res.writeHead(reply.status, { 'content-type': 'application/json', 'x-trace-id': traceId }).end(body);
  } catch (error) {
    res.writeHead(502, { 'content-type': 'application/json', 'x-trace-id': traceId }).end(JSON.stringify({ error: String(error) }));
  }
});

listen(server).then(ready, fatal);
