import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lostText, RestartBackoff } from '../../src/ingest/restart-backoff';

describe('the restart backoff', () => {
  it('waits 0.5 s, doubling to 30 s while the worker keeps dying, and starts over after a minute up', () => {
    const backoff = new RestartBackoff();
    assert.deepEqual(Array.from({ length: 9 }, () => backoff.next(1_000)), [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    assert.equal(backoff.next(60_000), 500);
    assert.equal(backoff.next(59_999), 1_000);
  });

  it('tries a start that failed again on the same doubling, and gives up at the tenth in a row (some 2.5 minutes of tries)', () => {
    const backoff = new RestartBackoff();
    assert.equal(backoff.next(120_000), 500, 'the worker died');
    const waits = Array.from({ length: 10 }, () => backoff.afterFailedStart());
    assert.deepEqual(waits, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000, undefined]);
    assert.equal(backoff.failedInARow, 10);
    assert.equal(500 + waits.reduce<number>((sum, w) => sum + (w ?? 0), 0), 151_500);
  });

  it('counts failed starts only in a row: a worker that listened and died starts the count over', () => {
    const backoff = new RestartBackoff({ firstMs: 10, maxMs: 40, maxFailedStarts: 3 });
    backoff.next(0);
    assert.deepEqual([backoff.afterFailedStart(), backoff.afterFailedStart()], [20, 40]);
    assert.equal(backoff.next(0), 40, 'it listened, then died soon: the wait keeps doubling');
    assert.deepEqual([backoff.afterFailedStart(), backoff.afterFailedStart(), backoff.afterFailedStart()], [40, 40, undefined]);
  });

  it('says what a worker that died took with it', () => {
    assert.equal(lostText(undefined), 'it held no traces');
    assert.match(lostText({ tracesStored: 3, spansStored: 40, logsStored: 2 }), /^the 3 traces \(40 spans, 2 logs\) it held are lost/);
  });
});
