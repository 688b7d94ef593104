/**
 * `hopscope serve` (the built bundle, default limits) under the attacks of
 * issue 13: many unfinished 19 MiB uploads, hundreds of concurrent 8 MiB
 * gRPC messages, and gzip bombs at once over both. It stays up, serves valid posts meanwhile, and its resident
 * memory (VmRSS of the child, sampled every 20 ms) grows by at most the 64 MiB
 * bytes-in-flight budget plus a stated margin over what it was at the start. The worst latency of the
 * valid posts and the memory figures are printed, not asserted.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Client, compressionAlgorithms, credentials, type ServiceError } from '@grpc/grpc-js';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { request } from '../support/http-client';
import { shopTrace } from '../support/otel-trace';
import { postHead, rawRequest, statuses } from '../support/raw-http';
import { grpcFrame, grpcSession, rawGrpc } from '../support/raw-grpc';
import { serve, type Served } from '../support/serve-process';

const MiB = 1024 * 1024;
const BUDGET = 64 * MiB;
/**
 * Over budget + idle size: a body is briefly held twice (read chunks, then
 * the one buffer they are joined into), and sockets, HTTP/2 windows, V8 and
 * the allocator keep some of their own. Runs on a busy 2-core machine came within 7 MiB of 96 MiB, so the
 * margin is 192 MiB: still far below the 1 GiB and 3.4 GiB these attacks reached without the budget.
 */
const MARGIN = 192 * MiB;
const hasProc = existsSync('/proc/self/status');

function rss(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

/** Samples a process's RSS until stopped; resolves with the peak. */
function sampleRss(pid: number): { stop(): number } {
  let peak = rss(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rss(pid))), 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, rss(pid));
    },
  };
}

/** Valid posts, one after another, until stopped; a 503 is retried after its Retry-After, as exporters do. */
function validPosts(port: number, body: Uint8Array): { stop(): Promise<{ statuses: number[]; worstMs: number }> } {
  let running = true;
  const seen: number[] = [];
  let worstMs = 0;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      let reply = await request(port, 'POST', '/v1/traces', body, { 'Content-Type': 'application/x-protobuf' });
      for (let retry = 0; reply.status === 503 && retry < 5; retry++) {
        await new Promise((resolve) => setTimeout(resolve, 1000 * Number(reply.headers['retry-after'] ?? 1)));
        reply = await request(port, 'POST', '/v1/traces', body, { 'Content-Type': 'application/x-protobuf' });
      }
      worstMs = Math.max(worstMs, performance.now() - started);
      seen.push(reply.status);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { statuses: seen, worstMs };
    },
  };
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;

describe('hopscope serve under many slow uploads and big concurrent gRPC messages', { skip: !hasProc && 'needs /proc for the memory figures' }, () => {
  let server: Served;
  let body: Uint8Array;
  let idle = 0;
  before(async () => {
    server = await serve(['--http-port', '0', '--grpc-port', '0', '--quiet']);
    body = ProtobufTraceSerializer.serializeRequest(await shopTrace('5e000000000000000000000000000001'))!;
    assert.equal((await request(server.httpPort, 'POST', '/v1/traces', body, { 'Content-Type': 'application/x-protobuf' })).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    idle = rss(server.child.pid!);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it('50 unfinished 19 MiB uploads: 503 before reading for those past the budget, 408 for the stalled rest, valid posts served', async () => {
    const start = rss(server.child.pid!);
    const memory = sampleRss(server.child.pid!);
    const posts = validPosts(server.httpPort, body);
    const almost = Buffer.alloc(19 * MiB - 1);
    const uploads = Array.from({ length: 50 }, () => rawRequest(server.httpPort, postHead('/v1/traces', { 'Content-Length': 19 * MiB }), almost));
    const answers = (await Promise.all(uploads.map((u) => u.received))).map((text) => statuses(text)[0] ?? 0);
    const { statuses: valid, worstMs } = await posts.stop();
    const peak = memory.stop();
    const counts = Object.fromEntries([...new Set(answers)].map((s) => [s, answers.filter((a) => a === s).length]));
    console.log(`# slow uploads: answers ${JSON.stringify(counts)}; RSS idle ${mib(idle)}, at start ${mib(start)}, peak ${mib(peak)}; ${valid.length} valid posts, worst ${worstMs.toFixed(0)} ms`);
    assert.ok(answers.every((s) => s === 503 || s === 408), JSON.stringify(counts));
    assert.ok((counts[503] ?? 0) >= 40, 'most uploads are refused before they are read');
    assert.ok(valid.length > 0 && valid.every((s) => s === 200), `valid posts: ${JSON.stringify(valid)}`);
    assert.ok(peak <= start + BUDGET + MARGIN, `peak RSS ${mib(peak)} over ${mib(start)} at start + budget + margin`);
    assert.equal((await request(server.httpPort, 'GET', '/api/stats')).status, 200);
  });

  it('200 concurrent 8 MiB gRPC messages: those past the budget refused at once, valid posts served', async () => {
    const start = rss(server.child.pid!); // what the uploads above left is not given back to the OS
    const memory = sampleRss(server.child.pid!);
    const posts = validPosts(server.httpPort, body);
    const frame = grpcFrame(8 * MiB);
    const sessions = Array.from({ length: 10 }, () => grpcSession(server.grpcPort));
    try {
      const codes = (await Promise.all(Array.from({ length: 200 }, (_, i) => rawGrpc(sessions[i % sessions.length]!, frame)))).map((a) => a.code);
      const { statuses: valid, worstMs } = await posts.stop();
      const peak = memory.stop();
      const counts = Object.fromEntries([...new Set(codes)].map((c) => [c, codes.filter((x) => x === c).length]));
      console.log(`# gRPC flood: grpc-status counts ${JSON.stringify(counts)}; RSS idle ${mib(idle)}, at start ${mib(start)}, peak ${mib(peak)}; ${valid.length} valid posts, worst ${worstMs.toFixed(0)} ms`);
      assert.ok(codes.every((c) => c === 0 || c === 8), JSON.stringify(counts));
      assert.ok((counts[0] ?? 0) >= 1, 'some messages are admitted');
      assert.ok(valid.length > 0 && valid.every((s) => s === 200), `valid posts: ${JSON.stringify(valid)}`);
      assert.ok(peak <= start + BUDGET + MARGIN, `peak RSS ${mib(peak)} over ${mib(start)} at start + budget + margin`);
    } finally {
      for (const session of sessions) session.close();
    }
  });

  it('40 gzip bombs over gRPC from real grpc-js clients and 40 over HTTP, each 19 KiB inflating to 19 MiB: counted as they inflate, valid posts served', async () => {
    // Without counting what they inflate to, these took the server's RSS past 1 GiB: each was held at its compressed size.
    const start = rss(server.child.pid!);
    const memory = sampleRss(server.child.pid!);
    const posts = validPosts(server.httpPort, body);
    const export19 = grpcFrame(19 * MiB).subarray(5); // a valid request: one resource_spans with a 19 MiB unknown field of zeros
    const zipped = gzipSync(export19);
    const clients = Array.from({ length: 8 }, () => new Client(`127.0.0.1:${server.grpcPort}`, credentials.createInsecure(), { 'grpc.default_compression_algorithm': compressionAlgorithms.gzip }));
    try {
      const grpcCalls = Array.from({ length: 40 }, (_, i) => new Promise<number>((resolve) => {
        clients[i % clients.length]!.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', (b: Buffer) => b, (b: Buffer) => b, export19, (error: ServiceError | null) => resolve(error?.code ?? 0));
      }));
      const httpPosts = Array.from({ length: 40 }, () => request(server.httpPort, 'POST', '/v1/traces', zipped, { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip' }).then((r) => r.status));
      const [codes, statuses] = await Promise.all([Promise.all(grpcCalls), Promise.all(httpPosts)]);
      const { statuses: valid, worstMs } = await posts.stop();
      const peak = memory.stop();
      const count = (all: number[]) => Object.fromEntries([...new Set(all)].map((c) => [c, all.filter((x) => x === c).length]));
      console.log(`# gzip bombs (${(zipped.length / 1024).toFixed(0)} KiB each): grpc-status counts ${JSON.stringify(count(codes))}, HTTP ${JSON.stringify(count(statuses))}; RSS idle ${mib(idle)}, at start ${mib(start)}, peak ${mib(peak)}; ${valid.length} valid posts, worst ${worstMs.toFixed(0)} ms`);
      assert.ok(codes.every((c) => c === 0 || c === 8), JSON.stringify(count(codes)));
      assert.ok(statuses.every((s) => s === 200 || s === 503), JSON.stringify(count(statuses)));
      assert.ok(codes.includes(0) && statuses.includes(200), 'some bombs are taken, as the valid requests they are');
      assert.ok(valid.length > 0 && valid.every((s) => s === 200), `valid posts: ${JSON.stringify(valid)}`);
      assert.ok(peak <= start + BUDGET + MARGIN, `peak RSS ${mib(peak)} over ${mib(start)} at start + budget + margin`);
    } finally {
      for (const client of clients) client.close();
    }
  });
});
