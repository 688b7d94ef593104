/**
 * package.json's `contributes.configuration` is the settings' contract: every setting it
 * declares is read by the code, every key the code reads is declared, and the defaults it
 * declares are the ones the headless CLI starts with.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DEFAULT_ANALYSIS_SETTINGS } from '../../src/analysis/settings';
import { DEFAULT_FINDING_THRESHOLDS } from '../../src/extension/call-site-text';
import { readLaunchSettings } from '../../src/extension/launch-settings';
import { readReceiverSettings } from '../../src/extension/receiver-settings';
import { contribution, CONTRIBUTED_KEYS, type SettingKey } from '../../src/extension/settings-contract';
import { readSourceLineSettings } from '../../src/extension/source-line-settings';
import { DEFAULT_INGEST_CONFIG } from '../../src/ingest/ingest-config';

type Declared = Record<string, { type: string; default: unknown; description?: string; markdownDescription?: string; minimum?: number; maximum?: number }>;
const declared = (JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { configuration: { properties: Declared } } }).contributes.configuration.properties;

/** Every key the settings readers ask for, in the order they ask. */
function keysRead(): string[] {
  const asked: string[] = [];
  const get = (key: SettingKey) => void asked.push(key);
  readReceiverSettings(get);
  readSourceLineSettings(get, []);
  readLaunchSettings(get);
  return asked;
}

describe('the settings contract', () => {
  it('is package.json\'s, every hopscope.* setting of it', () => {
    assert.deepEqual(CONTRIBUTED_KEYS.map((key) => `hopscope.${key}`), Object.keys(declared));
    assert.ok(CONTRIBUTED_KEYS.length >= 24, `${CONTRIBUTED_KEYS.length} settings`);
    for (const key of CONTRIBUTED_KEYS) assert.deepEqual(contribution(key), declared[`hopscope.${key}`], key);
  });

  it('has every contributed setting read by the code, and every key the code reads contributed', () => {
    const read = keysRead();
    assert.deepEqual([...new Set(read)].sort(), [...CONTRIBUTED_KEYS].sort());
    assert.equal(new Set(read).size, read.length, `each key is read once: ${read.join(', ')}`);
  });

  it('describes each setting, and bounds each number with a minimum and a maximum that hold its default', () => {
    for (const [key, setting] of Object.entries(declared)) {
      assert.ok((setting.description ?? setting.markdownDescription ?? '').length > 20, `${key} is described`);
      if (setting.type !== 'number' && setting.type !== 'integer') continue;
      const { minimum, maximum, default: fallback } = setting;
      assert.ok(minimum !== undefined && maximum !== undefined, `${key} declares its bounds`);
      assert.ok(typeof fallback === 'number' && minimum <= fallback && fallback <= maximum, `${key}: ${minimum} ≤ ${String(fallback)} ≤ ${maximum}`);
      if (setting.type === 'integer') assert.ok(Number.isInteger(fallback), `${key}: a whole default`);
    }
  });

  it('declares the defaults the CLI starts with, in the settings\' units', () => {
    const d = (key: SettingKey) => contribution(key).default;
    const ingest = DEFAULT_INGEST_CONFIG;
    const analysis = DEFAULT_ANALYSIS_SETTINGS;
    const MiB = 1024 * 1024;
    assert.deepEqual(
      [d('receiver.host'), d('receiver.httpPort'), d('receiver.grpcPort'), d('receiver.maxInflightMB'), d('store.maxSpans'), d('store.maxMB'), d('store.maxAttributeKB')],
      [ingest.host, ingest.httpPort, ingest.grpcPort, ingest.maxInflightBytes / MiB, ingest.maxSpans, ingest.maxStoreBytes / MiB, ingest.maxAttributeBytes / 1024],
    );
    assert.deepEqual(
      [d('analysis.maxSyncHops'), d('analysis.longSyncCallMs'), d('analysis.nPlusOneMin'), d('analysis.nonCriticalPatterns'), d('analysis.publishCostMs')],
      [analysis.maxSyncHops, analysis.longSyncCallUs / 1000, analysis.nPlusOneMin, analysis.nonCriticalPatterns, analysis.publishCostUs / 1000],
    );
    const t = DEFAULT_FINDING_THRESHOLDS;
    assert.deepEqual(
      [d('sourceLines.findingMinShare'), d('sourceLines.findingMinSavingMs'), d('sourceLines.findingMinSavingPercent')],
      [t.minShareOfTraces * 100, t.minSavingUs / 1000, t.minSavingShare * 100],
    );
  });

  it('gives what the readers read when nothing is set, and the same when each default is set', () => {
    const defaults = (key: SettingKey) => structuredClone(contribution(key).default);
    assert.deepEqual(readReceiverSettings(defaults), readReceiverSettings(() => undefined));
    assert.deepEqual(readSourceLineSettings(defaults, []), readSourceLineSettings(() => undefined, []));
    assert.deepEqual(readReceiverSettings(defaults).problems, []);
    assert.deepEqual(readSourceLineSettings(defaults, []).problems, []);
  });

  it('hands out copies of list defaults, so that a caller cannot change the next read', () => {
    const first = readReceiverSettings(() => undefined).value.config.analysis.nonCriticalPatterns;
    first.push('changed');
    assert.ok(!readReceiverSettings(() => undefined).value.config.analysis.nonCriticalPatterns.includes('changed'));
    assert.ok(!(contribution('analysis.nonCriticalPatterns').default as string[]).includes('changed'));
  });
});
