/** Settings read against their contract: bounds and defaults from it, and one sentence per bad value. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTRIBUTED_KEYS, contribution, type Contribution, type SettingKey } from '../../src/extension/settings-contract';
import { SettingsReader } from '../../src/extension/settings-reader';

const reader = (values: Record<string, unknown>) => new SettingsReader((key) => values[key]);
const numberKeys = CONTRIBUTED_KEYS.filter((key) => ['number', 'integer'].includes(contribution(key).type));

describe('a settings reader', () => {
  it('takes every number setting\'s default, minimum and maximum from package.json', () => {
    assert.ok(numberKeys.length >= 12, numberKeys.join(', '));
    for (const key of numberKeys) {
      const { default: fallback, minimum, maximum } = contribution(key) as Required<Contribution>;
      for (const fine of [minimum, maximum]) {
        const read = reader({ [key]: fine });
        assert.equal(read.number(key), fine, `${key}: ${fine} is taken`);
        assert.deepEqual(read.problems, [], key);
      }
      assert.equal(reader({}).number(key), fallback, `${key}: the default when nothing is set`);
      for (const bad of [minimum - 1, maximum + 1, Number.NaN, String(fallback), null]) {
        const read = reader({ [key]: bad });
        assert.equal(read.number(key), fallback, `${key}: ${String(bad)} is not used`);
        assert.equal(read.problems.length, 1, `${key}: ${String(bad)} is named`);
        assert.ok(read.problems[0]!.startsWith(`hopscope.${key} must be a `), read.problems[0]);
        assert.ok(read.problems[0]!.endsWith(`, not ${JSON.stringify(bad)}; using ${JSON.stringify(fallback)}.`), read.problems[0]);
      }
    }
  });

  it('says the range with the numbers grouped, and whole numbers where the contract says integer', () => {
    const read = reader({ 'store.maxSpans': 5, 'analysis.publishCostMs': -1, 'analysis.maxSyncHops': 2.5 });
    [read.number('store.maxSpans'), read.number('analysis.publishCostMs'), read.number('analysis.maxSyncHops')];
    assert.deepEqual(read.problems, [
      'hopscope.store.maxSpans must be a whole number from 1,000 to 5,000,000, not 5; using 200000.',
      'hopscope.analysis.publishCostMs must be a number from 0 to 60,000, not -1; using 1.',
      'hopscope.analysis.maxSyncHops must be a whole number from 1 to 100, not 2.5; using 3.',
    ]);
  });

  it('reads a switch as true or false only', () => {
    const read = reader({ 'receiver.enabled': false, 'sourceLines.hints': 0 });
    assert.equal(read.boolean('receiver.enabled'), false);
    assert.equal(read.boolean('sourceLines.hints'), true);
    assert.equal(read.boolean('sourceLines.revealOnSelect'), false, 'the contributed default, off');
    assert.deepEqual(read.problems, ['hopscope.sourceLines.hints must be true or false, not 0; using true.']);
  });

  it('reads a string as parsed, and names one that is not the kind asked for with the default as text', () => {
    const read = reader({ 'receiver.host': ' ::1 ' });
    assert.equal(read.string('receiver.host', 'an address', (text) => text.trim()), '::1');
    const bad = reader({ 'receiver.host': 'x y' });
    assert.equal(bad.string('receiver.host', 'an address', (text) => (text.includes(' ') ? undefined : text)), '127.0.0.1');
    assert.deepEqual(bad.problems, ['hopscope.receiver.host must be an address, not "x y"; using 127.0.0.1.']);
  });

  it('holds a string to the contract\'s enum when it has one', () => {
    const key = 'receiver.host' as SettingKey;
    const contract = (): Contribution => ({ type: 'string', default: 'auto', enum: ['auto', 'on', 'off'] });
    const read = new SettingsReader((k) => ({ [key]: 'sometimes' })[k], contract);
    assert.equal(read.string(key, 'a mode'), 'auto');
    assert.deepEqual(read.problems, ['hopscope.receiver.host must be one of "auto", "on", "off", not "sometimes"; using auto.']);
    assert.equal(new SettingsReader(() => 'off', contract).string(key, 'a mode'), 'off');
  });

  it('uses a list of strings only when every entry is fine, and says what it uses instead', () => {
    const problem = (entry: string) => (entry.startsWith('http') ? undefined : `${JSON.stringify(entry)} is not an origin`);
    const fine = reader({ 'receiver.allowedOrigins': ['http://a.test'] });
    assert.deepEqual(fine.stringList('receiver.allowedOrigins', 'a list of origins', problem, 'allowing none'), ['http://a.test']);
    for (const [bad, why] of [[['http://a.test', 'ftp://b'], '"ftp://b" is not an origin'], [['http://a.test', 7], '7 is not a string'], ['http://a.test', 'it is not a list']] as const) {
      const read = reader({ 'receiver.allowedOrigins': bad });
      assert.deepEqual(read.stringList('receiver.allowedOrigins', 'a list of origins', problem, 'allowing none'), [], JSON.stringify(bad));
      assert.deepEqual(read.problems, [`hopscope.receiver.allowedOrigins must be a list of origins: ${why}; allowing none.`]);
    }
  });

  it('hands a setting another module checks over as written, or its default', () => {
    assert.deepEqual(reader({}).raw('pathMappings'), {});
    assert.equal(reader({ pathMappings: 'junk' }).raw('pathMappings'), 'junk');
    assert.deepEqual(reader({}).problems, []);
  });

  it('refuses a key package.json does not contribute', () => {
    assert.throws(() => reader({}).number('store.maxTraces' as SettingKey), /hopscope\.store\.maxTraces is not contributed/);
  });
});
