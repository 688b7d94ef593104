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

  it('says what a worker that died took with it', () => {
    assert.equal(lostText(undefined), 'it held no traces');
    assert.match(lostText({ tracesStored: 3, spansStored: 40, logsStored: 2 }), /^the 3 traces \(40 spans, 2 logs\) it held are lost/);
  });
});
