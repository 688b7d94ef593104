/**
 * Compiled JavaScript mapped back to its TypeScript through source maps,
 * and maps that try to lead out of the workspace, which are not followed.
 *
 *   dist/orders.js                              src/orders.ts
 *    3 │·…                      ─────────────►   2 │·…
 *   10 │····reserve(…)   (10:5)  ─────────────►   7 │··reserve(…)   (7:3)
 *
 * (Columns as written by OTel and V8, from 1; the map itself counts from 0.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SourceMapGenerator } from 'source-map-js';
import { PathResolver, type InsidePosition, type Outside } from '../../src/source/resolve-path';
import { lines, tempWorkspace, type TempWorkspace } from './temp-workspace';

/** The map drawn above, with `source` as the map names it. */
function sourceMap(source: string): string {
  const map = new SourceMapGenerator({ file: 'orders.js' });
  map.addMapping({ generated: { line: 3, column: 0 }, original: { line: 2, column: 0 }, source });
  map.addMapping({ generated: { line: 10, column: 4 }, original: { line: 7, column: 2 }, source, name: 'reserve' });
  return map.toString();
}

const compiled = (comment = '') => `${lines(12)}${comment}`;
const short = (found: InsidePosition | Outside) =>
  found.outside ? `outside: ${found.text}` : `${found.label}:${found.line}${found.column === undefined ? '' : `:${found.column}`}`;

describe('mapping compiled JavaScript back to its source', () => {
  let ws: TempWorkspace;
  let resolver: PathResolver;
  const dist = (name: string) => ws.at(`ws/orders/dist/${name}`);

  before(() => {
    const inline = Buffer.from(sourceMap('../src/orders.ts')).toString('base64');
    ws = tempWorkspace({
      'ws/orders/src/orders.ts': lines(20),
      'ws/orders/dist/orders.js': compiled('//# sourceMappingURL=orders.js.map\n'),
      'ws/orders/dist/orders.js.map': sourceMap('../src/orders.ts'),
      'ws/orders/dist/inline.js': compiled(`//# sourceMappingURL=data:application/json;charset=utf-8;base64,${inline}\n`),
      'ws/orders/dist/sibling.js': compiled(),
      'ws/orders/dist/sibling.js.map': sourceMap('../src/orders.ts'),
      'ws/orders/dist/bundled.js': compiled('//# sourceMappingURL=bundled.js.map'),
      'ws/orders/dist/bundled.js.map': sourceMap('webpack://shop/./src/orders.ts'),
      'ws/orders/dist/escape.js': compiled('//# sourceMappingURL=escape.js.map\n'),
      'ws/orders/dist/escape.js.map': sourceMap('../../../outside/orders.ts'),
      'ws/orders/dist/absolute.js': compiled('//# sourceMappingURL=absolute.js.map\n'),
      'ws/orders/dist/absolute.js.map': sourceMap('/etc/passwd'),
      'ws/orders/dist/far.js': compiled('//# sourceMappingURL=../../../outside/far.js.map\n'),
      'ws/orders/dist/remote.js': compiled('//# sourceMappingURL=https://example.invalid/orders.js.map\n'),
      'ws/orders/dist/broken.js': compiled('//# sourceMappingURL=broken.js.map\n'),
      'ws/orders/dist/broken.js.map': '{"version": 3, "sources": ["../src/orders.ts"], "mappings": ',
      'ws/orders/dist/future.js': compiled('//# sourceMappingURL=future.js.map\n'),
      'ws/orders/dist/future.js.map': '{"version": 99, "sources": [], "mappings": ""}',
      'outside/orders.ts': lines(20),
      'outside/far.js.map': sourceMap('../ws/orders/src/orders.ts'),
    });
    resolver = new PathResolver({ folders: [ws.folder], mappings: [{ from: '/app', to: ws.at('ws/orders') }], listFiles: () => ws.files() });
  });
  after(() => ws.dispose());

  it('follows the sourceMappingURL comment: dist/orders.js:10:5 is src/orders.ts:7:3', async () => {
    const found = await resolver.resolvePosition({ path: dist('orders.js'), line: 10, column: 5 });
    assert.deepEqual(found, {
      file: ws.at('ws/orders/src/orders.ts'),
      label: 'orders/src/orders.ts',
      line: 7,
      column: 3,
      name: 'reserve',
      generated: { file: dist('orders.js'), label: 'orders/dist/orders.js', line: 10, column: 5 },
    });
  });

  it('reads an inline data: URL map, and a .js.map beside a file that has no comment', async () => {
    assert.equal(short(await resolver.resolvePosition({ path: dist('inline.js'), line: 10, column: 5 })), 'orders/src/orders.ts:7:3');
    assert.equal(short(await resolver.resolvePosition({ path: dist('sibling.js'), line: 10, column: 5 })), 'orders/src/orders.ts:7:3');
  });

  it('takes the first mapping on the line when the span gives no column', async () => {
    assert.equal(short(await resolver.resolvePosition({ path: dist('orders.js'), line: 10 })), 'orders/src/orders.ts:7:3');
  });

  it('maps a container path first, then through the map: /app/dist/orders.js:3:1 is src/orders.ts:2:1', async () => {
    assert.equal(short(await resolver.resolvePosition({ path: '/app/dist/orders.js', line: 3, column: 1 })), 'orders/src/orders.ts:2:1');
  });

  it('finds a bundler URL source (webpack://shop/./src/orders.ts) in the workspace', async () => {
    assert.equal(short(await resolver.resolvePosition({ path: dist('bundled.js'), line: 10, column: 5 })), 'orders/src/orders.ts:7:3');
  });

  it('stays on the compiled line where the map has nothing for it', async () => {
    assert.equal(short(await resolver.resolvePosition({ path: dist('orders.js'), line: 1, column: 1 })), 'orders/dist/orders.js:1:1');
  });

  describe('refusing maps that lead out of the workspace', () => {
    for (const [name, why] of [
      ['escape.js', 'a relative source that climbs out (../../../outside/orders.ts)'],
      ['absolute.js', 'an absolute source outside (/etc/passwd)'],
      ['far.js', 'a map file that is itself outside the workspace'],
      ['remote.js', 'a map on the network, which is never fetched'],
      ['broken.js', 'a map that is not JSON'],
      ['future.js', 'a map of an unknown version'],
    ] as const) {
      it(`shows the compiled file instead for ${why}`, async () => {
        const found = await resolver.resolvePosition({ path: dist(name), line: 10, column: 5 });
        assert.equal(short(found), `orders/dist/${name}:10:5`);
        assert.equal(found.outside ? undefined : found.generated, undefined);
      });
    }
  });
});
