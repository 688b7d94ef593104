import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editorLine } from '../../src/extension/positions';

describe('editor lines', () => {
  it('turns the 1-based OTel line into the 0-based editor line', () => {
    assert.equal(editorLine(1), 0);
    assert.equal(editorLine(42), 41);
    assert.equal(editorLine(0), 0, 'never before the first line');
  });
});
