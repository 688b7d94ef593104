/**
 * `hopscope.sourceLines.skipFrames`: which entries are kept, what a bad one
 * is told, and which frames the kept ones pass over.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frameSkipper, readSkipFrames } from '../../src/source/skip-frames';
import type { StackFrame } from '../../src/source/stack-frames';

const frame = (file: string): StackFrame => ({ file, line: 1, format: 'node' });
const skipped = (patterns: string[], files: string[]) => files.filter((file) => frameSkipper(patterns)?.(frame(file)) ?? false);

describe('skipped stack frames', () => {
  it('skip nothing when unset or empty', () => {
    assert.deepEqual(readSkipFrames(undefined), { patterns: [], errors: [] });
    assert.deepEqual(readSkipFrames([]), { patterns: [], errors: [] });
    assert.equal(frameSkipper([]), undefined);
  });

  it('pass over frames whose path holds a substring, with / for \\ on either side', () => {
    const files = ['/app/demo/lib/work.ts', '/app/demo/services/email.ts', 'C:\\shop\\lib\\work.ts', '/app/src/library.ts'];
    assert.deepEqual(skipped(['lib/work.ts'], files), ['/app/demo/lib/work.ts', 'C:\\shop\\lib\\work.ts']);
    assert.deepEqual(skipped(['lib\\'], files), ['/app/demo/lib/work.ts', 'C:\\shop\\lib\\work.ts']);
  });

  it('read an entry between slashes as a regular expression, with its flags', () => {
    const files = ['/app/src/Helpers.JS', '/app/src/helper.ts', '/app/src/helpers/x.ts'];
    assert.deepEqual(skipped(['/\\/helpers?\\.[jt]s$/i'], files), ['/app/src/Helpers.JS', '/app/src/helper.ts']);
  });

  it('name each bad entry and keep the good ones', () => {
    const read = readSkipFrames(['lib/work.ts', 42, '', '/[unclosed/', '/x/g', '/.*/', 'x'.repeat(501), '/\\/shared\\//']);
    assert.deepEqual(read.patterns, ['lib/work.ts', '/\\/shared\\//']);
    assert.equal(read.errors.length, 6);
    for (const [index, why] of [[1, /must be a string, not number 42/], [2, /is empty/], [3, /not a regular expression/], [4, /flags other than/], [5, /matches every path/], [6, /longer than 500/]] as const) {
      assert.match(read.errors[index - 1]!, new RegExp(`^hopscope\\.sourceLines\\.skipFrames\\[${index}\\] .*${why.source}.*; left out\\.$`));
    }
  });

  it('say so when the setting is not a list at all', () => {
    assert.deepEqual(readSkipFrames('lib/work.ts'), { patterns: [], errors: ['hopscope.sourceLines.skipFrames must be a list of path substrings or /regular expressions/, not "lib/work.ts"; skipping no frames.'] });
    assert.match(readSkipFrames({ a: 1 }).errors[0]!, /not an object/);
  });

  it('ignore entries that were not validated, rather than throw', () => {
    assert.doesNotThrow(() => frameSkipper(['/[unclosed/', 'lib/']));
    assert.deepEqual(skipped(['/[unclosed/', 'lib/'], ['/app/lib/x.ts', '/app/src/x.ts']), ['/app/lib/x.ts']);
  });
});
