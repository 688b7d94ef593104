/**
 * The call-site processor in the demo shop, for real: the services run through
 * tsx (source maps on) with demo/telemetry.ts, send to `hopscope serve`, and
 * each outgoing call's span must point at the line of the service that made it,
 * past the demo's own HTTP and queue helpers, which telemetry.ts ignores.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SpanRecord } from '../../src/model/span';
import { SourceLocator } from '../../src/source/locator';
import { readSkipFrames } from '../../src/source/skip-frames';
import { storedTrace, useServedDemo } from '../support/served-demo';

const DEMO = join(__dirname, '..', '..', 'demo');

/** The stored trace once it has a span of each `service name kind`. */
const spansOf = (port: number, traceId: string, expected: string[]): Promise<SpanRecord[]> =>
  storedTrace(port, traceId, (spans) => {
    const have = new Set(spans.map((s) => `${s.service} ${s.name} ${s.kind}`));
    return expected.filter((k) => !have.has(k));
  });

function only(spans: SpanRecord[], key: string): SpanRecord {
  const found = spans.filter((s) => `${s.service} ${s.name} ${s.kind}` === key);
  assert.equal(found.length, 1, key);
  return found[0]!;
}

/** `hopscope.sourceLines.skipFrames` as the demo's workspace settings give it (JSON with comments). */
function demoSkipFrames(): string[] {
  const text = readFileSync(join(DEMO, '.vscode', 'settings.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '');
  const read = readSkipFrames((JSON.parse(text) as Record<string, unknown>)['hopscope.sourceLines.skipFrames']);
  assert.deepEqual(read.errors, []);
  return read.patterns;
}

/** The demo file and the text at the span's `code.*` position. */
function sourceAt(span: SpanRecord): { file: string; text: string; function: unknown } {
  const path = String(span.attributes['code.file.path']);
  const line = Number(span.attributes['code.line.number']);
  const column = Number(span.attributes['code.column.number']);
  assert.ok(path.startsWith(DEMO), `${path} is in demo/`);
  const text = readFileSync(path, 'utf8').split('\n')[line - 1] ?? '';
  return { file: path.slice(DEMO.length + 1).split('\\').join('/'), text: text.slice(column - 1), function: span.attributes['code.function.name'] };
}

describe('call sites in the demo shop', () => {
  const served = useServedDemo();

  it("sync order: each HTTP client span points at the service's line that made the call, server spans at nothing", async () => {
    const order = await served.demo().sendOrder('sync');
    assert.equal(order.status, 201, order.error);
    const spans = await spansOf(served.server().httpPort, order.traceId!, ['gateway POST /orders client', 'orders POST /send client', 'orders POST /track client', 'email POST /send server']);

    // orders.ts, in the POST /orders handler:  await call('email', '/send', order);  (lib/peers.ts is skipped)
    const emailCall = sourceAt(only(spans, 'orders POST /send client'));
    assert.equal(emailCall.file, 'services/orders.ts');
    assert.match(emailCall.text, /^call\('email', '\/send', order\)/);
    const analyticsCall = sourceAt(only(spans, 'orders POST /track client'));
    assert.equal(analyticsCall.file, 'services/orders.ts');
    assert.match(analyticsCall.text, /^call\('analytics', '\/track', order\)/);
    const ordersCall = sourceAt(only(spans, 'gateway POST /orders client'));
    assert.equal(ordersCall.file, 'services/gateway.ts');
    assert.match(ordersCall.text, /^callJson\(`\$\{orders\}\/orders`/);

    for (const span of spans.filter((s) => s.kind === 'server' || s.kind === 'internal')) {
      assert.equal(span.attributes['code.file.path'], undefined, `${span.service} ${span.name} ${span.kind}`);
    }
  });

  it("events order: the PRODUCER span points at the service's publish line", async () => {
    const order = await served.demo().sendOrder('events');
    assert.equal(order.status, 201, order.error);
    const spans = await spansOf(served.server().httpPort, order.traceId!, ['orders publish order.created producer', 'email process order.created consumer']);
    const producer = sourceAt(only(spans, 'orders publish order.created producer'));
    assert.equal(producer.file, 'services/orders.ts');
    assert.match(producer.text, /^publish\(queue, 'order\.created', order\)/);
    assert.equal(only(spans, 'email process order.created consumer').attributes['code.file.path'], undefined);
  });

  it("a failing consumer: its exception points at the service's line past the shared work helper, with the demo's workspace settings", async () => {
    await served.demo().setSwitches('email', { behaviour: 'fail' });
    try {
      const order = await served.demo().sendOrder('events');
      assert.equal(order.status, 201, 'the order does not wait for the email');
      const spans = await storedTrace(served.server().httpPort, order.traceId!, (got) => (got.some((s) => s.kind === 'consumer' && s.service === 'email' && s.events.some((e) => e.name === 'exception')) ? [] : ['the email consumer\'s exception']));
      const consumer = spans.find((s) => s.kind === 'consumer' && s.service === 'email')!;
      const folder = [{ name: 'demo', path: DEMO }];
      const plain = await new SourceLocator(folder).locate(consumer);
      assert.match(plain?.label ?? '', /^lib\/work\.ts:\d+$/, 'without the setting: the helper that threw');
      const skipping = await new SourceLocator(folder, { skipFrames: demoSkipFrames() }).locate(consumer);
      assert.equal(skipping?.label.replace(/:\d+$/, ''), 'services/email.ts');
      const text = readFileSync(join(DEMO, 'services', 'email.ts'), 'utf8').split('\n')[skipping.line - 1] ?? '';
      assert.match(text, /await work\(\{ span: 'send confirmation email'/);
    } finally {
      await served.demo().setSwitches('email', { behaviour: 'ok' });
    }
  });
});
