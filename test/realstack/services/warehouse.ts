/**
 * warehouse: consumes every order.placed from RabbitMQ, marks the order in
 * Redis and reserves the stock in PostgreSQL, then acks.
 */
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import pg from 'pg';
import { EXCHANGE, ROUTING_KEY, WAREHOUSE_QUEUE } from '../plan';
import { env, fatal, ready } from './lib';

const pool = new pg.Pool({ host: '127.0.0.1', port: Number(env('PG_PORT')), user: 'postgres', database: 'shop', max: 2 });
const redis = new Redis({ host: '127.0.0.1', port: Number(env('REDIS_PORT')) });

async function main(): Promise<void> {
  await pool.query('SELECT 1');
  await redis.ping();
  const connection = await amqp.connect(env('AMQP_URL'));
  const channel = await connection.createChannel();
  await channel.assertExchange(EXCHANGE, 'topic', { durable: false });
  await channel.assertQueue(WAREHOUSE_QUEUE, { durable: false });
  await channel.bindQueue(WAREHOUSE_QUEUE, EXCHANGE, `${ROUTING_KEY}.#`);
  await channel.consume(WAREHOUSE_QUEUE, (message) => {
    if (!message) return;
    const order = JSON.parse(message.content.toString('utf8')) as { orderId: string; skus: string[] };
    (async () => {
      await redis.hset(`order:${order.orderId}`, 'status', 'reserved');
      await pool.query('UPDATE stock SET reserved = reserved + 1 WHERE sku = ANY($1)', [order.skus]);
      channel.ack(message);
    })().catch(fatal);
  });
  ready();
}

main().catch(fatal);
