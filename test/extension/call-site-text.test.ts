import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallAtSite, SiteFinding } from '../../src/analysis/call-sites';
import { hintText, leadFinding, lensTitle, plainText, worthSaying, DEFAULT_FINDING_THRESHOLDS } from '../../src/extension/call-site-text';

const eventFinding: SiteFinding = {
  rule: 'sync-non-critical', severity: 'warning', spanIds: ['b'.repeat(16)], message: '…', savingUs: 500_000, traceId: 'a'.repeat(32), spans: [],
  inTraces: 12, typicalSavingUs: 500_000, typicalSavingShare: 0.74,
};
const emailCall: CallAtSite = {
  callee: 'email', operation: 'POST /send', mode: 'sync', count: 12, traces: 12, errors: 0, p50Us: 501_000, p95Us: 540_000, shareOfRequest: 0.77,
  rootName: 'POST /orders', findings: [eventFinding], slowest: [], latest: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }, durationsUs: [501_000],
  worstFinding: eventFinding,
};

/** The sentences of a text, to compare the lens's with the hint's. */
const sentences = (text: string) => text.split(/ · | \(|\)/).map((s) => s.trim()).filter(Boolean);

describe('the words beside a line that made calls', () => {
  it('say in the CodeLens what the call is and what it costs', () => {
    assert.equal(lensTitle(emailCall), 'blocking → email POST /send · 501 ms p50, 540 ms p95 · 77% of POST /orders');
    assert.equal(lensTitle({ ...emailCall, worstFinding: undefined, findings: [], errors: 2, mode: 'async' }), 'async → email POST /send · 501 ms p50, 540 ms p95 · 77% of POST /orders · 2 failed');
  });

  it('say in the hint the one thing to do, with its typical saving and how often it held', () => {
    assert.equal(hintText(emailCall), 'could be an event · saves ≈ 500 ms per request (12 of 12 traces)');
    assert.equal(hintText({ ...emailCall, findings: [], worstFinding: undefined }), '', 'nothing to do: no hint (the lens says the cost)');
  });

  it('never say a sentence in both the lens and the hint', () => {
    for (const call of [emailCall, { ...emailCall, errors: 3 }, { ...emailCall, findings: [{ ...eventFinding, rule: 'cascading-failure' as const, typicalSavingUs: null, typicalSavingShare: null }] }]) {
      const lens = new Set(sentences(lensTitle(call)));
      assert.deepEqual(sentences(hintText(call)).filter((s) => lens.has(s)), [], `${lensTitle(call)} / ${hintText(call)}`);
    }
  });

  it('give the cost in the hint too when the lenses are off', () => {
    assert.equal(hintText(emailCall, DEFAULT_FINDING_THRESHOLDS, true), 'blocking email 501 ms p50 (p95 540 ms) · could be an event · saves ≈ 500 ms per request (12 of 12 traces)');
  });

  it('say only findings that held in enough recent traces and save enough of the request', () => {
    const rare = { ...eventFinding, inTraces: 1 };
    assert.equal(worthSaying(rare, emailCall), false, '1 of 12 traces is under 20 %');
    assert.equal(worthSaying({ ...eventFinding, inTraces: 3 }, emailCall), true, '3 of 12 is 25 %');
    const tiny = { ...eventFinding, typicalSavingUs: 2_000, typicalSavingShare: 0.4 };
    assert.equal(worthSaying(tiny, emailCall), false, 'a 2 ms saving is under 10 ms');
    assert.equal(worthSaying({ ...eventFinding, typicalSavingShare: 0.01 }, emailCall), false, '1 % of the request is under 5 %');
    assert.equal(worthSaying({ ...eventFinding, typicalSavingUs: null, typicalSavingShare: null }, emailCall), true, 'a finding that saves nothing needs only its share');
    assert.equal(leadFinding({ ...emailCall, findings: [tiny, { ...eventFinding, rule: 'long-sync-call' }] })?.rule, 'long-sync-call', 'the first worth saying leads');
    assert.equal(worthSaying(rare, emailCall, { ...DEFAULT_FINDING_THRESHOLDS, minShareOfTraces: 0 }), true, 'the settings set the bar');
  });

  it('say that a PRODUCER call publishes, not that it blocks, and name its destination once', () => {
    const publish: CallAtSite = { ...emailCall, callee: 'rabbitmq', operation: 'publish order.placed', mode: 'sync', publish: true, p50Us: 2_000, p95Us: 3_000, shareOfRequest: 0.01, worstFinding: undefined, findings: [] };
    assert.equal(lensTitle(publish), 'publishes → rabbitmq order.placed · 2 ms p50, 3 ms p95 · 1% of POST /orders');
    assert.equal(hintText(publish, DEFAULT_FINDING_THRESHOLDS, true), 'publishes rabbitmq 2 ms p50 (p95 3 ms)');
    assert.equal(lensTitle({ ...publish, operation: 'orders' }), 'publishes → rabbitmq orders · 2 ms p50, 3 ms p95 · 1% of POST /orders');
  });

  it('keep span data on one bounded line', () => {
    assert.equal(plainText('POST /a\nb\u0000c\u2028d'), 'POST /a b c d');
    assert.equal(plainText('x'.repeat(100), 10), `${'x'.repeat(9)}…`);
    // A CodeLens draws `$(name)` as an icon: span data must not.
    assert.ok(!lensTitle({ ...emailCall, callee: 'evil $(alert)' }).includes('$('));
    assert.ok(!lensTitle({ ...emailCall, operation: 'a\nb' }).includes('\n'));
  });
});
