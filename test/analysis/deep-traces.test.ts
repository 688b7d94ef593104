/**
 * What a hostile sender can send in one request: a chain of spans each the
 * parent of the next, 100,000 deep, or the same spans linked into a cycle
 * with no root. Every step, from the tree to the CLI, walks them with its own
 * stack and works out each climb once: nothing recurses per level, nothing
 * is O(depth) per span. The bounds here are on the work (the result is
 * complete); the bench measures the time (bench/analysis.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { deepChain, deepCycle } from '../../bench/deep';
import { analyzeTrace, type TraceAnalysis } from '../../src/analysis/analyze-trace';
import { callSites } from '../../src/analysis/call-sites';
import { MAX_PROPAGATED_LISTED } from '../../src/analysis/failures';
import { analyzeTree } from '../../src/analysis/analyze-trace';
import { buildTree } from '../../src/analysis/trace-tree';
import { callSitesOf } from '../../src/ingest/call-site-source';
import { spanPlace } from '../../src/ingest/tree-places';
import { shownSites } from '../support/shown-sites';
import { TraceStore } from '../../src/ingest/trace-store';
import type { SpanRecord } from '../../src/model/span';
import { toServiceMapView } from '../../src/views/service-map';
import { toTraceView } from '../../src/views/trace-view';
import type { StackFrame } from '../../src/source/stack-frames';
import { toOtlpJson } from '../support/timeline';

const DEPTH = 100_000;
/** Server/client pairs: every client → server edge is a hop. */
const HOPS = Math.floor((DEPTH - 1) / 2);
const chain = deepChain(DEPTH);
const cycle = deepCycle(DEPTH);

/** The critical path covers the root exactly, segment after segment. */
function assertTiles(analysis: TraceAnalysis, root: SpanRecord): void {
  const path = analysis.criticalPath;
  assert.ok(path.length > 0);
  assert.equal(path[0]!.startUs, root.startUs);
  assert.equal(path[path.length - 1]!.endUs, root.endUs);
  for (let i = 1; i < path.length; i++) assert.equal(path[i]!.startUs, path[i - 1]!.endUs, `segment ${i} starts where the one before ended`);
}

/** Both cases analyse the same spans: the cycle is cut where its first span closes it, and that span is the request. */
for (const [name, spans] of [['a 100,000-deep chain', chain], ['a 100,000-span parent cycle with no root', cycle]] as const) {
  describe(name, () => {
    it('is analysed in full: every span, every hop of the chain, the critical path tiling the root, the findings and what-ifs', () => {
      const analysis = analyzeTrace(spans)!;
      assert.equal(analysis.rootSpanId, spans[0]!.spanId);
      assert.equal(analysis.spanCount, DEPTH);
      assert.equal(analysis.edges.length, DEPTH - 1);
      const deepest = analysis.blockingChains.reduce((a, b) => (b.hops > a.hops ? b : a));
      assert.equal(deepest.hops, HOPS);
      assert.equal(deepest.spanIds.length, DEPTH);
      assert.equal(deepest.breakdown.length, HOPS + 1);
      const chainTime = deepest.breakdown.reduce((sum, h) => sum + h.selfUs + h.networkUs + h.waitUs, 0);
      assert.equal(chainTime, spans[0]!.endUs - spans[0]!.startUs, 'the hops add up to the first span');
      assertTiles(analysis, spans[0]!);
      const deep = analysis.findings.find((f) => f.rule === 'deep-sync-chain')!;
      assert.ok(deep.message.length < 1000, 'the message names the first and last hops, not all of them');
      assert.ok(analysis.whatIf.length > 0, 'the calls below the entry are priced');
      if (spans === cycle) assert.deepEqual(analysis.repairs.map((r) => r.kind), ['cycle']);
    });

    it('becomes a trace view of every span, depth-first, the deepest at depth 99,999', () => {
      const view = toTraceView(spans[0]!.traceId, spans, [])!;
      assert.equal(view.nodes.length, DEPTH);
      assert.equal(view.nodes[DEPTH - 1]!.depth, DEPTH - 1);
      assert.equal(view.nodes[0]!.parentSpanId, '');
    });

    it('is on the service map: one call per hop, across the two services', () => {
      const map = toServiceMapView([buildTree(spans)!], 0);
      const calls = map.edges.reduce((sum, e) => sum + e.calls, 0);
      assert.equal(calls, HOPS);
      assert.deepEqual(map.edges.map((e) => [e.from, e.to]).sort(), [['svc-0', 'svc-1'], ['svc-1', 'svc-0']]);
    });

    it('gives its call sites from a store holding it: each call on its server span\'s line', () => {
      const store = new TraceStore();
      store.add(spans);
      const view = callSitesOf(store, { budget: { maxTraces: 10, maxSpans: 2 * DEPTH } });
      assert.equal(view.traces, 1);
      // Server spans name 50 lines, 25 in each service's file; every client call takes its server span's line.
      assert.equal(view.sites.length, 50);
      // Every client span is a call, the last one too (its server never answered).
      assert.equal(view.sites.reduce((sum, s) => sum + s.calls.reduce((n, c) => n + c.count, 0), 0), DEPTH / 2);
    });
  });
}

describe('hopscope analyze --json on a file holding a 100,000-deep chain and a 100,000-span cycle', () => {
  it('prints both analyses in full', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hopscope-deep-'));
    const file = join(dir, 'deep.json');
    writeFileSync(file, `{"resourceSpans":[${[chain, cycle].map((s) => toOtlpJson(s).slice('{"resourceSpans":['.length, -2)).join(',')}]}`);
    const run = spawnSync(process.execPath, ['dist/cli.js', 'analyze', '--json', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
    assert.equal(run.status, 0, run.stderr);
    const { traces } = JSON.parse(run.stdout) as { traces: TraceAnalysis[] };
    assert.equal(traces.length, 2);
    for (const trace of traces) {
      assert.equal(trace.spanCount, DEPTH);
      assert.equal(Math.max(...trace.blockingChains.map((c) => c.hops)), HOPS);
      assertTiles(trace, (trace.traceId === chain[0]!.traceId ? chain : cycle)[0]!);
    }
  });
});

describe('a 100,000-deep chain where every span failed', () => {
  it('has one cascade, from the deepest span, reaching every span; it lists the nearest propagated spans', () => {
    const failing = chain.map((s) => ({ ...s, status: { code: 'error' as const, message: 'boom' } }));
    const { failures, findings } = analyzeTrace(failing)!;
    assert.equal(failures.length, 1);
    const [cascade] = failures;
    assert.equal(cascade!.originSpanId, chain[DEPTH - 1]!.spanId);
    assert.equal(cascade!.blastRadius.spans, DEPTH);
    assert.equal(cascade!.propagatedSpanIds.length, MAX_PROPAGATED_LISTED);
    assert.equal(cascade!.propagatedSpanIds[0], chain[DEPTH - 2]!.spanId, 'nearest first');
    assert.equal(cascade!.containedBySpanId, null);
    assert.ok(findings.some((f) => f.rule === 'cascading-failure'));
  });
});

describe('a 10,000-deep CLIENT chain where every span carries a hostile 64 KB stack trace', () => {
  it('reads each span\'s stacks once, however many spans below it look for their place', () => {
    // 64 KB of frames that look like the application's: the skip setting passes over every one, so no span
    // but the root (which names its line in code.*) has a place, and each takes the root's.
    const frame = '    at work (/app/lib/helper.ts:10:5)\n';
    const stack = `Error: hostile\n${frame.repeat(Math.floor((64 * 1024) / frame.length))}`;
    const depth = 10_000;
    const spans = deepChain(depth, 3, {
      clientsOnly: true,
      attributes: { 'code.stacktrace': stack },
      events: [{ name: 'exception', timeUs: 0, attributes: { 'exception.stacktrace': stack }, droppedAttributesCount: 0 }],
    });
    const tree = buildTree(spans)!;
    let framesLooked = 0;
    const skip = (_frame: StackFrame) => {
      framesLooked++;
      return true;
    };
    const sites = callSites([{ tree, findings: analyzeTree(tree).findings }], (span, t) => spanPlace(span, t, skip));
    assert.deepEqual(shownSites(sites).map((s) => `${s.place.path}:${s.place.line}`), ['/app/root.ts:1']);
    assert.equal(sites[0]!.calls.reduce((n, c) => n + c.count, 0), depth - 1);
    // Each span's two stacks are parsed once (at most 200 frames each); walking ancestors again would look at
    // depth²/2 stacks.
    assert.ok(framesLooked <= depth * 2 * 200, `${framesLooked} frames looked at`);
  });
});

/** Random trees, deep and wide: each span hangs under the one before it (deeper) or under any earlier one. */
const deepAndWide = fc
  .record({
    size: fc.integer({ min: 1, max: 4000 }),
    deepen: fc.double({ min: 0, max: 1, noNaN: true }),
    seed: fc.integer(),
    services: fc.integer({ min: 1, max: 4 }),
  })
  .map(({ size, deepen, seed, services }) => {
    let x = seed >>> 0 || 1;
    const random = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const kinds: SpanRecord['kind'][] = ['server', 'client', 'internal', 'producer', 'consumer'];
    const base = deepChain(size, 4);
    return base.map((span, i) => {
      const parent = i === 0 ? -1 : random() < deepen ? i - 1 : Math.floor(random() * i);
      const start = Math.floor(random() * 1000);
      return {
        ...span,
        parentSpanId: parent < 0 ? '' : base[parent]!.spanId,
        service: `s${Math.floor(random() * services)}`,
        kind: kinds[Math.floor(random() * kinds.length)]!,
        startUs: span.startUs + start,
        endUs: span.startUs + start + Math.floor(random() * 2000),
        status: { code: random() < 0.2 ? ('error' as const) : ('unset' as const), message: '' },
      };
    });
  });

describe('on random deep and wide trees', () => {
  it('never throws, and the critical path tiles the root', () => {
    fc.assert(
      fc.property(deepAndWide, (spans) => {
        const analysis = analyzeTrace(spans)!;
        const tree = buildTree(spans)!;
        assert.equal(analysis.spanCount, tree.nodes.length);
        const path = analysis.criticalPath;
        if (tree.root.endUs === tree.root.startUs) return assert.equal(path.length, 0);
        assert.equal(path[0]!.startUs, tree.root.startUs);
        assert.equal(path[path.length - 1]!.endUs, tree.root.endUs);
        for (let i = 1; i < path.length; i++) assert.equal(path[i]!.startUs, path[i - 1]!.endUs);
      }),
      { numRuns: 40 },
    );
  });
});
