import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { deflateSync, gzipSync } from 'node:zlib';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { startHttpReceiver } from '../../src/ingest/http-receiver';
import { DEFAULT_INGEST_CONFIG } from '../../src/ingest/ingest-config';
import { IngestCore, decodeSpans } from '../../src/ingest/ingest-core';
import type { SpanRecord } from '../../src/model/span';
import { decodeHopscopeTraceJson } from '../../src/wire/hopscope-json';
import { shopTrace } from '../support/otel-trace';
import { firstEvent, request } from '../support/http-client';
import { startHarness, type Harness } from '../support/receiver-harness';
import { decodePartialSuccess, decodeStatus } from '../support/status';
import { bytes, hex, kv, message, string } from '../support/proto-writer';

const PROTO = { 'Content-Type': 'application/x-protobuf' };
const JSON_TYPE = { 'Content-Type': 'application/json' };
const TRACE = '5b8efff798038103d269b633813fc60c';

let spans: ReadableSpan[];
let protoBody: Uint8Array;
let jsonBody: Uint8Array;

before(async () => {
  spans = await shopTrace();
  protoBody = ProtobufTraceSerializer.serializeRequest(spans)!;
  jsonBody = JsonTraceSerializer.serializeRequest(spans)!;
});

describe('the OTLP/HTTP receiver', () => {
  let h: Harness;
  before(async () => (h = await startHarness({ maxBodyBytes: 64 * 1024 })));
  after(() => h.close());

  it('accepts protobuf and answers an empty protobuf ExportTraceServiceResponse', async () => {
    const reply = await request(h.port, 'POST', '/v1/traces', protoBody, PROTO);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'application/x-protobuf');
    assert.equal(reply.body.length, 0);
    assert.equal(h.core.store.get(TRACE)?.spans.length, spans.length);
  });

  it('accepts JSON and answers {}', async () => {
    const reply = await request(h.port, 'POST', '/v1/traces', jsonBody, { 'Content-Type': 'application/json; charset=utf-8' });
    assert.equal(reply.status, 200);
    assert.equal(reply.text, '{}');
  });

  it('accepts gzip and deflate bodies', async () => {
    assert.equal((await request(h.port, 'POST', '/v1/traces', gzipSync(protoBody), { ...PROTO, 'Content-Encoding': 'gzip' })).status, 200);
    assert.equal((await request(h.port, 'POST', '/v1/traces', deflateSync(jsonBody), { ...JSON_TYPE, 'Content-Encoding': 'deflate' })).status, 200);
  });

  it('keeps the valid spans of a request and reports the rejected ones as partial success, in JSON', async () => {
    const payload = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [
      { traceId: TRACE, spanId: '00000000000000a1', name: 'kept' },
      { traceId: '00000000000000000000000000000000', spanId: '00000000000000a2', name: 'zero trace' },
    ] }] }] });
    const reply = await request(h.port, 'POST', '/v1/traces', payload, JSON_TYPE);
    assert.equal(reply.status, 200);
    const body = JSON.parse(reply.text) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    assert.equal(body.partialSuccess.rejectedSpans, '1');
    assert.match(body.partialSuccess.errorMessage, /traceId is all zeros/);
    assert.ok(h.core.store.get(TRACE)!.spans.some((s) => s.name === 'kept'));
  });

  it('reports rejected spans as partial success in protobuf too', async () => {
    const payload = message(1, message(2, message(2, bytes(1, hex(TRACE)), bytes(2, hex('00000000000000b1'))), message(2, bytes(1, hex('ab')), bytes(2, hex('00000000000000b2')))));
    const reply = await request(h.port, 'POST', '/v1/traces', payload, PROTO);
    assert.equal(reply.status, 200);
    assert.deepEqual(decodePartialSuccess(reply.body), { rejected: 1, errorMessage: 'resource_spans[0].scope_spans[0].spans[1]: traceId is 1 bytes, expected 16' });
  });

  it('answers a malformed protobuf payload with 400 and a Status naming the field and byte', async () => {
    const reply = await request(h.port, 'POST', '/v1/traces', protoBody.subarray(0, protoBody.length - 5), PROTO);
    assert.equal(reply.status, 400);
    const status = decodeStatus(reply.body);
    assert.equal(status.code, 3);
    assert.match(status.message, /^resource_spans\[\d+\].*byte \d+/);
  });

  it('answers malformed JSON with 400 and a JSON Status', async () => {
    const reply = await request(h.port, 'POST', '/v1/traces', '{"resourceSpans": [', JSON_TYPE);
    assert.equal(reply.status, 400);
    assert.match((JSON.parse(reply.text) as { message: string }).message, /JSON/);
  });

  it('answers an AnyValue nested beyond the bound with 400, not a stack overflow', async () => {
    let value = string(1, 'x');
    for (let i = 0; i < 200; i++) value = message(5, message(1, value));
    const payload = message(1, message(2, message(2, bytes(1, hex(TRACE)), bytes(2, hex('00000000000000c1')), kv(9, 'deep', value))));
    const reply = await request(h.port, 'POST', '/v1/traces', payload, PROTO);
    assert.equal(reply.status, 400);
    assert.match(decodeStatus(reply.body).message, /nested deeper than 64/);
  });

  it('answers corrupt and truncated gzip with 400', async () => {
    const corrupt = await request(h.port, 'POST', '/v1/traces', Buffer.from('definitely not gzip'), { ...PROTO, 'Content-Encoding': 'gzip' });
    assert.equal(corrupt.status, 400);
    assert.match(decodeStatus(corrupt.body).message, /gzip body is corrupt or truncated/);
    const zipped = gzipSync(protoBody);
    const truncated = await request(h.port, 'POST', '/v1/traces', zipped.subarray(0, zipped.length - 10), { ...PROTO, 'Content-Encoding': 'gzip' });
    assert.equal(truncated.status, 400);
    assert.match(decodeStatus(truncated.body).message, /gzip body is corrupt or truncated/);
  });

  it('answers a body over the limit with 413, whether declared, streamed or inflated', async () => {
    const big = new Uint8Array(100 * 1024);
    const declared = await request(h.port, 'POST', '/v1/traces', big, PROTO);
    assert.equal(declared.status, 413);
    assert.match(decodeStatus(declared.body).message, /larger than the limit of 65536 bytes/);
    const bomb = gzipSync(new Uint8Array(50 * 1024 * 1024)); // 50 MiB of zeros in ~50 KiB
    assert.ok(bomb.length < 64 * 1024);
    const inflated = await request(h.port, 'POST', '/v1/traces', bomb, { ...PROTO, 'Content-Encoding': 'gzip' });
    assert.equal(inflated.status, 413);
  });

  it('answers an unsupported content type with 415 naming the supported ones', async () => {
    const reply = await request(h.port, 'POST', '/v1/traces', 'hello', { 'Content-Type': 'text/plain' });
    assert.equal(reply.status, 415);
    assert.match(reply.text, /text\/plain.*application\/x-protobuf or application\/json/);
    assert.equal((await request(h.port, 'POST', '/v1/traces', protoBody, { ...PROTO, 'Content-Encoding': 'br' })).status, 415);
  });

  it('answers other methods with 405 and unknown paths with 404', async () => {
    const get = await request(h.port, 'GET', '/v1/traces');
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST, OPTIONS');
    const unknown = await request(h.port, 'POST', '/v2/traces', protoBody, PROTO);
    assert.equal(unknown.status, 404);
    assert.match(unknown.text, /\/v1\/traces/);
  });

  it('accepts logs, keeping those that name a trace with that trace, and accepts metrics', async () => {
    const logs = JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }] }, scopeLogs: [{ logRecords: [
      { timeUnixNano: '1763900000001000000', traceId: TRACE, spanId: 'eee19b7ec3c1b174', body: { stringValue: 'charging card' } },
      { body: { stringValue: 'no trace' } },
    ] }] }] });
    const reply = await request(h.port, 'POST', '/v1/logs', logs, JSON_TYPE);
    assert.equal(reply.status, 200);
    assert.deepEqual(h.core.store.get(TRACE)!.logs.map((l) => l.body), ['charging card']);
    const metrics = await request(h.port, 'POST', '/v1/metrics', new Uint8Array([10, 0]), PROTO);
    assert.equal(metrics.status, 200);
    assert.equal(metrics.body.length, 0);
  });

  it('refuses browser origins that are not on the allow-list with 403', async () => {
    const reply = await request(h.port, 'POST', '/v1/traces', jsonBody, { ...JSON_TYPE, Origin: 'https://evil.example' });
    assert.equal(reply.status, 403);
    assert.match(reply.text, /evil\.example.*not allowed/);
  });

  it('answers CORS preflight and posts from local web apps', async () => {
    const preflight = await request(h.port, 'OPTIONS', '/v1/traces', undefined, {
      Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type',
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], 'http://localhost:5173');
    assert.match(String(preflight.headers['access-control-allow-methods']), /POST/);
    assert.equal(preflight.headers['access-control-allow-headers'], 'content-type');
    const post = await request(h.port, 'POST', '/v1/traces', jsonBody, { ...JSON_TYPE, Origin: 'http://127.0.0.1:3000' });
    assert.equal(post.status, 200);
    assert.equal(post.headers['access-control-allow-origin'], 'http://127.0.0.1:3000');
    assert.equal((await request(h.port, 'OPTIONS', '/v1/traces', undefined, { Origin: 'http://localhost.evil.example:80' })).status, 403);
  });
});

describe('the read-only JSON API', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await request(h.port, 'POST', '/v1/traces', protoBody, PROTO);
  });
  after(() => h.close());

  it('lists trace summaries newest first', async () => {
    const reply = await request(h.port, 'GET', '/api/traces');
    assert.equal(reply.status, 200);
    const { traces } = JSON.parse(reply.text) as { traces: { traceId: string; rootService: string; rootName: string; spanCount: number; services: string[] }[] };
    assert.equal(traces.length, 1);
    assert.deepEqual([traces[0]!.traceId, traces[0]!.rootService, traces[0]!.rootName, traces[0]!.spanCount], [TRACE, 'gateway', 'GET /orders', spans.length]);
    assert.deepEqual(traces[0]!.services, ['email', 'gateway', 'orders']);
  });

  it('serves one trace by id in any case, and 404 for an unknown one', async () => {
    const reply = await request(h.port, 'GET', `/api/traces/${TRACE.toUpperCase()}`);
    assert.equal(reply.status, 200);
    const trace = JSON.parse(reply.text) as { traceId: string; spans: { kind: string; status: { code: string } }[] };
    assert.equal(trace.traceId, TRACE);
    assert.equal(trace.spans.length, spans.length);
    assert.ok(trace.spans.every((s) => ['server', 'client', 'producer', 'consumer', 'internal'].includes(s.kind)));
    assert.ok(trace.spans.some((s) => s.status.code === 'error'));
    assert.equal((await request(h.port, 'GET', `/api/traces/${'f'.repeat(32)}`)).status, 404);
    assert.equal((await request(h.port, 'GET', '/api/traces/not-an-id')).status, 404);
  });

  it('serves a trace as OTLP JSON lines that decode to the stored spans, and Hopscope JSON that decodes too', async () => {
    const stored = JSON.parse((await request(h.port, 'GET', `/api/traces/${TRACE}`)).text) as { traceId: string; spans: SpanRecord[] };
    const otlp = await request(h.port, 'GET', `/api/traces/${TRACE}?format=otlp`);
    assert.equal(otlp.status, 200);
    assert.equal(otlp.headers['content-type'], 'application/x-ndjson; charset=utf-8');
    const lines = otlp.text.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, 'no logs: one traces request');
    assert.deepEqual(decodeSpans('json', new TextEncoder().encode(lines[0])).spans, stored.spans);
    assert.deepEqual(decodeHopscopeTraceJson(stored as unknown as Record<string, unknown>).spans, stored.spans);
    const bad = await request(h.port, 'GET', `/api/traces/${TRACE}?format=jaeger`);
    assert.equal(bad.status, 400);
    assert.match(bad.text, /unknown format/);
  });

  it('reports counters and which program answers', async () => {
    const stats = JSON.parse((await request(h.port, 'GET', '/api/stats')).text) as { program: string; spansStored: number; tracesStored: number; requests: number };
    assert.equal(stats.program, 'hopscope');
    assert.equal(stats.spansStored, spans.length);
    assert.equal(stats.tracesStored, 1);
    assert.ok(stats.requests >= 1);
  });

  it('streams a hello with the current traces to followers', async () => {
    const { event, data } = await firstEvent(h.port, '/api/events');
    assert.equal(event, 'hello');
    assert.equal((data as { traces: { traceId: string }[] }).traces[0]!.traceId, TRACE);
  });

  it('answers only loopback Host names and only GET', async () => {
    assert.equal((await request(h.port, 'GET', '/api/traces', undefined, { Host: 'attacker.example:4318' })).status, 403);
    assert.equal((await request(h.port, 'GET', '/api/traces', undefined, { Host: 'localhost:4318' })).status, 200);
    assert.equal((await request(h.port, 'DELETE', '/api/traces')).status, 405);
    assert.equal((await request(h.port, 'GET', '/api/traces', undefined, { Origin: 'https://evil.example' })).status, 403);
  });
});

describe('overload', () => {
  it('answers 503 with Retry-After while the queue is full, and stores what it accepted', async () => {
    const drains: (() => void)[] = [];
    const h = await startHarness({ maxQueuedJobs: 1 }, (drain) => drains.push(drain));
    try {
      const first = request(h.port, 'POST', '/v1/traces', protoBody, PROTO);
      while (h.core.queue.length === 0) await new Promise((resolve) => setImmediate(resolve));
      const second = await request(h.port, 'POST', '/v1/traces', jsonBody, JSON_TYPE);
      assert.equal(second.status, 503);
      assert.equal(second.headers['retry-after'], '1');
      assert.match((JSON.parse(second.text) as { message: string }).message, /busy/);
      drains.shift()!();
      assert.equal((await first).status, 200);
      assert.equal(h.core.store.get(TRACE)!.spans.length, spans.length);
      assert.equal(h.core.stats().busyResponses, 1);
    } finally {
      await h.close();
    }
  });
});

describe('binding', () => {
  it('fails on a port in use with a message naming the port and the flag that changes it', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const config = { ...DEFAULT_INGEST_CONFIG, httpPort: port };
      await assert.rejects(startHttpReceiver(config, new IngestCore(config), () => undefined, () => undefined), new RegExp(`port ${port} on 127.0.0.1 is already in use.*--http-port`));
    } finally {
      blocker.close();
    }
  });
});
