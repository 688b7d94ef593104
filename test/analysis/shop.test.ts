/**
 * The shop from the demo, drawn in both modes, analysed: the blocking chain,
 * the latency accumulation, the findings and the what-if savings.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeTrace } from '../../src/analysis/analyze-trace';
import { buildTree } from '../../src/analysis/trace-tree';
import { projectedDuration } from '../../src/analysis/what-if';
import { ms } from '../support/timeline';
import { events, sync } from '../support/shop-drawings';

describe('the shop in sync mode', () => {
  const analysis = analyzeTrace(sync.spans)!;

  it('is one blocking chain of synchronous calls, about 650 ms', () => {
    assert.equal(analysis.durationUs, ms(680));
    assert.ok(analysis.edges.every((e) => e.mode === 'sync'), JSON.stringify(analysis.edges));
  });

  it('puts the email call on the critical path, and the path tiles the request', () => {
    const path = analysis.criticalPath;
    assert.equal(path[0]!.startUs, sync.spans[0]!.startUs);
    assert.equal(path.at(-1)!.endUs, sync.spans[0]!.endUs);
    for (let i = 1; i < path.length; i++) assert.equal(path[i]!.startUs, path[i - 1]!.endUs);
    assert.ok(path.some((s) => s.spanId === sync.id('POST /send')));
  });

  it('ranks the chain through email first, and its hops add up to the request', () => {
    const chain = analysis.blockingChains[0]!;
    assert.deepEqual(chain.services, ['gateway', 'orders', 'email']);
    assert.equal(chain.hops, 2);
    const total = chain.breakdown.reduce((sum, h) => sum + h.selfUs + h.networkUs + h.waitUs, 0);
    assert.equal(total, ms(680));
    assert.equal(chain.accumulatedUs, chain.breakdown.reduce((sum, h) => sum + h.selfUs + h.networkUs, 0));
    const orders = chain.breakdown[1]!;
    assert.equal(orders.waitUs, ms(102 + 22 + 43), 'orders waited on payments, inventory and analytics off this chain');
  });

  it('flags email and analytics as work the order need not wait for, with their savings', () => {
    const flagged = analysis.findings.filter((f) => f.rule === 'sync-non-critical');
    assert.deepEqual(flagged.map((f) => f.spanIds[0]).sort(), [sync.id('orders → email'), sync.id('orders → analytics')].sort());
    const email = flagged.find((f) => f.spanIds[0] === sync.id('orders → email'))!;
    assert.equal(email.savingUs, ms(502 - 1), 'the email call becomes a 1 ms publish');
    const analytics = flagged.find((f) => f.spanIds[0] === sync.id('orders → analytics'))!;
    assert.equal(analytics.savingUs, ms(43 - 1));
    assert.match(email.message, /orders waits 502 ms for email POST \/send/);
  });

  it('projects the request with email made async, and with email and analytics both made events (≈550 ms saved)', () => {
    const whatIf = analysis.whatIf.find((w) => w.spanId === sync.id('orders → email') && w.change === 'async')!;
    assert.equal(whatIf.durationUs, ms(680 - 501));
    const tree = buildTree(sync.spans)!;
    const both = projectedDuration(tree.root, new Map([[sync.id('orders → email'), 'async'], [sync.id('orders → analytics'), 'async']]));
    assert.equal(ms(680) - both, ms(501 + 42));
  });
});

describe('the shop in events mode', () => {
  const analysis = analyzeTrace(events.spans)!;
  const mode = (name: string) => analysis.edges.find((e) => e.childSpanId === events.id(name))!.mode;

  it('answers in about 100 ms: the consumers are async and off the critical path', () => {
    assert.equal(analysis.durationUs, ms(132));
    assert.equal(mode('publish order.created'), 'sync');
    assert.equal(mode('process order.created (email)'), 'async');
    assert.equal(mode('process order.created (analytics)'), 'async');
    const onPath = new Set(analysis.criticalPath.map((s) => s.spanId));
    assert.ok(!onPath.has(events.id('process order.created (email)')));
  });

  it('measures the time order.created waited in the queue', () => {
    const edge = analysis.edges.find((e) => e.childSpanId === events.id('process order.created (email)'))!;
    assert.equal(edge.queueUs, ms(140 - 128));
  });

  it('isolates the failing email consumer from the order', () => {
    assert.equal(analysis.failures.length, 1);
    const failure = analysis.failures[0]!;
    assert.equal(failure.originSpanId, events.id('send confirmation email'));
    assert.deepEqual(failure.propagatedSpanIds, [events.id('process order.created (email)')]);
    assert.equal(failure.containedBySpanId, null);
    assert.equal(failure.isolated, true);
    assert.ok(!analysis.findings.some((f) => f.rule === 'sync-non-critical' || f.severity === 'error'));
  });
});
