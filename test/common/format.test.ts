import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, formatDuration, formatRoute } from '../../src/common/format';

describe('a route of services, as the views and findings say it', () => {
  it('names every service of a route of up to 12', () => {
    assert.equal(formatRoute(['gateway', 'orders', 'email']), 'gateway → orders → email');
    const twelve = Array.from({ length: 12 }, (_, i) => `s${i}`);
    assert.equal(formatRoute(twelve), twelve.join(' → '));
  });

  it('keeps the first 6 and the last 5 of a longer one, and counts those between', () => {
    const long = Array.from({ length: 50_000 }, (_, i) => `s${i}`);
    assert.equal(formatRoute(long), 's0 → s1 → s2 → s3 → s4 → s5 → … 49,989 more … → s49995 → s49996 → s49997 → s49998 → s49999');
    assert.equal(formatRoute(long.slice(0, 13)), 's0 → s1 → s2 → s3 → s4 → s5 → … 2 more … → s8 → s9 → s10 → s11 → s12');
  });
});

describe('a size in bytes, as messages say it', () => {
  it('uses the largest unit below the size, with one decimal below ten', () => {
    assert.deepEqual([0, 100, 1023, 1536, 10 * 1024, 5 * 1024 ** 2 + 1024 ** 2 / 4, 256 * 1024 ** 2, 3 * 1024 ** 3].map(formatBytes),
      ['0 B', '100 B', '1023 B', '1.5 KiB', '10 KiB', '5.3 MiB', '256 MiB', '3.0 GiB']);
  });
});

describe('durations as people read them', () => {
  it('picks the unit by size', () => {
    assert.deepEqual([850, 652_400, 1_254_000, 125_000_000].map(formatDuration), ['850 µs', '652 ms', '1.25 s', '2 min 5 s']);
  });
});
