/**
 * Each trace's tree and analysis, made once per trace version and kept within a bound of traces and nodes,
 * least recently asked for let go first.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ANALYSIS_SETTINGS } from '../../src/analysis/settings';
import { buildTree } from '../../src/analysis/trace-tree';
import { DerivedTraces, NODE_BYTES } from '../../src/ingest/derived-traces';
import { TraceStore } from '../../src/ingest/trace-store';
import { syntheticTrace } from '../../bench/synthetic';

function counting(store: TraceStore, options: { maxTraces?: number; maxBytes?: number } = {}) {
  const built: string[] = [];
  const derived = new DerivedTraces(store, DEFAULT_ANALYSIS_SETTINGS, { ...options, build: (spans) => (built.push(spans[0]!.traceId), buildTree(spans)) });
  return { derived, built };
}

describe('derived traces', () => {
  it('build a trace once per version and share the one tree and analysis', () => {
    const store = new TraceStore();
    const spans = syntheticTrace(1, 10);
    const id = spans[0]!.traceId;
    store.add(spans.slice(0, -1));
    const { derived, built } = counting(store);
    const first = derived.get(id)!;
    assert.equal(derived.get(id), first);
    assert.equal(first.analysis(), derived.get(id)!.analysis(), 'analysed once');
    store.add(spans.slice(-1));
    assert.equal(derived.get(id)!.tree.nodes.length, spans.length);
    assert.equal(built.length, 2);
    const analysis = derived.get(id)!.analysis();
    derived.setSettings({ ...DEFAULT_ANALYSIS_SETTINGS, longSyncCallUs: 1 });
    assert.notEqual(derived.get(id)!.analysis(), analysis, 'new settings: analysed again');
    assert.equal(built.length, 2, 'the tree is kept');
    assert.equal(derived.get('f'.repeat(32)), undefined);
  });

  it('keep at most maxTraces and maxBytes, letting the least recently asked for go first', () => {
    const store = new TraceStore();
    const traces = [1, 2, 3].map((n) => syntheticTrace(n, 10));
    for (const spans of traces) store.add(spans);
    const ids = traces.map((spans) => spans[0]!.traceId);
    const nodes = traces.map((spans) => buildTree(spans)!.nodes.length);
    const { derived, built } = counting(store, { maxTraces: 2, maxBytes: (nodes[0]! + nodes[2]!) * NODE_BYTES });
    derived.get(ids[0]!);
    derived.get(ids[1]!);
    derived.get(ids[0]!);
    derived.get(ids[2]!);
    assert.deepEqual(derived.size, { traces: 2, nodes: nodes[0]! + nodes[2]!, bytes: (nodes[0]! + nodes[2]!) * NODE_BYTES });
    derived.get(ids[0]!);
    assert.equal(built.length, 3, 'the one asked for last was kept');
    derived.get(ids[1]!);
    assert.equal(built.length, 4, 'the least recently asked for was let go');
    const small = counting(store, { maxBytes: 5 * NODE_BYTES });
    small.derived.get(ids[0]!);
    small.derived.get(ids[0]!);
    assert.deepEqual([small.built.length, small.derived.size.traces], [2, 0], 'a tree larger than the whole bound is made for who asks, not kept');
  });
});
