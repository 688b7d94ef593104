/** What the Traces view shows, without VS Code: the list model, the settings, the OTLP snippets. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { otlpEnvironment } from '../../src/common/otlp-environment';
import { formatDuration } from '../../src/common/format';
import { EMPTY_STATS } from '../../src/ingest/receiver-controller';
import type { TraceSummary } from '../../src/ingest/trace-store';
import { readReceiverSettings } from '../../src/extension/receiver-settings';
import { medianDurationUs, TraceList } from '../../src/extension/trace-list';

const summary = (traceId: string, startUs: number, rootName = 'POST /orders', rootDurationUs = 100_000): TraceSummary => ({
  traceId, rootService: 'gateway', rootName, spanCount: 3, startUs, durationUs: rootDurationUs, rootDurationUs, errorCount: 0, services: ['gateway'], settled: false, logCount: 0,
});
const update = (changed: TraceSummary[], removed: string[] = [], reset = false) => ({ reset, changed, removed, stats: EMPTY_STATS });

describe('the trace list', () => {
  it('keeps the newest trace first, replaces changed summaries and drops removed ones', () => {
    const list = new TraceList();
    list.apply(update([summary('a', 1), summary('b', 3), summary('c', 2)]));
    assert.deepEqual(list.newestFirst().map((t) => t.traceId), ['b', 'c', 'a']);
    list.apply(update([{ ...summary('a', 5), spanCount: 9 }], ['b']));
    assert.deepEqual(list.newestFirst().map((t) => t.traceId), ['a', 'c']);
    assert.equal(list.get('a')?.spanCount, 9);
  });

  it('starts over on a reset (another source, or Clear Traces)', () => {
    const list = new TraceList();
    list.apply(update([summary('a', 1)]));
    list.apply(update([summary('z', 1)], [], true));
    assert.deepEqual(list.newestFirst().map((t) => t.traceId), ['z']);
  });

  it('groups by endpoint, the group with the newest trace first, with the median latency', () => {
    const list = new TraceList();
    list.apply(update([summary('a', 1, 'POST /orders', 100), summary('b', 2, 'GET /cart', 7), summary('c', 3, 'POST /orders', 300), summary('d', 4, 'POST /orders', 200)]));
    const groups = list.byEndpoint();
    assert.deepEqual(groups.map((g) => [g.name, g.traces.map((t) => t.traceId)]), [['POST /orders', ['d', 'c', 'a']], ['GET /cart', ['b']]]);
    assert.equal(medianDurationUs(groups[0]!.traces), 200);
  });
});

describe('durations as people read them', () => {
  it('picks the unit by size', () => {
    assert.deepEqual([850, 652_400, 1_254_000, 125_000_000].map(formatDuration), ['850 µs', '652 ms', '1.25 s', '2 min 5 s']);
  });
});

describe('the receiver settings', () => {
  const read = (values: Record<string, unknown>) => readReceiverSettings((key) => values[key]);

  it('uses the defaults when nothing is set', () => {
    const { settings, problems } = read({});
    assert.deepEqual(problems, []);
    assert.equal(settings.enabled, true);
    assert.deepEqual([settings.config.host, settings.config.httpPort, settings.config.grpcPort], ['127.0.0.1', 4318, 4317]);
  });

  it('names each bad setting and what it used instead', () => {
    const { settings, problems } = read({ 'receiver.httpPort': '4318', 'receiver.grpcPort': 70000, 'receiver.enabled': 'yes', 'receiver.host': 'local host', 'store.maxSpans': 5 });
    assert.deepEqual([settings.config.httpPort, settings.config.grpcPort, settings.enabled, settings.config.host, settings.config.maxSpans], [4318, 4317, true, '127.0.0.1', 200_000]);
    for (const key of ['receiver.httpPort', 'receiver.grpcPort', 'receiver.enabled', 'receiver.host', 'store.maxSpans']) {
      assert.ok(problems.some((p) => p.startsWith(`hopscope.${key} `)), `a problem names hopscope.${key}: ${problems.join(' | ')}`);
    }
  });

  it('reads the analysis thresholds, and names a pattern that is not a regular expression', () => {
    const { settings, problems } = read({ 'analysis.maxSyncHops': 5, 'analysis.longSyncCallMs': 2000, 'analysis.nonCriticalPatterns': ['mail', '(unclosed'] });
    assert.equal(settings.config.analysis.maxSyncHops, 5);
    assert.equal(settings.config.analysis.longSyncCallUs, 2_000_000);
    assert.ok(settings.config.analysis.nonCriticalPatterns.includes('analytics'), 'the defaults stay');
    assert.match(problems[0]!, /^hopscope\.analysis\.nonCriticalPatterns .*"\(unclosed" is not a valid regular expression/);
  });

  it('reads the bytes-in-flight budget in MiB, and names a bad one with the default it used', () => {
    assert.equal(read({}).settings.config.maxInflightBytes, 64 * 1024 * 1024);
    assert.equal(read({ 'receiver.maxInflightMB': 128 }).settings.config.maxInflightBytes, 128 * 1024 * 1024);
    for (const bad of [0, 20_000, 1.5, 'lots']) {
      const { settings, problems } = read({ 'receiver.maxInflightMB': bad });
      assert.equal(settings.config.maxInflightBytes, 64 * 1024 * 1024, String(bad));
      assert.deepEqual(problems, [`hopscope.receiver.maxInflightMB must be a whole number from 1 to 16,384, not ${JSON.stringify(bad)}; using 64`]);
    }
  });

  it('reads the store and receiver sizes with the defaults and bounds package.json declares', () => {
    const declared = (JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { configuration: { properties: Record<string, { default: number; minimum: number; maximum: number }> } } }).contributes.configuration.properties;
    const cases = [['receiver.maxInflightMB', 'maxInflightBytes', 1048576], ['store.maxMB', 'maxStoreBytes', 1048576], ['store.maxAttributeKB', 'maxAttributeBytes', 1024]] as const;
    for (const [key, field, unit] of cases) {
      const { default: fallback, minimum, maximum } = declared[`hopscope.${key}`]!;
      assert.equal(read({}).settings.config[field], fallback * unit, `${key}: the default`);
      assert.equal(read({ [key]: minimum }).settings.config[field], minimum * unit, `${key}: the minimum is taken`);
      assert.equal(read({ [key]: maximum }).settings.config[field], maximum * unit, `${key}: the maximum is taken`);
      assert.equal(read({ [key]: maximum + 1 }).problems.length, 1, `${key}: past the maximum is named`);
    }
  });

  it('refuses the same port for HTTP and gRPC', () => {
    const { settings, problems } = read({ 'receiver.httpPort': 5000, 'receiver.grpcPort': 5000 });
    assert.notEqual(settings.config.grpcPort, 5000);
    assert.match(problems[0]!, /both 5000/);
  });
});

describe('the OTLP environment snippets', () => {
  const snippets = otlpEnvironment({ host: '127.0.0.1', httpPort: 5318, grpcPort: 5317 });
  const text = (id: string) => snippets.find((s) => s.id === id)!.text;

  it('give each language the port of the protocol its SDK uses by default', () => {
    for (const id of ['node', 'java', 'go']) assert.match(text(id), /^export OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/127\.0\.0\.1:5318$/m, id);
    for (const id of ['python', 'dotnet']) assert.match(text(id), /^export OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/127\.0\.0\.1:5317$/m, id);
    assert.deepEqual(snippets.map((s) => s.language), ['Node.js', 'Python', 'Java', 'Go', '.NET']);
  });

  it('fall back to HTTP when gRPC is off, and never suggest a wildcard address', () => {
    const off = otlpEnvironment({ host: '0.0.0.0', httpPort: 4318, grpcPort: undefined });
    for (const snippet of off) assert.doesNotMatch(snippet.text, /4317|0\.0\.0\.0/);
  });
});
