/**
 * The receivers under hostile clients: bodies that stall or never end, more
 * bytes at once than the budget, gzip bombs, oversized headers, `Expect: 100-continue`,
 * bad escapes, absurd ids, long paths and floods of malformed requests. Each
 * is answered with the status the spec gives, the budget returns to 0, and
 * a valid request is still served.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, compressionAlgorithms, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { DEFAULT_INGEST_CONFIG, type IngestConfig } from '../../src/ingest/ingest-config';
import { IngestCore } from '../../src/ingest/ingest-core';
import { startGrpcReceiver, type GrpcReceiver } from '../../src/ingest/grpc-receiver';
import { InflightBudget, inflightBudget } from '../../src/ingest/inflight-budget';
import { BadRequestLog } from '../../src/ingest/bad-request-log';
import { shopTrace } from '../support/otel-trace';
import { request } from '../support/http-client';
import { eventually } from '../support/free-port';
import { startHarness, type Harness } from '../support/receiver-harness';
import { bytes, hex, message } from '../support/proto-writer';
import { decodeStatus } from '../support/status';
import { postHead, rawRequest, statuses } from '../support/raw-http';
import { grpcFrame, grpcSession, gzipFrame, rawGrpc } from '../support/raw-grpc';

const KiB = 1024;
const PROTO = { 'Content-Type': 'application/x-protobuf' };
const TRACE_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const HALF_MB_ID = new Uint8Array(512 * KiB).fill(0xab);
/** A span whose trace id is half a megabyte. */
const HUGE_ID_REQUEST = message(1, message(2, message(2, bytes(1, HALF_MB_ID), bytes(2, hex('00000000000000e1')))));

let protoBody: Uint8Array;
before(async () => {
  protoBody = ProtobufTraceSerializer.serializeRequest(await shopTrace('4d000000000000000000000000000001'))!;
});

const budgetOf = (h: { core: IngestCore }) => inflightBudget(h.core, DEFAULT_INGEST_CONFIG);

/** A valid POST, timed; the latency is reported, not asserted. */
async function timedPost(port: number, body: Uint8Array): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const reply = await request(port, 'POST', '/v1/traces', body, PROTO);
  return { status: reply.status, ms: performance.now() - started };
}

describe('the bytes-in-flight budget', () => {
  it('grants shares up to its limit, refuses past it, and gets every byte back on release', () => {
    const budget = new InflightBudget(100);
    const a = budget.open();
    const b = budget.open();
    assert.equal(a.ensure(60), true);
    assert.equal(a.ensure(40), true, 'a share never shrinks by asking for less');
    assert.equal(b.add(50), false);
    assert.equal(b.bytes, 0, 'a refused request takes nothing');
    assert.equal(b.add(40), true);
    assert.equal(budget.inUse, 100);
    a.release();
    a.release();
    assert.equal(budget.inUse, 40, 'release is idempotent');
    assert.equal(a.add(1), false, 'a released share cannot grow again');
    b.release();
    assert.equal(budget.inUse, 0);
  });

  it('is one budget per ingest core, never smaller than one body of the largest size', () => {
    const core = new IngestCore({ ...DEFAULT_INGEST_CONFIG });
    const budget = inflightBudget(core, { maxInflightBytes: 10, maxBodyBytes: 1000 });
    assert.equal(budget.limit, 1000);
    assert.equal(inflightBudget(core, DEFAULT_INGEST_CONFIG), budget);
    assert.equal(inflightBudget(new IngestCore({ ...DEFAULT_INGEST_CONFIG }), DEFAULT_INGEST_CONFIG).limit, 64 * 1024 * 1024);
  });
});

describe('OTLP/HTTP under slow and oversized uploads', () => {
  let h: Harness;
  // Small numbers, so that a handful of sockets exhaust the budget.
  before(async () => (h = await startHarness({ maxBodyBytes: 256 * KiB, maxInflightBytes: 512 * KiB, bodyIdleTimeoutMs: 400, bodyTimeoutMs: 1500 })));
  after(() => h.close());

  it('refuses a declared body the budget cannot hold before reading it, and cuts stalled bodies with 408', async () => {
    const budget = budgetOf(h);
    // Five uploads declare 200 KiB each and stall after 100 KiB: two fit in 512 KiB.
    const uploads = Array.from({ length: 5 }, () => rawRequest(h.port, postHead('/v1/traces', { 'Content-Length': 200 * KiB }), new Uint8Array(100 * KiB)));
    const answers = await Promise.all(uploads.map(async (u) => statuses(await u.received)));
    assert.deepEqual(answers.map((a) => a.length), [1, 1, 1, 1, 1]);
    const counted = answers.map((a) => a[0]!).sort();
    assert.deepEqual(counted, [408, 408, 503, 503, 503], `statuses ${JSON.stringify(counted)}`);
    assert.equal(await eventually(() => (budget.inUse === 0 ? true : undefined)), true);
  });

  it('answers 503 with Retry-After without reading, while stalled uploads hold the budget, and a valid POST gets 200', async () => {
    const budget = budgetOf(h);
    const holders = [0, 1].map(() => rawRequest(h.port, postHead('/v1/traces', { 'Content-Length': 250 * KiB }), new Uint8Array(KiB)));
    await eventually(() => (budget.inUse === 500 * KiB ? true : undefined));
    const refused = rawRequest(h.port, postHead('/v1/traces', { 'Content-Length': 100 * KiB }));
    const text = await refused.received;
    assert.deepEqual(statuses(text), [503]);
    assert.match(text, /^Retry-After: 1\r$/m);
    assert.match(text, /requests in flight already hold its budget of 524288 bytes/);
    const valid = await timedPost(h.port, protoBody); // a few KiB: fits in the 12 KiB left
    assert.equal(valid.status, 200);
    console.log(`# valid POST while the budget was held: ${valid.ms.toFixed(1)} ms`);
    assert.deepEqual((await Promise.all(holders.map((u) => u.received))).map(statuses), [[408], [408]]);
    assert.equal(await eventually(() => (budget.inUse === 0 ? true : undefined)), true);
  });

  it('counts chunked bodies as they arrive and stops reading the one that runs out of budget', async () => {
    const budget = budgetOf(h);
    const chunk = (size: number) => Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), Buffer.alloc(size), Buffer.from('\r\n')]);
    const head = postHead('/v1/traces', { 'Transfer-Encoding': 'chunked' });
    const first = [0, 1].map(() => rawRequest(h.port, head));
    for (let i = 0; i < 12; i++) for (const u of first) u.socket.write(chunk(16 * KiB)); // 192 KiB each, then stall
    await eventually(() => (budget.inUse === 384 * KiB ? true : undefined));
    const third = rawRequest(h.port, head);
    for (let i = 0; i < 12; i++) third.socket.write(chunk(16 * KiB)); // passes 512 KiB at its 9th chunk
    assert.deepEqual(statuses(await third.received), [503]);
    assert.deepEqual((await Promise.all(first.map((u) => u.received))).map(statuses), [[408], [408]]);
    assert.equal(await eventually(() => (budget.inUse === 0 ? true : undefined)), true);
  });

  it('cuts off a body that trickles in but is not complete in time with 408', async () => {
    const upload = rawRequest(h.port, postHead('/v1/traces', { 'Content-Length': 100 }));
    const trickle = setInterval(() => upload.socket.write('x'), 100);
    try {
      const text = await upload.received;
      assert.deepEqual(statuses(text), [408]);
      assert.match(text, /not complete after 1\.5 s/);
    } finally {
      clearInterval(trickle);
    }
    assert.equal(budgetOf(h).inUse, 0);
  });

  it('answers Expect: 100-continue with 413 (no 100) for a declared body over the limit, and with 100 then 200 otherwise', async () => {
    const tooBig = rawRequest(h.port, postHead('/v1/traces', { 'Content-Length': 300 * KiB, Expect: '100-continue' }));
    const text = await tooBig.received;
    assert.deepEqual(statuses(text), [413]);
    assert.doesNotMatch(text, /100 Continue/);
    const fits = rawRequest(h.port, postHead('/v1/traces', { 'Content-Length': protoBody.length, Expect: '100-continue', Connection: 'close' }));
    fits.socket.once('data', () => fits.socket.write(protoBody));
    assert.deepEqual(statuses(await fits.received), [100, 200]);
  });

  it('answers headers over the limit with 431', async () => {
    const big = rawRequest(h.port, `GET /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.deepEqual(statuses(await big.received), [431]);
  });
});

describe('requests that are wrong in themselves', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  it('answers a bad percent escape in an API path with 400', async () => {
    for (const path of ['/api/traces/%', '/api/traces/%zz', '/api/traces/%E0%A4%A']) {
      const reply = await request(h.port, 'GET', path);
      assert.equal(reply.status, 400, path);
      assert.match((JSON.parse(reply.text) as { message: string }).message, /not valid percent-encoding/);
    }
  });

  it('answers a protobuf id of half a megabyte with 400 naming the field', async () => {
    const reply = await request(h.port, 'POST', '/v1/traces', HUGE_ID_REQUEST, PROTO);
    assert.equal(reply.status, 400);
    assert.match(decodeStatus(reply.body).message, /spans\[0\]: trace_id is 524288 bytes/);
  });

  it('answers a 15 KB path with a short 404 that says not found', async () => {
    for (const path of [`/${'a'.repeat(15_000)}`, `/api/${'b'.repeat(15_000)}`, `/api/traces/${'c'.repeat(15_000)}`]) {
      const reply = await request(h.port, 'GET', path);
      assert.equal(reply.status, 404);
      assert.ok(reply.body.length < 400, `a ${reply.body.length}-byte answer`);
      assert.match(reply.text, /not found/);
    }
    const post = await request(h.port, 'POST', `/${'d'.repeat(15_000)}`, protoBody, PROTO);
    assert.equal(post.status, 404);
    assert.ok(post.body.length < 400, `a ${post.body.length}-byte answer`);
    assert.match(post.text, /not found/);
  });

  it('writes at most a handful of log lines for a flood of 1,000 malformed requests, and still serves', async () => {
    const before = h.logs.length;
    let answered400 = 0;
    for (let wave = 0; wave < 40; wave++) {
      const replies = await Promise.all(Array.from({ length: 25 }, () => rawRequest(h.port, 'BLAH\x01 / HTTP/1.1\r\n\r\n').received));
      answered400 += replies.filter((text) => statuses(text)[0] === 400).length;
    }
    assert.equal(answered400, 1000);
    const lines = h.logs.slice(before);
    assert.ok(lines.length <= 5, `${lines.length} lines: ${lines.slice(0, 8).join(' | ')}`);
    assert.equal((await timedPost(h.port, protoBody)).status, 200);
  });
});

describe('rate-limited bad-request lines', () => {
  it('writes the first five of a window, then one summary line with the count', () => {
    const lines: string[] = [];
    const log = new BadRequestLog((level, text) => lines.push(`${level}: ${text}`));
    for (let i = 0; i < 1000; i++) log.warn(`bad request ${i}`);
    assert.equal(lines.length, 5);
    log.flush();
    assert.equal(lines.length, 6);
    assert.equal(lines[5], 'warn: 1000 bad requests in the last minute (995 not logged one by one)');
    log.warn('a new window');
    log.close();
    assert.equal(lines.length, 7, 'no summary when nothing was held back');
  });
});

describe('OTLP/gRPC under big concurrent messages', () => {
  let core: IngestCore;
  let receiver: GrpcReceiver;
  const config: IngestConfig = { ...DEFAULT_INGEST_CONFIG, grpcPort: 0, maxBodyBytes: 1024 * KiB, maxInflightBytes: 2048 * KiB };
  before(async () => {
    core = new IngestCore(config);
    receiver = await startGrpcReceiver(config, core, () => undefined);
  });
  after(() => receiver.close());

  function call(body: Uint8Array): Promise<Buffer> {
    const client = new Client(`127.0.0.1:${receiver.port}`, credentials.createInsecure());
    return new Promise<Buffer>((resolve, reject) => {
      client.makeUnaryRequest(TRACE_PATH, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(body), (error: ServiceError | null, reply?: Buffer) => {
        client.close();
        if (error) reject(error);
        else resolve(reply!);
      });
    });
  }

  it('answers an id of half a megabyte with INVALID_ARGUMENT naming the field', async () => {
    await assert.rejects(call(HUGE_ID_REQUEST), (error: ServiceError) => {
      assert.equal(error.code, status.INVALID_ARGUMENT);
      assert.match(error.details, /trace_id is 524288 bytes/);
      return true;
    });
  });

  it('refuses a message over the body limit with RESOURCE_EXHAUSTED', async () => {
    await assert.rejects(call(new Uint8Array(1100 * KiB)), (error: ServiceError) => error.code === status.RESOURCE_EXHAUSTED);
  });

  it('admits only what the budget holds, refusing the rest with RESOURCE_EXHAUSTED and a RetryInfo, and returns to 0', async () => {
    const budget = inflightBudget(core, config);
    // 40 messages of 900 KiB at once on 4 connections: two fit in 2 MiB at a time.
    const payload = grpcFrame(900 * KiB);
    const sessions = Array.from({ length: 4 }, () => grpcSession(receiver.port));
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, budget.inUse)), 1);
    try {
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => rawGrpc(sessions[i % 4]!, payload)));
      const codes = answers.map((a) => a.code);
      assert.deepEqual([...new Set(codes)].sort((x, y) => x - y), [status.OK, status.RESOURCE_EXHAUSTED], `codes ${JSON.stringify(codes)}`);
      assert.ok(answers.filter((a) => a.code === (status.RESOURCE_EXHAUSTED as number)).every((a) => a.retryInfo), 'every refusal carries a RetryInfo');
      assert.ok(peak <= budget.limit);
      assert.equal(await eventually(() => (budget.inUse === 0 ? true : undefined)), true);
      const spans = await shopTrace('4d000000000000000000000000000002');
      assert.equal((await call(ProtobufTraceSerializer.serializeRequest(spans)!)).length, 0, 'a valid export is served after');
    } finally {
      clearInterval(sampler);
      for (const session of sessions) session.close();
    }
  });
});

describe('OTLP/gRPC messages compressed by a real grpc-js client', () => {
  // The queue is drained by hand: an admitted message waits in it, holding its bytes, until the test lets it go.
  const drains: (() => void)[] = [];
  const config: IngestConfig = { ...DEFAULT_INGEST_CONFIG, grpcPort: 0, maxBodyBytes: 1024 * KiB, maxInflightBytes: 1536 * KiB };
  let core: IngestCore;
  let receiver: GrpcReceiver;
  before(async () => {
    core = new IngestCore(config, (drain) => drains.push(drain));
    receiver = await startGrpcReceiver(config, core, () => undefined);
  });
  after(() => receiver.close());
  const drainAll = () => {
    while (drains.length > 0) drains.shift()!();
  };

  /** An export of `size` bytes, mostly zeros (as a bomb is), sent with grpc-js compressing it. */
  function zipped(size: number, compression = compressionAlgorithms.gzip): Promise<{ code: status; details: string; retryInfo: boolean }> {
    const client = new Client(`127.0.0.1:${receiver.port}`, credentials.createInsecure(), { 'grpc.default_compression_algorithm': compression });
    const body = grpcFrame(size).subarray(5);
    return new Promise((resolve) => {
      client.makeUnaryRequest(TRACE_PATH, (b: Buffer) => b, (b: Buffer) => b, body, (error: ServiceError | null) => {
        client.close();
        const retryInfo = error ? error.metadata.get('grpc-status-details-bin').some((v) => Buffer.from(v).includes('google.rpc.RetryInfo')) : false;
        resolve({ code: error?.code ?? status.OK, details: error?.details ?? '', retryInfo });
      });
    });
  }

  it('refuses a gzip bomb that inflates past the message limit with RESOURCE_EXHAUSTED, not retryable, and keeps nothing of it', async () => {
    const budget = inflightBudget(core, config);
    const answer = await zipped(16 * 1024 * KiB); // 16 MiB of zeros, sent as some 16 KiB
    assert.equal(answer.code, status.RESOURCE_EXHAUSTED);
    assert.match(answer.details, /gzip message inflates to more than the limit of 1048576 bytes/);
    assert.equal(answer.retryInfo, false, 'a message too large stays too large: no RetryInfo');
    assert.equal(await eventually(() => (budget.inUse === 0 ? true : undefined)), true);
    assert.equal(core.queue.length, 0);
  });

  it('counts a compressed message in the budget at what it inflates to, refusing one the rest of the budget cannot hold', async () => {
    const budget = inflightBudget(core, config);
    const first = zipped(1000 * KiB);
    await eventually(() => (core.queue.length === 1 ? true : undefined));
    // Some 1 KiB arrived; its 1,000 KiB inflated are held while it waits to be decoded.
    assert.ok(budget.inUse >= 1000 * KiB && budget.inUse < 1010 * KiB, `${budget.inUse} bytes in flight`);
    // The second one's compressed bytes fit easily, what it inflates to does not.
    const second = await zipped(1000 * KiB, compressionAlgorithms.deflate);
    assert.equal(second.code, status.RESOURCE_EXHAUSTED);
    assert.match(second.details, /receiver is busy: requests in flight already hold its budget of 1572864 bytes/);
    assert.equal(second.retryInfo, true, 'a refusal for the budget says when to retry');
    drainAll();
    assert.equal((await first).code, status.OK);
    assert.equal(await eventually(() => (budget.inUse === 0 ? true : undefined)), true);
    const retried = zipped(1000 * KiB, compressionAlgorithms.deflate);
    await eventually(() => (core.queue.length === 1 ? true : undefined));
    drainAll();
    assert.equal((await retried).code, status.OK, 'the same message is taken once the budget has room');
    assert.equal(await eventually(() => (budget.inUse === 0 ? true : undefined)), true);
  });

  it('answers corrupt gzip with INVALID_ARGUMENT, and a second message in a unary call with UNIMPLEMENTED before inflating it', async () => {
    const budget = inflightBudget(core, config);
    const session = grpcSession(receiver.port);
    try {
      const junk = Buffer.from('not gzip at all');
      const garbage = Buffer.concat([Buffer.from([1, 0, 0, 0, junk.length]), junk]);
      const corrupt = await rawGrpc(session, garbage, { 'grpc-encoding': 'gzip' });
      assert.equal(corrupt.code, status.INVALID_ARGUMENT);
      assert.match(corrupt.message, /gzip message is corrupt or truncated/);
      const valid = gzipFrame(grpcFrame(KiB));
      const bomb = gzipFrame(grpcFrame(16 * 1024 * KiB));
      const twice = await rawGrpc(session, Buffer.concat([valid, bomb]), { 'grpc-encoding': 'gzip' });
      assert.equal(twice.code, status.UNIMPLEMENTED);
      assert.match(twice.message, /second request message/);
      assert.equal(core.queue.length, 0, 'neither message was taken');
    } finally {
      session.close();
    }
    assert.equal(await eventually(() => (budget.inUse === 0 ? true : undefined)), true);
  });
});
