/**
 * shop: express 5 with two middlewares. POST /checkout?scenario=… loads each
 * item with its own SELECT (an N+1 through a pg.Pool), reads and writes the
 * cart in Redis, asks pricing five different questions one after another,
 * charges through payments with node:http (giving up after 250 ms in the
 * timeout scenario), tells
 * notify over HTTP (or, in the events scenario, leaves it to the queue) and
 * publishes order.placed to RabbitMQ.
 */
import amqp from 'amqplib';
import express, { type NextFunction, type Request, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  EXCHANGE, ITEM_QUERY_MS, ITEMS, PRICING_CALLS, QUOTE_BACKOFF_MS, QUOTE_PATH, QUOTE_STATUSES,
  RECOMMEND_PATH, ROUTING_KEY, ROUTING_KEY_WITH_EMAIL, SWITCHES, isScenario, type Scenario,
} from '../plan';
import { env, fatal, listen, ready, sleep } from './lib';

const pricing = env('PRICING_URL');
const payments = env('PAYMENTS_URL');
const notify = env('NOTIFY_URL');
const recommend = env('RECOMMEND_URL');

const pool = new pg.Pool({ host: '127.0.0.1', port: Number(env('PG_PORT')), user: 'postgres', database: 'shop', max: 4 });
const redis = new Redis({ host: '127.0.0.1', port: Number(env('REDIS_PORT')), lazyConnect: false });

class GaveUp extends Error {}

/** POST /charge with node:http; after `timeoutMs` without an answer the request is destroyed. */
function charge(orderId: string, amountCents: number, scenario: Scenario, timeoutMs: number): Promise<{ status: number; body: string }> {
  const body = JSON.stringify({ orderId, amountCents });
  return new Promise((resolve, reject) => {
    const req = http.request(`${payments}/charge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-scenario': scenario },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new GaveUp(`payments did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function checkout(req: Request, res: Response): Promise<void> {
  const scenario = String(req.query.scenario ?? 'sync');
  if (!isScenario(scenario)) {
    res.status(400).json({ error: `unknown scenario ${scenario}` });
    return;
  }
  const switches = SWITCHES[scenario];
  const orderId = res.locals.orderId as string;

  // One query per item: the N+1.
  const items: { id: number; sku: string; price_cents: number }[] = [];
  for (let id = 1; id <= ITEMS; id++) {
    const { rows } = await pool.query(`SELECT id, sku, name, price_cents, pg_sleep(${ITEM_QUERY_MS / 1000}) FROM items WHERE id = $1`, [id]);
    items.push(rows[0]);
  }
  const total = items.reduce((sum, item) => sum + item.price_cents, 0);

  const customer = String((req.body as { customer?: string } | undefined)?.customer ?? 'anonymous');
  await redis.get(`cart:${customer}`);
  await redis.set(`cart:${customer}`, JSON.stringify(items.map((i) => i.sku)), 'EX', 300);

  // Five different questions to one peer, one after another.
  for (const call of PRICING_CALLS) {
    const reply = await fetch(`${pricing}${call.path}?order=${orderId}`);
    await reply.json();
  }

  if (switches.quoteRetry) {
    for (let attempt = 1; ; attempt++) {
      const reply = await fetch(`${pricing}${QUOTE_PATH}?order=${orderId}`);
      await reply.text();
      if (reply.status !== 503 || attempt >= QUOTE_STATUSES.length) break;
      await sleep(QUOTE_BACKOFF_MS);
    }
  }

  if (switches.recommend) {
    try {
      const reply = await fetch(`${recommend}${RECOMMEND_PATH}?order=${orderId}`);
      await reply.text();
      if (!reply.ok) throw new Error(`recommend answered ${reply.status}`);
    } catch {
      // Recommendations are a nice-to-have: the order goes on without them.
    }
  }

  try {
    const charged = await charge(orderId, total, scenario, switches.paymentsTimeoutMs);
    if (charged.status >= 400) {
      res.status(502).json({ orderId, error: `payments answered ${charged.status}: ${charged.body}` });
      return;
    }
  } catch (error) {
    res.status(error instanceof GaveUp ? 504 : 502).json({ orderId, error: String(error) });
    return;
  }

  if (switches.notifyOverHttp) {
    const reply = await fetch(`${notify}/notify-email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId, customer }),
    });
    await reply.text();
  }

  channel.publish(EXCHANGE, switches.notifyOverHttp ? ROUTING_KEY : ROUTING_KEY_WITH_EMAIL, Buffer.from(JSON.stringify({ orderId, customer, skus: items.map((i) => i.sku) })), {
    contentType: 'application/json',
    messageId: orderId,
  });
  res.status(201).json({ orderId, totalCents: total });
}

const app = express();
app.use(express.json());
app.use(function orderId(_req: Request, res: Response, next: NextFunction) {
  res.locals.orderId = randomUUID();
  next();
});
app.post('/checkout', checkout);

let channel: amqp.Channel;

async function main(): Promise<void> {
  const connection = await amqp.connect(env('AMQP_URL'));
  channel = await connection.createChannel();
  await channel.assertExchange(EXCHANGE, 'topic', { durable: false });
  await pool.query('SELECT 1');
  await redis.ping();
  await listen(http.createServer(app));
  ready();
}

main().catch(fatal);
