import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { eventually } from '../support/free-port';
import { request } from '../support/http-client';
import { postHead, rawRequest, statuses } from '../support/raw-http';
import { serve, serveFailing } from '../support/serve-process';

describe('hopscope serve', () => {
  it('prints one line when listening, answers the API, and stops cleanly on SIGINT, freeing its port', async () => {
    const server = await serve(['--http-port', '0', '--grpc-port', '0', '--quiet']);
    const stats = JSON.parse((await request(server.httpPort, 'GET', '/api/stats')).text) as { program: string; runner: string };
    assert.deepEqual([stats.program, stats.runner], ['hopscope', 'hopscope serve']);
    assert.equal(await server.stop('SIGINT'), 0);
    await assert.rejects(request(server.httpPort, 'GET', '/api/stats'), /ECONNREFUSED/);
  });

  it('stops cleanly on SIGTERM', async () => {
    const server = await serve();
    assert.equal(await server.stop('SIGTERM'), 0);
  });

  it('runs without gRPC when asked', async () => {
    const server = await serve(['--http-port', '0', '--no-grpc']);
    try {
      assert.equal(server.grpcPort, 0);
    } finally {
      await server.stop();
    }
  });

  it('exits 1 naming the port and the flag when the HTTP port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { code, stderr } = await serveFailing(['--http-port', String(port), '--grpc-port', '0']);
      assert.equal(code, 1);
      assert.match(stderr, new RegExp(`port ${port} on 127.0.0.1 is already in use.*--http-port`));
    } finally {
      blocker.close();
    }
  });

  it('exits 1 naming the gRPC port and its flag when that one is taken, leaving the HTTP port free', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { code, stderr } = await serveFailing(['--http-port', '0', '--grpc-port', String(port)]);
      assert.equal(code, 1);
      assert.match(stderr, new RegExp(`OTLP/gRPC port ${port} .*--grpc-port`));
    } finally {
      blocker.close();
    }
  });

  it('exits 2 with the usage when a flag is wrong', async () => {
    const unknown = await serveFailing(['--bogus']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /bogus/);
    const notNumber = await serveFailing(['--http-port', 'abc']);
    assert.equal(notNumber.code, 2);
    assert.match(notNumber.stderr, /--http-port must be a whole number, not "abc"/);
    const sameTwice = await serveFailing(['--http-port', '5000', '--grpc-port', '5000']);
    assert.equal(sameTwice.code, 2);
    assert.match(sameTwice.stderr, /both 5000/);
    for (const [value, message] of [['0', /--max-inflight-mb must be at least 1, not 0/], ['lots', /--max-inflight-mb must be a whole number, not "lots"/], ['-5', /--max-inflight-mb must be a whole number, not "-5"/]] as const) {
      const bad = await serveFailing([`--max-inflight-mb=${value}`]);
      assert.equal(bad.code, 2, value);
      assert.match(bad.stderr, message);
      assert.match(bad.stderr, /Options for serve:/, 'the usage follows');
    }
    const zeroStore = await serveFailing(['--max-store-mb', '0']);
    assert.match(zeroStore.stderr, /--max-store-mb must be at least 1, not 0/);
  });
});

describe('hopscope serve when its worker dies', () => {
  it('starts the worker again on the same ports, says what was lost and counts the restart, and does not exit', async () => {
    const server = await serve(['--http-port', '0', '--grpc-port', '0'], { HOPSCOPE_TEST_HOOKS: '1' });
    try {
      const body = JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 't' }, spans: [{ traceId: 'e0000000000000000000000000000001', spanId: '0000000000000001', name: 'x', kind: 2, startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }] });
      assert.equal((await request(server.httpPort, 'POST', '/v1/traces', body, { 'Content-Type': 'application/json' })).status, 200);
      // Written to a pipe, the count is a log line (the first change at once): the counters it reports have arrived.
      await eventually(() => (/\[info\] 1 spans in 1 traces\n/.test(server.stderr()) ? true : undefined));
      server.child.kill('SIGUSR2');
      await eventually(() => (/is back on/.test(server.stderr()) ? true : undefined));
      assert.match(server.stderr(), /crash requested by a test.*the 1 traces \(1 spans, 0 logs\) it held are lost.*restart 1/s);
      assert.match(server.stderr(), new RegExp(`back on OTLP/HTTP 127\\.0\\.0\\.1:${server.httpPort}, OTLP/gRPC 127\\.0\\.0\\.1:${server.grpcPort} \\(restart 1\\)`));
      assert.equal(server.child.exitCode, null, 'serve is still running');
      assert.doesNotMatch(server.stderr(), /\r/, 'written to a pipe, no terminal status line');
      assert.equal((await request(server.httpPort, 'POST', '/v1/traces', body, { 'Content-Type': 'application/json' })).status, 200);
      const stats = JSON.parse((await request(server.httpPort, 'GET', '/api/stats')).text) as { tracesStored: number; requests: number; spansReceived: number; restarts: number };
      assert.equal(stats.tracesStored, 1);
      assert.deepEqual([stats.requests, stats.spansReceived, stats.restarts], [2, 2, 1], 'the counters go on from the worker that died');
    } finally {
      assert.equal(await server.stop('SIGINT'), 0);
    }
  });

  it('tries a worker that cannot bind again with the backoff, and exits 1 saying why after its limit of failed starts', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hopscope-')), 'unbindable');
    writeFileSync(file, '0');
    const server = await serve(['--http-port', '0', '--grpc-port', '0', '--quiet'], {
      HOPSCOPE_TEST_HOOKS: '1',
      HOPSCOPE_TEST_WORKER: resolve('test/support/unbindable-worker.cjs'),
      HOPSCOPE_TEST_UNBINDABLE: file,
      HOPSCOPE_TEST_BACKOFF: JSON.stringify({ firstMs: 20, maxMs: 40, maxFailedStarts: 3 }),
    });
    const exited = new Promise<number | null>((done) => server.child.once('exit', (code) => done(code)));
    try {
      // Two starts cannot bind, the third listens again.
      writeFileSync(file, '2');
      server.child.kill('SIGUSR2');
      await eventually(() => (/is back on/.test(server.stderr()) ? true : undefined));
      const tries = server.stderr().split('\n').filter((l) => /could not start again/.test(l));
      assert.equal(tries.length, 2, server.stderr());
      assert.match(tries[0]!, /^\[error\] the ingest worker could not start again \(1 failed in a row\): .*EADDRNOTAVAIL.*\. Restarting it in 0\.0 s \(restart 2\)$/);
      assert.match(server.stderr(), new RegExp(`back on OTLP/HTTP 127\\.0\\.0\\.1:${server.httpPort}, OTLP/gRPC 127\\.0\\.0\\.1:${server.grpcPort} \\(restart 3\\)`));
      assert.equal((JSON.parse((await request(server.httpPort, 'GET', '/api/stats')).text) as { restarts: number }).restarts, 3);
      // Now none can: after three failed starts in a row serve gives up.
      writeFileSync(file, '100');
      server.child.kill('SIGUSR2');
      assert.equal(await exited, 1);
      assert.match(server.stderr(), /hopscope serve: gave up starting the ingest worker again after 3 failed starts in a row; the last: .*EADDRNOTAVAIL/);
    } finally {
      server.child.kill('SIGINT');
    }
  });
});

describe('hopscope serve store flags', () => {
  it('takes --max-store-mb and --max-attribute-kb', async () => {
    const server = await serve(['--http-port', '0', '--no-grpc', '--max-store-mb', '16', '--max-attribute-kb', '1', '--quiet']);
    try {
      const traceId = 'e0000000000000000000000000000002';
      const body = JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 't' }, spans: [{ traceId, spanId: '0000000000000001', name: 'x', kind: 2, startTimeUnixNano: '1', endTimeUnixNano: '2', attributes: [{ key: 'blob', value: { stringValue: 'z'.repeat(5000) } }] }] }] }] });
      assert.equal((await request(server.httpPort, 'POST', '/v1/traces', body, { 'Content-Type': 'application/json' })).status, 200);
      const trace = JSON.parse((await request(server.httpPort, 'GET', `/api/traces/${traceId}`)).text) as { spans: { attributes: { blob: string } }[] };
      assert.equal(trace.spans[0]!.attributes.blob, `${'z'.repeat(1024)}…[truncated 3976 bytes]`);
      const stats = JSON.parse((await request(server.httpPort, 'GET', '/api/stats')).text) as { maxStoreBytes: number; valuesTruncated: number };
      assert.deepEqual([stats.maxStoreBytes, stats.valuesTruncated], [16 * 1024 * 1024, 1]);
    } finally {
      await server.stop();
    }
  });
});

describe('hopscope serve --max-inflight-mb', () => {
  it('holds at most that many request bytes at once, refusing more with 503 before reading it', async () => {
    const server = await serve(['--http-port', '0', '--no-grpc', '--max-body-mb', '1', '--max-inflight-mb', '2', '--quiet']);
    // Two uploads declare 1 MiB each and send nothing: together they hold the whole budget.
    const holders = [0, 1].map(() => rawRequest(server.httpPort, postHead('/v1/traces', { 'Content-Length': 1024 * 1024 })));
    try {
      const refused = await eventually(async () => {
        const probe = rawRequest(server.httpPort, postHead('/v1/traces', { 'Content-Length': 1024, Connection: 'close' }), new Uint8Array(1024));
        const text = await probe.received;
        return statuses(text)[0] === 503 ? text : undefined; // a probe sent before both holders were read in fits
      });
      assert.match(refused, /^Retry-After: 1\r$/m);
      assert.match(refused, /requests in flight already hold its budget of 2097152 bytes/);
    } finally {
      for (const holder of holders) holder.socket.destroy();
      await server.stop();
    }
  });
});
