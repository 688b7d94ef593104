/** The receiver's settings as VS Code hands them over (hand-edited JSON): each read, checked, and a bad one named. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readReceiverSettings } from '../../src/extension/receiver-settings';
import { originPolicy, originProblem } from '../../src/ingest/origin-policy';

describe('the receiver settings', () => {
  const read = (values: Record<string, unknown>) => readReceiverSettings((key) => values[key]);

  it('uses the defaults when nothing is set', () => {
    const { value: settings, problems } = read({});
    assert.deepEqual(problems, []);
    assert.equal(settings.enabled, true);
    assert.deepEqual([settings.config.host, settings.config.httpPort, settings.config.grpcPort], ['127.0.0.1', 4318, 4317]);
  });

  it('journals to the data folder within the disk limit and retention; 0 MiB or no folder keeps traces in memory only', () => {
    const withFolder = readReceiverSettings((key) => ({ 'store.diskLimitMB': 100, 'store.retentionHours': 24 } as Record<string, unknown>)[key], '/data/hopscope');
    assert.deepEqual(withFolder.problems, []);
    assert.equal(withFolder.value.config.journal?.dir, join('/data/hopscope', 'journal'));
    assert.equal(withFolder.value.config.journal?.diskLimitBytes, 100 * 1024 * 1024);
    assert.equal(withFolder.value.config.journal?.retentionMs, 24 * 3600_000);
    assert.equal(readReceiverSettings(() => undefined, '/data/hopscope').value.config.journal?.diskLimitBytes, 512 * 1024 * 1024);
    assert.equal(readReceiverSettings((key) => (key === 'store.diskLimitMB' ? 0 : undefined), '/data/hopscope').value.config.journal, null);
    assert.equal(read({}).value.config.journal, null);
    const bad = readReceiverSettings((key) => (key === 'store.retentionHours' ? -5 : undefined), '/data/hopscope');
    assert.ok(bad.problems.some((p) => p.startsWith('hopscope.store.retentionHours ')), bad.problems.join(' | '));
    assert.equal(bad.value.config.journal?.retentionMs, 72 * 3600_000);
  });

  it('names each bad setting and what it used instead', () => {
    const { value: settings, problems } = read({ 'receiver.httpPort': '4318', 'receiver.grpcPort': 70000, 'receiver.enabled': 'yes', 'receiver.host': 'local host', 'store.maxSpans': 5 });
    assert.deepEqual([settings.config.httpPort, settings.config.grpcPort, settings.enabled, settings.config.host, settings.config.maxSpans], [4318, 4317, true, '127.0.0.1', 200_000]);
    for (const key of ['receiver.httpPort', 'receiver.grpcPort', 'receiver.enabled', 'receiver.host', 'store.maxSpans']) {
      assert.ok(problems.some((p) => p.startsWith(`hopscope.${key} `)), `a problem names hopscope.${key}: ${problems.join(' | ')}`);
    }
  });

  it('reads the analysis thresholds, and names a pattern that is not a regular expression', () => {
    const { value: settings, problems } = read({ 'analysis.maxSyncHops': 5, 'analysis.longSyncCallMs': 2000, 'analysis.nonCriticalPatterns': ['mail', '(unclosed'] });
    assert.equal(settings.config.analysis.maxSyncHops, 5);
    assert.equal(settings.config.analysis.longSyncCallUs, 2_000_000);
    assert.ok(settings.config.analysis.nonCriticalPatterns.includes('analytics'), 'the defaults stay');
    assert.match(problems[0]!, /^hopscope\.analysis\.nonCriticalPatterns .*"\(unclosed" is not a valid regular expression/);
  });

  it('reads the bytes-in-flight budget in MiB, and names a bad one with the default it used', () => {
    assert.equal(read({}).value.config.maxInflightBytes, 64 * 1024 * 1024);
    assert.equal(read({ 'receiver.maxInflightMB': 128 }).value.config.maxInflightBytes, 128 * 1024 * 1024);
    for (const bad of [0, 20_000, 1.5, 'lots']) {
      const { value: settings, problems } = read({ 'receiver.maxInflightMB': bad });
      assert.equal(settings.config.maxInflightBytes, 64 * 1024 * 1024, String(bad));
      assert.deepEqual(problems, [`hopscope.receiver.maxInflightMB must be a whole number from 1 to 16,384, not ${JSON.stringify(bad)}; using 64.`]);
    }
  });

  it('reads the store and receiver sizes with the defaults and bounds package.json declares', () => {
    const declared = (JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { configuration: { properties: Record<string, { default: number; minimum: number; maximum: number }> } } }).contributes.configuration.properties;
    const cases = [['receiver.maxInflightMB', 'maxInflightBytes', 1048576], ['store.maxMB', 'maxStoreBytes', 1048576], ['store.maxAttributeKB', 'maxAttributeBytes', 1024]] as const;
    for (const [key, field, unit] of cases) {
      const { default: fallback, minimum, maximum } = declared[`hopscope.${key}`]!;
      assert.equal(read({}).value.config[field], fallback * unit, `${key}: the default`);
      assert.equal(read({ [key]: minimum }).value.config[field], minimum * unit, `${key}: the minimum is taken`);
      assert.equal(read({ [key]: maximum }).value.config[field], maximum * unit, `${key}: the maximum is taken`);
      assert.equal(read({ [key]: maximum + 1 }).problems.length, 1, `${key}: past the maximum is named`);
    }
  });

  it('allows the browser origins set, besides the loopback ones, and names a malformed one', () => {
    const { value: settings, problems } = read({ 'receiver.allowedOrigins': ['http://myapp.test:8080', 'https://dev.example.com:*'] });
    assert.deepEqual(problems, []);
    const policy = originPolicy(settings.config.allowedOrigins);
    for (const origin of ['http://myapp.test:8080', 'https://dev.example.com:5173', 'http://localhost:3000', 'http://[::1]:8080']) assert.ok(policy.allows(origin), origin);
    for (const origin of ['http://myapp.test:8081', 'http://evil.test']) assert.ok(!policy.allows(origin), origin);
    for (const bad of ['ftp://myapp.test', 'myapp.test:8080', 42]) {
      const read2 = read({ 'receiver.allowedOrigins': ['http://ok.test', bad] });
      assert.equal(read2.problems.length, 1, String(bad));
      assert.match(read2.problems[0]!, /^hopscope\.receiver\.allowedOrigins must be a list of origins .*; allowing only localhost, 127\.0\.0\.1 and \[::1\]\.$/);
      assert.ok(!originPolicy(read2.value.config.allowedOrigins).allows('http://ok.test'), 'a list with a bad entry is not used');
    }
  });

  it('declares in package.json the same origin form the receiver accepts', () => {
    const declared = (JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { configuration: { properties: Record<string, { items: { pattern: string } }> } } }).contributes.configuration.properties['hopscope.receiver.allowedOrigins']!;
    const pattern = new RegExp(declared.items.pattern);
    for (const origin of ['*', 'http://myapp.test', 'http://myapp.test:8080', 'https://dev.example.com:*', 'http://[::1]:3000', 'http://127.0.0.1/', 'ftp://x', 'http://', 'http://a b', 'myapp.test:8080', 'http://x:port']) {
      assert.equal(pattern.test(origin), originProblem(origin) === undefined, origin);
    }
  });

  it('refuses the same port for HTTP and gRPC', () => {
    const { value: settings, problems } = read({ 'receiver.httpPort': 5000, 'receiver.grpcPort': 5000 });
    assert.notEqual(settings.config.grpcPort, 5000);
    assert.match(problems[0]!, /both 5000/);
  });
});
