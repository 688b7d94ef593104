/** Each rule and edge mode on a small drawn trace, with the expected answer beside it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeTrace } from '../../src/analysis/analyze-trace';
import { nPlusOneQueries } from '../support/shop-drawings';
import { ms, timeline } from '../support/timeline';

const rules = (spans: Parameters<typeof analyzeTrace>[0]) => analyzeTrace(spans)!.findings.map((f) => f.rule);

describe('a 5-hop chain', () => {
  //  a [============================================]
  //  b   [========================================]
  //  c     [====================================]
  //  d       [================================]
  //  e         [============================]
  //  f           [========================]
  const five = timeline(`
    a | A /x | server | 0-500
      a | a→b | client | 10-490
        b | B /x | server | 20-480
          b | b→c | client | 30-470
            c | C /x | server | 40-460
              c | c→d | client | 50-450
                d | D /x | server | 60-440
                  d | d→e | client | 70-430
                    e | E /x | server | 80-420
                      e | e→f | client | 90-410
                        f | F /x | server | 100-400
  `);
  const analysis = analyzeTrace(five.spans)!;

  it('has 5 hops, and the accumulation per hop adds up to the request', () => {
    const chain = analysis.blockingChains[0]!;
    assert.equal(chain.hops, 5);
    assert.deepEqual(chain.services, ['a', 'b', 'c', 'd', 'e', 'f']);
    assert.deepEqual(chain.breakdown.map((h) => [h.selfUs, h.networkUs, h.waitUs]), [
      [ms(20), ms(20), 0], [ms(20), ms(20), 0], [ms(20), ms(20), 0], [ms(20), ms(20), 0], [ms(20), ms(20), 0], [ms(300), 0, 0],
    ]);
    assert.equal(chain.accumulatedUs, ms(500));
  });

  it('is a deep synchronous chain', () => {
    assert.ok(rules(five.spans).includes('deep-sync-chain'));
  });
});

describe('a cascade', () => {
  //  gateway ✗ [===================]      the failure reaches the root
  //  orders  ✗   [===============]
  //  payments ✗    [==========]   origin
  const toRoot = timeline(`
    gateway | POST /orders | server | 0-300 | error
      gateway | gw→orders | client | 5-295 | error
        orders | orders /orders | server | 10-290 | error
          orders | orders→payments | client | 20-280 | error
            payments | POST /charge | server | 30-270 | error
  `);
  //  orders  ✓ [===================]      contained: a fallback absorbed it
  //  orders  ✗   [=====] → quote ✗ origin
  const contained = timeline(`
    orders | POST /orders | server | 0-300
      orders | orders→quote | client | 10-100 | error
        quote | GET /quote | server | 20-90 | error
      orders | fallback price | internal | 110-120
  `);

  it('follows the failure from its origin to the root', () => {
    const [cascade] = analyzeTrace(toRoot.spans)!.failures;
    assert.equal(cascade!.originSpanId, toRoot.id('POST /charge'));
    assert.deepEqual(cascade!.propagatedSpanIds, ['orders→payments', 'orders /orders', 'gw→orders', 'POST /orders'].map(toRoot.id));
    assert.equal(cascade!.containedBySpanId, null);
    assert.deepEqual(cascade!.services, ['payments', 'orders', 'gateway']);
    assert.deepEqual(cascade!.blastRadius, { services: 3, spans: 5 });
    const finding = analyzeTrace(toRoot.spans)!.findings.find((f) => f.rule === 'cascading-failure')!;
    assert.equal(finding.severity, 'error');
  });

  it('keeps a server whose span ended after its client got the answer on the call', () => {
    //  orders  client ✗ [=3=]  got a 500
    //  payments server ✗ [=========12=========]   a busy machine finished the span late
    const late = timeline(`
      orders | POST /orders | server | 0-30 | error
        orders | orders→payments | client | 2-5 | error http.response.status_code=500
          payments | POST /charge | server | 3-15 | error
    `);
    const analysis = analyzeTrace(late.spans)!;
    assert.equal(analysis.edges.find((e) => e.childSpanId === late.id('POST /charge'))!.mode, 'sync');
    assert.equal(analysis.failures[0]!.originSpanId, late.id('POST /charge'));
    assert.deepEqual(analysis.timeouts, []);
  });

  it('keeps a server that finished its span just after its client saw the answer on the call', () => {
    //  orders  client ✗ [===3===]
    //  payments server ✗ [===4.5===]    ends 1.5 ms after the client: still one call, still the origin
    const jitter = timeline(`
      orders | POST /orders | server | 0-10 | error
        orders | orders→payments | client | 2-5 | error
          payments | POST /charge | server | 2-6.5 | error
    `);
    const analysis = analyzeTrace(jitter.spans)!;
    assert.equal(analysis.edges.find((e) => e.childSpanId === jitter.id('POST /charge'))!.mode, 'sync');
    assert.equal(analysis.failures[0]!.originSpanId, jitter.id('POST /charge'));
    assert.deepEqual(analysis.timeouts, []);
  });

  it('shows where a failure was contained', () => {
    const [cascade] = analyzeTrace(contained.spans)!.failures;
    assert.equal(cascade!.originSpanId, contained.id('GET /quote'));
    assert.deepEqual(cascade!.propagatedSpanIds, [contained.id('orders→quote')]);
    assert.equal(cascade!.containedBySpanId, contained.id('POST /orders'));
    assert.equal(analyzeTrace(contained.spans)!.findings.find((f) => f.rule === 'cascading-failure')?.severity, 'warning');
  });
});

describe('a parallel fan-out', () => {
  //  api [==============================]
  //  a     [========]
  //  b     [====================]      ← bounded the parent
  const fan = timeline(`
    api | GET /page | server | 0-300
      api | api→a | client | 10-100
      api | api→b | client | 10-250
  `);
  const analysis = analyzeTrace(fan.spans)!;

  it('marks overlapping calls parallel, and the critical path runs through the one that bounded the parent', () => {
    assert.deepEqual(analysis.edges.map((e) => e.mode), ['parallel', 'parallel']);
    assert.deepEqual(analysis.criticalPath.map((s) => [s.spanId, (s.endUs - s.startUs) / 1000]), [[fan.id('GET /page'), 10], [fan.id('api→b'), 240], [fan.id('GET /page'), 50]]);
  });
});

describe('N+1 calls', () => {
  const n1 = nPlusOneQueries;

  it('finds six identical calls for one request, and prices running them together', () => {
    const finding = analyzeTrace(n1.spans)!.findings.find((f) => f.rule === 'n-plus-one')!;
    assert.equal(finding.spanIds.length, 6);
    assert.equal(finding.savingUs, ms(100));
    assert.match(finding.message, /postgresql SELECT item 6 times/);
  });
});

describe('sequential calls', () => {
  const seq = timeline(`
    checkout | POST /checkout | server | 0-320
      checkout | checkout→pricing | client | 10-110 | peer.service=pricing
      checkout | checkout→stock | client | 110-210 | peer.service=stock
      checkout | checkout→shipping | client | 210-310 | peer.service=shipping
  `);

  it('suggests running independent calls in parallel, with the saving', () => {
    const finding = analyzeTrace(seq.spans)!.findings.find((f) => f.rule === 'sequential-calls')!;
    assert.equal(finding.savingUs, ms(200));
    assert.match(finding.message, /checkout calls pricing, stock, shipping one after another/);
  });

  it('names each callee once with its count, and at most six of them', () => {
    //  report  [=================================================]
    //            db q0 [=] db q1 [=] … db q7 [=]  then svc-0 … svc-6, one after another
    const calls = [
      ...Array.from({ length: 8 }, (_, i) => `      report | query ${i} | client | ${10 + i * 10}-${20 + i * 10} | db.system.name=postgresql`),
      ...Array.from({ length: 7 }, (_, i) => `      report | call ${i} | client | ${100 + i * 10}-${110 + i * 10} | peer.service=svc-${i}`),
    ];
    const long = timeline(`
    report | GET /report | server | 0-200
${calls.join('\n')}
`);
    const finding = analyzeTrace(long.spans)!.findings.find((f) => f.rule === 'sequential-calls')!;
    assert.match(finding.message, /report calls postgresql ×8 \(query 0, query 1, query 2, …\), svc-0, svc-1, svc-2, svc-3, svc-4 and 2 more one after another/);
  });
});

describe('a long synchronous call', () => {
  it('is named when it passes the threshold', () => {
    const slow = timeline(`
      api | GET /report | server | 0-7000
        api | api→warehouse | client | 10-6990
    `);
    assert.ok(rules(slow.spans).includes('long-sync-call'));
  });
});

describe('timeouts and retries', () => {
  //  orders ✗ [===300===]                     gave up
  //  payments      [=============2000=============]  kept working
  const timeout = timeline(`
    orders | POST /orders | server | 0-320 | error
      orders | orders→payments | client | 10-310 | error error.type=timeout
        payments | POST /charge | server | 12-2000
  `);

  it('names a timeout: the caller gave up while the callee kept working', () => {
    const analysis = analyzeTrace(timeout.spans)!;
    assert.deepEqual(analysis.timeouts, [{ callerSpanId: timeout.id('orders→payments'), calleeSpanId: timeout.id('POST /charge'), overrunUs: ms(1690) }]);
    assert.equal(analysis.edges.find((e) => e.childSpanId === timeout.id('POST /charge'))!.mode, 'fire-and-forget');
  });

  //  gateway retries orders 3 times; each orders retries payments 3 times: 9 attempts.
  const retries = timeline(`
    gateway | GET /x | server | 0-1000 | error
      gateway | gw→orders | client | 0-300 | error
        orders | orders /x | server | 1-299 | error
          orders | orders→payments | client | 2-90 | error
          orders | orders→payments | client | 100-190 | error
          orders | orders→payments | client | 200-290 | error
      gateway | gw→orders | client | 310-600 | error
      gateway | gw→orders | client | 610-990 | error
  `);

  it('multiplies retries across layers', () => {
    const analysis = analyzeTrace(retries.spans)!;
    const outer = analysis.retries.find((r) => r.parentSpanId === retries.id('GET /x'))!;
    assert.equal(outer.spanIds.length, 3);
    assert.equal(outer.amplification, 9);
    assert.ok(analysis.findings.some((f) => f.rule === 'retry-amplification' && /9 attempts/.test(f.message)));
  });
});

describe('request-reply over messaging', () => {
  const rr = timeline(`
    orders | POST /orders | server | 0-400
      orders | publish price.request | producer | 10-12 | messaging.system=kafka
        pricing | process price.request | consumer | 20-300 | messaging.system=kafka
      orders | process price.reply | consumer | 310-390 | messaging.system=kafka parent=POST_/orders
  `);

  it('flags publishing a message and blocking for the reply', () => {
    assert.ok(rules(rr.spans).includes('request-reply-over-messaging'));
  });
});
