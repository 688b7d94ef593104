/**
 * Debugger pauses taken out of traces (src/analysis/pauses.ts) and what the
 * analysis says about them (pause-effects.ts). Times in the drawings are
 * milliseconds; ▒ marks where a session was stopped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { deepChain } from '../../bench/deep';
import { analyzeTrace, analyzeTreeWithPauses, type TraceAnalysis } from '../../src/analysis/analyze-trace';
import { compensatePauses, compensateTree } from '../../src/analysis/pauses';
import { DEFAULT_ANALYSIS_SETTINGS } from '../../src/analysis/settings';
import { buildTree, duration } from '../../src/analysis/trace-tree';
import { traceReport } from '../../src/cli/report';
import { DEBUG_SESSION_ATTRIBUTE, type DebugPause } from '../../src/model/pause';
import type { SpanRecord } from '../../src/model/span';
import { mulberry32, randomPauses, randomRequest, record } from '../support/paused-recording';
import { ms, timeline, TRACE_ID, type Drawn } from '../support/timeline';

/** The drawing's spans, those of these services launched from a debug session (`dbg-<service>`). */
function debugged(drawn: Drawn, services: string[]): SpanRecord[] {
  return drawn.spans.map((s) => (services.includes(s.service) ? { ...s, resource: { ...s.resource, attributes: { ...s.resource.attributes, [DEBUG_SESSION_ATTRIBUTE]: `dbg-${s.service}` } } } : s));
}

/** `service` stopped from `from` to `to` ms into the drawing (null: still stopped), at its line 42. */
function stopped(drawn: Drawn, service: string, from: number, to: number | null): DebugPause {
  const t0 = drawn.spans[0]!.startUs;
  return { session: `dbg-${service}`, startUs: t0 + ms(from), endUs: to === null ? null : t0 + ms(to), reason: 'breakpoint', sessionName: service, location: { path: `/app/src/${service}.ts`, line: 42 } };
}

/** Each span as `start-end`, ms into the drawing. */
function times(drawn: Drawn, spans: readonly SpanRecord[]): Record<string, string> {
  const t0 = drawn.spans[0]!.startUs;
  return Object.fromEntries(spans.map((s) => [s.name, `${(s.startUs - t0) / 1000}-${(s.endUs - t0) / 1000}`]));
}

function compensate(drawn: Drawn, services: string[], pauses: DebugPause[]) {
  const spans = debugged(drawn, services);
  const before = JSON.stringify(spans);
  const result = compensatePauses(spans, pauses);
  assert.equal(JSON.stringify(spans), before, 'the input is not mutated');
  return { ...result, times: times(drawn, result.spans), spans: result.spans, input: spans };
}

describe('taking a debugger pause out of a trace', () => {
  it('takes a pause out of the span it stopped; the callers waiting on it shrink by the replay', () => {
    //  shop      [0──────────────────────────2100]
    //  shop        [10───────────────────────2090]
    //  payments      [20──▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒──2080]    ▒ 40-2040
    const drawn = timeline(`
      shop | POST /orders | server | 0-2100
        shop | POST | client | 10-2090
          payments | charge | server | 20-2080
    `);
    const c = compensate(drawn, ['payments'], [stopped(drawn, 'payments', 40, 2040)]);
    assert.deepEqual(c.times, { 'POST /orders': '0-100', POST: '10-90', charge: '20-80' });
    assert.deepEqual(c.pauses, [{ spanId: drawn.id('charge'), pausedUs: ms(2000) }], 'only the stopped service\'s span was paused');
    assert.equal(c.pausedUs, ms(2000));
  });

  it('takes a pause across two spans of a service once, where their own time holds it', () => {
    //  payments  charge    [0─────────────────────────1200]
    //  payments    fraud     [10──▒▒▒▒▒▒▒▒▒▒▒▒▒──1010]          two spans running at once,
    //  payments    ledger    [10──▒▒▒▒▒▒▒▒▒▒▒▒▒────1050]        both stopped 100-1000
    //  payments    receipt                              [1060─1190]
    const drawn = timeline(`
      payments | charge | server | 0-1200
        payments | fraud | internal | 10-1010
        payments | ledger | client | 10-1050
        payments | receipt | internal | 1060-1190
    `);
    const c = compensate(drawn, ['payments'], [stopped(drawn, 'payments', 100, 1000)]);
    assert.deepEqual(c.times, { charge: '0-300', fraud: '10-110', ledger: '10-150', receipt: '160-290' });
    assert.equal(c.pausedUs, ms(900), 'charge shrinks by the pause once, not once per span');
    assert.deepEqual(c.pauses.map((p) => p.pausedUs), [ms(900), ms(900), ms(900)]);
  });

  it('takes out of nested spans only the innermost own time: the ancestors shrink by the replay', () => {
    //  payments  charge    [0───────────────────────1100]
    //  payments    INSERT    [10──▒▒▒▒1000▒▒▒▒──1090]
    const drawn = timeline(`
      payments | charge | server | 0-1100
        payments | INSERT | client | 10-1090
    `);
    const c = compensate(drawn, ['payments'], [stopped(drawn, 'payments', 50, 1050)]);
    assert.deepEqual(c.times, { charge: '0-100', INSERT: '10-90' });
    assert.equal(c.pausedUs, ms(1000));
  });

  it('shrinks every caller above a pause downstream, and moves what came after it earlier', () => {
    //  gateway  [0───────────────────────────────────3300]
    //  gateway    [5────────────────────────────────3295]
    //  orders       [10─────────────────────────────3290]
    //  orders         [20──────────────────────3120]  email [3130─3280]
    //  payments          [30──▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒──3110]        ▒ 100-3100
    const drawn = timeline(`
      gateway | POST /orders | server | 0-3300
        gateway | gateway → orders | client | 5-3295
          orders | POST /orders (orders) | server | 10-3290
            orders | orders → payments | client | 20-3120
              payments | POST /charge | server | 30-3110
            orders | orders → email | client | 3130-3280
    `);
    const c = compensate(drawn, ['payments'], [stopped(drawn, 'payments', 100, 3100)]);
    assert.deepEqual(c.times, {
      'POST /orders': '0-300', 'gateway → orders': '5-295', 'POST /orders (orders)': '10-290',
      'orders → payments': '20-120', 'POST /charge': '30-110', 'orders → email': '130-280',
    });
  });

  it('never waits for a blocking child that outlived its parent: the parent keeps its own end', () => {
    //  shop  POST /orders [0──────100]                        answered before its call did
    //  shop    → payments      [50──────────▒▒▒▒▒▒▒▒──1300]   ▒ 200-1200: shop stopped after the answer
    const drawn = timeline(`
      shop | POST /orders | server | 0-100
        shop | shop → payments | client | 50-1300
    `);
    const c = compensate(drawn, ['shop'], [stopped(drawn, 'shop', 200, 1200)]);
    assert.deepEqual(c.times, { 'POST /orders': '0-100', 'shop → payments': '50-300' });
    assert.equal(c.pausedUs, 0, 'the answer was never held up');
  });

  it('takes several short pauses (steps) out, keeping the running between them', () => {
    //  payments  charge  [0──▒▒▒─▒▒▒─▒▒▒──400]     stopped 50-100, 105-200, 210-300
    const drawn = timeline(`
      shop | POST | client | 0-420
        payments | charge | server | 10-400
    `);
    const c = compensate(drawn, ['payments'], [stopped(drawn, 'payments', 50, 100), stopped(drawn, 'payments', 105, 200), stopped(drawn, 'payments', 210, 300)]);
    assert.deepEqual(c.times, { POST: '0-185', charge: '10-165' });
    assert.deepEqual(c.pauses, [{ spanId: drawn.id('charge'), pausedUs: ms(50 + 95 + 90) }]);
  });

  it('takes each span\'s own session\'s pauses only, when two sessions were stopped at once', () => {
    //  api       [0─────────────────────────────1000]     ▒ api 100-500: it was waiting, nothing of it ran
    //  api         [50─────────────────────────950]
    //  payments      [60───▒▒▒▒▒▒▒▒▒▒▒▒▒▒───940]          ▒ payments 300-700
    const drawn = timeline(`
      api | POST /checkout | server | 0-1000
        api | POST | client | 50-950
          payments | charge | server | 60-940
    `);
    const c = compensate(drawn, ['api', 'payments'], [stopped(drawn, 'api', 100, 500), stopped(drawn, 'payments', 300, 700)]);
    assert.deepEqual(c.times, { 'POST /checkout': '0-600', POST: '50-550', charge: '60-540' });
    assert.deepEqual(c.pauses.map((p) => p.pausedUs), [ms(400), ms(400), ms(400)], 'what the views say: each span stopped 400 ms, by its own session');
  });

  it('leaves a concurrent branch in another session untouched, the same span', () => {
    //  orders  [0──────────────────────────1300]
    //  orders    payments [0──▒▒▒▒▒▒▒▒──1100]       email [1120──1300]
    //  orders    pricing  [0───200]                 not waiting on payments
    const drawn = timeline(`
      orders | POST /orders | server | 0-1300
        orders | orders → payments | client | 0-1100
          payments | charge | server | 5-1095
        orders | orders → pricing | client | 0-200
          pricing | quote | server | 5-195
        orders | orders → email | client | 1120-1300
    `);
    const c = compensate(drawn, ['payments', 'pricing'], [stopped(drawn, 'payments', 50, 1050), stopped(drawn, 'pricing', 400, 500)]);
    assert.deepEqual(c.times, { 'POST /orders': '0-400', 'orders → payments': '0-100', charge: '5-95', 'orders → pricing': '0-200', quote: '5-195', 'orders → email': '220-400' });
    const quote = drawn.spans.findIndex((s) => s.name === 'quote');
    assert.equal(c.spans[quote], c.input[quote], 'an untouched span is not copied');
  });

  it('counts an open pause to the end of the trace\'s last span', () => {
    const drawn = timeline(`
      shop | POST /orders | server | 0-2100
        shop | POST | client | 10-2090
          payments | charge | server | 20-2080
    `);
    const c = compensate(drawn, ['payments'], [stopped(drawn, 'payments', 40, null)]);
    assert.deepEqual(c.times, { 'POST /orders': '0-60', POST: '10-50', charge: '20-40' });
    const later = compensate(drawn, ['payments'], [stopped(drawn, 'payments', 2200, null)]);
    assert.equal(later.spans, later.input, 'an open pause that began after the trace touches nothing');
  });

  it('starts a request that arrived while its process was stopped when it arrived', () => {
    //  shop      [0──────────────1050]          reached payments at 0
    //  payments          [1000───1050]          stopped since before it came, until 1000
    const drawn = timeline(`
      shop | POST | client | 0-1050
        payments | charge | server | 1000-1050
    `);
    const c = compensate(drawn, ['payments'], [stopped(drawn, 'payments', -500, 1000)]);
    assert.deepEqual(c.times, { POST: '0-50', charge: '0-50' });
    assert.deepEqual(c.pauses, [], 'no span of payments was running while it was stopped');
  });

  it('moves a consumer with its producer and keeps its queue time', () => {
    //  orders   [0──────────────────1200]
    //  orders     publish [10─▒▒▒▒▒─1110]        ▒ orders 20-1020
    //  audit                   process [1150─────1400]   (async, 40 ms in the queue)
    const drawn = timeline(`
      orders | POST /orders | server | 0-1200
        orders | publish | producer | 10-1110 | messaging.system=queue
          audit | process | consumer | 1150-1400 | messaging.system=queue
    `);
    const c = compensate(drawn, ['orders'], [stopped(drawn, 'orders', 20, 1020)]);
    assert.deepEqual(c.times, { 'POST /orders': '0-200', publish: '10-110', process: '150-400' });
  });

  it('moves events with their side of the span', () => {
    const drawn = timeline(`
      shop | POST | client | 0-2090 | error
        payments | charge | server | 10-2080
    `);
    const spans = debugged(drawn, ['payments']);
    spans[0] = { ...spans[0]!, events: [{ name: 'exception', timeUs: spans[0]!.startUs + ms(2089), attributes: {}, droppedAttributesCount: 0 }, { name: 'sent', timeUs: spans[0]!.startUs + ms(1), attributes: {}, droppedAttributesCount: 0 }] };
    const c = compensatePauses(spans, [stopped(drawn, 'payments', 40, 2040)]);
    assert.deepEqual(c.spans[0]!.events.map((e) => (e.timeUs - spans[0]!.startUs) / 1000), [89, 1], 'the exception just before the end stays just before it; the send stays at the start');
  });

  it('matches the pauses at the recorded times of a span the tree moved for clock skew', () => {
    //  web  [0───────1000]          host a
    //  api              [5000──▒▒▒▒──5900]   host b: the tree moves it to 50-950
    const drawn = timeline(`
      web | GET / | client | 0-1000 | http.response.status_code=200
        api | GET /api | server | 5000-5900
    `);
    const hosts = debugged(drawn, ['api']).map((s, i) => ({ ...s, resource: { ...s.resource, attributes: { ...s.resource.attributes, 'host.id': i === 0 ? 'a' : 'b' } } }));
    const c = compensatePauses(hosts, [stopped(drawn, 'api', 5100, 5500)]);
    assert.deepEqual(times(drawn, c.spans), { 'GET /': '0-600', 'GET /api': '5000-5500' });
  });

  it('gives back the same array, copying nothing, when no pause touched the trace', () => {
    const drawn = timeline(`
      shop | POST /orders | server | 0-2100
        shop | POST | client | 10-2090
          payments | charge | server | 20-2080
    `);
    const spans = debugged(drawn, ['payments']);
    for (const pauses of [[], [stopped(drawn, 'shop', 40, 2040)], [stopped(drawn, 'payments', 3000, 4000)], [{ ...stopped(drawn, 'other', 40, 2040) }]]) {
      const c = compensatePauses(spans, pauses);
      assert.equal(c.spans, spans);
      assert.deepEqual([c.pauses, c.pausedUs, c.moved], [[], 0, false]);
    }
    assert.equal(compensatePauses(drawn.spans, [stopped(drawn, 'payments', 40, 2040)]).spans, drawn.spans, 'spans of no debug session');
    assert.equal(compensateTree(buildTree(spans)!, []).moved, false);
  });
});

describe('the analysis of a trace the debugger stopped', () => {
  //  shop      ✗ POST /orders [0──────3010]
  //  shop      ✗   POST ─►    [0─────3000]              gave up after 3 s
  //  payments          charge   [10──▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒20600]   stopped 500-20500
  const timedOut = timeline(`
    shop | POST /orders | server | 0-3010 | error
      shop | POST | client | 0-3000 | error url.path=/charge http.request.method=POST
        payments | charge | server | 10-20600 | http.route=/charge http.request.method=POST
  `);

  it('reports a caller that timed out while the callee was stopped as caused by the pause, not as a timeout', () => {
    const spans = debugged(timedOut, ['payments']);
    const wallClock = analyzeTrace(spans)!;
    assert.equal(wallClock.timeouts.length, 1, 'on the wall clock it looks like a timeout');
    assert.ok(wallClock.findings.some((f) => f.rule === 'cascading-failure'));
    const a = analyzeTrace(spans, undefined, [stopped(timedOut, 'payments', 500, 20_500)])!;
    assert.deepEqual(a.timeouts, []);
    assert.deepEqual(a.failures, [], 'the cascade it started is the pause\'s too');
    assert.deepEqual(a.findings, []);
    assert.deepEqual(a.pauseEffects!.map((e) => [e.kind, e.rule ?? null, e.spanIds]), [
      ['timeout', null, [timedOut.id('POST'), timedOut.id('charge')]],
      ['finding', 'cascading-failure', [timedOut.id('POST'), timedOut.id('POST /orders')]],
    ]);
    assert.equal(a.pauseEffects![0]!.message, 'POST /charge timed out after 3.00 s while the debugger had payments stopped at payments.ts:42; without the pause payments took 590 ms.');
    assert.match(a.pauseEffects![1]!.message, /^The failure that spread through payments → shop began with POST \/charge timing out while the debugger had payments stopped/);
    assert.equal(a.pausedUs, 0, 'the request failed after 3 s either way: the pause did not make it longer');
    assert.deepEqual(a.pauses, [{ spanId: timedOut.id('charge'), pausedUs: ms(20_000) }]);
  });

  it('keeps a timeout that happens without the pause too', () => {
    // payments would have taken 3.6 s anyway.
    const spans = debugged(timedOut, ['payments']);
    const a = analyzeTrace(spans, undefined, [stopped(timedOut, 'payments', 500, 17_500)])!;
    assert.deepEqual(a.timeouts.map((t) => t.callerSpanId), [timedOut.id('POST')]);
    assert.deepEqual(a.pauseEffects, []);
    assert.ok(a.findings.some((f) => f.rule === 'cascading-failure'));
  });

  it('describes a request a pause downstream inflated as it ran, and says what the pause added', () => {
    //  gateway  [0────────────────────────────────8300]
    //  gateway    [5─────────────────────────────8295]
    //  orders       [10──────────────────────────8290]
    //  orders         [20───────────────────────8120]
    //  payments          [30──▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒──8110]    ▒ 100-8100: three callers waited on it
    const drawn = timeline(`
      gateway | POST /orders | server | 0-8300
        gateway | gateway → orders | client | 5-8295 | peer.service=orders
          orders | POST /orders (orders) | server | 10-8290
            orders | orders → payments | client | 20-8120 | url.path=/charge http.request.method=POST
              payments | POST /charge | server | 30-8110 | http.route=/charge http.request.method=POST
    `);
    const spans = debugged(drawn, ['payments']);
    const a = analyzeTrace(spans, undefined, [stopped(drawn, 'payments', 100, 8100)])!;
    assert.equal(a.durationUs, ms(300));
    assert.equal(a.rawDurationUs, ms(8300));
    assert.equal(a.pausedUs, ms(8000));
    assert.equal(a.blockingChains[0]!.accumulatedUs, ms(300));
    assert.deepEqual(a.rawAccumulatedUs, [ms(8300)]);
    assert.deepEqual(a.criticalPath.at(-1)!.endUs - a.criticalPath[0]!.startUs, ms(300));
    assert.ok(!a.findings.some((f) => f.rule === 'long-sync-call'), 'an 80 ms call is not long');
    const longCalls = a.pauseEffects!.filter((e) => e.rule === 'long-sync-call');
    assert.ok(longCalls.length >= 1);
    assert.match(longCalls.find((e) => e.spanIds[0] === drawn.id('orders → payments'))!.message, /^orders waited 8\.10 s for payments POST \/charge only because the debugger had payments stopped at payments\.ts:42; without the pause the call took 100 ms\.$/);
    assert.ok(a.whatIf.every((w) => w.savingUs <= ms(300)), 'no what-if saves the pause');
    const described = analyzeTreeWithPauses(buildTree(spans)!, DEFAULT_ANALYSIS_SETTINGS, [stopped(drawn, 'payments', 100, 8100)]);
    assert.deepEqual(described.analysis, a);
    assert.equal(duration(described.tree.root), ms(300), 'the tree it describes is the one without the pause, for the views');
    const report = traceReport(a, (id) => drawn.spans.find((s) => s.spanId === id)!.name);
    assert.match(report.split('\n')[0]!, /POST \/orders {2}300 ms {2}5 spans {2}paused 8\.00 s \(debugger\)$/);
    assert.match(report, /⏸ caused by a debugger pause \(long-sync-call\): orders waited 8\.10 s/);
  });

  it('adds nothing to a trace no pause touched, so its JSON stays as it was', () => {
    const spans = debugged(timedOut, ['payments']);
    const plain = analyzeTrace(spans)!;
    assert.deepEqual(analyzeTrace(spans, undefined, [stopped(timedOut, 'payments', 30_000, 40_000)]), plain);
    for (const key of ['pausedUs', 'pauses', 'rawDurationUs', 'rawAccumulatedUs', 'pauseEffects'] as const) assert.ok(!(key in plain), key);
    assert.doesNotMatch(traceReport(plain, (id) => id), /paused|debugger/);
  });
});

/** The figures the property compares, within 1 µs. */
function figures(a: TraceAnalysis) {
  return {
    durationUs: a.durationUs,
    criticalPath: a.criticalPath.map((s) => [s.spanId, s.startUs, s.endUs]),
    chains: a.blockingChains.map((c) => [c.spanIds.at(-1), c.accumulatedUs]),
    findings: a.findings.map((f) => f.rule).sort(),
  };
}

describe('compensation on any trace', () => {
  it('gives back a trace recorded with pauses, with them taken out, as it ran without them', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const random = mulberry32(seed);
        const request = randomRequest(random);
        const unpaused = record(request, []);
        const pauses = randomPauses(random, unpaused);
        const paused = record(request, pauses);
        const c = compensatePauses(paused, pauses);
        c.spans.forEach((s, i) => {
          assert.ok(Math.abs(s.startUs - unpaused[i]!.startUs) <= 1 && Math.abs(s.endUs - unpaused[i]!.endUs) <= 1, `${s.name}: ${s.startUs}-${s.endUs}, not ${unpaused[i]!.startUs}-${unpaused[i]!.endUs}`);
        });
        const analysed = analyzeTrace(paused, undefined, pauses)!;
        const asRan = analyzeTrace(unpaused)!;
        assert.deepEqual(figures(analysed), figures(asRan));
        assert.equal(analysed.pausedUs ?? 0, (analysed.rawDurationUs ?? analysed.durationUs) - analysed.durationUs);
        // What only the wall clock found (a call sat in at a breakpoint for 8 s) is the pause's.
        const wallClock = analyzeTrace(paused)!;
        for (const f of wallClock.findings) {
          if (!asRan.findings.some((g) => g.rule === f.rule && g.spanIds[0] === f.spanIds[0])) assert.ok(analysed.pauseEffects!.some((e) => e.rule === f.rule && e.spanIds[0] === f.spanIds[0]), f.message);
        }
      }),
      { numRuns: 300 },
    );
  });

  /** Random trees (any parents, times, kinds), their services in debug sessions, with random pauses. */
  const anyTrace = fc.record({
    rows: fc.array(fc.record({ parent: fc.nat(30), start: fc.integer({ min: 0, max: 1000 }), length: fc.integer({ min: 0, max: 1000 }), service: fc.constantFrom('a', 'b', 'c'), kind: fc.constantFrom('server', 'client', 'internal', 'producer', 'consumer'), event: fc.option(fc.integer({ min: -100, max: 1100 })) }), { minLength: 1, maxLength: 30 }),
    pauses: fc.array(fc.record({ service: fc.constantFrom('a', 'b', 'z'), start: fc.integer({ min: -100, max: 1500 }), length: fc.option(fc.integer({ min: 1, max: 800 })) }), { maxLength: 5 }),
  }).map(({ rows, pauses }) => ({
    spans: rows.map((row, i): SpanRecord => ({
      traceId: TRACE_ID, spanId: (i + 1).toString(16).padStart(16, '0'), parentSpanId: row.parent === 0 || row.parent > rows.length + 2 ? '' : row.parent.toString(16).padStart(16, '0'),
      traceState: '', flags: 1, name: `op${i}`, kind: row.kind, service: row.service, startUs: row.start * 1000, endUs: (row.start + row.length) * 1000,
      status: { code: 'unset', message: '' }, attributes: {}, events: row.event === null ? [] : [{ name: 'e', timeUs: row.event * 1000, attributes: {}, droppedAttributesCount: 0 }], links: [],
      resource: { attributes: { [DEBUG_SESSION_ATTRIBUTE]: `dbg-${row.service}`, 'host.id': row.service === 'c' ? 'h2' : 'h1' }, droppedAttributesCount: 0 }, scope: { name: '', version: '' }, droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
    })),
    pauses: pauses.map((p): DebugPause => ({ session: `dbg-${p.service}`, startUs: p.start * 1000, endUs: p.length === null ? null : (p.start + p.length) * 1000, reason: 'step', sessionName: p.service, location: null })),
  }));

  it('never makes a span end before it starts, nor later than recorded, nor mutates its input', () => {
    fc.assert(
      fc.property(anyTrace, ({ spans, pauses }) => {
        const before = JSON.stringify(spans);
        const c = compensatePauses(spans, pauses);
        assert.equal(JSON.stringify(spans), before);
        assert.equal(c.spans.length, spans.length);
        c.spans.forEach((s, i) => {
          assert.ok(s.endUs >= s.startUs, `${s.name} ${s.startUs}-${s.endUs}`);
          assert.ok(s.startUs <= spans[i]!.startUs && s.endUs <= Math.max(spans[i]!.startUs, spans[i]!.endUs), `${s.name} moved later`);
        });
        assert.ok(c.pausedUs >= 0);
        analyzeTrace(spans, undefined, pauses);
      }),
      { numRuns: 500 },
    );
  });

  it('never changes a trace without a pause of its sessions: the same array', () => {
    fc.assert(
      fc.property(anyTrace, ({ spans, pauses }) => {
        assert.equal(compensatePauses(spans, []).spans, spans);
        assert.equal(compensatePauses(spans, pauses.map((p) => ({ ...p, session: 'dbg-nobody' }))).spans, spans);
      }),
      { numRuns: 200 },
    );
  });

  it('takes a pause out of the bottom of a 100,000-deep chain, every caller shrinking', () => {
    const chain = deepChain(100_000).map((s) => (s.service === 'svc-1' ? { ...s, resource: { ...s.resource, attributes: { ...s.resource.attributes, [DEBUG_SESSION_ATTRIBUTE]: 'dbg-svc-1' } } } : s));
    const bottom = chain.at(-1)!;
    assert.equal(bottom.service, 'svc-1');
    const pause: DebugPause = { session: 'dbg-svc-1', startUs: bottom.startUs + 5, endUs: bottom.startUs + 25, reason: 'breakpoint', sessionName: 'svc-1', location: null };
    const c = compensatePauses(chain, [pause]);
    assert.equal(c.pausedUs, 20);
    assert.equal(c.spans[0]!.endUs - c.spans[0]!.startUs, chain[0]!.endUs - chain[0]!.startUs - 20);
    assert.equal(c.pauses.length, 50_000, 'every span of svc-1 was running while it was stopped');
    const a = analyzeTrace(chain, undefined, [pause])!;
    assert.equal(a.pausedUs, 20);
    assert.equal(a.spanCount, 100_000);
  });
});
