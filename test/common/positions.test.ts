/** Line and column numbers cross between counting from 0 and from 1 only through src/common/positions.ts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clampedColumn0, clampedLine0, column0, column1, line0, line1, toColumn0, toColumn1, toLine0, toLine1, toPosition0, toPosition1,
  type Line0, type Line1,
} from '../../src/common/positions';

describe('positions', () => {
  it('turn 1-based lines and columns into 0-based ones and back', () => {
    assert.equal(toLine0(line1(1)), 0);
    assert.equal(toLine0(line1(42)), 41);
    assert.equal(toLine1(line0(0)), 1);
    assert.equal(toColumn0(column1(19)), 18);
    assert.equal(toColumn1(column0(0)), 1);
    for (const n of [0, 1, 7, 10_000]) {
      assert.equal(toLine0(toLine1(line0(n))), n);
      assert.equal(toColumn1(toColumn0(column1(n + 1))), n + 1);
    }
  });

  it('convert a whole position, line and column alike', () => {
    assert.deepEqual(toPosition0({ line: line1(10), column: column1(5) }), { line: 9, column: 4 });
    assert.deepEqual(toPosition1({ line: line0(9), column: column0(4) }), { line: 10, column: 5 });
  });

  it('clamp what a sender gave to a real place: no fraction, nothing before the first line or column', () => {
    assert.equal(clampedLine0(1), 0);
    assert.equal(clampedLine0(42.9), 41);
    assert.equal(clampedLine0(0), 0);
    assert.equal(clampedLine0(-3), 0);
    assert.equal(clampedColumn0(19), 18);
    assert.equal(clampedColumn0(0), 0);
  });

  it('stay plain numbers at run time', () => {
    const line: Line1 = line1(3);
    assert.equal(typeof line, 'number');
    assert.equal(JSON.stringify({ line }), '{"line":3}');
  });

  it('keep the two counts apart at compile time', () => {
    const zero: Line0 = line0(0);
    // @ts-expect-error a 0-based line is not a 1-based one
    const one: Line1 = zero;
    // @ts-expect-error nor is a bare number: it says nothing of what it counts from
    const bare: Line0 = 5;
    assert.equal(one + bare, 5);
  });
});
