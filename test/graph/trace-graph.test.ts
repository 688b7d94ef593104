import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ELK from 'elkjs/lib/elk.bundled.js';
import { syntheticTrace } from '../../bench/synthetic';
import { toTraceView } from '../../src/views/trace-view';
import type { TraceView } from '../../src/protocol/trace-view';
import { readLayout, toElk } from '../../webview/graph/elk-graph';
import { buildTraceGraph, NODE_BUDGET, type GraphModel } from '../../webview/graph/trace-graph';
import { sync } from '../support/shop-drawings';
import { timeline } from '../support/timeline';

const viewOf = (spans: Parameters<typeof toTraceView>[1]): TraceView => toTraceView(spans[0]!.traceId, spans, [])!;
const none = { expanded: new Set<string>(), important: new Set<string>() };
const names = (model: GraphModel) => model.nodes.map((n) => `${n.service}:${n.name}${n.count > 1 ? ` ×${n.count}` : ''}`);

//  orders  POST /orders [==================================]
//  orders    SELECT item [=] [=] [=] [=] [=]              five times the same query: one node ×5
//  orders    GET price [=] [=]                             twice: two nodes
const nPlusOne = timeline(`
  orders | POST /orders | server | 0-200
    orders | SELECT item | client | 10-20 | db.system.name=postgresql
    orders | SELECT item | client | 20-30 | db.system.name=postgresql
    orders | SELECT item | client | 30-40 | db.system.name=postgresql
    orders | SELECT item | client | 40-50 | db.system.name=postgresql
    orders | SELECT item | client | 50-60 | db.system.name=postgresql
    orders | GET price | client | 60-80
    orders | GET price | client | 80-100
`);

//  gateway  GET /page [========================================]
//  gateway    GET /user ×3 → users GET /user ×3 → users SELECT user ×3   merged level by level
const repeatedCalls = timeline(`
  gateway | GET /page | server | 0-300
    gateway | GET /user | client | 10-90
      users | GET /user | server | 11-89
        users | SELECT user | client | 20-30
    gateway | GET /user | client | 100-190
      users | GET /user | server | 101-189
        users | SELECT user | client | 110-120
    gateway | GET /user | client | 200-290
      users | GET /user | server | 201-289
        users | SELECT user | client | 210-220
`);

describe('the trace graph', () => {
  it('has a node per span of the sync shop, in one box per service, each call an edge from its caller', () => {
    const model = buildTraceGraph(viewOf(sync.spans), none);
    assert.equal(model.nodes.length, 11);
    assert.deepEqual([...model.services.keys()], ['gateway', 'orders', 'payments', 'inventory', 'email', 'analytics']);
    const byKey = new Map(model.nodes.map((n) => [n.key, n]));
    const send = model.nodes.find((n) => n.name === 'POST /send')!;
    assert.equal(byKey.get(send.parentKey!)!.name, 'orders → email');
    assert.equal(send.mode, 'sync');
    assert.equal(send.durationUs, 500_000);
    assert.equal(send.selfUs, 500_000);
    for (const span of sync.spans) assert.ok(model.nodeOfSpan.has(span.spanId), `span ${span.name} is shown`);
  });

  it('folds five repeated queries into one ×5 node but keeps a pair apart', () => {
    const model = buildTraceGraph(viewOf(nPlusOne.spans), none);
    assert.deepEqual(names(model), ['orders:POST /orders', 'orders:SELECT item ×5', 'orders:GET price', 'orders:GET price']);
    const group = model.nodes[1]!;
    assert.equal(group.repeated, true);
    assert.equal(group.totalUs, 50_000);
    assert.equal(group.spanIds.length, 5);
  });

  it('opens a ×5 node into its five calls when its key is expanded', () => {
    const group = buildTraceGraph(viewOf(nPlusOne.spans), none).nodes[1]!;
    const open = buildTraceGraph(viewOf(nPlusOne.spans), { ...none, expanded: new Set([group.key]) });
    assert.deepEqual(names(open), ['orders:POST /orders', 'orders:SELECT item', 'orders:SELECT item', 'orders:SELECT item', 'orders:SELECT item', 'orders:SELECT item', 'orders:GET price', 'orders:GET price']);
    assert.ok(open.nodes.slice(1, 6).every((n) => n.repeated && n.key.startsWith(`${group.key}#`)));
  });

  it('merges the callees of repeated calls level by level', () => {
    const model = buildTraceGraph(viewOf(repeatedCalls.spans), none);
    assert.deepEqual(names(model), ['gateway:GET /page', 'gateway:GET /user ×3', 'users:GET /user ×3', 'users:SELECT user ×3']);
  });

  it('keeps its keys when a late span arrives, so that opened groups and selection stay put', () => {
    const before = buildTraceGraph(viewOf(sync.spans.slice(0, 9)), none);
    const after = buildTraceGraph(viewOf(sync.spans), none);
    for (const node of before.nodes) assert.equal(after.nodes.find((n) => n.spanIds[0] === node.spanIds[0])?.key, node.key);
  });

  /** The synthetic checkout plus 400 distinct quick calls from the root, and one slow call after them. */
  const crowded = () => {
    const spans = syntheticTrace(3, 20);
    const root = spans[0]!;
    const call = (i: number, name: string, start: number, end: number) => ({ ...root, spanId: (0x1000 + i).toString(16).padStart(16, '0'), parentSpanId: root.spanId, name, kind: 'internal' as const, startUs: root.startUs + start, endUs: root.startUs + end });
    const quick = Array.from({ length: 400 }, (_, i) => call(i, `call ${i}`, i, i + 1));
    // The quick calls are off the critical path: before the slow call, the root waited on the setup that
    // finished last (Jaeger's rule), not on the quick calls that finished earlier.
    return viewOf([...spans, ...quick, call(401, 'setup', 0, 500), call(400, 'slow call', 500, root.endUs - root.startUs)]);
  };

  it('folds subtrees past the node budget, never the highlighted chain, and accounts for every span', () => {
    const view = crowded();
    const chain = new Set(view.analysis.blockingChains[0]!.spanIds);
    const model = buildTraceGraph(view, { expanded: new Set(), important: chain });
    const folds = model.nodes.filter((n) => n.folded !== undefined);
    assert.ok(folds.length > 0);
    assert.ok(model.nodes.length <= NODE_BUDGET, `${model.nodes.length} nodes, folds included`);
    for (const spanId of chain) assert.ok(!model.nodeOfSpan.get(spanId)!.startsWith('more:'), 'the chain stays visible');
    assert.equal(model.nodeOfSpan.size, view.nodes.length);
    const shown = model.nodes.reduce((sum, n) => sum + n.spanIds.length, 0);
    assert.equal(shown + folds.reduce((sum, f) => sum + f.folded!, 0), view.nodes.length);
    const opened = buildTraceGraph(view, { expanded: new Set([folds[0]!.key]), important: chain });
    assert.ok(opened.nodes.length > model.nodes.length);
  });

  it('keeps the critical path before other spans while the budget lasts', () => {
    const view = crowded();
    const slow = view.nodes.find((n) => n.name === 'slow call')!.spanId;
    const critical = new Set(view.analysis.criticalPath.map((s) => s.spanId));
    assert.ok(critical.has(slow));
    assert.match(buildTraceGraph(view, { expanded: new Set(), important: new Set() }).nodeOfSpan.get(slow)!, /^more:/, 'breadth first alone folds it');
    const model = buildTraceGraph(view, { expanded: new Set(), important: new Set(), preferred: critical });
    assert.doesNotMatch(model.nodeOfSpan.get(slow)!, /^more:/);
    assert.ok(model.nodes.length <= NODE_BUDGET);
  });

  it('keeps a trace where every span is on the critical path within the budget', () => {
    // 5,000 sequential calls, each different: all of them are on the critical path.
    const spans = syntheticTrace(5, 5000).map((s, i) => ({ ...s, name: `${s.name} #${i}` }));
    const view = viewOf(spans);
    const model = buildTraceGraph(view, { expanded: new Set(), important: new Set(), preferred: new Set(view.analysis.criticalPath.map((s) => s.spanId)) });
    assert.ok(model.nodes.length <= NODE_BUDGET, `${model.nodes.length} nodes, folds included`);
  });

  it('does not mutate the view it is built from', () => {
    const view = viewOf(repeatedCalls.spans);
    const copy = structuredClone(view);
    buildTraceGraph(view, none);
    assert.deepEqual(view, copy);
  });
});

describe('the graph laid out by ELK', () => {
  const elk = new ELK();

  it('places calls left to right, each node inside its service box, and routes each edge from caller to callee', async () => {
    const model = buildTraceGraph(viewOf(sync.spans), none);
    const layout = readLayout(model, await elk.layout(toElk(model)));
    const byKey = new Map(model.nodes.map((n) => [n.key, n]));
    for (const node of model.nodes) {
      const box = layout.nodes.get(node.key)!;
      const service = layout.services.get(node.service)!;
      assert.ok(box.x >= service.x && box.y >= service.y && box.x + box.width <= service.x + service.width && box.y + box.height <= service.y + service.height, `${node.name} inside ${node.service}`);
      if (node.parentKey === undefined) continue;
      const parent = layout.nodes.get(byKey.get(node.parentKey)!.key)!;
      assert.ok(box.x > parent.x, `${node.name} right of its caller`);
      const route = layout.edges.get(node.key)!;
      assert.ok(Math.abs(route[0]!.x - (parent.x + parent.width)) < 1, 'the edge leaves the caller on its right');
      assert.ok(Math.abs(route[route.length - 1]!.x - box.x) < 1, 'and ends at the callee on its left');
    }
  });

  it('stacks the calls of one caller top to bottom in the order they were made', async () => {
    const model = buildTraceGraph(viewOf(sync.spans), none);
    const layout = readLayout(model, await elk.layout(toElk(model)));
    const y = (name: string) => layout.nodes.get(model.nodes.find((n) => n.name === name)!.key)!.y;
    assert.ok(y('orders → payments') < y('orders → inventory'));
    assert.ok(y('orders → inventory') < y('orders → email'));
    assert.ok(y('orders → email') < y('orders → analytics'));
  });

  it('lays out a 1,000-span trace with no two nodes overlapping', async () => {
    const view = viewOf(syntheticTrace(4, 1000));
    const model = buildTraceGraph(view, { expanded: new Set(), important: new Set(), preferred: new Set(view.analysis.criticalPath.map((s) => s.spanId)) });
    const layout = readLayout(model, await elk.layout(toElk(model)));
    const boxes = [...layout.nodes.values()];
    assert.equal(boxes.length, model.nodes.length);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        assert.ok(apart, `nodes ${i} and ${j} overlap`);
      }
    }
  });
});

describe('the trace graph of a trace a sender made 100,000 deep', () => {
  it('folds within its node budget even with the whole chain highlighted, keeps short keys, and accounts for every span', async () => {
    const { deepChain, deepCycle } = await import('../../bench/deep.js');
    for (const spans of [deepChain(100_000), deepCycle(100_000)]) {
      const view = viewOf(spans);
      const chain = new Set(view.analysis.blockingChains[0]!.spanIds);
      assert.equal(chain.size, 100_000);
      const model = buildTraceGraph(view, { expanded: new Set(), important: chain, preferred: new Set(view.analysis.criticalPath.map((s) => s.spanId)) });
      assert.ok(model.nodes.length <= NODE_BUDGET, `${model.nodes.length} nodes, folds included`);
      assert.ok(model.nodes.every((n) => n.key.length <= 260), 'keys stay short however deep');
      assert.equal(new Set(model.nodes.map((n) => n.key)).size, model.nodes.length, 'keys are unique');
      assert.equal(model.nodeOfSpan.size, view.nodes.length);
      const folds = model.nodes.filter((n) => n.folded !== undefined);
      assert.equal(model.nodes.reduce((sum, n) => sum + n.spanIds.length, 0) + folds.reduce((sum, f) => sum + f.folded!, 0), view.nodes.length);
    }
  });
});
