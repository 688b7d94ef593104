import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ELK from 'elkjs/lib/elk.bundled.js';
import { syntheticTrace } from '../../bench/synthetic';
import { toTraceView, type TraceView } from '../../src/protocol/trace-view';
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

  it('folds subtrees past the node budget, but never the critical path, and accounts for every span', () => {
    // 400 distinct calls under one root: nothing repeats, so only the budget can keep the graph small.
    const spans = syntheticTrace(3, 20);
    const root = spans[0]!;
    const extra = Array.from({ length: 400 }, (_, i) => ({ ...root, spanId: (0x1000 + i).toString(16).padStart(16, '0'), parentSpanId: root.spanId, name: `call ${i}`, kind: 'internal' as const, startUs: root.startUs + i, endUs: root.startUs + i + 1 }));
    const view = viewOf([...spans, ...extra]);
    const critical = new Set(view.analysis.criticalPath.map((s) => s.spanId));
    const model = buildTraceGraph(view, { expanded: new Set(), important: critical });
    const folds = model.nodes.filter((n) => n.folded !== undefined);
    assert.ok(model.nodes.length <= NODE_BUDGET + folds.length, `${model.nodes.length} nodes`);
    assert.ok(folds.length > 0);
    for (const spanId of critical) assert.ok(!model.nodeOfSpan.get(spanId)!.startsWith('more:'), 'critical spans stay visible');
    assert.equal(model.nodeOfSpan.size, view.nodes.length);
    const shown = model.nodes.reduce((sum, n) => sum + n.spanIds.length, 0);
    assert.equal(shown + folds.reduce((sum, f) => sum + f.folded!, 0), view.nodes.length);
    const opened = buildTraceGraph(view, { expanded: new Set([folds[0]!.key]), important: critical });
    assert.ok(opened.nodes.length > model.nodes.length);
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
    const model = buildTraceGraph(view, { expanded: new Set(), important: new Set(view.analysis.criticalPath.map((s) => s.spanId)) });
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
