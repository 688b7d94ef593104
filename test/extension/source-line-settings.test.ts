import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandFolders, readSourceLineSettings } from '../../src/extension/source-line-settings';
import { validatePathMappings } from '../../src/source/path-mappings';

const folders = [{ name: 'shop', path: '/ws/shop' }, { name: 'lib', path: '/ws/lib' }];

describe('source line settings', () => {
  it('turn each surface on by default and off when asked', () => {
    const { value: all, problems } = readSourceLineSettings(() => undefined, folders);
    assert.deepEqual([all.codeLens, all.hints, all.hovers, all.problems, all.revealOnSelect, problems], [true, true, true, true, false, []], 'a selection does not open code unless asked');
    const some = readSourceLineSettings((key) => (key === 'sourceLines.hints' ? false : undefined), folders).value;
    assert.equal(some.hints, false);
    assert.equal(some.codeLens, true);
  });

  it('name a bad value and use the default', () => {
    const read = readSourceLineSettings((key) => (key === 'sourceLines.problems' ? 'no' : undefined), folders);
    assert.equal(read.value.problems, true);
    assert.deepEqual(read.problems, ['hopscope.sourceLines.problems must be true or false, not "no"; using true.']);
  });

  it('read when a finding is said, in the units the settings use, and name a bad one', () => {
    assert.deepEqual(readSourceLineSettings(() => undefined, folders).value.thresholds, { minShareOfTraces: 0.2, minSavingUs: 10_000, minSavingShare: 0.05 });
    const values: Record<string, unknown> = { 'sourceLines.findingMinShare': 50, 'sourceLines.findingMinSavingMs': 2.5, 'sourceLines.findingMinSavingPercent': 0 };
    assert.deepEqual(readSourceLineSettings((key) => values[key], folders).value.thresholds, { minShareOfTraces: 0.5, minSavingUs: 2_500, minSavingShare: 0 });
    const bad = readSourceLineSettings((key) => (key === 'sourceLines.findingMinShare' ? 120 : key === 'sourceLines.findingMinSavingMs' ? '10' : undefined), folders);
    assert.deepEqual(bad.value.thresholds, { minShareOfTraces: 0.2, minSavingUs: 10_000, minSavingShare: 0.05 });
    assert.deepEqual(bad.problems, [
      'hopscope.sourceLines.findingMinShare must be a number from 0 to 100, not 120; using 20.',
      'hopscope.sourceLines.findingMinSavingMs must be a number from 0 to 3,600,000, not "10"; using 10.',
    ]);
  });

  it('read the stack frames to skip, naming the bad entries among the problems', () => {
    assert.deepEqual(readSourceLineSettings(() => undefined, folders).value.skipFrames, []);
    const read = readSourceLineSettings((key) => (key === 'sourceLines.skipFrames' ? ['lib/work.ts', '/(/', 7] : undefined), folders);
    assert.deepEqual(read.value.skipFrames, ['lib/work.ts']);
    assert.equal(read.problems.length, 2);
    assert.match(read.problems[0]!, /^hopscope\.sourceLines\.skipFrames\[1\] "\/\(\/" is not a regular expression/);
    assert.match(read.problems[1]!, /^hopscope\.sourceLines\.skipFrames\[2\] must be a string, not number 7; left out\.$/);
  });

  it('expand ${workspaceFolder} and ${workspaceFolder:name} in path mappings, in both shapes', () => {
    assert.deepEqual(expandFolders({ '/app': '${workspaceFolder}/services', '/lib': '${workspaceFolder:lib}/src' }, folders), { '/app': '/ws/shop/services', '/lib': '/ws/lib/src' });
    assert.deepEqual(expandFolders([{ from: '/app', to: '${workspaceFolder}' }, 'junk'], folders), [{ from: '/app', to: '/ws/shop' }, 'junk']);
  });

  it('leave an unknown folder name for the locator to report', () => {
    const expanded = expandFolders({ '/app': '${workspaceFolder:nope}/x' }, folders);
    const { mappings, errors } = validatePathMappings(expanded);
    assert.deepEqual(mappings, []);
    assert.match(errors[0]!, /"\/app".*not expanded/);
  });
});
