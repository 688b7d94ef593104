/**
 * The stack as call sites, and how the processor tells its own frames apart
 * from the service's when both run from one bundled file.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { between, callerPosition, captureCallSites } from '../../src/processor/stack';

function outer(): NodeJS.CallSite[] | undefined {
  return inner();
}
function inner(): NodeJS.CallSite[] | undefined {
  return captureCallSites(2, inner);
}

describe('stack capture', () => {
  it('starts below the given function and stops at the limit', () => {
    const names = outer()?.map((site) => site.getFunctionName());
    assert.equal(names?.length, 2);
    assert.equal(names?.[0], 'outer');
  });

  it('tells where its caller runs, and whether a frame lies between two such places', () => {
    const start = callerPosition()!;
    const middle = callerPosition()!;
    const end = callerPosition()!;
    assert.equal(start.file, __filename);
    // Running positions: tsx may have put all three calls on one line, so compare as (line, column).
    assert.equal(between(start, end, middle.file, middle.line, middle.column), true);
    assert.equal(between(start, end, start.file, start.line, start.column), true, 'inclusive');
    assert.equal(between(middle, end, start.file, start.line, start.column), false, 'before the start');
    assert.equal(between(start, end, end.file, end.line + 1, 1), false, 'after the end');
    assert.equal(between(start, end, '/elsewhere.js', middle.line, middle.column), false, 'another file');
  });
});
