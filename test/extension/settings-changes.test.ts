/** What a settings change calls for: every contributed setting's change does something. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTRIBUTED_KEYS } from '../../src/extension/settings-contract';
import { settingsChange } from '../../src/extension/settings-changes';

/** `affectsConfiguration` for a change of these full keys: a section is affected by the keys in it. */
const changed = (...keys: string[]) => (section: string) => keys.some((key) => key === section || key.startsWith(`${section}.`));

describe('a settings change', () => {
  it('calls for something for every contributed setting', () => {
    for (const key of CONTRIBUTED_KEYS) assert.notEqual(settingsChange(changed(`hopscope.${key}`)), undefined, key);
  });

  it('says what each section calls for', () => {
    assert.deepEqual(
      ['receiver.httpPort', 'receiver.enabled', 'store.maxMB', 'pathMappings', 'sourceLines.hints', 'sourceLines.skipFrames', 'analysis.maxSyncHops', 'debug.instrumentNode', 'terminal.environment'].map((key) => settingsChange(changed(`hopscope.${key}`))),
      ['receiver', 'receiver', 'receiver', 'pathMappings', 'sourceLines', 'skipFrames', 'analysis', 'launches', 'launches'],
    );
  });

  it('restarts the receiver when its settings change with others, since a restart reads them all', () => {
    assert.equal(settingsChange(changed('hopscope.analysis.nPlusOneMin', 'hopscope.store.maxSpans')), 'receiver');
    assert.equal(settingsChange(changed('hopscope.sourceLines.hints', 'hopscope.sourceLines.skipFrames')), 'skipFrames');
    assert.equal(settingsChange(changed('hopscope.pathMappings', 'hopscope.sourceLines.skipFrames')), 'pathMappings');
  });

  it('ignores other extensions\' settings and look-alike names', () => {
    assert.equal(settingsChange(changed('editor.fontSize')), undefined);
    assert.equal(settingsChange(changed('hopscope.receivers')), undefined);
  });
});
