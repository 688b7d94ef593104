/**
 * notify: sends the order e-mail (300 ms), either when shop calls
 * POST /notify-email (node:http) or, in the events scenario, when it consumes
 * order.placed.email from RabbitMQ.
 */
import amqp from 'amqplib';
import { createServer } from 'node:http';
import { EXCHANGE, NOTIFY_MS, NOTIFY_QUEUE, ROUTING_KEY_WITH_EMAIL } from '../plan';
import { env, fatal, listen, readBody, ready, sleep } from './lib';

const server = createServer(async (req, res) => {
  if (req.method !== 'POST' || req.url !== '/notify-email') {
    res.writeHead(404).end();
    return;
  }
  await readBody(req);
  await sleep(NOTIFY_MS);
  res.writeHead(202, { 'content-type': 'application/json' }).end('{"sent":true}');
});

async function main(): Promise<void> {
  const connection = await amqp.connect(env('AMQP_URL'));
  const channel = await connection.createChannel();
  await channel.assertExchange(EXCHANGE, 'topic', { durable: false });
  await channel.assertQueue(NOTIFY_QUEUE, { durable: false });
  await channel.bindQueue(NOTIFY_QUEUE, EXCHANGE, ROUTING_KEY_WITH_EMAIL);
  await channel.consume(NOTIFY_QUEUE, (message) => {
    if (!message) return;
    sleep(NOTIFY_MS).then(() => channel.ack(message), fatal);
  });
  await listen(server);
  ready();
}

main().catch(fatal);
