import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editorColumn, editorLine } from '../../src/extension/positions';

describe('editor positions', () => {
  it('turn the 1-based OTel line into the 0-based editor line', () => {
    assert.equal(editorLine(1), 0);
    assert.equal(editorLine(42), 41);
    assert.equal(editorLine(0), 0, 'never before the first line');
  });

  it('turn the 1-based OTel column into the 0-based character, the line start when there is none', () => {
    assert.equal(editorColumn(1), 0);
    assert.equal(editorColumn(19), 18);
    assert.equal(editorColumn(undefined), 0);
    assert.equal(editorColumn(0), 0);
  });
});
