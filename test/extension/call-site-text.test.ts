import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallAtSite } from '../../src/analysis/call-sites';
import { hintText, lensTitle, plainText } from '../../src/extension/call-site-text';

const emailCall: CallAtSite = {
  callee: 'email', operation: 'POST /send', mode: 'sync', count: 12, errors: 0, p50Us: 501_000, p95Us: 540_000, shareOfRequest: 0.77,
  rootName: 'POST /orders', findings: [], slowest: [], latest: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }, durationsUs: [501_000],
  worstFinding: { rule: 'sync-non-critical', severity: 'warning', spanIds: ['b'.repeat(16)], message: '…', savingUs: 500_000, traceId: 'a'.repeat(32), spans: [] },
};

describe('the words beside a line that made calls', () => {
  it('say in the CodeLens that the call blocks, what it costs, and what to do', () => {
    assert.equal(lensTitle(emailCall), 'blocking → email POST /send · 501 ms p50, 540 ms p95 · 77% of POST /orders · could be an event: −500 ms');
  });

  it('leave the advice out when nothing was found, and say how many failed', () => {
    assert.equal(lensTitle({ ...emailCall, worstFinding: undefined, errors: 2, mode: 'async' }), 'async → email POST /send · 501 ms p50, 540 ms p95 · 77% of POST /orders · 2 failed');
  });

  it('say that a PRODUCER call publishes, not that it blocks, and name its destination once', () => {
    const publish: CallAtSite = { ...emailCall, callee: 'rabbitmq', operation: 'publish order.placed', mode: 'sync', publish: true, p50Us: 2_000, p95Us: 3_000, shareOfRequest: 0.01, worstFinding: undefined };
    assert.equal(lensTitle(publish), 'publishes → rabbitmq order.placed · 2 ms p50, 3 ms p95 · 1% of POST /orders');
    assert.equal(hintText(publish), 'publishes rabbitmq 2 ms p50 (p95 3 ms)');
    assert.equal(lensTitle({ ...publish, operation: 'orders' }), 'publishes → rabbitmq orders · 2 ms p50, 3 ms p95 · 1% of POST /orders');
  });

  it('keep the end-of-line hint short', () => {
    assert.equal(hintText(emailCall), 'blocking email 501 ms p50 (p95 540 ms) · could be an event: −500 ms');
  });

  it('keep span data on one bounded line', () => {
    assert.equal(plainText('POST /a\nb\u0000c\u2028d'), 'POST /a b c d');
    assert.equal(plainText('x'.repeat(100), 10), `${'x'.repeat(9)}…`);
    // A CodeLens draws `$(name)` as an icon: span data must not.
    assert.ok(!lensTitle({ ...emailCall, callee: 'evil $(alert)' }).includes('$('));
    assert.ok(!lensTitle({ ...emailCall, operation: 'a\nb' }).includes('\n'));
  });
});
