/** What the Traces view lists, without VS Code: the list model. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_STATS } from '../../src/ingest/receiver-controller';
import type { TraceSummary } from '../../src/ingest/trace-store';
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

