import type { ServerResponse } from 'node:http';
import type { TraceSummary } from './trace-store';

/**
 * Server-sent events for `/api/events`: another Hopscope window or tool follows
 * the same trace summaries the host thread gets. A comment line every 15 s keeps
 * idle connections open through proxies and lets dead ones be noticed.
 *
 * Backpressure: a client whose socket stops taking data (a write that fills its
 * buffer) is written nothing more until it drains. Meanwhile the updates it
 * misses are coalesced into the latest summary per trace (references to the
 * summaries every client shares, at most `maxPendingChanges` of them; past that
 * only a flag); when it drains it gets one `update` with the latest state of
 * what changed, or a whole `resync` (the same shape as `hello`) when too much
 * did. A client that has not drained for `maxStallMs`, or has more than
 * `maxClientBytes` buffered beyond its last snapshot, is disconnected. At most
 * `maxClients` streams at once; more are answered 503.
 *
 * Connecting costs no work proportional to the stored traces: the state is the
 * worker's cached snapshot, serialised once per snapshot and written to every
 * client as the same shared buffer.
 */
export interface EventStreamLimits {
  maxClients: number;
  maxPendingChanges: number;
  maxStallMs: number;
  maxClientBytes: number;
}

export const DEFAULT_EVENT_STREAM_LIMITS: EventStreamLimits = { maxClients: 256, maxPendingChanges: 5_000, maxStallMs: 60_000, maxClientBytes: 8 * 1024 * 1024 };

/** What `hello` and `resync` carry. */
export interface StreamState {
  stats: unknown;
  traces: readonly TraceSummary[];
}

interface Client {
  res: ServerResponse;
  /** Since when a write is waiting for 'drain' (this stream's clock), else undefined. */
  waitingSince: number | undefined;
  /** Latest summary (null: removed) per trace changed while waiting. */
  pending: Map<string, TraceSummary | null> | undefined;
  /** Too much changed while waiting (or an event was missed): send the whole state on drain. */
  resync: boolean;
  latestStats: unknown;
  /** Bytes of the last snapshot written: allowed on top of maxClientBytes. */
  snapshotBytes: number;
}

const HEARTBEAT = Buffer.from(':\n\n');

export class EventStream {
  private readonly clients = new Set<Client>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly limits: EventStreamLimits;
  private readonly serialised = new WeakMap<readonly TraceSummary[], Buffer>();
  private coalesced = 0;
  private dropped = 0;

  /** `state`: the current state for `hello` and `resync` (the worker's cached snapshot); without it, attach's argument is used. */
  constructor(private readonly state?: () => StreamState, limits: Partial<EventStreamLimits> = {}, private readonly now: () => number = Date.now) {
    this.limits = { ...DEFAULT_EVENT_STREAM_LIMITS, ...limits };
    this.heartbeat = setInterval(() => this.beat(), 15_000);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  get stats(): { eventClients: number; eventBytesQueued: number; eventUpdatesCoalesced: number; eventClientsDropped: number } {
    let queued = 0;
    for (const client of this.clients) queued += client.res.writableLength;
    return { eventClients: this.clients.size, eventBytesQueued: queued, eventUpdatesCoalesced: this.coalesced, eventClientsDropped: this.dropped };
  }

  /** Starts streaming to `res`, first sending `hello` with the current state (the stream's own, when it has one;
   * else `hello`'s, asked for only then: it costs O(traces)). */
  attach(res: ServerResponse, hello?: () => StreamState): void {
    if (this.clients.size >= this.limits.maxClients) {
      this.dropped++;
      const body = JSON.stringify({ code: 14, message: `too many event streams (${this.limits.maxClients}); try again later` });
      res.writeHead(503, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Retry-After': '5' });
      res.end(body);
      return;
    }
    const state = this.state?.() ?? hello?.() ?? { stats: {}, traces: [] };
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    const client: Client = { res, waitingSince: undefined, pending: undefined, resync: false, latestStats: state.stats, snapshotBytes: 0 };
    this.clients.add(client);
    res.on('close', () => this.clients.delete(client));
    this.writeSnapshot(client, 'hello', state);
  }

  /** The traces that changed and went since the last update, with the counters: an `update` event, coalesced for clients that are behind. */
  update(changed: readonly TraceSummary[], removed: readonly string[], stats: unknown): void {
    if (this.clients.size === 0) return;
    let frame: Buffer | undefined;
    for (const client of this.clients) {
      if (client.waitingSince === undefined) {
        frame ??= Buffer.from(eventText('update', { changed, removed, stats }));
        this.write(client, frame);
        continue;
      }
      this.coalesced++;
      client.latestStats = stats;
      if (!client.resync) {
        const pending = (client.pending ??= new Map());
        for (const summary of changed) pending.set(summary.traceId, summary);
        for (const id of removed) pending.set(id, null);
        if (pending.size > this.limits.maxPendingChanges) {
          client.pending = undefined;
          client.resync = true;
        }
      }
      this.checkBound(client);
    }
  }

  /** Any other event; a client that is behind misses it and gets a `resync` when it drains. */
  send(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    const frame = Buffer.from(eventText(event, data));
    for (const client of this.clients) {
      if (client.waitingSince === undefined) this.write(client, frame);
      else {
        this.coalesced++;
        client.pending = undefined;
        client.resync = true;
        this.checkBound(client);
      }
    }
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.res.end();
    this.clients.clear();
  }

  private write(client: Client, chunk: Buffer): void {
    if (client.res.write(chunk) || client.waitingSince !== undefined) return;
    client.waitingSince = this.now();
    client.res.once('drain', () => this.drained(client));
  }

  private drained(client: Client): void {
    client.waitingSince = undefined;
    if (!this.clients.has(client)) return;
    if (client.resync) {
      client.resync = false;
      client.pending = undefined;
      return this.writeSnapshot(client, 'resync', this.state?.() ?? { stats: client.latestStats, traces: [] });
    }
    const pending = client.pending;
    client.pending = undefined;
    if (!pending || pending.size === 0) return;
    const changed: TraceSummary[] = [];
    const removed: string[] = [];
    for (const [id, summary] of pending) {
      if (summary) changed.push(summary);
      else removed.push(id);
    }
    this.write(client, Buffer.from(eventText('update', { changed, removed, stats: client.latestStats })));
  }

  /** `event: <name>` with `{ stats, traces }`; the traces' JSON is made once per snapshot and shared by every client. */
  private writeSnapshot(client: Client, event: string, state: StreamState): void {
    let traces = this.serialised.get(state.traces);
    if (!traces) this.serialised.set(state.traces, (traces = Buffer.from(JSON.stringify(state.traces))));
    const head = Buffer.from(`event: ${event}\ndata: {"stats":${JSON.stringify(state.stats)},"traces":`);
    client.snapshotBytes = head.length + traces.length + 3;
    client.res.write(head);
    client.res.write(traces);
    this.write(client, Buffer.from('}\n\n'));
  }

  /** Disconnects a client past its hard bounds; true if it did. */
  private checkBound(client: Client): boolean {
    const stalled = client.waitingSince !== undefined && this.now() - client.waitingSince > this.limits.maxStallMs;
    if (!stalled && client.res.writableLength <= client.snapshotBytes + this.limits.maxClientBytes) return false;
    this.dropped++;
    this.clients.delete(client);
    client.res.destroy();
    return true;
  }

  private beat(): void {
    for (const client of this.clients) {
      if (client.waitingSince === undefined) this.write(client, HEARTBEAT);
      else this.checkBound(client);
    }
  }
}

function eventText(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
