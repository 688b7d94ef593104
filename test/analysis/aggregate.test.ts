/** Across traces: endpoints with percentiles and critical-path share, and a service graph with uninstrumented peers. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aggregate } from '../../src/analysis/aggregate';
import { buildTree } from '../../src/analysis/trace-tree';
import { ms, timeline } from '../support/timeline';

const order = (total: number, failed = false) =>
  buildTree(
    timeline(`
      gateway | POST /orders | server | 0-${total} ${failed ? '| error' : ''}
        gateway | gw→orders | client | 1-${total - 1} ${failed ? '| error' : ''}
          orders | POST /orders (orders) | server | 2-${total - 2} ${failed ? '| error' : ''}
            orders | SELECT orders | client | 3-13 | db.system=postgresql
            orders | publish order.created | producer | 14-15 | messaging.system=kafka
              email | process order.created | consumer | 20-520
    `).spans,
  )!;

describe('the aggregate over traces', () => {
  const result = aggregate([order(100), order(200), order(300, true), order(400)]);

  it('gives each endpoint its count, error rate and percentiles', () => {
    const root = result.endpoints.find((e) => e.service === 'gateway')!;
    assert.deepEqual([root.count, root.errorRate, root.p50Us, root.p95Us, root.p99Us], [4, 0.25, ms(200), ms(400), ms(400)]);
    assert.equal(root.criticalShare, 1, 'a root is on its own critical path all the time');
    const consumer = result.endpoints.find((e) => e.service === 'email')!;
    assert.equal(consumer.criticalShare, 0, 'async work is never on the critical path');
  });

  it('draws calls between services, sync and async, and peers that send no spans', () => {
    const edge = (from: string, to: string) => result.edges.find((e) => e.from === from && e.to === to);
    assert.deepEqual({ ...edge('gateway', 'orders'), p50Us: undefined, p95Us: undefined }, { from: 'gateway', to: 'orders', mode: 'sync', calls: 4, errors: 1, p50Us: undefined, p95Us: undefined });
    // A message goes through its broker, a peer of its own: orders ─async→ kafka ─async→ email.
    assert.equal(edge('orders', 'email'), undefined);
    assert.deepEqual([edge('orders', 'kafka')!.mode, edge('orders', 'kafka')!.calls], ['async', 4]);
    assert.deepEqual([edge('kafka', 'email')!.mode, edge('kafka', 'email')!.calls], ['async', 4]);
    assert.equal(edge('orders', 'postgresql')!.calls, 4);
    assert.deepEqual(result.services.map((s) => [s.name, s.instrumented]), [['email', true], ['gateway', true], ['kafka', false], ['orders', true], ['postgresql', false]]);
  });

  it('keeps no slowest calls unless asked to, and then keeps one per trace, slowest first', () => {
    assert.ok(result.edges.every((e) => !('slowest' in e)));
    const asked = aggregate([order(100), order(300, true), order(200)].map((tree, i) => ({ ...tree, traceId: `${i}`.repeat(32) })), { slowestCalls: 2 });
    const slowest = asked.edges.find((e) => e.from === 'gateway' && e.to === 'orders')!.slowest!;
    assert.deepEqual(slowest, [
      { traceId: '1'.repeat(32), rootName: 'POST /orders', durationUs: ms(298), failed: true },
      { traceId: '2'.repeat(32), rootName: 'POST /orders', durationUs: ms(198), failed: false },
    ]);
  });
});
