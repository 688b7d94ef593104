/**
 * The event stream's backpressure with a real socket that stops reading: what
 * a client that falls behind gets when it reads again.
 */
import assert from 'node:assert/strict';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { EventStream } from '../../src/ingest/event-stream';
import type { TraceSummary } from '../../src/ingest/trace-store';
import { eventually } from '../support/free-port';

const summary = (traceId: string, version: number): TraceSummary => ({
  traceId, rootService: 'svc', rootName: `v${version} ${'x'.repeat(20_000)}`, spanCount: version, startUs: 0, durationUs: 1, rootDurationUs: 1,
  errorCount: 0, services: ['svc'], settled: false, logCount: 0,
});
const id = (i: number) => i.toString(16).padStart(32, '0');

/** Frames read with node:http (which undoes the chunked encoding); `socket` pauses and resumes reading. */
function client(port: number) {
  const frames: { event: string; data: unknown }[] = [];
  let text = '';
  let response: IncomingMessage | undefined;
  const req = get({ host: '127.0.0.1', port, path: '/api/events', agent: false }, (res) => {
    response = res;
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      text += chunk;
      let end: number;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const frame = text.slice(0, end);
        text = text.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (event && data) frames.push({ event, data: JSON.parse(data) });
      }
    });
  });
  req.on('error', () => undefined);
  return {
    frames,
    socket: {
      pause: () => response!.pause(),
      resume: () => response!.resume(),
      destroy: () => req.destroy(),
    },
  };
}

describe('the event stream with a client that falls behind', () => {
  let server: Server;
  let events: EventStream;
  let port: number;
  let state: TraceSummary[] = [];

  before(async () => {
    events = new EventStream(() => ({ stats: { traces: state.length }, traces: state }), { maxPendingChanges: 3 });
    server = createServer((_req, res) => events.attach(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    events.close();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Sends updates to a paused client until some are coalesced; returns how many rounds it took. */
  async function fallBehind(c: ReturnType<typeof client>, ids: string[]): Promise<number> {
    await eventually(() => (c.frames.some((f) => f.event === 'hello') ? true : undefined));
    c.socket.pause();
    const before = events.stats.eventUpdatesCoalesced;
    let version = 0;
    while (events.stats.eventUpdatesCoalesced - before < 5) {
      version++;
      const changed = ids.map((traceId) => summary(traceId, version));
      state = changed;
      events.update(changed, [], { traces: changed.length });
      await new Promise((resolve) => setImmediate(resolve));
      assert.ok(version < 10_000, 'the client never fell behind');
    }
    return version;
  }

  it('sends the latest summary of each trace that changed while it was behind, once it reads again', async () => {
    const c = client(port);
    try {
      const last = await fallBehind(c, [id(1), id(2)]);
      assert.ok(events.stats.eventBytesQueued < 4 * 1024 * 1024, `${events.stats.eventBytesQueued} bytes queued`);
      c.socket.resume();
      const latest = await eventually(() => c.frames.find((f) => f.event === 'update' && (f.data as { changed: TraceSummary[] }).changed.some((s) => s.spanCount === last)));
      const changed = (latest.data as { changed: TraceSummary[] }).changed;
      assert.deepEqual(changed.map((s) => [s.traceId, s.spanCount]).sort(), [[id(1), last], [id(2), last]]);
      assert.ok(c.frames.filter((f) => f.event === 'update').length < last, 'updates were coalesced, not all delivered');
    } finally {
      c.socket.destroy();
    }
  });

  it('sends the whole state as a resync when more changed than it may hold', async () => {
    const c = client(port);
    try {
      const last = await fallBehind(c, [id(1), id(2), id(3), id(4), id(5)]);
      c.socket.resume();
      const resync = await eventually(() => c.frames.find((f) => f.event === 'resync'));
      const traces = (resync.data as { traces: TraceSummary[] }).traces;
      assert.deepEqual(traces.map((s) => s.spanCount), [last, last, last, last, last]);
    } finally {
      c.socket.destroy();
    }
  });

  it('answers 503 past its client bound', async () => {
    const small = new EventStream(undefined, { maxClients: 1 });
    const s = createServer((_req, res) => small.attach(res, () => ({ stats: {}, traces: [] })));
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const p = (s.address() as { port: number }).port;
    const first = client(p);
    try {
      await eventually(() => (first.frames.length > 0 ? true : undefined));
      const status = await new Promise<string>((resolve) => {
        const raw = connect(p, '127.0.0.1', () => raw.write('GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
        raw.once('data', (chunk) => {
          resolve(chunk.toString().split('\r\n', 1)[0]!);
          raw.destroy();
        });
      });
      assert.equal(status, 'HTTP/1.1 503 Service Unavailable');
      assert.equal(small.stats.eventClientsDropped, 1);
    } finally {
      first.socket.destroy();
      small.close();
      await new Promise((resolve) => s.close(resolve));
    }
  });
});
