/**
 * A finding's severity is decided where it is made; every list ranks by it with one order (findings.ts), and the
 * headline's worst severity is the same order's first.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bySeverity, worstSeverity, type Severity } from '../../src/analysis/findings';

const of = (...severities: Severity[]) => severities.map((severity) => ({ severity }));

describe('the order of severities', () => {
  it('puts errors before warnings before information, keeping the order within one', () => {
    const listed = [{ severity: 'info', n: 1 }, { severity: 'error', n: 2 }, { severity: 'warning', n: 3 }, { severity: 'error', n: 4 }] as const;
    assert.deepEqual([...listed].sort(bySeverity).map((f) => f.n), [2, 4, 3, 1]);
  });

  it('names the worst severity of a list, or none for an empty one', () => {
    assert.equal(worstSeverity(of('info', 'warning', 'info')), 'warning');
    assert.equal(worstSeverity(of('warning', 'error')), 'error');
    assert.equal(worstSeverity(of('info')), 'info');
    assert.equal(worstSeverity([]), null);
  });
});
