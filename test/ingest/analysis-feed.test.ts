/**
 * The receiving thread's feed to the analysis thread (analysis-feed.ts) and
 * what the analysis thread does with it (analysis-core.ts, trace-copies.ts),
 * joined here in one thread by a link that structured-clones each message as
 * postMessage does. No real clock: the budget's clock moves 100 ms at each
 * look, so a flush (or a turn) sends exactly one part; the link's messages
 * are applied when the test says.
 *
 *   store ──offer/pump──► link (clone) ──► AnalysisCore: copies, headlines, views
 *         ◄──applied, headlines──────────
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { build } from 'esbuild';
import { deepChain } from '../../bench/deep';
import { syntheticTrace } from '../../bench/synthetic';
import { DEFAULT_ANALYSIS_SETTINGS } from '../../src/analysis/settings';
import { buildTree } from '../../src/analysis/trace-tree';
import { AnalysisCore } from '../../src/ingest/analysis-core';
import { AnalysisFeed, DEFAULT_FEED_LIMITS, type FeedLimits } from '../../src/ingest/analysis-feed';
import type { DerivedTracesOptions } from '../../src/ingest/derived-traces';
import type { FromAnalysis, ToAnalysis, TraceDelta } from '../../src/ingest/analysis-protocol';
import { callSitesOf } from '../../src/ingest/call-site-source';
import { serviceMapOf } from '../../src/ingest/service-map-source';
import { TraceCopies } from '../../src/ingest/trace-copies';
import { TraceStore, type TraceSummary } from '../../src/ingest/trace-store';
import { traceDocument } from '../../src/ingest/trace-views';

const clone = <T>(value: T): T => structuredClone(value);

/** A feed and an analysis core joined by a link; `deliver()` hands the core what was posted, `answer()` the feed what came back. */
function joined(limits: Partial<FeedLimits> = {}, store = new TraceStore(), derived: DerivedTracesOptions = {}) {
  const toCore: ToAnalysis[] = [];
  const toFeed: FromAnalysis[] = [];
  const posted: ToAnalysis[] = [];
  const link = { up: true, post: (message: ToAnalysis) => (posted.push(message), toCore.push(clone(message))) };
  const turns: (() => void)[] = [];
  let clock = 0;
  const feed = new AnalysisFeed(store, link, { ...DEFAULT_FEED_LIMITS, ...limits }, () => (clock += 100), (run) => turns.push(run));
  const core = new AnalysisCore({ settings: DEFAULT_ANALYSIS_SETTINGS, skipFrames: [], testHooks: false }, (message) => toFeed.push(clone(message)), derived);
  const deliver = () => {
    for (const message of toCore.splice(0)) core.handle(message);
  };
  const answer = () => {
    for (const message of toFeed.splice(0)) {
      if (message.type === 'applied') feed.applied(message.bytes);
      else if (message.type === 'headlines') feed.receive(message.items);
    }
  };
  /** A flush of the receiving thread: what changed is offered, and one part sent. */
  const flush = () => {
    const { changed, removed } = store.takeChanges();
    feed.offer(changed, removed);
    feed.pump(10);
    return changed;
  };
  const runTurns = () => {
    while (turns.length > 0) turns.shift()!();
  };
  return { store, feed, core, link, posted, toCore, toFeed, deliver, answer, flush, runTurns };
}

const deltas = (posted: ToAnalysis[]) => posted.filter((m): m is TraceDelta => m.type === 'trace');
const plain = (summaries: readonly TraceSummary[]) => summaries.map(({ headline: _, ...rest }) => rest);
const traceOf = (n: number, spans: number) => syntheticTrace(n, spans);

describe('the analysis thread\'s copies', () => {
  it('become a trace\'s new version only with the last part of its delta', () => {
    const copies = new TraceCopies();
    const spans = traceOf(1, 30);
    const summary = { traceId: spans[0]!.traceId, rootService: 'gateway', rootName: 'POST /checkout', spanCount: 30, startUs: 0, durationUs: 1, rootDurationUs: 1, errorCount: 0, services: [], settled: false, logCount: 0 };
    const part = (from: number, to: number, last: boolean): TraceDelta => ({ type: 'trace', traceId: summary.traceId, generation: 1, spansFrom: from, spans: spans.slice(from, to), logsFrom: 0, logs: [], bytes: 1, ...(last ? { summary, lastChangeMs: 5 } : {}) });
    assert.equal(copies.apply(part(0, 10, false)), undefined);
    assert.equal(copies.get(summary.traceId), undefined, 'a first part alone is no copy');
    const version = copies.version;
    copies.apply(part(10, 30, true));
    assert.equal(copies.get(summary.traceId)!.spans.length, 30);
    assert.ok(copies.version > version);
    assert.deepEqual(copies.takeChanges(), { changed: [summary], removed: [] });

    const grown = { ...summary, spanCount: 31 };
    copies.apply({ ...part(30, 30, false), spans: [{ ...spans[29]!, spanId: 'ffffffffffffffff' }] });
    assert.equal(copies.get(summary.traceId)!.spans.length, 30, 'held aside until the last part');
    copies.apply({ ...part(31, 31, true), summary: grown });
    assert.equal(copies.get(summary.traceId)!.spans.length, 31);

    const settledOnly = copies.version;
    const settles = copies.settles;
    copies.apply({ ...part(31, 31, true), summary: { ...grown, settled: true } });
    assert.equal(copies.version, settledOnly, 'a summary that only settled is not a new version');
    assert.equal(copies.settles, settles + 1, 'but it is counted, for views of settled traces (the service map)');
    assert.equal(copies.summaries()[0]!.settled, true);
    copies.apply({ ...part(31, 31, true), summary: { ...grown, settled: true } });
    assert.equal(copies.settles, settles + 1, 'the same summary again changes nothing');

    assert.match(copies.apply(part(5, 6, true))!, /starts at span 5/);
    assert.equal(copies.get(summary.traceId), undefined, 'a delta that does not fit drops the copy');
    assert.deepEqual(copies.takeChanges().removed, [summary.traceId]);
  });
});

describe('the feed to the analysis thread', () => {
  it('sends a trace in bounded parts, then only what it gains, and the copy is what is stored', () => {
    const { store, posted, deliver, flush, core } = joined({ partSpans: 40 });
    store.add(traceOf(1, 100));
    flush();
    flush();
    flush();
    assert.deepEqual(deltas(posted).map((d) => [d.spansFrom, d.spans.length, d.summary !== undefined]), [[0, 40, false], [40, 40, false], [80, 20, true]]);
    const id = store.summaries()[0]!.traceId;
    store.add(traceOf(1, 120).slice(100));
    flush();
    assert.deepEqual(deltas(posted).slice(3).map((d) => [d.spansFrom, d.spans.length]), [[100, 20]], 'only the 20 new spans');
    deliver();
    assert.deepEqual(core.copies.get(id), clone(store.get(id)));
    assert.deepEqual(plain(core.copies.summaries()), plain(store.summaries()));
  });

  it('stops at the in-flight bound until the analysis thread says it applied what it got', () => {
    const { store, feed, posted, deliver, answer, flush } = joined({ partSpans: 10, inflightBytes: 20_000 });
    store.add(traceOf(2, 200));
    flush();
    for (let i = 0; i < 30; i++) feed.pump(10);
    const sent = deltas(posted).length;
    assert.ok(feed.inflightBytes >= 20_000 && sent < 20, `${sent} parts, ${feed.inflightBytes} bytes in flight`);
    feed.pump(10);
    assert.equal(deltas(posted).length, sent, 'nothing more while the bound is reached');
    deliver();
    answer();
    assert.equal(feed.inflightBytes, 0);
    feed.pump(10);
    assert.ok(deltas(posted).length > sent);
  });

  it('has the analysis thread forget the least recently sent traces past its bound, and send one whole when it changes again', () => {
    const { store, feed, posted, deliver, core, flush } = joined({ copySpans: 250 });
    for (let n = 10; n < 15; n++) {
      store.add(traceOf(n, 100));
      flush();
    }
    deliver();
    assert.equal(core.copies.size, 2, '250 spans hold two traces of 100');
    assert.ok(feed.heldCopyBytes > 0);
    const first = traceOf(10, 101);
    store.add(first.slice(100));
    flush();
    deliver();
    const last = deltas(posted).at(-1)!;
    assert.deepEqual([last.traceId, last.spansFrom, last.spans.length], [first[0]!.traceId, 0, 101], 'forgotten: sent whole');
    assert.equal(core.copies.get(first[0]!.traceId)!.spans.length, 101);
  });

  it('sends a trace let go of and received again as a new entry, and has the old copy forgotten', () => {
    const { store, posted, deliver, core, flush } = joined({}, new TraceStore({ maxTraces: 1 }));
    const a = traceOf(20, 10);
    store.add(clone(a));
    flush();
    store.add(traceOf(21, 10)); // evicts a
    store.add(clone(a).slice(0, 5)); // a again, half of it, evicting 21
    flush();
    deliver();
    const forgets = posted.filter((m) => m.type === 'forget').flatMap((m) => (m.type === 'forget' ? m.traceIds : []));
    assert.ok(forgets.includes(a[0]!.traceId));
    assert.equal(core.copies.get(a[0]!.traceId)!.spans.length, 5, 'the new entry only');
  });

  it('brings headlines back to the summaries the host gets, for the trace entry they were worked out for', () => {
    const { store, feed, deliver, answer, flush, core } = joined();
    store.add(deepChain(40, 3)); // 20 calls between two services: 19 hops
    const [summary] = flush();
    deliver();
    core.flush();
    answer();
    assert.equal(feed.headlineOf(summary!.traceId)?.hops, 19);
    const refreshed = feed.takeRefreshed([]);
    assert.deepEqual(refreshed.map((s) => [s.traceId, s.headline?.hops]), [[summary!.traceId, 19]]);
    assert.deepEqual(feed.takeRefreshed([]), [], 'once');
    feed.receive([{ traceId: summary!.traceId, generation: 99, headline: { ...feed.headlineOf(summary!.traceId)!, hops: 1 } }]);
    assert.equal(feed.headlineOf(summary!.traceId)?.hops, 19, 'a headline of another entry of the trace is not taken');
  });

  it('answers call sites, the service map and a trace\'s document from the copies as the store would', async () => {
    const { store, feed, deliver, core, toFeed, runTurns } = joined({ partSpans: 7 }, new TraceStore({ settleMs: 0 }));
    for (let n = 30; n < 34; n++) store.add(traceOf(n, 25 + n));
    const id = store.summaries()[1]!.traceId;
    const synced = feed.sync(id);
    runTurns();
    assert.equal(await synced, true, 'one trace sent ahead of the flush, a turn at a time');
    store.settle();
    const { changed, removed } = store.takeChanges();
    feed.offer(changed, removed);
    for (let i = 0; i < 100 && core.copies.size < 4; i++) {
      feed.pump(10);
      deliver();
    }
    assert.equal(core.copies.size, 4);
    core.handle({ type: 'getCallSites', requestId: 1 });
    core.handle({ type: 'getServiceMap', requestId: 2 });
    core.handle({ type: 'getTraceView', requestId: 3, traceId: id });
    const byId = new Map(toFeed.filter((m) => 'requestId' in m).map((m) => [(m as { requestId: number }).requestId, m]));
    const sites = byId.get(1) as Extract<FromAnalysis, { type: 'callSites' }>;
    assert.deepEqual({ ...sites.sites, computedAt: 0 }, { ...callSitesOf(store, { settings: DEFAULT_ANALYSIS_SETTINGS }), computedAt: 0 });
    const map = byId.get(2) as Extract<FromAnalysis, { type: 'serviceMap' }>;
    assert.equal(map.map.traces, 4, 'the settled traces are on the map');
    assert.deepEqual({ ...map.map, computedAt: 0 }, { ...serviceMapOf(store), computedAt: 0 });
    const view = byId.get(3) as Extract<FromAnalysis, { type: 'traceView' }>;
    const trace = store.get(id)!;
    assert.deepEqual(view.document, traceDocument(id, trace.spans, trace.logs, DEFAULT_ANALYSIS_SETTINGS));
  });

  it('builds a trace\'s tree once per version, for its headline, the call sites, the service map and its view alike', () => {
    let builds = 0;
    const build = (spans: Parameters<typeof buildTree>[0]) => (builds++, buildTree(spans));
    const { store, deliver, core, toFeed, flush } = joined({}, new TraceStore({ settleMs: 0 }), { build });
    const spans = traceOf(50, 20);
    const id = spans[0]!.traceId;
    const ask = () => {
      core.handle({ type: 'getCallSites', requestId: 1 });
      core.handle({ type: 'getServiceMap', requestId: 2 });
      core.handle({ type: 'getTraceView', requestId: 3, traceId: id });
      headlines();
      const answers = toFeed.splice(0).filter((m) => 'requestId' in m);
      const map = answers.find((m): m is Extract<FromAnalysis, { type: 'serviceMap' }> => m.type === 'serviceMap')!;
      const view = answers.find((m): m is Extract<FromAnalysis, { type: 'traceView' }> => m.type === 'traceView')!;
      return { mapped: map.map.traces, drawn: view.document !== null };
    };
    let headlined = 0;
    /** Headlines worked out for the trace so far. */
    const headlines = () => {
      headlined += toFeed.filter((m) => m.type === 'headlines' && m.items.some((h) => h.traceId === id)).length;
      toFeed.splice(0, toFeed.length, ...toFeed.filter((m) => m.type !== 'headlines'));
      return headlined;
    };

    store.add(spans.slice(0, 19));
    flush();
    deliver();
    core.flush();
    assert.equal(headlines(), 1, 'its headline');
    assert.deepEqual(ask(), { mapped: 0, drawn: true }, 'call sites and its view; not on the map while it arrives');
    store.settle();
    flush();
    deliver();
    core.flush();
    assert.equal(headlines(), 2, 'analysed again as it settled');
    assert.deepEqual(ask(), { mapped: 1, drawn: true }, 'now on the map too');
    assert.equal(builds, 1, 'one version: one tree, for all four');

    store.add(spans.slice(19));
    flush();
    deliver();
    assert.deepEqual(ask(), { mapped: 0, drawn: true });
    assert.equal(builds, 2, 'a span more: a new version, built once');
    core.handle({ type: 'settings', settings: { ...DEFAULT_ANALYSIS_SETTINGS, longSyncCallUs: 1 } });
    core.flush();
    assert.equal(headlines(), 3, 'its headline under the new settings');
    store.settle();
    flush();
    deliver();
    core.flush();
    assert.deepEqual(ask(), { mapped: 1, drawn: true });
    assert.equal(builds, 2, 'new settings analyse the same tree again; they do not build it');
  });

  it('sends every stored trace again to an analysis thread that started anew', () => {
    const { store, feed, posted, flush } = joined();
    store.add(traceOf(40, 10));
    store.add(traceOf(41, 10));
    flush();
    flush();
    const before = deltas(posted).length;
    feed.reset();
    feed.pump(10);
    feed.pump(10);
    assert.deepEqual(deltas(posted).slice(before).map((d) => d.spansFrom).sort(), [0, 0], 'whole, both');
  });
});

describe('the receiving thread', () => {
  it('holds no analysis: the ingest worker\'s bundle imports none of it, the analysis thread\'s does', async () => {
    const inputs = async (entry: string) => {
      const result = await build({ entryPoints: [entry], bundle: true, platform: 'node', write: false, metafile: true, outfile: 'out.js', logLevel: 'silent' });
      return Object.keys(result.metafile.inputs);
    };
    const analysisCode = ['src/analysis/analyze-trace.ts', 'src/analysis/trace-tree.ts', 'src/analysis/critical-path.ts', 'src/analysis/aggregate.ts', 'src/ingest/live-analysis.ts', 'src/ingest/call-site-source.ts', 'src/ingest/service-map-source.ts', 'src/ingest/trace-views.ts', 'src/views/trace-view.ts', 'src/source/span-source.ts'];
    const receiving = await inputs('src/ingest/worker.ts');
    assert.deepEqual(analysisCode.filter((file) => receiving.includes(file)), []);
    const analysing = await inputs('src/ingest/analysis-worker.ts');
    assert.deepEqual(analysisCode.filter((file) => !analysing.includes(file)), []);
  });
});

