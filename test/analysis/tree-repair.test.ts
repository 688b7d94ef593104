/** Broken traces are repaired and reported, never a crash or a loop; the analysis holds its promises on any tree. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { analyzeTrace } from '../../src/analysis/analyze-trace';
import { buildTree } from '../../src/analysis/trace-tree';
import { projectedDuration } from '../../src/analysis/what-if';
import type { SpanRecord } from '../../src/model/span';
import { ms, timeline, TRACE_ID } from '../support/timeline';

describe('repairing a call tree', () => {
  it('keeps orphans under a placeholder for the missing parent, apart from the request', () => {
    const drawn = timeline(`
      gateway | GET / | server | 0-100
      orders | orphan work | server | 10-50 | parent=ghost
      ghost | ghost | internal | 0-0 | id=ff
    `);
    const spans = drawn.spans.filter((s) => s.name !== 'ghost');
    const tree = buildTree(spans)!;
    assert.equal(tree.root.name, 'GET /');
    assert.equal(tree.detached[0]!.span, undefined);
    assert.deepEqual(tree.detached[0]!.children.map((c) => c.name), ['orphan work']);
    assert.deepEqual(tree.repairs.filter((r) => r.kind === 'missing-parent').map((r) => r.spanId), ['00000000000000ff']);
  });

  it('drops a duplicate span id (first wins), cuts self-parenting and cycles', () => {
    const drawn = timeline(`
      api | root | server | 0-100
        api | a | internal | 10-20
      api | loop1 | internal | 30-40 | parent=loop2
      api | loop2 | internal | 30-40 | parent=loop1
    `);
    const self = { ...drawn.spans[1]!, spanId: 'aaaaaaaaaaaaaaaa', parentSpanId: 'aaaaaaaaaaaaaaaa' };
    const tree = buildTree([...drawn.spans, drawn.spans[1]!, self])!;
    const kinds = tree.repairs.map((r) => r.kind).sort();
    assert.deepEqual(kinds, ['cycle', 'detached-root', 'detached-root', 'duplicate-span', 'self-parent']);
    assert.equal(tree.nodes.length, 5);
  });

  it('moves a server span that its client clock says started early into the middle of its client span', () => {
    const drawn = timeline(`
      web | GET / | server | 0-200
        web | web→api | client | 50-150
          api | GET /api | server | 20-100
    `);
    const tree = buildTree(drawn.spans)!;
    const server = tree.byId.get(drawn.id('GET /api'))!;
    assert.deepEqual([server.startUs - drawn.spans[0]!.startUs, server.endUs - drawn.spans[0]!.startUs, server.skewUs], [ms(60), ms(140), ms(40)]);
    assert.ok(tree.repairs.some((r) => r.kind === 'clock-skew' && r.shiftUs === ms(40)));
  });
});

/** Random trees the store could hold: any parents (including missing and looping), any times. */
const arbitrarySpans = fc.array(
  fc.record({ parent: fc.nat(40), start: fc.integer({ min: 0, max: 1000 }), length: fc.integer({ min: 0, max: 1000 }), service: fc.constantFrom('a', 'b', 'c'), kind: fc.constantFrom('server', 'client', 'internal', 'producer', 'consumer'), failed: fc.boolean() }),
  { minLength: 1, maxLength: 40 },
).map((rows) =>
  rows.map((row, i): SpanRecord => ({
    traceId: TRACE_ID, spanId: (i + 1).toString(16).padStart(16, '0'), parentSpanId: row.parent === 0 || row.parent > rows.length + 2 ? '' : row.parent.toString(16).padStart(16, '0'),
    traceState: '', flags: 1, name: `op${i % 4}`, kind: row.kind, service: row.service, startUs: row.start * 1000, endUs: (row.start + row.length) * 1000,
    status: { code: row.failed ? 'error' : 'unset', message: '' }, attributes: {}, events: [], links: [],
    resource: { attributes: {}, droppedAttributesCount: 0 }, scope: { name: '', version: '' }, droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
  })),
);

describe('on any tree', () => {
  it('never throws, never mutates its input, and the critical path tiles the root', () => {
    fc.assert(
      fc.property(arbitrarySpans, (spans) => {
        const before = JSON.stringify(spans);
        const analysis = analyzeTrace(spans)!;
        assert.equal(JSON.stringify(spans), before);
        const tree = buildTree(spans)!;
        const path = analysis.criticalPath;
        if (tree.root.endUs > tree.root.startUs) {
          assert.equal(path[0]!.startUs, tree.root.startUs);
          assert.equal(path.at(-1)!.endUs, tree.root.endUs);
          for (let i = 1; i < path.length; i++) assert.equal(path[i]!.startUs, path[i - 1]!.endUs);
        }
        for (const segment of path) assert.ok(analysis.edges.every((e) => e.childSpanId !== segment.spanId || e.mode === 'sync' || e.mode === 'parallel'));
      }),
      { numRuns: 500 },
    );
  });

  it('breaks every blocking chain down into parts that add up to its first span', () => {
    fc.assert(
      fc.property(arbitrarySpans, (spans) => {
        const analysis = analyzeTrace(spans)!;
        const tree = buildTree(spans)!;
        for (const chain of analysis.blockingChains) {
          const first = tree.byId.get(chain.spanIds[0]!)!;
          const sum = chain.breakdown.reduce((s, h) => s + h.selfUs + h.networkUs + h.waitUs, 0);
          assert.equal(sum, first.endUs - first.startUs);
          assert.equal(chain.hops, chain.breakdown.length - 1);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('projects no change as the request itself, and no change makes it longer', () => {
    fc.assert(
      fc.property(arbitrarySpans, (spans) => {
        const analysis = analyzeTrace(spans)!;
        assert.equal(projectedDuration(buildTree(spans)!.root, new Map()), analysis.durationUs);
        for (const w of analysis.whatIf) assert.ok(w.durationUs <= analysis.durationUs, JSON.stringify(w));
      }),
      { numRuns: 300 },
    );
  });

  it('never prices a change above the changed call\'s own time on the critical path, nor offers to change the root', () => {
    fc.assert(
      fc.property(arbitrarySpans, (spans) => {
        const analysis = analyzeTrace(spans)!;
        const tree = buildTree(spans)!;
        const onPath = new Map<string, number>();
        for (const s of analysis.criticalPath) onPath.set(s.spanId, (onPath.get(s.spanId) ?? 0) + s.endUs - s.startUs);
        // Time on the path in a call or anything below it.
        const under = (spanId: string): number => {
          let total = 0;
          const stack = [tree.byId.get(spanId)!];
          while (stack.length > 0) {
            const n = stack.pop()!;
            total += onPath.get(n.spanId) ?? 0;
            stack.push(...n.children);
          }
          return total;
        };
        for (const w of analysis.whatIf) {
          assert.notEqual(w.spanId, analysis.rootSpanId);
          assert.equal(w.savingUs, analysis.durationUs - w.durationUs);
          // Running in parallel can also skip the plumbing the call waited for (its checkout moves with it).
          if (w.change !== 'parallel') assert.ok(w.savingUs <= under(w.spanId), `${JSON.stringify(w)} saves more than its ${under(w.spanId)} µs on the path`);
        }
      }),
      { numRuns: 300 },
    );
  });
});
