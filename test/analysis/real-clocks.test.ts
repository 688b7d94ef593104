/**
 * The shapes real instrumentations send: OTel JS starts on whole milliseconds
 * (Date.now()) with sub-millisecond ends; express layers that end on 'close'
 * after the server span's 'finish'; one host's clock for every service.
 * Times are ms from the trace start; `.7` etc. are the sub-ms ends.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeTrace } from '../../src/analysis/analyze-trace';
import { buildTree } from '../../src/analysis/trace-tree';
import type { SpanRecord } from '../../src/model/span';
import { ms, timeline } from '../support/timeline';

const modeOf = (spans: SpanRecord[], childId: string) => analyzeTrace(spans)!.edges.find((e) => e.childSpanId === childId)!.mode;
const onHost = (spans: SpanRecord[], host: (s: SpanRecord) => string) => spans.map((s) => ({ ...s, resource: { ...s.resource, attributes: { ...s.resource.attributes, 'host.id': host(s) } } }));

describe('millisecond start times', () => {
  //  shop [0 ====================================== 40.5]
  //  A      [1 ====== 12.7]
  //  B              [12 (really 12.9) ====== 30.2]      B starts 0.7 ms "before" A ended: rounding
  const awaits = timeline(`
    shop | GET /cart | server | 0-40.5
      shop | A | client | 1-12.7 | peer.service=a
      shop | B | client | 12-30.2 | peer.service=b
  `);

  it('keeps sequential awaits that touch within the millisecond sequential, not parallel', () => {
    assert.equal(modeOf(awaits.spans, awaits.id('A')), 'sync');
    assert.equal(modeOf(awaits.spans, awaits.id('B')), 'sync');
  });

  it('walks the critical path through both calls, one after the other', () => {
    const path = analyzeTrace(awaits.spans)!.criticalPath.map((s) => s.spanId);
    assert.deepEqual(path, [awaits.id('GET /cart'), awaits.id('A'), awaits.id('B'), awaits.id('GET /cart')]);
  });

  it('still prices a call that ended a microsecond after the next one\'s rounded start', () => {
    //  orders [0 ============================================ 700.4]
    //  email    [100 ====================== 609.001]
    //  analytics                              [609 === 640.3]
    const orders = timeline(`
      orders | POST /orders | server | 0-700.4
        orders | POST | client | 100-609.001 | peer.service=email http.request.method=POST url.path=/send
        orders | PUT | client | 609-640.3 | peer.service=inventory http.request.method=PUT url.path=/reserve
    `);
    const finding = analyzeTrace(orders.spans)!.findings.find((f) => f.rule === 'sync-non-critical')!;
    assert.ok(finding.savingUs! > ms(500), `saving ${finding.savingUs}`);
    assert.match(finding.message, /email POST \/send/);
  });
});

describe('express layers that end on close', () => {
  it('keeps a handler span that trails its server span by a few ms on the request, trimmed to it', () => {
    //  orders [0 ================================== 50.3]           'finish'
    //  handler  [1 ===================================== 55]       'close', 4.7 ms later
    //  payments   [2 ============================ 48.2]
    const layer = timeline(`
      orders | POST /orders | server | 0-50.3
        orders | request handler - /orders | internal | 1-55
          orders | POST | client | 2-48.2 | peer.service=payments http.request.method=POST url.path=/charge
    `);
    const analysis = analyzeTrace(layer.spans)!;
    assert.equal(modeOf(layer.spans, layer.id('request handler - /orders')), 'sync');
    assert.ok(analysis.criticalPath.some((s) => s.spanId === layer.id('POST')), 'the call is on the critical path');
    const handler = buildTree(layer.spans)!.byId.get(layer.id('request handler - /orders'))!;
    assert.equal(handler.trimmedUs, ms(4.7));
    assert.equal(analysis.criticalPath.at(-1)!.endUs, layer.spans[0]!.endUs, 'the path still ends with the request');
  });

  it('keeps a layer that trailed by 122 ms on a loaded machine, its calls all done in time', () => {
    const loaded = timeline(`
      shop | POST /checkout | server | 0-300.2
        shop | middleware - patched | internal | 1-422.5
          shop | request handler - /checkout | internal | 2-299.7
            shop | POST | client | 3-290.1 | peer.service=payments
    `);
    assert.equal(modeOf(loaded.spans, loaded.id('middleware - patched')), 'sync');
    assert.ok(analyzeTrace(loaded.spans)!.criticalPath.some((s) => s.spanId === loaded.id('POST')));
  });

  it('still calls work that goes on after the answer fire-and-forget', () => {
    //  orders [0 ===== 20.3]
    //  job      [1 ========================= 90]   a job started, not awaited: it makes a call after the answer
    //  mailer                 [30 ===== 80.2]
    const job = timeline(`
      orders | POST /orders | server | 0-20.3
        orders | send receipt | internal | 1-90
          orders | POST | client | 30-80.2 | peer.service=mailer
    `);
    assert.equal(modeOf(job.spans, job.id('send receipt')), 'fire-and-forget');
  });

  it('calls a leaf that trails its parent by more than a layer would fire-and-forget', () => {
    const leaf = timeline(`
      orders | POST /orders | server | 0-20.3
        orders | warm cache | internal | 1-60
    `);
    assert.equal(modeOf(leaf.spans, leaf.id('warm cache')), 'fire-and-forget');
  });
});

describe('clock skew', () => {
  //  web  call api  [10 ========== 50]
  //  api    GET /api       [45 ========== 85]    a late start
  const late = timeline(`
    web | GET / | server | 0-100
      web | call api | client | 10-50
        api | GET /api | server | 45-85
  `);

  it('never shifts a server that shares its client\'s host: one clock, so it really started late', () => {
    const tree = buildTree(onHost(late.spans, () => 'laptop'))!;
    assert.equal(tree.byId.get(late.id('GET /api'))!.skewUs, 0);
    assert.ok(!tree.repairs.some((r) => r.kind === 'clock-skew'));
  });

  it('shifts it when the two hosts have their own clocks', () => {
    const tree = buildTree(onHost(late.spans, (s) => (s.service === 'api' ? 'box-2' : 'box-1')))!;
    assert.ok(tree.repairs.some((r) => r.kind === 'clock-skew' && r.spanId === late.id('GET /api')));
  });

  it('does not shift a server whose start lies within the clocks\' resolution of its client', () => {
    const close = timeline(`
      web | GET / | server | 0-100
        web | call api | client | 10.6-50.3
          api | GET /api | server | 10-49.8
    `);
    assert.equal(buildTree(close.spans)!.byId.get(close.id('GET /api'))!.skewUs, 0);
  });
});

describe('the critical path', () => {
  it('takes the child that finished last before each point (Jaeger), not one still running then', () => {
    //  P [0 =========================== 100]      P 0-20, B 20-100
    //  A [0 ========= 60]                          A had not finished at 20
    //  B        [20 ======================= 100]
    const p = timeline(`
      p | P | server | 0-100
        p | A | client | 0-60 | peer.service=a
        p | B | client | 20-100 | peer.service=b
    `);
    const path = analyzeTrace(p.spans)!.criticalPath.map((s) => [s.spanId, s.startUs - p.spans[0]!.startUs, s.endUs - p.spans[0]!.startUs]);
    assert.deepEqual(path, [[p.id('P'), 0, ms(20)], [p.id('B'), ms(20), ms(100)]]);
  });
});

describe('calls named by the semantic conventions', () => {
  //  catalog [0 ======================================================= 111]
  //    GET /price [1-20.4] GET /stock [20-40.2] GET /tax [40-60.3] GET /shipping [60-80.1] GET /reviews [80-100.5]
  const paths = ['/price', '/stock', '/tax', '/shipping', '/reviews'];
  const five = timeline(`
    catalog | GET /products/:id | server | 0-111 | http.request.method=GET http.route=/products/:id
${paths.map((p, i) => `      catalog | GET | client | ${i * 20 + (i === 0 ? 1 : 0)}-${i * 20 + 20.4} | http.request.method=GET url.full=http://127.0.0.1:7001${p}?sku=9 server.address=127.0.0.1 peer.service=pricing id=${(0xa0 + i).toString(16)}`).join('\n')}
  `);

  it('does not take five different GETs to one peer for an N+1 or for retries', () => {
    const analysis = analyzeTrace(five.spans)!;
    assert.ok(!analysis.findings.some((f) => f.rule === 'n-plus-one'), JSON.stringify(analysis.findings));
    assert.deepEqual(analysis.retries, []);
  });

  it('suggests running them in parallel, naming each endpoint, for no more than the calls could save', () => {
    const finding = analyzeTrace(five.spans)!.findings.find((f) => f.rule === 'sequential-calls')!;
    assert.match(finding.message, /pricing ×5 \(GET \/price, GET \/stock, GET \/tax, …\)/);
    const durations = five.spans.slice(1).map((s) => s.endUs - s.startUs);
    const bound = durations.reduce((a, b) => a + b, 0) - Math.max(...durations);
    assert.ok(finding.savingUs! > 0 && finding.savingUs! <= bound, `saving ${finding.savingUs} ≤ ${bound}`);
  });

  it('names a publish by its broker, not its address', () => {
    const pub = timeline(`
      orders | POST /orders | server | 0-50
        orders | order.placed publish | producer | 10-11.2 | messaging.system=rabbitmq server.address=127.0.0.1 messaging.destination.name=order.placed messaging.operation=publish
          warehouse | order.placed process | consumer | 30-45 | messaging.system=rabbitmq
    `);
    const tree = buildTree(pub.spans)!;
    assert.equal(analyzeTrace(pub.spans)!.edges.find((e) => e.childSpanId === pub.id('order.placed process'))!.mode, 'async');
    assert.ok(tree.nodes.length === 3);
  });
});

describe('connection-pool checkouts', () => {
  //  shop [0 ================================================= 72]
  //    connect [1-1.4] query [1-13.2] connect [13-13.3] query [13-25.6] … five times
  const rows = Array.from({ length: 5 }, (_, i) => {
    const t = 1 + i * 13;
    return [
      `      shop | pg-pool.connect | client | ${t}-${t + 0.4} | db.system=postgresql id=${(0xc0 + i).toString(16)}`,
      `      shop | pg.query:SELECT shop | client | ${t}-${t + 12.2} | db.system=postgresql db.operation.name=SELECT db.collection.name=items server.address=127.0.0.1 id=${(0xd0 + i).toString(16)}`,
    ].join('\n');
  });
  const loop = timeline(`
    shop | GET /cart | server | 0-72
${rows.join('\n')}
  `);
  const queries = loop.spans.filter((s) => s.name.startsWith('pg.query'));

  it('finds one N+1, over the queries, never over the checkouts', () => {
    const found = analyzeTrace(loop.spans)!.findings.filter((f) => f.rule === 'n-plus-one');
    assert.equal(found.length, 1);
    assert.deepEqual(found[0]!.spanIds, queries.map((q) => q.spanId));
    assert.match(found[0]!.message, /postgresql SELECT items 5 times/);
  });

  it('prices running the queries together within what they could save, their checkouts moving with them', () => {
    const finding = analyzeTrace(loop.spans)!.findings.find((f) => f.rule === 'n-plus-one')!;
    const durations = queries.map((q) => q.endUs - q.startUs);
    const bound = durations.reduce((a, b) => a + b, 0) - Math.max(...durations);
    assert.ok(finding.savingUs! > 0.8 * bound && finding.savingUs! <= bound, `saving ${finding.savingUs} of at most ${bound}`);
  });
});

describe('what-ifs', () => {
  //  client ─► gateway ─► orders: payments [100], email [500]
  const shop = timeline(`
    tester | POST | client | 0-660 | http.request.method=POST url.path=/orders
      gateway | POST /orders | server | 1-659.5 | http.request.method=POST http.route=/orders
        gateway | POST | client | 2-658.8 | http.request.method=POST url.path=/orders peer.service=orders
          orders | POST /orders | server | 3-658 | http.request.method=POST http.route=/orders
            orders | POST | client | 10-110.3 | http.request.method=POST url.path=/charge peer.service=payments
            orders | POST | client | 110-610.6 | http.request.method=POST url.path=/send peer.service=email id=e1
  `);
  const analysis = analyzeTrace(shop.spans)!;

  it('never offers to change the request\'s own entry', () => {
    const entry = [shop.spans[0]!.spanId, shop.spans[1]!.spanId];
    assert.ok(!analysis.whatIf.some((w) => entry.includes(w.spanId)), JSON.stringify(analysis.whatIf.slice(0, 3)));
  });

  it('puts the best real change first, saving exactly what the change would', () => {
    const best = analysis.whatIf[0]!;
    assert.deepEqual([best.spanId, best.change], ['00000000000000e1', 'async']);
    assert.equal(best.savingUs, analysis.durationUs - best.durationUs);
    assert.ok(Math.abs(best.savingUs - ms(499.6)) < ms(1), `saving ${best.savingUs}`);
  });

  it('prices running a call in parallel with the one it followed as no more than the shorter of the two', () => {
    const parallel = analysis.whatIf.find((w) => w.spanId === '00000000000000e1' && w.change === 'parallel')!;
    assert.ok(parallel.savingUs > ms(99) && parallel.savingUs <= ms(100.3), `saving ${parallel.savingUs}`);
  });

  it('halves a call for "50 % faster"', () => {
    const faster = analysis.whatIf.find((w) => w.spanId === '00000000000000e1' && w.change === 'faster')!;
    assert.ok(Math.abs(faster.savingUs - ms(250.3)) < ms(0.5), `saving ${faster.savingUs}`);
  });
});

describe('timeouts', () => {
  it('names a caller that gave up while its callee worked on, whatever the error is called', () => {
    //  shop     ✗ [0 ============ 260]     answered 504
    //  payments     [1 =================================== 1500]
    const gaveUp = timeline(`
      shop | POST /checkout | server | 0-262 | error http.response.status_code=504
        shop | POST | client | 5-255.4 | error http.request.method=POST url.path=/charge peer.service=payments
          payments | POST /charge | server | 6-1500.2 | http.route=/charge http.request.method=POST
    `);
    const analysis = analyzeTrace(gaveUp.spans)!;
    assert.equal(analysis.timeouts.length, 1);
    assert.equal(analysis.timeouts[0]!.calleeSpanId, gaveUp.id('POST /charge'));
    assert.ok(Math.abs(analysis.timeouts[0]!.overrunUs - ms(1244.8)) < 1);
    const cascade = analysis.findings.find((f) => f.rule === 'cascading-failure');
    assert.match(cascade?.message ?? '', /shop gave up on payments POST \/charge after 250 ms \(a timeout; payments worked on for 1\.24 s\)/);
  });
});

describe('retries', () => {
  it('are the same request repeated after a failure, and only that', () => {
    const retry = timeline(`
      shop | GET /basket | server | 0-90
        shop | GET | client | 1-10.2 | error http.request.method=GET url.path=/quote http.response.status_code=503 peer.service=pricing
        shop | GET | client | 15-25.1 | error http.request.method=GET url.path=/quote http.response.status_code=503 peer.service=pricing id=f2
        shop | GET | client | 30-40.3 | http.request.method=GET url.path=/quote http.response.status_code=200 peer.service=pricing id=f3
        shop | GET | client | 41-50.3 | http.request.method=GET url.path=/stock http.response.status_code=200 peer.service=pricing id=f4
    `);
    const analysis = analyzeTrace(retry.spans)!;
    assert.equal(analysis.retries.length, 1);
    assert.deepEqual(analysis.retries[0]!.spanIds, [retry.spans[1]!.spanId, '00000000000000f2', '00000000000000f3']);
  });
});
