/**
 * The demo shop, for real: seven processes instrumented with the OpenTelemetry
 * SDK send their spans to `hopscope serve` (from dist/, so build first), and
 * each order's trace must have the shape the demo is meant to show. Only
 * structure is asserted (parents, links, kinds, status, which span ends before
 * which), never durations.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SpanRecord } from '../../src/model/span';
import type { OrderResult } from '../../demo/shop';
import { analyzeTrace } from '../../src/analysis/analyze-trace';
import { request } from '../support/http-client';
import { storedTrace, useServedDemo } from '../support/served-demo';

/** The stored trace once it has a span with each `service name` key and the receiver calls it settled. */
function traceWith(port: number, traceId: string, expected: string[]): Promise<SpanRecord[]> {
  return storedTrace(port, traceId, async (spans) => {
    const have = new Set(spans.map(key));
    const missing = expected.filter((k) => !have.has(k));
    // Names alone can hide a missing span (gateway's client and server are both "POST /orders"):
    // the analysis below wants the whole trace, so wait until the receiver calls it settled.
    if (missing.length > 0) return missing;
    return (await settled(port, traceId)) ? [] : ['(not settled yet)'];
  });
}

async function settled(port: number, traceId: string): Promise<boolean> {
  const reply = await request(port, 'GET', '/api/traces');
  return (JSON.parse(reply.text) as { traces: { traceId: string; settled: boolean }[] }).traces.some((t) => t.traceId === traceId && t.settled);
}

const key = (span: SpanRecord) => `${span.service} ${span.name}`;

function only(spans: SpanRecord[], service: string, name: string, kind?: SpanRecord['kind']): SpanRecord {
  const found = spans.filter((s) => s.service === service && s.name === name && (kind === undefined || s.kind === kind));
  assert.equal(found.length, 1, `expected one ${kind ?? ''} span "${name}" in ${service}, found ${found.length}`);
  return found[0]!;
}

function ordered(result: OrderResult, status: number): string {
  assert.equal(result.status, status, `order answered ${result.status}: ${result.error ?? ''}`);
  assert.match(result.traceId ?? '', /^[0-9a-f]{32}$/);
  return result.traceId!;
}

const HAPPY_PATH = ['gateway POST /orders', 'orders POST /orders', 'orders POST /charge', 'payments POST /charge', 'payments charge card', 'orders POST /reserve', 'inventory POST /reserve', 'inventory reserve stock'];

describe('demo shop sending to hopscope serve', () => {
  const served = useServedDemo();

  it('sync order: orders waits for email, then analytics, inside its own span', async () => {
    const traceId = ordered(await served.demo().sendOrder('sync'), 201);
    const spans = await traceWith(served.server().httpPort, traceId, [...HAPPY_PATH, 'orders POST /send', 'email POST /send', 'email send confirmation email', 'orders POST /track', 'analytics POST /track', 'analytics track order']);

    const roots = spans.filter((s) => s.parentSpanId === '');
    assert.deepEqual(roots.map((s) => [s.service, s.name, s.kind]), [['gateway', 'POST /orders', 'server']]);
    // The shop warmed up with one order of each mode before this, the first test, and recorded none of it: each
    // service exports its spans in the order they ended, so any warm-up span would be here before this trace.
    const stored = JSON.parse((await request(served.server().httpPort, 'GET', '/api/traces')).text) as { traces: { traceId: string }[] };
    assert.deepEqual(stored.traces.map((t) => t.traceId), [traceId], 'only the first order\'s trace is stored');
    assert.deepEqual([...new Set(spans.map((s) => s.service))].sort(), ['analytics', 'email', 'gateway', 'inventory', 'orders', 'payments']);
    assert.deepEqual(spans.filter((s) => s.status.code === 'error'), []);
    assert.equal(spans.filter((s) => s.kind === 'producer' || s.kind === 'consumer').length, 0);

    const gatewayCall = only(spans, 'gateway', 'POST /orders', 'client');
    const orders = only(spans, 'orders', 'POST /orders', 'server');
    assert.equal(gatewayCall.parentSpanId, roots[0]!.spanId);
    assert.equal(orders.parentSpanId, gatewayCall.spanId);

    const emailCall = only(spans, 'orders', 'POST /send', 'client');
    const analyticsCall = only(spans, 'orders', 'POST /track', 'client');
    assert.equal(emailCall.parentSpanId, orders.spanId);
    assert.equal(only(spans, 'email', 'POST /send', 'server').parentSpanId, emailCall.spanId);
    assert.equal(emailCall.attributes['peer.service'], 'email');
    assert.ok(emailCall.endUs <= orders.endUs, 'the email call ends inside the order');
    // The instrumentation ends a client span in its own 'end' listener, which may run just after the
    // awaiting code has started the next call: allow that sliver.
    assert.ok(analyticsCall.startUs >= emailCall.endUs - 1000, 'analytics is called only after email answered');

    // What the analysis makes of it: the blocking call to email, and what making it an event saves.
    const analysis = analyzeTrace(spans)!;
    assert.ok(analysis.blockingChains[0]!.services.includes('email'), 'the heaviest blocking chain runs through email');
    const flagged = analysis.findings.filter((f) => f.rule === 'sync-non-critical');
    assert.deepEqual(flagged.map((f) => f.spanIds[0]).sort(), [emailCall.spanId, analyticsCall.spanId].sort());
    const emailSaving = flagged.find((f) => f.spanIds[0] === emailCall.spanId)!.savingUs!;
    assert.ok(emailSaving >= emailCall.endUs - emailCall.startUs - 2000, `making email async saves its whole call: ${emailSaving} µs`);
  });

  it('events order: email and analytics consume order.created after the order is answered', async () => {
    const traceId = ordered(await served.demo().sendOrder('events'), 201);
    const spans = await traceWith(served.server().httpPort, traceId, [...HAPPY_PATH, 'orders publish order.created', 'email process order.created', 'email send confirmation email', 'analytics process order.created', 'analytics track order']);

    assert.deepEqual(spans.filter((s) => s.parentSpanId === '').map(key), ['gateway POST /orders']);
    assert.deepEqual(spans.filter((s) => s.status.code === 'error'), []);
    assert.equal(spans.filter((s) => s.name === 'POST /send' || s.name === 'POST /track').length, 0, 'no synchronous calls to email or analytics');

    const orders = only(spans, 'orders', 'POST /orders', 'server');
    const producer = only(spans, 'orders', 'publish order.created', 'producer');
    assert.equal(producer.parentSpanId, orders.spanId);
    assert.equal(producer.attributes['messaging.destination.name'], 'order.created');
    assert.equal(typeof producer.attributes['messaging.message.id'], 'string');

    for (const [service, work] of [['email', 'send confirmation email'], ['analytics', 'track order']] as const) {
      const consumer = only(spans, service, 'process order.created', 'consumer');
      assert.equal(consumer.parentSpanId, producer.spanId, `${service} consumes as a child of the producer`);
      assert.deepEqual(consumer.links.map((l) => [l.traceId, l.spanId]), [[traceId, producer.spanId]], `${service} links to the producer`);
      assert.equal(consumer.attributes['messaging.consumer.group.name'], service);
      assert.equal(consumer.attributes['messaging.operation.type'], 'process');
      assert.equal(consumer.attributes['messaging.message.id'], producer.attributes['messaging.message.id']);
      assert.equal(only(spans, service, work, 'internal').parentSpanId, consumer.spanId);
    }
    const emailWork = only(spans, 'email', 'send confirmation email', 'internal');
    assert.ok(orders.endUs < emailWork.endUs, 'the order is answered before the email is sent');

    const analysis = analyzeTrace(spans)!;
    const consumer = only(spans, 'email', 'process order.created', 'consumer');
    assert.equal(analysis.edges.find((e) => e.childSpanId === consumer.spanId)!.mode, 'async');
    assert.ok(!analysis.criticalPath.some((s) => s.spanId === consumer.spanId || s.spanId === emailWork.spanId), 'email is off the critical path');
    assert.ok(!analysis.findings.some((f) => f.rule === 'sync-non-critical'));
  });

  it('payments failing: the error cascades from payments to the root', async () => {
    await served.demo().setSwitches('payments', { behaviour: 'fail' });
    try {
      const traceId = ordered(await served.demo().sendOrder('sync'), 502);
      const spans = await traceWith(served.server().httpPort, traceId, ['gateway POST /orders', 'orders POST /orders', 'orders POST /charge', 'payments POST /charge', 'payments charge card']);
      const root = only(spans, 'gateway', 'POST /orders', 'server');
      assert.equal(root.parentSpanId, '');
      for (const span of [root, only(spans, 'orders', 'POST /orders', 'server'), only(spans, 'payments', 'POST /charge', 'server')]) {
        assert.equal(span.status.code, 'error', `${key(span)} is failed`);
      }
      assert.match(only(spans, 'payments', 'POST /charge', 'server').status.message, /declined/);
      assert.equal(spans.filter((s) => s.service === 'inventory').length, 0, 'orders stops at the failed payment');

      const analysis = analyzeTrace(spans)!;
      const cascade = analysis.failures.find((f) => f.propagatedSpanIds.includes(root.spanId))!;
      assert.equal(analysis.spanCount > 0 && spans.find((s) => s.spanId === cascade.originSpanId)!.service, 'payments', 'the failure started in payments');
      assert.equal(cascade.containedBySpanId, null);
      assert.deepEqual(cascade.services, ['payments', 'orders', 'gateway']);
      assert.equal(analysis.findings.find((f) => f.rule === 'cascading-failure')!.severity, 'error');
    } finally {
      await served.demo().setSwitches('payments', { behaviour: 'ok' });
    }
  });

  it('payments slow: orders gives up after its timeout while payments works on', async () => {
    await served.demo().setSwitches('payments', { behaviour: 'slow' });
    try {
      const traceId = ordered(await served.demo().sendOrder('events'), 502);
      const spans = await traceWith(served.server().httpPort, traceId, ['gateway POST /orders', 'orders POST /orders', 'orders POST /charge', 'payments POST /charge', 'payments charge card']);
      const call = only(spans, 'orders', 'POST /charge', 'client');
      assert.equal(call.status.code, 'error');
      assert.equal(call.attributes['error.type'], 'timeout');
      assert.ok(only(spans, 'payments', 'charge card', 'internal').endUs > only(spans, 'orders', 'POST /orders', 'server').endUs, 'payments is still charging after orders answered');
    } finally {
      await served.demo().setSwitches('payments', { behaviour: 'ok' });
    }
  });

  it('email down: an events order still succeeds, only the email consumer fails', async () => {
    await served.demo().setSwitches('email', { behaviour: 'down' });
    try {
      const traceId = ordered(await served.demo().sendOrder('events'), 201);
      const spans = await traceWith(served.server().httpPort, traceId, [...HAPPY_PATH, 'orders publish order.created', 'email process order.created', 'analytics process order.created', 'analytics track order']);
      assert.deepEqual(spans.filter((s) => s.status.code === 'error').map(key), ['email process order.created']);
      const [failure] = analyzeTrace(spans)!.failures;
      assert.equal(failure!.isolated, true, 'the email failure stays behind the queue');
    } finally {
      await served.demo().setSwitches('email', { behaviour: 'ok' });
    }
  });
});
