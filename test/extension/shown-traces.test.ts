/** The Traces view without VS Code: which rows it shows while it holds still, and what they say. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnalysisHeadline } from '../../src/analysis/headline';
import { formatTimeOfDay } from '../../src/common/format';
import { rememberQuery } from '../../src/extension/filter-history';
import { ShownTraces } from '../../src/extension/shown-traces';
import { TraceList } from '../../src/extension/trace-list';
import { headerText, traceRowText, type HeaderState } from '../../src/extension/trace-row-text';
import { EMPTY_STATS } from '../../src/ingest/receiver-controller';
import type { TraceSummary } from '../../src/ingest/trace-store';

/** 14:03:21.885 local time, in µs since the epoch. */
const AT = new Date(2025, 5, 2, 14, 3, 21, 885).getTime() * 1000;
const summary = (traceId: string, startUs: number, more: Partial<TraceSummary> = {}): TraceSummary => ({
  traceId, rootService: 'gateway', rootName: 'POST /orders', spanCount: 3, startUs, durationUs: 680_000, rootDurationUs: 680_000, errorCount: 0, services: ['gateway', 'orders'], settled: true, logCount: 0, ...more,
});
const update = (changed: TraceSummary[], removed: string[] = [], reset = false) => ({ reset, changed, removed, stats: EMPTY_STATS });
const ids = (shown: ShownTraces) => shown.rows().map((t) => t.traceId);

describe('the rows the Traces view shows', () => {
  it('are every trace newest first while the list is live, said to be reordered when one comes in', () => {
    const list = new TraceList();
    const shown = new ShownTraces(list);
    list.apply(update([summary('a', 1), summary('b', 2)]));
    assert.deepEqual(shown.update(false), { reordered: true, changed: ['b', 'a'] });
    assert.deepEqual(ids(shown), ['b', 'a']);
    assert.deepEqual(shown.update(false), { reordered: false, changed: [] }, 'nothing new: nothing to draw');
    list.apply(update([summary('c', 3)]));
    assert.equal(shown.update(false).reordered, true);
    assert.deepEqual(ids(shown), ['c', 'b', 'a']);
  });

  it('stay put while held: new traces are counted, not added; gone ones stay; changed ones are redrawn in place', () => {
    const list = new TraceList();
    const shown = new ShownTraces(list);
    list.apply(update([summary('a', 1), summary('b', 2, { settled: false })]));
    shown.update(false);
    list.apply(update([summary('c', 3), summary('d', 4), summary('b', 2, { settled: true })], ['a']));
    assert.deepEqual(shown.update(true), { reordered: false, changed: ['b'] });
    assert.deepEqual(ids(shown), ['b', 'a'], 'the evicted trace keeps its row until the list moves again');
    assert.equal(shown.get('b')?.settled, true);
    assert.equal(shown.waiting, 2);
    assert.equal(shown.update(false).reordered, true, 'let go, the list catches up at once');
    assert.deepEqual(ids(shown), ['d', 'c', 'b']);
    assert.equal(shown.waiting, 0);
  });

  it('are only those the filter admits, and a trace newer than the filter’s answer waits for the next one', () => {
    const list = new TraceList();
    const shown = new ShownTraces(list);
    list.apply(update([summary('a', 1), summary('b', 2), summary('c', 3)]));
    shown.admit(new Set(['a', 'c']));
    shown.update(false);
    assert.deepEqual(ids(shown), ['c', 'a']);
    assert.equal(shown.admittedCount, 2);
    list.apply(update([summary('d', 4)]));
    shown.update(false);
    assert.deepEqual(ids(shown), ['c', 'a']);
    shown.admit(new Set(['a', 'c', 'd']));
    shown.update(true);
    assert.deepEqual([ids(shown), shown.waiting], [['c', 'a'], 1], 'held, the admitted newcomer waits');
    shown.admit(undefined);
    shown.update(false);
    assert.deepEqual(ids(shown), ['d', 'c', 'b', 'a']);
  });
});

describe('a trace row', () => {
  const headline: AnalysisHeadline = { durationUs: 680_000, hops: 2, failureOrigin: null, findings: 1, worstSeverity: 'warning', rules: ['sync-non-critical'], asyncCalls: 0 };

  it('says the latency, the root’s status code, when (local time) and how the request travelled', () => {
    const text = traceRowText(summary('4bf92f3577b34da6a3ce929d0e0e4736', AT, { rootStatus: '201', headline }));
    assert.equal(text.label, 'POST /orders');
    assert.equal(text.description, '680 ms · 201 · 14:03:21.885 · 2 hops');
    assert.deepEqual(text.icon, { id: 'warning', color: 'editorWarning.foreground' });
    assert.equal(text.accessibility, 'POST /orders, 680 ms, status 201, 14:03:21.885, 2 hops, trace 4bf92f35');
    assert.match(text.tooltip, /^gateway POST \/orders\n201 · 680 ms · 3 spans · 2 services\nstarted 14:03:21\.885\n/);
    assert.match(text.tooltip, /1 finding \(worst: warning\): sync-non-critical/);
  });

  it('marks failures, calls through a broker and a trace still arriving', () => {
    const failed = traceRowText(summary('a', AT, { rootStatus: '502', errorCount: 3, headline: { ...headline, asyncCalls: 2 } }));
    assert.equal(failed.description, '680 ms · 502 · 14:03:21.885 · 3 failed · 2 hops · async');
    assert.deepEqual(failed.icon, { id: 'error', color: 'errorForeground' });
    assert.match(failed.accessibility, /3 failed spans, 2 hops, async/);
    const arriving = traceRowText(summary('b', AT, { settled: false }));
    assert.deepEqual([arriving.description, arriving.icon.id], ['680 ms · 14:03:21.885', 'loading~spin']);
    assert.match(arriving.tooltip, /still receiving spans/);
  });

  //  wall clock  gateway POST /orders [0 ──▒▒▒▒▒▒ paused 6.00 s ▒▒▒▒▒▒── 6100]
  //  without it  gateway POST /orders [0 ── 100]                       ← what the row says
  it('says a trace the debugger paused with the figures without the pause, and where it stopped', () => {
    const pausedAt = { reason: 'breakpoint' as const, sessionName: 'payments', location: { path: '/w/src/payments.ts', line: 42 }, pauses: 1 };
    const text = traceRowText(summary('c', AT, { rootStatus: '201', rootDurationUs: 6_100_000, durationUs: 6_100_000, headline: { ...headline, findings: 0, worstSeverity: null, rules: [], durationUs: 100_000, pausedUs: 6_000_000, pausedAt } }));
    assert.equal(text.description, '100 ms · 201 · 14:03:21.885 · paused 6.00 s · 2 hops');
    assert.deepEqual(text.icon, { id: 'debug-pause', color: 'debugIcon.pauseForeground' });
    assert.match(text.tooltip, /^gateway POST \/orders\n201 · 100 ms · /);
    assert.match(text.tooltip, /\npaused 6\.00 s at a breakpoint in payments\.ts:42 \(debugger\); figures without it \(6\.10 s on the wall clock\)\n/);
    assert.match(text.accessibility, /100 ms, status 201, 14:03:21\.885, paused 6\.00 s, 2 hops/);
    const unknown = traceRowText(summary('d', AT, { headline: { ...headline, pausedUs: 2_000_000 } }));
    assert.match(unknown.tooltip, /\npaused 2\.00 s \(debugger\); figures without it/, 'a headline from an older worker names no place');
  });

  it('shows a request still running as running, with how many spans are open', () => {
    const text = traceRowText(summary('e', AT, { runningSpans: 2, settled: false, headline }));
    assert.equal(text.description, '680 ms · 14:03:21.885 · running · 2 hops');
    assert.deepEqual(text.icon, { id: 'sync~spin' });
    assert.match(text.tooltip, /\nrunning · 2 spans still open \(times so far\)\n/);
    // The root itself still open (a request stuck at a breakpoint): no duration yet, not "0 µs".
    const stuck = traceRowText(summary('g', AT, { runningSpans: 3, rootDurationUs: 0, durationUs: 0 }));
    assert.match(stuck.description, /^running · 14:03:21\.885$/);
    assert.doesNotMatch(stuck.tooltip, /0 µs/);
    const failed = traceRowText(summary('f', AT, { runningSpans: 1, errorCount: 1 }));
    assert.equal(failed.icon.id, 'error', 'a failure shows first');
  });

  it('shows times of day as a 24-hour clock to the millisecond, never "6:50:23 AM.885"', () => {
    assert.equal(formatTimeOfDay(new Date(2025, 0, 1, 6, 50, 23, 5).getTime() * 1000), '06:50:23.005');
    assert.equal(formatTimeOfDay(new Date(2025, 0, 1, 18, 0, 0, 0).getTime() * 1000 + 999), '18:00:00.000');
  });
});

describe('the status row of the Traces view', () => {
  const state = (more: Partial<HeaderState>): HeaderState => ({ total: 870, admitted: 870, filtered: false, waiting: 0, paused: false, held: false, unchecked: 0, ...more });

  it('counts the traces and says the list is live', () => {
    assert.deepEqual([headerText(state({})).label, headerText(state({})).description], ['870 traces', 'live, newest first']);
  });

  it('offers what arrived while the list held still, and says why it holds', () => {
    const held = headerText(state({ held: true, waiting: 12, filtered: true, admitted: 14 }));
    assert.deepEqual([held.label, held.description, held.icon], ['12 new traces — show', 'held while you look · 14 of 870 traces match', 'arrow-up']);
    const paused = headerText(state({ paused: true, held: true }));
    assert.deepEqual([paused.label, paused.description, paused.icon], ['870 traces', 'paused', 'debug-pause']);
  });

  it('says when the filter could not be applied', () => {
    assert.equal(headerText(state({ filtered: true, filterError: 'column 1: the Hopscope this window follows is too old to filter traces' })).label, 'Filter: column 1: the Hopscope this window follows is too old to filter traces');
  });
});

describe('the filter history', () => {
  it('puts the query used first, once, and keeps twenty', () => {
    assert.deepEqual(rememberQuery(['a', 'b', 'c'], ' b '), ['b', 'a', 'c']);
    assert.deepEqual(rememberQuery(['a'], '  '), ['a']);
    assert.equal(rememberQuery(Array.from({ length: 20 }, (_, i) => `q${i}`), 'new').length, 20);
  });
});
