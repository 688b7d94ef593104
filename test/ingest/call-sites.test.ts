/**
 * The call sites where the traces are: computed in the ingest worker over the
 * newest stored traces, served as `GET /api/call-sites`, and fetched by a
 * window that follows another Hopscope. Real sockets and real workers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CallSitesCache, callSitesOf } from '../../src/ingest/call-site-source';
import { DerivedTraces } from '../../src/ingest/derived-traces';
import { buildTree } from '../../src/analysis/trace-tree';
import { spanPlace } from '../../src/ingest/tree-places';
import { shownPlace, shownSites } from '../support/shown-sites';
import { traceDocument } from '../../src/ingest/trace-views';
import { readTraceHead, readTraceView } from '../../src/views/trace-document';
import { TraceStore } from '../../src/ingest/trace-store';
import type { SpanRecord } from '../../src/model/span';
import type { CallSitesView } from '../../src/ingest/worker-protocol';
import { eventually } from '../support/free-port';
import { request } from '../support/http-client';
import { startHarness, type Harness } from '../support/receiver-harness';
import { useWindowPair } from '../support/window-pair';
import { ms, timeline, toOtlpJson } from '../support/timeline';

//  orders.ts:42 makes the call to email that the order waits for.
const order = (traceId: string, emailMs: number) =>
  timeline(`
    orders | POST /orders | server | 0-${emailMs + 20}
      orders | orders → email | client | 10-${emailMs + 12} | code.file.path=/app/src/orders.ts code.line.number=42 code.function.name=placeOrder
        email | POST /send | server | 11-${emailMs + 11}
  `).spans.map((span) => ({ ...span, traceId }));

const id = (n: number) => n.toString(16).padStart(32, '0');

/** The trace's tree as the worker's views read it. */
const treeOf = (store: TraceStore, traceId: string) => new DerivedTraces(store).get(traceId)?.tree;

async function send(port: number, spans: SpanRecord[]): Promise<void> {
  assert.equal((await request(port, 'POST', '/v1/traces', toOtlpJson(spans), { 'Content-Type': 'application/json' })).status, 200);
}

//  orders' call to stock was made in its shared helper lib/http.ts, called from orders.ts:21.
const failedInHelper = (traceId: string) => {
  const spans = timeline(`
    orders | POST /orders | server | 0-100
      orders | orders → stock | client | 50-90 | error
        stock | GET /stock | server | 51-89
  `).spans.map((span) => ({ ...span, traceId }));
  const failing = spans.find((s) => s.name === 'orders → stock')!;
  // As code.stacktrace (exceptions' stacks are passed over the same way): the OTLP JSON the tests send carries attributes.
  failing.attributes['code.stacktrace'] = 'Error: down\n    at getJson (/app/src/lib/http.ts:8:11)\n    at reserve (/app/src/orders.ts:21:9)';
  return spans;
};

const stockLine = (view: CallSitesView | undefined) => view && shownSites(view.sites).find((s) => s.calls.some((c) => c.callee === 'stock'))?.place;

const emailSite = (view: CallSitesView) => shownSites(view.sites).find((s) => s.place.path === '/app/src/orders.ts' && s.place.line === 42);

describe('call sites over the stored traces', () => {
  it('put each call on its line, with the function that made it and the finding about it', () => {
    const store = new TraceStore();
    store.add(order(id(1), 300));
    store.add(order(id(2), 500));
    const view = callSitesOf(store);
    assert.equal(view.traces, 2);
    const site = emailSite(view)!;
    assert.equal(site.place.functionName, 'placeOrder');
    assert.deepEqual(site.calls.map((c) => [c.callee, c.operation, c.mode, c.count]), [['email', 'POST /send', 'sync', 2]]);
    assert.deepEqual(site.calls[0]!.durationsUs, [ms(302), ms(502)]);
  });
});

describe('GET /api/call-sites', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await send(h.port, order(id(3), 400));
  });
  after(() => h.close());

  it('answers the call sites as JSON', async () => {
    const reply = await request(h.port, 'GET', '/api/call-sites');
    assert.equal(reply.status, 200);
    const view = JSON.parse(reply.text) as CallSitesView;
    assert.equal(emailSite(view)!.calls[0]!.latest.traceId, id(3));
  });

  it('answers loopback Host names only, like the rest of the API', async () => {
    assert.equal((await request(h.port, 'GET', '/api/call-sites', undefined, { Host: 'attacker.example:4318' })).status, 403);
  });
});

describe('the receiver controller\'s call sites', () => {
  const windows = useWindowPair();

  it('come from its own worker, and from the Hopscope it follows', async () => {
    const { first, second, httpPort, startFirst, follow } = await windows();
    assert.equal(await first.getCallSites(), undefined, 'not started: none');
    await startFirst();
    await send(httpPort, order(id(4), 250));
    const own = await eventually(async () => ((await first.getCallSites())?.traces === 1 ? first.getCallSites() : undefined));
    assert.equal(emailSite(own)!.calls[0]!.latest.traceId, id(4));

    await follow();
    const followed = await second.getCallSites();
    assert.deepEqual({ ...followed, computedAt: 0 }, { ...own, computedAt: 0 });
  });
});

describe('the stack frames a window skips', () => {
  const windows = useWindowPair();

  it('reach its worker, the one running and one started later', async () => {
    const { first, httpPort, startFirst } = await windows();
    first.setSkipFrames(['lib/http.ts']);
    await startFirst();
    await send(httpPort, failedInHelper(id(31)));
    const skipping = await eventually(async () => stockLine(await first.getCallSites()));
    assert.equal(skipping.line, 21, 'set before the worker started');
    first.setSkipFrames([]);
    assert.equal(stockLine(await first.getCallSites())?.line, 8, 'and changed while it runs');
  });
});

describe('where the worker puts a call', () => {
  it('takes an exception\'s first application frame, else the nearest ancestor\'s place', () => {
    const spans = timeline(`
      orders | POST /orders | server | 0-100 | code.file.path=/app/src/routes.ts code.line.number=7
        orders | orders → payments | client | 10-40
          payments | POST /charge | server | 11-39
        orders | orders → stock | client | 50-90
          stock | GET /stock | server | 51-89
    `).spans;
    const failing = spans.find((s) => s.name === 'orders → stock')!;
    failing.events = [{ name: 'exception', timeUs: failing.endUs, attributes: { 'exception.stacktrace': 'Error: down\n    at fetch (/app/node_modules/undici/index.js:1:1)\n    at reserve (/app/src/stock.ts:21:9)' }, droppedAttributesCount: 0 }];
    const store = new TraceStore();
    store.add(spans);
    const places = shownSites(callSitesOf(store).sites).map((s) => `${s.place.path}:${s.place.line} ${s.calls.map((c) => c.callee).join()}`).sort();
    assert.deepEqual(places, ['/app/src/routes.ts:7 payments', '/app/src/stock.ts:21 stock']);
  });

  it("never puts a callee's own spans on its caller's line, nor a consumer's on the publish line", () => {
    const drawn = timeline(`
      orders | POST /orders | server | 0-200
        orders | publish order.placed | producer | 10-12 | code.file.path=/app/src/orders.ts code.line.number=44 messaging.system=rabbitmq messaging.destination.name=order.placed messaging.operation.name=publish
          analytics | order.placed process | consumer | 20-60 | messaging.system=rabbitmq messaging.destination.name=order.placed
            analytics | GET cart | client | 25-30 | db.system.name=redis db.operation.name=GET
        orders | POST | client | 30-150 | code.file.path=/app/src/orders.ts code.line.number=30 peer.service=payments
          payments | POST /charge | server | 31-149
            payments | charge card | internal | 32-148
              payments | SELECT cards | client | 40-50 | db.system.name=postgresql db.operation.name=SELECT
        orders | notify | internal | 150-199 | code.file.path=/app/src/orders.ts code.line.number=50
          email | POST /send | server | 151-198
            email | send confirmation email | internal | 152-197
    `);
    const store = new TraceStore();
    store.add(drawn.spans);
    const places = shownSites(callSitesOf(store).sites).map((s) => `${s.place.line} ${s.calls.map((c) => c.callee).join()}`).sort();
    // email's server span stands for the call orders made without a client span: on the line that made it.
    assert.deepEqual(places, ['30 payments', '44 rabbitmq', '50 email']);
    const tree = treeOf(store, drawn.spans[0]!.traceId)!;
    const placeOf = (name: string) => shownPlace(spanPlace(drawn.spans.find((s) => s.name === name)!, tree))?.line;
    assert.deepEqual(['GET cart', 'order.placed process', 'charge card', 'SELECT cards', 'POST /charge', 'send confirmation email'].map(placeOf), [undefined, undefined, undefined, undefined, undefined, undefined]);
    assert.deepEqual(['POST /send', 'notify'].map(placeOf), [50, 50]);
  });

  it('gives each call the same place lists, in the same order, as the trace view gives its span', () => {
    //  Its own place, an ancestor's, both, and none (a callee's own work).
    const spans = timeline(`
      orders | POST /orders | server | 0-100 | code.file.path=/app/src/routes.ts code.line.number=7
        orders | orders → payments | client | 10-40
          payments | POST /charge | server | 11-39
        orders | orders → stock | client | 50-90 | code.file.path=/app/src/stock.ts code.line.number=21
          stock | GET /stock | server | 51-89
    `).spans.map((span) => ({ ...span, traceId: id(7) }));
    const store = new TraceStore();
    store.add(spans);
    const tree = treeOf(store, id(7))!;
    const document = traceDocument(id(7), spans, []);
    assert.ok(document);
    const { places } = readTraceHead(document);
    const { nodes } = readTraceView(document);
    for (const span of spans) {
      const node = nodes.find((n) => n.spanId === span.spanId)!;
      assert.deepEqual(spanPlace(span, tree)?.tries, node.places?.map((i) => places[i]), span.name);
    }
    assert.deepEqual(nodes.map((n) => n.places?.length ?? 0), [1, 1, 0, 2, 0], 'own, an ancestor\'s, none, own then an ancestor\'s, none');
  });

  it('passes over the stack frames the window skips, in the worker\'s cache too', () => {
    const store = new TraceStore();
    store.add(failedInHelper(id(30)));
    assert.deepEqual(stockLine(callSitesOf(store)), { from: 'code.stacktrace', path: '/app/src/lib/http.ts', line: 8, column: 11, functionName: 'getJson' });
    assert.deepEqual(stockLine(callSitesOf(store, { skipFrames: ['lib/http.ts'] })), { from: 'code.stacktrace', path: '/app/src/orders.ts', line: 21, column: 9, functionName: 'reserve' });
    const thrown = new TraceStore();
    thrown.add(failedInHelper(id(32)).map((span) => {
      const stack = span.attributes['code.stacktrace'];
      if (typeof stack !== 'string') return span;
      const { 'code.stacktrace': _, ...attributes } = span.attributes;
      return { ...span, attributes, events: [{ name: 'exception', timeUs: span.endUs, attributes: { 'exception.stacktrace': stack }, droppedAttributesCount: 0 }] };
    }));
    assert.equal(stockLine(callSitesOf(thrown, { skipFrames: ['lib/http.ts'] }))?.line, 21, 'from an exception the same');
    const cache = new CallSitesCache(store);
    assert.equal(stockLine(cache.get())?.line, 8);
    cache.setSkipFrames(['/\\/lib\\/http\\.ts$/']);
    assert.equal(stockLine(cache.get())?.line, 21, 'a new setting is applied at once, though the store did not change');
  });

  it('leaves out traces that received nothing in the window, and sees them age out as the clock moves', () => {
    let clock = 1_000_000;
    const store = new TraceStore({}, () => clock);
    store.add(order(id(5), 100));
    clock += 10 * 60_000;
    store.add(order(id(6), 200));
    const cache = new CallSitesCache(store, undefined, { windowMs: 15 * 60_000, clock: () => clock });
    assert.equal(cache.get().traces, 2);
    clock += 6 * 60_000;
    assert.deepEqual(emailSite(cache.get())!.calls[0]!.durationsUs, [ms(202)], 'the first trace aged out');
    clock += 10 * 60_000;
    assert.deepEqual(cache.get().sites, []);
  });
});

describe('the worker\'s call-site cache', () => {
  it('builds and analyses a trace again only when it changed, and forgets traces the source let go of', () => {
    const store = new TraceStore();
    store.add(order(id(7), 100));
    store.add(order(id(8), 200));
    let built = 0;
    const derived = new DerivedTraces(store, undefined, { build: (spans) => (built++, buildTree(spans)) });
    const pass = () => callSitesOf(store, {}, derived);
    pass();
    pass();
    assert.equal(built, 2, 'unchanged traces are not built again');
    store.add(order(id(8), 200).map((s) => ({ ...s, spanId: s.spanId.replace(/^./, 'f'), parentSpanId: s.parentSpanId && s.parentSpanId.replace(/^./, 'f') })));
    pass();
    assert.equal(built, 3, 'the trace that received spans is built again');
    derived.forget([id(7)]);
    assert.deepEqual([derived.size.traces, derived.size.nodes], [1, 6], 'trace 8 and its six spans');
  });

  it('gives the same call sites with the kept trees as without', () => {
    const store = new TraceStore();
    for (let i = 10; i < 15; i++) store.add(order(id(i), 100 + i));
    const derived = new DerivedTraces(store);
    const first = callSitesOf(store, { now: 0 }, derived);
    assert.deepEqual(callSitesOf(store, { now: 0 }, derived), first);
    assert.deepEqual(callSitesOf(store, { now: 0 }), first);
  });
});
