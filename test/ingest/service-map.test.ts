/**
 * The service map where the traces are: computed in the ingest worker over the
 * newest stored traces within a budget, cached until the store changes, served
 * as `GET /api/service-map`, and fetched by a window that follows another
 * Hopscope. Real sockets and real workers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServiceMapCache, serviceMapOf } from '../../src/ingest/service-map-source';
import { TraceStore } from '../../src/ingest/trace-store';
import type { ServiceMapView } from '../../src/protocol/service-map';
import { eventually } from '../support/free-port';
import { request } from '../support/http-client';
import { startHarness, type Harness } from '../support/receiver-harness';
import { useWindowPair } from '../support/window-pair';
import { ms, timeline, toOtlpJson } from '../support/timeline';

/** gateway → orders → postgresql; the orders call takes `total` ms. */
const order = (traceId: string, total: number, startMs = 0) =>
  timeline(`
    gateway | POST /orders | server | 0-${total + 2}
      gateway | gateway → orders | client | 1-${total + 1}
        orders | POST /orders (orders) | server | 2-${total}
          orders | SELECT orders | client | 3-13 | db.system=postgresql
  `).spans.map((span) => ({ ...span, traceId, startUs: span.startUs + ms(startMs), endUs: span.endUs + ms(startMs) }));

const id = (n: number) => n.toString(16).padStart(32, '0');
const JSON_TYPE = { 'Content-Type': 'application/json' };

async function send(port: number, spans: ReturnType<typeof order>): Promise<void> {
  assert.equal((await request(port, 'POST', '/v1/traces', toOtlpJson(spans), JSON_TYPE)).status, 200);
}

const gatewayToOrders = (map: ServiceMapView) => map.edges.find((e) => e.from === 'gateway' && e.to === 'orders');

/** A store whose traces settle as soon as settle() is called. */
const settlingStore = () => new TraceStore({ settleMs: 0 });

describe('the service map over the stored traces', () => {
  it('takes the newest traces within the budget and counts the ones it left out', () => {
    const store = settlingStore();
    for (let i = 1; i <= 5; i++) store.add(order(id(i), 100 * i, i * 1000));
    store.settle();
    const map = serviceMapOf(store, { maxTraces: 3, maxSpans: 1000 }, 42);
    assert.equal(map.traces, 3);
    assert.equal(map.omittedTraces, 2);
    assert.deepEqual(gatewayToOrders(map)!.slowest.map((s) => s.traceId), [id(5), id(4), id(3)]);
    const bySpans = serviceMapOf(store, { maxTraces: 100, maxSpans: 9 });
    assert.equal(bySpans.spans, 8, 'two traces of four spans fit in nine');
    assert.equal(serviceMapOf(store).omittedTraces, undefined);
  });

  it('is computed again only after the store changed', () => {
    const store = settlingStore();
    store.add(order(id(1), 100));
    store.settle();
    const cache = new ServiceMapCache(store);
    const first = cache.get();
    assert.equal(cache.get(), first, 'nothing changed: the same map');
    store.add(order(id(2), 200));
    store.settle();
    const second = cache.get();
    assert.notEqual(second, first);
    assert.equal(second.traces, 2);
    store.clear();
    assert.equal(cache.get().traces, 0);
  });

  it('counts a trace once it has settled, not while it is arriving', () => {
    let now = 0;
    const store = new TraceStore({ settleMs: 1_500 }, () => now);
    const cache = new ServiceMapCache(store);
    // The orders half of the trace comes first: alone it looks like an endpoint of orders.
    const [gatewayServer, gatewayClient, ...ordersHalf] = order(id(1), 300);
    store.add(ordersHalf);
    store.settle();
    const arriving = cache.get();
    assert.equal(arriving.traces, 0);
    assert.equal(arriving.arrivingTraces, 1);
    assert.deepEqual(arriving.endpoints, [], 'no made-up "orders POST /orders" endpoint');
    assert.deepEqual(arriving.edges, []);

    now = 1_000;
    store.add([gatewayServer!, gatewayClient!]);
    now = 2_000;
    assert.equal(store.settle(), 0, 'quiet for 1 s only');
    assert.equal(cache.get().traces, 0);

    now = 2_500;
    assert.equal(store.settle(), 1);
    const settled = cache.get();
    assert.notEqual(settled, arriving, 'settling alone (no new span) computes the map again');
    assert.equal(settled.traces, 1);
    assert.equal(settled.arrivingTraces, undefined);
    assert.deepEqual(settled.endpoints.map((e) => `${e.service} ${e.count}`).sort(), ['gateway 1', 'orders 1'], 'the whole trace: the gateway\'s endpoint and the orders one it called');
    assert.equal(gatewayToOrders(settled)?.calls, 1);
  });
});

describe('GET /api/service-map', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ settleMs: 0 });
    await send(h.port, order(id(1), 300));
    await send(h.port, order(id(2), 600));
    h.core.store.settle();
  });
  after(() => h.close());

  it('answers the map as JSON with each edge\'s slowest calls', async () => {
    const reply = await request(h.port, 'GET', '/api/service-map');
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers['content-type']), /^application\/json/);
    const map = JSON.parse(reply.text) as ServiceMapView;
    assert.equal(map.traces, 2);
    assert.deepEqual(map.services.map((s) => [s.name, s.instrumented]), [['gateway', true], ['orders', true], ['postgresql', false]]);
    assert.deepEqual(gatewayToOrders(map)!.slowest, [
      { traceId: id(2), rootName: 'POST /orders', durationUs: ms(600), failed: false },
      { traceId: id(1), rootName: 'POST /orders', durationUs: ms(300), failed: false },
    ]);
    assert.equal(typeof map.computedAt, 'number');
  });

  it('answers loopback Host names only, like the rest of the API', async () => {
    assert.equal((await request(h.port, 'GET', '/api/service-map', undefined, { Host: 'attacker.example:4318' })).status, 403);
  });
});

describe('the receiver controller\'s service map', () => {
  const windows = useWindowPair();

  it('comes from its own worker, and from the Hopscope it follows', async () => {
    const { first, second, httpPort, startFirst, follow } = await windows();
    assert.equal(await first.getServiceMap(), undefined, 'not started: no map');
    await startFirst();
    assert.equal(first.state.kind, 'listening');
    await send(httpPort, order(id(7), 250));
    const own = await eventually(async () => ((await first.getServiceMap())?.traces === 1 ? first.getServiceMap() : undefined));
    assert.equal(gatewayToOrders(own)!.slowest[0]!.traceId, id(7));

    await follow();
    const followed = await second.getServiceMap();
    assert.deepEqual({ ...followed, computedAt: 0 }, { ...own, computedAt: 0 });
  });
});
