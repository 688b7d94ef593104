/**
 * The call-site processor under the official instrumentations, as a service
 * runs them (http, undici for fetch, pg, ioredis, amqplib registered on a
 * NodeTracerProvider), against real servers on loopback: a node:http server,
 * PostgreSQL, Redis and RabbitMQ started from the Debian binaries. Each CLIENT
 * and PRODUCER span must carry the line of this file that made the call, also
 * where the stack at span start has no frame of the service's (fetch, deep
 * inside Node's undici; a pooled query, started in the pool's callback).
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SpanKind, trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { CallSiteSpanProcessor } from '../../src/processor/call-site-processor';
import { startPostgres, startRabbitMQ, startRedis, type Postgres, type RunningServer } from '../support/servers';
import { marked } from './harness';

// Registered before pg, ioredis and amqplib are first required (the instrumentations patch them as they load).
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new CallSiteSpanProcessor(), new SimpleSpanProcessor(exporter)] });
provider.register();
registerInstrumentations({
  tracerProvider: provider,
  instrumentations: [new HttpInstrumentation(), new UndiciInstrumentation(), new PgInstrumentation(), new IORedisInstrumentation(), new AmqplibInstrumentation()],
});

import type * as Http from 'node:http';
import type * as Pg from 'pg';
import type IORedis from 'ioredis';
import type * as Amqp from 'amqplib';

const http = require('node:http') as typeof Http;
const tracer = trace.getTracer('shop');
const line = (marker: string, call: string) => marked(__filename, marker, call).line;

interface Code {
  name: string;
  path: unknown;
  line: unknown;
}

const codeOf = (span: ReadableSpan): Code => ({ name: span.name, path: span.attributes['code.file.path'], line: span.attributes['code.line.number'] });

/** The CLIENT and PRODUCER spans of the trace that `run` starts, oldest first. */
async function callsIn(name: string, run: () => Promise<void>): Promise<ReadableSpan[]> {
  let traceId = '';
  await tracer.startActiveSpan(name, { kind: SpanKind.SERVER }, async (root) => {
    traceId = root.spanContext().traceId;
    try {
      await run();
    } finally {
      root.end();
    }
  });
  return exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId && (s.kind === SpanKind.CLIENT || s.kind === SpanKind.PRODUCER)).sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
}

function getText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, (response) => { // call-site: http.request
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve(body));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the call-site processor under the official instrumentations', { timeout: 180_000 }, () => {
  let server: Server;
  let base = '';
  let postgres: Postgres | undefined;
  let redisServer: RunningServer | undefined;
  let rabbit: RunningServer | undefined;
  let pool: Pg.Pool | undefined;
  let redis: IORedis | undefined;
  let amqp: Amqp.ChannelModel | undefined;

  before(async () => {
    server = http.createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    [postgres, redisServer, rabbit] = await Promise.all([startPostgres(), startRedis(), startRabbitMQ()]);
    const pg = require('pg') as typeof Pg;
    pool = new pg.Pool({ ...postgres.connection, max: 4 });
    // An idle client hears the server's shutdown at the end; nothing to do about it.
    pool.on('error', () => undefined);
    const Redis = (require('ioredis') as { default: typeof IORedis }).default;
    redis = new Redis({ host: '127.0.0.1', port: redisServer.port, lazyConnect: true });
    await redis.connect();
    amqp = await (require('amqplib') as typeof Amqp).connect(`amqp://guest:guest@127.0.0.1:${rabbit.port}`);
  });

  after(async () => {
    await pool?.end().catch(() => undefined);
    redis?.disconnect();
    await amqp?.close().catch(() => undefined);
    await new Promise((resolve) => server?.close(resolve));
    await Promise.all([postgres?.stop(), redisServer?.stop(), rabbit?.stop()]);
    await provider.shutdown();
  });

  it('puts a fetch span on the line that called fetch, though undici starts it some 30 frames down', async () => {
    const calls = await callsIn('GET /fetch', async () => {
      await (await fetch(`${base}/a`)).text(); // call-site: fetch
      const posted = await fetch(`${base}/b`, { method: 'POST', body: '{"sku":"a1"}', headers: { 'content-type': 'application/json' } }); // call-site: fetch POST
      await posted.text();
    });
    assert.deepEqual(calls.map(codeOf), [
      { name: 'GET', path: __filename, line: line('fetch', 'fetch(') },
      { name: 'POST', path: __filename, line: line('fetch POST', 'fetch(') },
    ]);
  });

  it('puts an http.request span on its line', async () => {
    const calls = await callsIn('GET /http', async () => {
      await getText(`${base}/c`);
    });
    assert.deepEqual(calls.map(codeOf), [{ name: 'GET', path: __filename, line: line('http.request', 'request(') }]);
  });

  it("puts a pooled query on the pool.query line, beside the pool's checkout, however many run at once", async () => {
    const calls = await callsIn('GET /pg', async () => {
      await pool!.query('SELECT 1 AS one'); // call-site: pool.query
      await Promise.all([
        pool!.query('SELECT 2 AS two'), // call-site: pool.query two
        pool!.query('SELECT 3 AS three'), // call-site: pool.query three
      ]);
    });
    const lines = (spans: ReadableSpan[]) => spans.map((s) => s.attributes['code.line.number']);
    for (const [marker, text] of [['pool.query', 'SELECT 1 AS one'], ['pool.query two', 'SELECT 2 AS two'], ['pool.query three', 'SELECT 3 AS three']] as const) {
      const at = line(marker, 'query(');
      const query = calls.filter((s) => s.attributes['db.query.text'] === text);
      assert.deepEqual(query.map(codeOf), [{ name: query[0]?.name, path: __filename, line: at }], `the span of ${text}`);
      assert.ok(lines(calls.filter((s) => s.name === 'pg-pool.connect')).includes(at), `a pool checkout on line ${at}`);
    }
    // A new connection the pool opens (pg.connect) belongs to a checkout; every other call span has a line.
    assert.deepEqual(calls.filter((s) => s.name !== 'pg.connect' && s.attributes['code.line.number'] === undefined).map((s) => s.name), []);
  });

  it('puts Redis commands on the lines that sent them', async () => {
    const calls = await callsIn('GET /redis', async () => {
      await redis!.set('cart:7', '3'); // call-site: redis set
      await redis!.get('cart:7'); // call-site: redis get
    });
    assert.deepEqual(calls.map(codeOf), [
      { name: 'set', path: __filename, line: line('redis set', 'set(') },
      { name: 'get', path: __filename, line: line('redis get', 'get(') },
    ]);
  });

  it('puts a RabbitMQ publish on the line that published', async () => {
    const channel = await amqp!.createChannel();
    try {
      await channel.assertExchange('orders', 'topic', { durable: false });
      const calls = await callsIn('POST /orders', async () => {
        channel.publish('orders', 'order.placed', Buffer.from('{"id":7}')); // call-site: publish
      });
      assert.deepEqual(calls.map(codeOf), [{ name: 'publish orders', path: __filename, line: line('publish', 'publish(') }]);
    } finally {
      await channel.close();
    }
  });
});
