/** The service map the webview draws: the aggregate, plus each edge's slowest calls to open. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTree } from '../../src/analysis/trace-tree';
import { EDGE_EXAMPLES, toServiceMapView } from '../../src/views/service-map';
import { ms, timeline } from '../support/timeline';

/** One checkout whose two database calls take `first` and `second` ms; the email is published (async). */
const checkout = (traceId: string, first: number, second: number, failed = false) => {
  const tree = buildTree(
    timeline(`
      gateway | POST /checkout | server | 0-900 ${failed ? '| error' : ''}
        gateway | gateway → orders | client | 1-899
          orders | POST /orders | server | 2-898
            orders | SELECT cart | client | 3-${3 + first} | db.system=postgresql
            orders | SELECT prices | client | 400-${400 + second} | db.system=postgresql ${failed ? 'error' : ''}
            orders | publish checkout.done | producer | 890-891 | messaging.system=kafka
              email | process checkout.done | consumer | 900-950
    `).spans.map((span) => ({ ...span, traceId })),
  )!;
  return tree;
};

const id = (n: number) => n.toString(16).padStart(32, '0');
const edge = (view: ReturnType<typeof toServiceMapView>, from: string, to: string) => view.edges.find((e) => e.from === from && e.to === to)!;

describe('the service map view', () => {
  it('lists the slowest calls behind an edge, slowest first, at most five', () => {
    const durations = [10, 70, 30, 90, 50, 20, 80];
    const view = toServiceMapView(durations.map((d, i) => checkout(id(i + 1), d, 1)), 1234);
    const slowest = edge(view, 'orders', 'postgresql').slowest;
    assert.equal(slowest.length, EDGE_EXAMPLES);
    assert.deepEqual(slowest.map((s) => s.durationUs), [ms(90), ms(80), ms(70), ms(50), ms(30)]);
    assert.deepEqual(slowest.map((s) => s.traceId), [id(4), id(7), id(2), id(5), id(3)]);
    assert.ok(slowest.every((s) => s.rootName === 'POST /checkout'));
    assert.equal(view.computedAt, 1234);
  });

  it('takes one call per trace, its slowest, so that each example opens a different request', () => {
    const view = toServiceMapView([checkout(id(1), 10, 300, true), checkout(id(2), 100, 5)], 0);
    const db = edge(view, 'orders', 'postgresql');
    assert.equal(db.calls, 4, 'all calls still count');
    assert.deepEqual(db.slowest, [
      { traceId: id(1), rootName: 'POST /checkout', durationUs: ms(300), failed: true },
      { traceId: id(2), rootName: 'POST /checkout', durationUs: ms(100), failed: false },
    ]);
  });

  it('gives every edge, sync and async, a list (empty only when it has no calls)', () => {
    const view = toServiceMapView([checkout(id(1), 10, 10)], 0);
    assert.deepEqual(view.edges.map((e) => [e.from, e.to, e.mode, e.slowest.length]).sort(), [
      ['gateway', 'orders', 'sync', 1],
      ['kafka', 'email', 'async', 1],
      ['orders', 'kafka', 'async', 1],
      ['orders', 'postgresql', 'sync', 1],
    ]);
    assert.equal(edge(view, 'kafka', 'email').slowest[0]!.durationUs, ms(50));
  });

  it('is plain JSON, and an empty store gives an empty map', () => {
    const view = toServiceMapView([checkout(id(1), 10, 10)], 5);
    assert.deepEqual(JSON.parse(JSON.stringify(view)), view);
    assert.deepEqual(toServiceMapView([], 7), { traces: 0, spans: 0, endpoints: [], services: [], edges: [], computedAt: 7 });
  });

  it('does not change the trees it reads', () => {
    const tree = checkout(id(1), 10, 10);
    const before = tree.nodes.map((n) => [n.spanId, n.startUs, n.endUs, n.children.length]);
    toServiceMapView([tree], 0);
    assert.deepEqual(tree.nodes.map((n) => [n.spanId, n.startUs, n.endUs, n.children.length]), before);
  });
});
