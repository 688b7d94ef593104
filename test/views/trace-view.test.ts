/** What the trace webview is sent: the repaired tree, depth-first, with self time, modes and repairs marked. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogRecord } from '../../src/model/span';
import { toTraceView } from '../../src/views/trace-view';
import type { TraceView } from '../../src/protocol/trace-view';
import { events, sync } from '../support/shop-drawings';
import { ms, TRACE_ID, timeline } from '../support/timeline';

const names = (view: TraceView) => view.nodes.map((n) => n.name);
const node = (view: TraceView, name: string) => view.nodes.find((n) => n.name === name)!;

describe('the trace view', () => {
  it('lists the call tree depth-first, each node after its parent and before its next sibling', () => {
    const view = toTraceView(TRACE_ID, sync.spans, [])!;
    assert.deepEqual(names(view), sync.spans.map((s) => s.name), 'the drawing is already depth-first in start order');
    assert.deepEqual(view.nodes.map((n) => n.depth), [0, 1, 2, 3, 4, 3, 4, 3, 4, 3, 4]);
    assert.equal(view.nodes[0]!.parentSpanId, '');
    for (const n of view.nodes.slice(1)) {
      const parent = view.nodes.findIndex((p) => p.spanId === n.parentSpanId);
      assert.ok(parent >= 0 && parent < view.nodes.indexOf(n), `${n.name} comes after its parent`);
    }
  });

  //  orders  POST /orders  [2 ─────────────────────────────────────── 678]
  //          payments [3─105] inventory [106─128] email [130─632] analytics [633─676]
  //  self = 676 − (102 + 22 + 502 + 43) = 7 ms: the gaps between the calls
  it('gives each node its self time: its duration less what its children cover', () => {
    const view = toTraceView(TRACE_ID, sync.spans, [])!;
    assert.equal(node(view, 'POST /orders').selfUs, ms(2), 'gateway: 0–680 around its client call 1–679');
    assert.equal(view.nodes.find((n) => n.service === 'orders' && n.kind === 'server')!.selfUs, ms(7));
    assert.equal(node(view, 'POST /charge').selfUs, ms(100), 'a leaf is all self time');
  });

  it("orders children by start, marks how each was called and which failed", () => {
    const view = toTraceView(TRACE_ID, events.spans, [])!;
    const consumers = view.nodes.filter((n) => n.kind === 'consumer').map((n) => n.name);
    assert.deepEqual(consumers, ['process order.created (analytics)', 'process order.created (email)'], 'same start: the one that ends first first');
    assert.equal(view.nodes[0]!.mode, undefined);
    assert.equal(node(view, 'process order.created (email)').mode, 'async');
    assert.equal(node(view, 'orders → payments').mode, 'sync');
    assert.deepEqual(view.nodes.filter((n) => n.failed).map((n) => n.name), ['process order.created (email)', 'send confirmation email']);
  });

  //  web    GET /    [0 ────────────── 100]
  //  api    orphans whose parent never arrived, under a placeholder for it:
  //  (missing span)      [50 ── 70]
  //    pricing price items  [50 ── 70]
  //    pricing round prices  [55─60]
  it('puts orphans under a placeholder for their missing parent, after the request', () => {
    const drawn = timeline(`
      web | GET / | server | 0-100
        web | SELECT | client | 10-20 | db.system=postgresql
      pricing | price items | server | 50-70
      pricing | round prices | internal | 55-60
    `);
    const missing = 'abcdefabcdefabcd';
    const spans = drawn.spans.map((s) => (s.name.includes('price') ? { ...s, parentSpanId: missing } : s));
    const view = toTraceView(TRACE_ID, spans, [])!;
    assert.deepEqual(names(view), ['GET /', 'SELECT', '(missing span)', 'price items', 'round prices']);
    const placeholder = view.nodes[2]!;
    assert.deepEqual([placeholder.spanId, placeholder.parentSpanId, placeholder.placeholder, placeholder.failed], [missing, '', true, false]);
    assert.deepEqual(view.nodes.filter((n) => n.placeholder).map((n) => n.spanId), [missing], 'only the stand-in is a placeholder');
    assert.equal(node(view, 'round prices').parentSpanId, missing);
    assert.equal(view.spans.length, 4, 'the placeholder has no span');
  });

  it("repairs an orphan's parent when the trace has no root: the earliest orphan is the root", () => {
    const drawn = timeline(`
      cart | GET /cart | server | 10-90
        cart | SELECT cart | client | 20-40
    `);
    const spans = [{ ...drawn.spans[0]!, parentSpanId: 'abcdefabcdefabcd' }, drawn.spans[1]!];
    const view = toTraceView(TRACE_ID, spans, [])!;
    assert.deepEqual(view.nodes.map((n) => [n.name, n.parentSpanId]), [['GET /cart', ''], ['SELECT cart', drawn.id('GET /cart')]]);
    assert.equal(view.spans[0]!.parentSpanId, 'abcdefabcdefabcd', 'the span itself is shown as received');
  });

  it('breaks a cycle and keeps both spans', () => {
    const drawn = timeline(`
      web | GET / | server | 0-100
      a | A | internal | 10-20
        b | B | internal | 12-18
    `);
    const spans = drawn.spans.map((s) => (s.name === 'A' ? { ...s, parentSpanId: drawn.id('B') } : s));
    const view = toTraceView(TRACE_ID, spans, [])!;
    assert.deepEqual(view.nodes.map((n) => [n.name, n.parentSpanId === '' ? '' : view.nodes.find((p) => p.spanId === n.parentSpanId)!.name]), [['GET /', ''], ['A', ''], ['B', 'A']]);
  });

  it('moves a server span that sits outside its client call, and says by how much', () => {
    const drawn = timeline(`
      web | GET / | server | 0-100
        web | call api | client | 10-50
          api | GET /api | server | 0-40
    `);
    const view = toTraceView(TRACE_ID, drawn.spans, [])!;
    const server = node(view, 'GET /api');
    assert.equal(server.skewUs, ms(10));
    assert.deepEqual([server.startUs, server.endUs], [drawn.spans[1]!.startUs, drawn.spans[1]!.endUs]);
    assert.equal(view.spans[2]!.startUs, drawn.spans[2]!.startUs, 'the received span keeps its own times');
    assert.equal(node(view, 'GET /').skewUs, 0);
  });

  it('carries the spans, logs and analysis as plain JSON, without changing its input', () => {
    const spans = structuredClone(events.spans);
    const log: LogRecord = {
      traceId: TRACE_ID, spanId: spans[0]!.spanId, timeUs: spans[0]!.startUs, observedTimeUs: spans[0]!.startUs, severityNumber: 9, severityText: 'INFO', eventName: '',
      body: 'order placed', attributes: {}, service: 'gateway', resource: spans[0]!.resource, scope: spans[0]!.scope, flags: 1, droppedAttributesCount: 0,
    };
    const view = toTraceView(TRACE_ID, spans, [log])!;
    assert.deepEqual(spans, events.spans);
    assert.deepEqual(JSON.parse(JSON.stringify(view)), view);
    assert.equal(view.traceId, TRACE_ID);
    assert.equal(view.logs.length, 1);
    assert.ok(Array.isArray(view.analysis.findings));
    assert.equal(toTraceView(TRACE_ID, [], []), undefined);
  });
});
