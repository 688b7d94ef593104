/**
 * The code places of a whole trace, as the worker lists them for the trace
 * document: distinct lists, each span's tries in order, bounded whatever the
 * sender made the trace.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SpanRecord } from '../../src/model/span';
import { MAX_PLACE_LISTS, MAX_TRIES, tracePlaces, type PlaceNode } from '../../src/source/trace-places';
import { deepChain, deepCycle } from '../../bench/deep';
import { span } from './temp-workspace';

const at = (file: string, line: number) => ({ 'code.file.path': file, 'code.line.number': line });
const nodesOf = (spans: readonly SpanRecord[]): PlaceNode[] => spans.map((s) => ({ spanId: s.spanId, parentSpanId: s.parentSpanId, kind: s.kind, service: s.service }));
const placesOf = (spans: readonly SpanRecord[]) => {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  return tracePlaces(nodesOf(spans), (id) => byId.get(id));
};

describe('the places of a trace', () => {
  it('lists each distinct place once and gives each span its own list, then its ancestors\'', () => {
    //  a GET /orders (routes.ts:12) ─┬─ b SELECT (none)            tries: a's
    //                               ├─ c charge (stock.ts:42)      tries: c's, then a's
    //                               └─ d charge (stock.ts:42)      the same list as c
    const spans = [
      span(at('/app/src/routes.ts', 12), { spanId: 'a', kind: 'server' }),
      span({}, { spanId: 'b', parentSpanId: 'a', kind: 'client' }),
      span(at('/app/src/stock.ts', 42), { spanId: 'c', parentSpanId: 'a', kind: 'client' }),
      span(at('/app/src/stock.ts', 42), { spanId: 'd', parentSpanId: 'a', kind: 'client' }),
    ];
    const { lists, tries } = placesOf(spans);
    assert.deepEqual(lists.map((l) => l.map((c) => `${c.path}:${c.line} ${c.from}`)), [['/app/src/routes.ts:12 attributes'], ['/app/src/stock.ts:42 attributes']]);
    assert.deepEqual(tries.map((t) => t?.map((x) => `${x.list}@${spans[x.node]!.spanId}`)), [['0@a'], ['0@a'], ['1@c', '0@a'], ['1@d', '0@a']]);
  });

  it('takes no place across a broker or from a caller\'s client span, but a call made with none is on the caller\'s line', () => {
    const spans = [
      span(at('/app/src/routes.ts', 12), { spanId: 'a', kind: 'server' }),
      span(at('/app/src/routes.ts', 20), { spanId: 'p', parentSpanId: 'a', kind: 'producer' }),
      span({}, { spanId: 'q', parentSpanId: 'p', kind: 'consumer', service: 'analytics' }),
      span({}, { spanId: 'r', parentSpanId: 'q', kind: 'client', service: 'analytics' }),
      span(at('/app/src/stock.ts', 42), { spanId: 'c', parentSpanId: 'a', kind: 'client' }),
      span({}, { spanId: 's', parentSpanId: 'c', kind: 'server', service: 'payments' }),
      span({}, { spanId: 'e', parentSpanId: 'a', kind: 'server', service: 'email' }),
      span({}, { spanId: 'f', parentSpanId: 'e', kind: 'internal', service: 'email' }),
    ];
    assert.deepEqual(placesOf(spans).tries.map((t) => t?.length ?? 0), [1, 2, 0, 0, 2, 0, 1, 0]);
  });

  it('climbs a chain 100,000 deep once, without recursion, to the one place at its top', () => {
    const spans = deepChain(100_000, 1, { clientsOnly: true });
    const { lists, tries } = placesOf(spans);
    assert.equal(lists.length, 1);
    assert.deepEqual(tries[99_999], [{ list: 0, node: 0 }]);
  });

  it('ends the climb in a parent cycle no tree repaired', () => {
    const spans = deepCycle(100_000);
    const { tries } = placesOf(spans);
    assert.equal(tries.length, 100_000);
    assert.ok(tries.every((t) => t === undefined || (t.length >= 1 && t.length <= MAX_TRIES)));
  });

  it('keeps the lists within their bound and each span\'s tries within theirs', () => {
    // A span per distinct line, each the child of the last: a sender naming a new place per span.
    const spans: SpanRecord[] = [];
    for (let i = 0; i < 2 * MAX_PLACE_LISTS; i++) spans.push(span(at('/app/src/a.ts', i + 1), { spanId: `s${i}`, parentSpanId: i === 0 ? '' : `s${i - 1}`, kind: 'internal' }));
    const { lists, tries } = placesOf(spans);
    assert.equal(lists.length, MAX_PLACE_LISTS);
    assert.ok(tries.every((t) => t !== undefined && t.length <= MAX_TRIES));
    assert.deepEqual(tries[2 * MAX_PLACE_LISTS - 1]!.map((t) => t.list), [MAX_PLACE_LISTS - 1, MAX_PLACE_LISTS - 2, MAX_PLACE_LISTS - 3, MAX_PLACE_LISTS - 4, MAX_PLACE_LISTS - 5], 'past the bound, the nearest listed ancestors');
  });
});
