/**
 * What the worker's views say about a trace the debugger paused: the trace view's document carries the pauses
 * and the recorded times beside the compensated ones, and the call sites (CodeLens, hints, Problems) read the
 * compensated figures, so a breakpoint never becomes a finding at the line that made the call.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callSitesOf } from '../../src/ingest/call-site-source';
import { DerivedTraces } from '../../src/ingest/derived-traces';
import { PauseBook } from '../../src/ingest/pause-book';
import { TraceStore } from '../../src/ingest/trace-store';
import { TraceViews } from '../../src/ingest/trace-views';
import { DEBUG_SESSION_ATTRIBUTE, type DebugPause } from '../../src/model/pause';
import type { SpanRecord } from '../../src/model/span';
import { MAX_VIEW_PAUSES } from '../../src/views/paused-view';
import { readTraceView } from '../../src/views/trace-document';
import type { TraceView } from '../../src/protocol/trace-view';
import { shownSites } from '../support/shown-sites';
import { ms, timeline, TRACE_ID } from '../support/timeline';

/*
 *  orders   POST /orders   [0 ──────────────────────────── 6100]   session o (not stopped)
 *  orders     → payments     [10 ────────────────────── 6090]      orders.ts:42 makes the call
 *  payments     POST /charge   [20 ──▒▒▒▒▒▒ 6000 ms ▒▒▒▒── 6080]  session p, stopped at 30–6030
 *  compensated: POST /orders [0─100], → payments [10─90], POST /charge [20─80]
 */
const drawn = timeline(`
  orders | POST /orders | server | 0-6100
    orders | orders → payments | client | 10-6090 | code.file.path=/app/src/orders.ts code.line.number=42
      payments | POST /charge | server | 20-6080
`);
const sessionOf = (service: string) => (service === 'payments' ? 'session-p' : 'session-o');
const spans: SpanRecord[] = drawn.spans.map((s) => ({ ...s, resource: { ...s.resource, attributes: { ...s.resource.attributes, [DEBUG_SESSION_ATTRIBUTE]: sessionOf(s.service) } } }));
const t0 = spans[0]!.startUs;
const at = (msFromStart: number) => t0 + ms(msFromStart);
const idOf = (name: string) => spans.find((s) => s.name === name)!.spanId;
const breakpoint = (over: Partial<DebugPause> = {}): DebugPause => ({ session: 'session-p', sessionName: 'payments', startUs: at(30), endUs: at(6030), reason: 'breakpoint', location: { path: '/app/src/payments.ts', line: 42 }, ...over });

/** The views over a store holding `traceSpans` while the book holds `pauses`. */
function views(traceSpans: readonly SpanRecord[], pauses: readonly DebugPause[], nowUs = () => at(7000)) {
  const store = new TraceStore();
  store.add([...traceSpans]);
  const book = new PauseBook();
  book.record(pauses);
  const derived = new DerivedTraces(store, undefined, { pauses: book, nowUs });
  const view = (): TraceView => {
    const document = new TraceViews(derived).get(TRACE_ID);
    assert.ok(document instanceof Uint8Array, 'a document, not a reason');
    return readTraceView(document);
  };
  return { store, derived, view };
}

describe('the trace document of a paused trace', () => {
  it('draws the compensated times and carries the pause and each moved node’s recorded times', () => {
    const view = views(spans, [breakpoint()]).view();
    const node = (name: string) => view.nodes.find((n) => n.name === name)!;
    assert.deepEqual([node('POST /orders').endUs - node('POST /orders').startUs, node('POST /charge').endUs - node('POST /charge').startUs], [ms(100), ms(60)]);
    assert.deepEqual(view.paused, {
      pausedUs: ms(6000),
      pauses: [{ session: 0, startUs: at(30), endUs: at(6030), reason: 'breakpoint', sessionName: 'payments', location: { path: '/app/src/payments.ts', line: 42 } }],
      wallClock: [
        { spanId: idOf('POST /orders'), startUs: at(0), endUs: at(6100), pausedUs: 0 },
        { spanId: idOf('orders → payments'), startUs: at(10), endUs: at(6090), pausedUs: 0 },
        { spanId: idOf('POST /charge'), startUs: at(20), endUs: at(6080), pausedUs: ms(6000), session: 0 },
      ],
    });
  });

  it('ends a pause still open at the trace’s end, and says it is open', () => {
    const view = views(spans, [breakpoint({ endUs: null })]).view();
    assert.deepEqual(view.paused!.pauses.map((p) => [p.startUs, p.endUs, p.open]), [[at(30), at(6100), true]]);
  });

  it('lists at most MAX_VIEW_PAUSES pauses, the longest, by start, and counts the rest', () => {
    // 250 stops of 1 ms in payments' work, every 20 ms; every tenth lasts 5 ms.
    const many = Array.from({ length: 250 }, (_, i) => breakpoint({ startUs: at(30 + i * 20), endUs: at(30 + i * 20 + (i % 10 === 0 ? 5 : 1)), reason: 'step' }));
    const { paused } = views(spans, many).view();
    assert.equal(paused!.pauses.length, MAX_VIEW_PAUSES);
    assert.equal(paused!.omittedPauses, 250 - MAX_VIEW_PAUSES);
    assert.equal(paused!.pauses.filter((p) => p.endUs - p.startUs === ms(5)).length, 25, 'every long one kept');
    assert.ok(paused!.pauses.every((p, i, all) => i === 0 || all[i - 1]!.startUs < p.startUs), 'by start');
  });

  it('has no pauses when none stopped the trace, or only another session’s', () => {
    assert.equal(views(spans, []).view().paused, undefined);
    assert.equal(views(spans, [breakpoint({ session: 'someone-else' })]).view().paused, undefined);
  });

  it('marks a span still running, drawn to now', () => {
    const running = spans.map((s) => (s.name === 'POST /orders' ? { ...s, endUs: 0 } : s));
    const view = views(running, [], () => at(9000)).view();
    const root = view.nodes.find((n) => n.name === 'POST /orders')!;
    assert.deepEqual([root.running, root.endUs], [true, at(9000)]);
    assert.deepEqual(view.nodes.filter((n) => n.running).map((n) => n.name), ['POST /orders']);
  });

  it('names the stopped session a running request waits on, before that session has sent a span', () => {
    // payments is stopped at its breakpoint: only orders' started records have arrived.
    const waiting = spans.filter((s) => s.service === 'orders').map((s) => ({ ...s, endUs: 0 }));
    const stopped = breakpoint({ endUs: null });
    const view = views(waiting, [stopped], () => at(3000)).view();
    assert.equal(view.paused, undefined, 'no span of the trace was stopped itself');
    assert.deepEqual(view.stoppedElsewhere, [{ sessionName: 'payments', startUs: stopped.startUs, reason: 'breakpoint', location: { path: '/app/src/payments.ts', line: 42 } }]);
    // A closed pause, or a trace no longer running, waits on nothing.
    assert.equal(views(waiting, [breakpoint()], () => at(3000)).view().stoppedElsewhere, undefined);
    assert.equal(views(spans.filter((s) => s.service === 'orders'), [stopped]).view().stoppedElsewhere, undefined);
  });
});

describe('the call sites of a paused trace', () => {
  it('put the compensated call on its line, with no finding made by the breakpoint', () => {
    const paused = views(spans, [breakpoint()]);
    const withPause = callSitesOf(paused.store, {}, paused.derived);
    const without = callSitesOf(views(spans, []).store);
    const call = (view: typeof withPause) => shownSites(view.sites).find((s) => s.place.path === '/app/src/orders.ts' && s.place.line === 42)!.calls[0]!;
    assert.ok(call(without).findings.some((f) => f.rule === 'long-sync-call'), 'on the wall clock a 6 s call is long');
    assert.deepEqual(call(withPause).durationsUs, [ms(80)]);
    assert.deepEqual(call(withPause).findings.map((f) => f.rule), []);
    assert.equal(call(withPause).errors, 0);
  });

  //  shop      ✗ orders → payments [10──3010]                 gave up after 3 s
  //  payments       POST /charge     [20──▒▒▒▒▒▒▒▒▒▒▒▒▒▒──20600]  stopped 30–20030
  it('make no finding of a call that timed out because its callee sat at a breakpoint', () => {
    const gaveUp = timeline(`
      orders | POST /orders | server | 0-3020 | error
        orders | orders → payments | client | 10-3010 | error code.file.path=/app/src/orders.ts code.line.number=42
          payments | POST /charge | server | 20-20600
    `).spans.map((s) => ({ ...s, resource: { ...s.resource, attributes: { ...s.resource.attributes, [DEBUG_SESSION_ATTRIBUTE]: sessionOf(s.service) } } }));
    const lineOf = (view: ReturnType<typeof callSitesOf>) => shownSites(view.sites).find((s) => s.place.path === '/app/src/orders.ts' && s.place.line === 42)!.calls[0]!;
    const unpaused = views(gaveUp, []);
    assert.ok(lineOf(callSitesOf(unpaused.store, {}, unpaused.derived)).findings.length > 0, 'without the pause the failure is a finding');
    const paused = views(gaveUp, [breakpoint({ endUs: at(20_030) })]);
    const analysis = paused.derived.get(TRACE_ID)!.analysis();
    assert.ok(analysis.pauseEffects!.some((e) => e.kind === 'timeout'), 'the timeout is the pause’s doing');
    assert.deepEqual(lineOf(callSitesOf(paused.store, {}, paused.derived)).findings.map((f) => f.rule), [], 'no cascading failure, no long call: no Problem');
  });
});
