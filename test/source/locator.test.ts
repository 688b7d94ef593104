/**
 * Which line a span stands for, level by level, in a real workspace:
 *
 *   <root>/ws/orders/src/routes.ts      <root>/ws/orders/app/views.py
 *   <root>/ws/orders/src/stock.ts       <root>/ws/orders/node_modules/express/lib/router.js
 *   <root>/ws/gateway/main.ts (second folder, for the multi-root test)
 *
 *   attributes ─► legacy-attributes ─► code.stacktrace ─► exception ─► parent ─► (text)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { attributeCandidates, codeAttributes } from '../../src/source/span-source';
import { SourceLocator } from '../../src/source/locator';
import { exceptionEvent, lines, span, tempWorkspace, type TempWorkspace } from './temp-workspace';

describe('finding the line a span stands for', () => {
  let ws: TempWorkspace;
  let locator: SourceLocator;
  const src = (name: string) => ws.at(`ws/orders/src/${name}`);

  before(() => {
    ws = tempWorkspace({
      'ws/orders/src/routes.ts': lines(50),
      'ws/orders/src/stock.ts': lines(50),
      'ws/orders/app/views.py': lines(100),
      'ws/orders/node_modules/express/lib/router.js': lines(400),
      'ws/gateway/main.ts': lines(10),
    });
    locator = new SourceLocator([ws.folder], { listFiles: () => ws.files() });
  });
  after(() => ws.dispose());

  describe('level by level', () => {
    it('takes code.file.path, code.line.number, code.column.number and code.function.name first', async () => {
      const found = await locator.locate(
        span({ 'code.file.path': src('routes.ts'), 'code.line.number': 12, 'code.column.number': 3, 'code.function.name': 'postOrder', 'code.filepath': src('stock.ts'), 'code.lineno': 9 }, { spanId: 'a1'.repeat(8) }),
      );
      assert.deepEqual(found, { spanId: 'a1'.repeat(8), file: src('routes.ts'), line: 12, column: 3, functionName: 'postOrder', label: 'orders/src/routes.ts:12', from: 'attributes' });
    });

    it('then the pre-1.30 names, with code.namespace joined to code.function', async () => {
      const found = await locator.locate(span({ 'code.filepath': ws.at('ws/orders/app/views.py'), 'code.lineno': '88', 'code.namespace': 'orders.views', 'code.function': 'post' }));
      assert.equal(found?.from, 'legacy-attributes');
      assert.equal(found?.label, 'orders/app/views.py:88');
      assert.equal(found?.functionName, 'orders.views.post');
    });

    it('falls through a current name that points outside the workspace to an older one that does not', async () => {
      const found = await locator.locate(span({ 'code.file.path': '/usr/lib/node/lib/events.js', 'code.line.number': 5, 'code.filepath': '/app/src/stock.ts', 'code.lineno': 7 }));
      assert.deepEqual([found?.from, found?.label], ['legacy-attributes', 'orders/src/stock.ts:7']);
    });

    it('then code.stacktrace, at its first frame that is not OpenTelemetry, a package or the runtime', async () => {
      const stack = [
        'Error',
        '    at Tracer.startActiveSpan (/app/node_modules/@opentelemetry/sdk-trace/build/src/Tracer.js:120:32)',
        '    at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)',
        '    at reserve (/app/src/stock.ts:42:7)',
        '    at postOrder (/app/src/routes.ts:12:3)',
        '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      ].join('\n');
      const found = await locator.locate(span({ 'code.stacktrace': stack }));
      assert.deepEqual([found?.from, found?.label, found?.column, found?.functionName], ['code.stacktrace', 'orders/src/stock.ts:42', 7, 'reserve']);
    });

    it("then the first frame of an exception's stack that is in the workspace, even below other frames", async () => {
      const stack = [
        'Error: out of stock',
        '    at check (/srv/shared-lib/stock-check.ts:3:1)',
        `    at Layer.handle (${ws.at('ws/orders/node_modules/express/lib/router.js')}:95:5)`,
        '    at reserve (/app/src/stock.ts:42:7)',
      ].join('\n');
      const found = await locator.locate(span({ 'http.route': '/orders' }, { events: [exceptionEvent(stack)] }));
      assert.deepEqual([found?.from, found?.label, found?.functionName], ['exception', 'orders/src/stock.ts:42', 'reserve']);
    });

    it('passes over the frames skipFrames names in both stack traces, for the line that called the helper', async () => {
      const stack = ['Error: mail server refused the message', '    at work (/app/src/stock.ts:3:9)', '    at send (/app/src/routes.ts:12:5)'].join('\n');
      const skipping = new SourceLocator([ws.folder], { listFiles: () => ws.files(), skipFrames: ['src/stock.ts'] });
      const failed = span({}, { events: [exceptionEvent(stack)] });
      const traced = span({ 'code.stacktrace': stack });
      assert.deepEqual([(await locator.locate(failed))?.label, (await locator.locate(traced))?.label], ['orders/src/stock.ts:3', 'orders/src/stock.ts:3'], 'without the setting: the helper');
      assert.deepEqual([(await skipping.locate(failed))?.label, (await skipping.locate(traced))?.label], ['orders/src/routes.ts:12', 'orders/src/routes.ts:12']);
      assert.equal((await skipping.locate(span({ 'code.file.path': '/app/src/stock.ts', 'code.line.number': 3 })))?.label, 'orders/src/stock.ts:3', 'code.* attributes are taken as they are');
    });

    it('reads an exception from Python the same way', async () => {
      const stack = 'Traceback (most recent call last):\n  File "/app/app/views.py", line 88, in post\n    raise OutOfStock()\nOutOfStock';
      const found = await locator.locate(span({}, { events: [exceptionEvent(stack)] }));
      assert.deepEqual([found?.from, found?.label], ['exception', 'orders/app/views.py:88']);
    });

    it("and last the nearest ancestor's location, naming the ancestor", async () => {
      //  server  code.file.path=routes.ts:12
      //   └─ internal (nothing)
      //       └─ client SELECT (nothing)   ─► routes.ts:12 from the server span
      const server = span({ 'code.file.path': '/app/src/routes.ts', 'code.line.number': 12 }, { spanId: '1'.repeat(16) });
      const internal = span({}, { spanId: '2'.repeat(16), parentSpanId: server.spanId, kind: 'internal' });
      const client = span({ 'db.system': 'postgresql' }, { spanId: '3'.repeat(16), parentSpanId: internal.spanId, kind: 'client' });
      const byId = new Map([server, internal, client].map((s) => [s.spanId, s]));
      const found = await locator.locate(client, (id) => byId.get(byId.get(id)?.parentSpanId ?? ''));
      assert.deepEqual([found?.from, found?.label, found?.fromSpanId], ['parent', 'orders/src/routes.ts:12', server.spanId]);
      assert.equal(await locator.locate(client), undefined, 'without a parent lookup there is no last level');
    });

    it('prefers its own place outside the workspace as text over nothing, and an ancestor inside over that text', async () => {
      const parent = span({ 'code.file.path': 'src/routes.ts', 'code.line.number': 3 }, { spanId: '4'.repeat(16) });
      const child = span({ 'code.file.path': '/usr/lib/python3.12/json/decoder.py', 'code.line.number': 337 }, { spanId: '5'.repeat(16), parentSpanId: parent.spanId, kind: 'internal' });
      assert.deepEqual(await locator.lookup(child), { spanId: child.spanId, outside: true, text: '/usr/lib/python3.12/json/decoder.py:337', from: 'attributes' });
      assert.equal(await locator.locate(child), undefined);
      assert.equal((await locator.lookup(child, (id) => (id === child.spanId ? parent : undefined)))?.from, 'parent');
    });

    it('walks out of a parent cycle instead of looping', async () => {
      const a = span({}, { spanId: '6'.repeat(16), parentSpanId: '7'.repeat(16) });
      const b = span({}, { spanId: '7'.repeat(16), parentSpanId: '6'.repeat(16) });
      const byId = new Map([a, b].map((s) => [s.spanId, s]));
      assert.equal(await locator.lookup(a, (id) => byId.get(byId.get(id)!.parentSpanId)), undefined);
    });
  });

  describe('a whole trace', () => {
    it('locates every span that has a place of its own or through an ancestor, in span order', async () => {
      const root = span({ 'code.file.path': '/app/src/routes.ts', 'code.line.number': 12 }, { spanId: 'a'.repeat(16) });
      const child = span({}, { spanId: 'b'.repeat(16), parentSpanId: root.spanId, kind: 'client' });
      const own = span({ 'code.file.path': '/app/src/stock.ts', 'code.line.number': 42 }, { spanId: 'c'.repeat(16), parentSpanId: root.spanId, kind: 'client' });
      const orphan = span({}, { spanId: 'd'.repeat(16), parentSpanId: 'f'.repeat(16), kind: 'client' });
      const found = await locator.locateAll([root, child, own, orphan]);
      assert.deepEqual(
        found.map((l) => [l.spanId[0], l.label, l.from]),
        [
          ['a', 'orders/src/routes.ts:12', 'attributes'],
          ['b', 'orders/src/routes.ts:12', 'parent'],
          ['c', 'orders/src/stock.ts:42', 'attributes'],
        ],
      );
    });

    it("follows the repaired tree's parents when it is given (an orphan attached under the root)", async () => {
      const root = span({ 'code.file.path': '/app/src/routes.ts', 'code.line.number': 12 }, { spanId: 'a'.repeat(16) });
      const orphan = span({}, { spanId: 'd'.repeat(16), parentSpanId: 'f'.repeat(16), kind: 'internal' });
      const nodes = [{ spanId: root.spanId, parentSpanId: '' }, { spanId: orphan.spanId, parentSpanId: root.spanId }];
      assert.deepEqual((await locator.locateAll([root, orphan], nodes)).map((l) => l.spanId[0]), ['a', 'd']);
    });

    it("keeps the parent level in the span's service and on its side of a broker: a callee's own work is never on its caller's line", async () => {
      //  orders POST /orders (routes.ts:12)
      //   ├─ orders → payments client (stock.ts:42) ─ payments POST /charge ─ payments charge card     ─► nothing for payments' spans
      //   ├─ orders publish (routes.ts:20) ─ analytics consumer ─ analytics GET (redis client)          ─► nothing for analytics' spans
      //   ├─ orders notify (internal, no client span) ─ email POST /send ─ email send                   ─► /send on routes.ts:12, send nothing
      //   └─ orders SELECT (client)                                                                      ─► routes.ts:12
      const at = (line: number, file = '/app/src/routes.ts') => ({ 'code.file.path': file, 'code.line.number': line });
      const spans = [
        span(at(12), { spanId: 'a0', kind: 'server' }),
        span(at(42, '/app/src/stock.ts'), { spanId: 'b0', parentSpanId: 'a0', kind: 'client' }),
        span({}, { spanId: 'b1', parentSpanId: 'b0', kind: 'server', service: 'payments' }),
        span({}, { spanId: 'b2', parentSpanId: 'b1', kind: 'internal', service: 'payments' }),
        span(at(20), { spanId: 'c0', parentSpanId: 'a0', kind: 'producer' }),
        span({}, { spanId: 'c1', parentSpanId: 'c0', kind: 'consumer', service: 'analytics' }),
        span({}, { spanId: 'c2', parentSpanId: 'c1', kind: 'client', service: 'analytics' }),
        span({}, { spanId: 'd0', parentSpanId: 'a0', kind: 'internal' }),
        span({}, { spanId: 'd1', parentSpanId: 'd0', kind: 'server', service: 'email' }),
        span({}, { spanId: 'd2', parentSpanId: 'd1', kind: 'internal', service: 'email' }),
        span({}, { spanId: 'e0', parentSpanId: 'a0', kind: 'client' }),
      ];
      const expected = [['a0', 'orders/src/routes.ts:12'], ['b0', 'orders/src/stock.ts:42'], ['c0', 'orders/src/routes.ts:20'], ['d0', 'orders/src/routes.ts:12'], ['d1', 'orders/src/routes.ts:12'], ['e0', 'orders/src/routes.ts:12']];
      assert.deepEqual((await locator.locateAll(spans)).map((l) => [l.spanId, l.label]), expected);
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const one = await Promise.all(spans.map((s) => locator.locate(s, (id) => byId.get(byId.get(id)?.parentSpanId ?? ''))));
      assert.deepEqual(one.flatMap((l) => (l ? [[l.spanId, l.label]] : [])), expected, 'span by span, the same');
    });

    it('walks a trace thousands of spans deep once, not once per span', async () => {
      //  s0 (routes.ts:12) ─ s1 ─ s2 ─ … ─ s4999, none of the rest with a place of its own
      const chain = [span({ 'code.file.path': 'src/routes.ts', 'code.line.number': 12 }, { spanId: 's0' })];
      for (let i = 1; i < 5000; i++) chain.push(span({}, { spanId: `s${i}`, parentSpanId: `s${i - 1}`, kind: 'internal' }));
      const started = performance.now();
      const found = await new SourceLocator([{ name: 'orders', path: ws.at('ws/orders') }]).locateAll(chain);
      assert.equal(found.length, 5000);
      assert.deepEqual([found[4999]!.label, found[4999]!.from, found[4999]!.fromSpanId], ['src/routes.ts:12', 'parent', 's0']);
      assert.ok(performance.now() - started < 3000);
    });

    it('leaves the spans and tree it reads as they were', async () => {
      const root = span({ 'code.stacktrace': '    at f (/app/src/routes.ts:1:1)' }, { spanId: 'a'.repeat(16), events: [exceptionEvent('    at g (/app/src/stock.ts:2:2)')] });
      const child = span({}, { spanId: 'b'.repeat(16), parentSpanId: root.spanId });
      const nodes = [{ spanId: root.spanId, parentSpanId: '' }, { spanId: child.spanId, parentSpanId: root.spanId }];
      const spans = [root, child];
      const before = structuredClone({ spans, nodes });
      await locator.locateAll(spans, nodes);
      assert.deepEqual({ spans, nodes }, before);
    });

    it('names the folder in a multi-root workspace, as the minimal resolver did', async () => {
      const multi = new SourceLocator([{ name: 'orders', path: ws.at('ws/orders') }, { name: 'gateway', path: ws.at('ws/gateway') }]);
      assert.equal((await multi.locate(span({ 'code.file.path': 'main.ts', 'code.line.number': 3 })))?.label, 'gateway/main.ts:3');
      assert.equal((await multi.locate(span({ 'code.file.path': 'src/routes.ts', 'code.line.number': 1 })))?.label, 'orders/src/routes.ts:1');
    });

    it('reports bad path mappings and works with the good ones', async () => {
      const mapped = new SourceLocator([ws.folder], { mappings: [{ from: '/srv', to: ws.at('ws/orders') }, { from: '/x', to: 'relative' }] });
      assert.deepEqual(mapped.mappingErrors, ['hopscope.pathMappings entry 2: "to" "relative" must be absolute; start it with ${workspaceFolder}.']);
      assert.equal((await mapped.locate(span({ 'code.file.path': '/srv/src/stock.ts', 'code.line.number': 2 })))?.label, 'orders/src/stock.ts:2');
    });
  });

  describe('reading the attributes alone', () => {
    it('lists the candidates best first, without touching the file system', () => {
      const candidates = attributeCandidates(
        span({
          'code.file.path': '/app/a.ts',
          'code.line.number': 1,
          'code.filepath': '/app/b.py',
          'code.lineno': 2,
          'code.stacktrace': '    at f (/app/c.ts:3:4)',
        }),
      );
      assert.deepEqual(
        candidates.map((c) => [c.from, c.path, c.line]),
        [
          ['attributes', '/app/a.ts', 1],
          ['legacy-attributes', '/app/b.py', 2],
          ['code.stacktrace', '/app/c.ts', 3],
        ],
      );
    });

    it('still answers the minimal resolver\'s question: the current path and line before the old ones', () => {
      assert.deepEqual(codeAttributes(span({ 'code.file.path': 'new.ts', 'code.filepath': 'old.ts', 'code.line.number': 2, 'code.lineno': 9 })), { path: 'new.ts', line: 2 });
      assert.equal(codeAttributes(span({ 'code.stacktrace': '    at f (/app/c.ts:3:4)' })), undefined, 'a stack is not a code attribute');
    });

    it('reads numbers written as strings, and takes a line from the other generation of names when its own is missing', () => {
      const [candidate] = attributeCandidates(span({ 'code.file.path': '/app/a.ts', 'code.lineno': ' 17 ', 'code.column.number': '4' }));
      assert.deepEqual(candidate, { from: 'attributes', path: '/app/a.ts', line: 17, column: 4 });
    });
  });
});
