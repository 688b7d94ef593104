/**
 * The call-site processor with the real OpenTelemetry SDK: which line a span is
 * said to come from, on which spans, and that it leaves the process as it found it.
 * Positions are checked against the marked line's text, never hard-coded.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { context, SpanKind, trace, type Context, type Tracer } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type Span } from '@opentelemetry/sdk-trace';
import { CallSiteSpanProcessor } from '../../src/processor/call-site-processor';
import { NO_CODE, codeOf, marked, traced } from './harness';

const here = (marker: string, call = 'startSpan(') => ({ path: __filename, ...marked(__filename, marker, call) });

function placeOrder(tracer: Tracer): void {
  tracer.startSpan('POST /charge', { kind: SpanKind.CLIENT }).end(); // call-site: placeOrder
}

class Checkout {
  constructor(private readonly tracer: Tracer) {}
  publish(): void {
    this.tracer.startSpan('publish order.created', { kind: SpanKind.PRODUCER }).end(); // call-site: Checkout.publish
  }
}

describe('call-site span processor', () => {
  it('records the file, line and column of the code that started a CLIENT span, and its function', () => {
    const { tracer, span } = traced();
    placeOrder(tracer);
    assert.deepEqual(codeOf(span('POST /charge')), { ...here('placeOrder'), functionName: 'placeOrder' });
  });

  it('records PRODUCER spans too, with the class of a method', () => {
    const { tracer, span } = traced();
    new Checkout(tracer).publish();
    assert.deepEqual(codeOf(span('publish order.created')), { ...here('Checkout.publish'), functionName: 'Checkout.publish' });
  });

  it('records the caller of startActiveSpan, not the callback', () => {
    const { tracer, span } = traced();
    tracer.startActiveSpan('GET /stock', { kind: SpanKind.CLIENT }, (s) => s.end()); // call-site: active
    const { path, line, column } = codeOf(span('GET /stock'));
    assert.deepEqual({ path, line, column }, here('active', 'startActiveSpan('));
  });

  it('leaves SERVER, CONSUMER and INTERNAL spans as they are by default', () => {
    const { tracer, span } = traced();
    for (const kind of [SpanKind.SERVER, SpanKind.CONSUMER, SpanKind.INTERNAL]) tracer.startSpan(`kind ${kind}`, { kind }).end();
    for (const kind of [SpanKind.SERVER, SpanKind.CONSUMER, SpanKind.INTERNAL]) assert.deepEqual(codeOf(span(`kind ${kind}`)), NO_CODE, `kind ${kind}`);
  });

  it('records only the configured kinds, and INTERNAL spans when asked', () => {
    const { tracer, span } = traced({ kinds: [SpanKind.SERVER], internal: true });
    for (const kind of [SpanKind.SERVER, SpanKind.INTERNAL, SpanKind.CLIENT, SpanKind.PRODUCER]) tracer.startSpan(`kind ${kind}`, { kind }).end(); // call-site: kinds
    const recorded = [SpanKind.SERVER, SpanKind.INTERNAL, SpanKind.CLIENT, SpanKind.PRODUCER].filter((kind) => codeOf(span(`kind ${kind}`)).line !== undefined);
    assert.deepEqual(recorded, [SpanKind.SERVER, SpanKind.INTERNAL]);
    assert.equal(codeOf(span(`kind ${SpanKind.SERVER}`)).line, here('kinds').line);
  });

  it('keeps a call site the instrumentation set itself', () => {
    const { tracer, span } = traced();
    tracer.startSpan('GET /x', { kind: SpanKind.CLIENT, attributes: { 'code.file.path': 'instrumented.ts', 'code.line.number': 7 } }).end();
    assert.deepEqual(codeOf(span('GET /x')), { path: 'instrumented.ts', line: 7, column: undefined, functionName: undefined });
  });

  describe('frames that did not make the call', () => {
    let dir = '';
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'hopscope-call-site-'));
      // A library that starts the span for you, and the service's own tiny HTTP helper, both plain JS without maps.
      mkdirSync(join(dir, 'node_modules', 'x'), { recursive: true });
      writeFileSync(join(dir, 'node_modules', 'x', 'index.js'), "exports.get = (tracer, name) => { tracer.startSpan(name, { kind: 2 }).end(); };\n");
      mkdirSync(join(dir, 'lib'));
      writeFileSync(join(dir, 'lib', 'client.js'), "const x = require('../node_modules/x');\n\nexports.call = (tracer, name) => x.get(tracer, name); // call-site: client\n");
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('skips frames in node_modules', () => {
      const { tracer, span } = traced();
      const x = require(join(dir, 'node_modules', 'x')) as { get(tracer: Tracer, name: string): void };
      x.get(tracer, 'GET /x'); // call-site: library
      const { path, line, column } = codeOf(span('GET /x'));
      assert.deepEqual({ path, line, column }, here('library', 'get('));
    });

    it("records the service's own helper, unless it is ignored; then its caller", () => {
      const client = require(join(dir, 'lib', 'client.js')) as { call(tracer: Tracer, name: string): void };
      const plain = traced();
      client.call(plain.tracer, 'GET /a');
      const helper = join(dir, 'lib', 'client.js');
      assert.deepEqual(codeOf(plain.span('GET /a')), { path: helper, ...marked(helper, 'client', 'get('), functionName: 'exports.call' });

      for (const ignore of [/\/lib\/client\.js$/, 'lib/client.js']) {
        const { tracer, span } = traced({ ignore: [ignore] });
        client.call(tracer, 'GET /b'); // call-site: helper
        assert.equal(codeOf(span('GET /b')).line, here('helper', 'call(').line, String(ignore));
      }
    });

    it('finds the service\'s frame however deep a library buried the call, after shallow spans of the same scope', () => {
      writeFileSync(join(dir, 'node_modules', 'x', 'deep.js'), "exports.nest = (n, tracer, name) => n === 0 ? tracer.startSpan(name, { kind: 2 }).end() : exports.nest(n - 1, tracer, name);\n");
      const deep = require(join(dir, 'node_modules', 'x', 'deep.js')) as { nest(n: number, tracer: Tracer, name: string): void };
      const { tracer, span } = traced();
      placeOrder(tracer); // learns that this scope's spans start right in the service's code
      deep.nest(12, tracer, 'GET /deep'); // call-site: deep
      assert.equal(codeOf(span('GET /deep')).line, here('deep', 'nest(').line);
      deep.nest(30, tracer, 'GET /deeper');
      assert.deepEqual(codeOf(span('GET /deeper')), NO_CODE, 'past maxFrames (24)');
      new Checkout(tracer).publish();
      assert.equal(codeOf(span('publish order.created')).line, here('Checkout.publish').line);
    });

    it('leaves the span as it is when no frame within maxFrames is the service\'s own', () => {
      const { tracer, span } = traced({ maxFrames: 2 });
      placeOrder(tracer);
      assert.deepEqual(codeOf(span('POST /charge')), NO_CODE);
    });
  });

  describe('spans started where the stack has no frame of the service', () => {
    let dir = '';
    interface Later {
      /** When the query's span starts after the checkout ended: in the same synchronous run (default), or on the next tick. */
      when?: 'same run' | 'next tick';
      queryParent?: Context;
      queryTracer?: Tracer;
    }
    let pool: { query(tracer: Tracer, parent: Context, name: string, later?: Later): Promise<void> };
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'hopscope-call-site-callback-'));
      mkdirSync(join(dir, 'node_modules', 'pool'), { recursive: true });
      // Like pg-pool: `query` checks a connection out (a span started in the caller's stack), and
      // the query's own span starts in the checkout's callback, from the event loop.
      writeFileSync(join(dir, 'node_modules', 'pool', 'index.js'), [
        'exports.query = (tracer, parent, name, later = {}) => new Promise((resolve) => {',
        '  const checkout = tracer.startSpan("pool.connect", { kind: 2 }, parent);',
        '  setImmediate(() => {',
        '    checkout.end();',
        '    const run = () => { (later.queryTracer ?? tracer).startSpan(name, { kind: 2 }, later.queryParent ?? parent).end(); resolve(); };',
        '    if (later.when === "next tick") process.nextTick(run); else run();',
        '  });',
        '});',
        '',
      ].join('\n'));
      pool = require(join(dir, 'node_modules', 'pool')) as typeof pool;
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    /** The context of a new server span: the parent of what a request handler does. */
    const request = (tracer: Tracer) => trace.setSpan(context.active(), tracer.startSpan('GET /orders', { kind: SpanKind.SERVER }));

    it("gives a span started in a library's callback the call site of the span it continues: same scope and parent, ended just before", async () => {
      const { tracer, span } = traced();
      await pool.query(tracer, request(tracer), 'SELECT 1'); // call-site: pooled
      assert.equal(codeOf(span('pool.connect')).line, here('pooled', 'query(').line);
      assert.deepEqual(codeOf(span('SELECT 1')), codeOf(span('pool.connect')));
    });

    it('gives it nothing when something else ran between the end and the start', async () => {
      const { tracer, span } = traced();
      await pool.query(tracer, request(tracer), 'SELECT 2', { when: 'next tick' });
      assert.equal(typeof codeOf(span('pool.connect')).line, 'number');
      assert.deepEqual(codeOf(span('SELECT 2')), NO_CODE);
    });

    it('gives it nothing from a span of another parent or another scope', async () => {
      const { tracer, scoped, span } = traced();
      const parent = request(tracer);
      await pool.query(tracer, parent, 'SELECT 3', { queryParent: request(tracer) });
      await pool.query(tracer, parent, 'SELECT 4', { queryTracer: scoped('another-library') });
      assert.deepEqual(codeOf(span('SELECT 3')), NO_CODE);
      assert.deepEqual(codeOf(span('SELECT 4')), NO_CODE);
    });

    it('keeps a span\'s own frame when it has one, whatever ended just before', () => {
      const { tracer, span } = traced();
      tracer.startSpan('first', { kind: SpanKind.CLIENT }).end(); // call-site: first
      tracer.startSpan('second', { kind: SpanKind.CLIENT }).end(); // call-site: second
      assert.equal(codeOf(span('first')).line, here('first').line);
      assert.equal(codeOf(span('second')).line, here('second').line);
    });
  });

  describe('fetch', () => {
    let dir = '';
    let realFetch: typeof fetch;
    let fakeFetch: typeof fetch;
    let helper: { get(url: string): Promise<Response> };
    before(() => {
      realFetch = globalThis.fetch;
      dir = mkdtempSync(join(tmpdir(), 'hopscope-call-site-fetch-'));
      mkdirSync(join(dir, 'node_modules', 'undici'), { recursive: true });
      mkdirSync(join(dir, 'lib'));
      // Like Node's fetch under instrumentation-undici: the span starts 40 frames down, before fetch returns.
      writeFileSync(join(dir, 'node_modules', 'undici', 'index.js'), [
        'let tracer;',
        'exports.use = (t) => { tracer = t; };',
        'const dispatch = (n, url) => n === 0 ? tracer.startSpan("GET " + url, { kind: 2 }).end() : dispatch(n - 1, url);',
        'exports.fetch = function fetch(url) { dispatch(40, url); return Promise.resolve(new Response("ok")); };',
        '',
      ].join('\n'));
      writeFileSync(join(dir, 'lib', 'http.js'), 'exports.get = (url) => fetch(url);\n');
      fakeFetch = (require(join(dir, 'node_modules', 'undici')) as { fetch: typeof fetch }).fetch;
      helper = require(join(dir, 'lib', 'http.js')) as typeof helper;
    });
    after(() => {
      globalThis.fetch = realFetch;
      rmSync(dir, { recursive: true, force: true });
    });

    /** A tracer whose processor wrapped the fake fetch; `done` shuts the processor down. */
    function withFetch(options?: Parameters<typeof traced>[0]) {
      globalThis.fetch = fakeFetch;
      const exporter = new InMemorySpanExporter();
      const processor = new CallSiteSpanProcessor(options);
      const provider = new TracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor({ exporter })] });
      (require(join(dir, 'node_modules', 'undici')) as { use(tracer: Tracer): void }).use(provider.getTracer('@opentelemetry/instrumentation-undici'));
      const span = (name: string) => exporter.getFinishedSpans().find((s) => s.name === name)!;
      return { processor, span };
    }

    it('records the line that called fetch, however deep inside fetch the span starts', async () => {
      const { processor, span } = withFetch();
      assert.notEqual(globalThis.fetch, fakeFetch, 'fetch is wrapped');
      await fetch('/stock'); // call-site: fetch
      assert.deepEqual(codeOf(span('GET /stock')), { ...here('fetch', 'fetch('), functionName: undefined });
      await processor.shutdown();
      assert.equal(globalThis.fetch, fakeFetch, 'and put back at shutdown');
    });

    it("records the caller of the service's own fetch helper, when it is ignored", async () => {
      const { processor, span } = withFetch({ ignore: ['/lib/http.js'] });
      await helper.get('/price'); // call-site: fetch helper
      assert.equal(codeOf(span('GET /price')).line, here('fetch helper', 'get(').line);
      await processor.shutdown();
    });

    it('leaves fetch alone when told to, and its spans then go without a call site past maxFrames', async () => {
      const { processor, span } = withFetch({ fetch: false });
      assert.equal(globalThis.fetch, fakeFetch);
      await fetch('/cart');
      assert.deepEqual(codeOf(span('GET /cart')), NO_CODE);
      await processor.shutdown();
    });

    it("passes fetch's arguments, this and answer through, and stays out of the way once shut down under someone else's wrapper", async () => {
      const seen: unknown[] = [];
      const answer = Promise.resolve(new Response('x'));
      globalThis.fetch = function (this: unknown, ...args: unknown[]) {
        seen.push(this, ...args);
        return answer;
      };
      const processor = new CallSiteSpanProcessor();
      const wrapped = globalThis.fetch;
      const receiver = { fetch: wrapped };
      assert.equal(receiver.fetch('/a', { method: 'POST' }), answer);
      assert.deepEqual(seen, [receiver, '/a', { method: 'POST' }]);
      const theirs = ((...args: Parameters<typeof fetch>) => wrapped(...args)) as typeof fetch;
      globalThis.fetch = theirs;
      await processor.shutdown();
      assert.equal(globalThis.fetch, theirs, "someone else's wrapper is kept");
      assert.equal(theirs('/b'), answer);
    });
  });

  describe('source maps', () => {
    let dir = '';
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'hopscope-call-site-map-'));
      process.setSourceMapsEnabled(true); // tsx has done so already; a service would pass --enable-source-maps
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('reports the line in the original TypeScript, not in the compiled JavaScript', async () => {
      const esbuild = await import('esbuild');
      // The call goes through an import, which esbuild compiles to `(0, import_x.start)(...)`: the
      // compiled call is wider than the written one, so only a real mapping gets the column right.
      mkdirSync(join(dir, 'node_modules', 'x'), { recursive: true });
      writeFileSync(join(dir, 'node_modules', 'x', 'index.js'), "exports.start = (tracer, name) => tracer.startSpan(name, { kind: 2 }).end();\n");
      const source = [
        '// orders.ts: the types and blank lines below vanish when compiled,',
        '// so the compiled call sits on another line than this one.',
        "import type { Tracer } from '@opentelemetry/api';",
        "import { start } from 'x';",
        '',
        'interface Order {',
        '  id: string;',
        '}',
        '',
        'export function charge(tracer: Tracer, order: Order): void {',
        '  const name: string = `POST /charge/${order.id}`;',
        '',
        '  start(tracer, name); // call-site: mapped',
        '}',
        '',
      ].join('\n');
      mkdirSync(join(dir, 'src'));
      writeFileSync(join(dir, 'src', 'orders.ts'), source);
      await esbuild.build({ entryPoints: [join(dir, 'src', 'orders.ts')], outfile: join(dir, 'dist', 'orders.js'), format: 'cjs', platform: 'node', sourcemap: 'linked', logLevel: 'silent' });

      const compiled = join(dir, 'dist', 'orders.js');
      const generated = readFileSync(compiled, 'utf8').split('\n').find((text) => text.includes('start)(tracer, name)')); // esbuild drops the marker
      const original = marked(join(dir, 'src', 'orders.ts'), 'mapped', 'start(');
      assert.ok(generated && generated.indexOf('start)(') + 1 !== original.column, `the fixture must move the call: ${generated}`);

      const { tracer, span } = traced();
      (require(compiled) as { charge(tracer: Tracer, order: { id: string }): void }).charge(tracer, { id: '42' });
      assert.deepEqual(codeOf(span('POST /charge/42')), { path: join(dir, 'src', 'orders.ts'), ...original, functionName: 'charge' });
    });

    it('keeps the running position of code loaded while source maps were off', async () => {
      const esbuild = await import('esbuild');
      writeFileSync(join(dir, 'src', 'stock.ts'), "type Sku = string;\n\nexport function reserve(tracer: any, sku: Sku) {\n  tracer.startSpan('POST /reserve/' + sku, { kind: 2 }).end();\n}\n");
      await esbuild.build({ entryPoints: [join(dir, 'src', 'stock.ts')], outfile: join(dir, 'dist', 'stock.js'), format: 'cjs', platform: 'node', sourcemap: 'linked', logLevel: 'silent' });
      const compiled = join(dir, 'dist', 'stock.js');
      process.setSourceMapsEnabled(false);
      let stock: { reserve(tracer: Tracer, sku: string): void };
      try {
        stock = require(compiled) as typeof stock; // Node keeps no map for it
      } finally {
        process.setSourceMapsEnabled(true);
      }
      const { tracer, span } = traced();
      stock.reserve(tracer, 'a1');
      const line = readFileSync(compiled, 'utf8').split('\n').findIndex((text) => text.includes('startSpan(')) + 1;
      assert.notEqual(line, 4, 'the compiled call must sit elsewhere than in stock.ts');
      const { path, line: recorded } = codeOf(span('POST /reserve/a1'));
      assert.deepEqual({ path, line: recorded }, { path: compiled, line });
    });

    it('turns the file: URL of an ES module into a path', async () => {
      const file = join(dir, 'start.mjs');
      writeFileSync(file, "export function start(tracer) {\n  tracer.startSpan('GET /esm', { kind: 2 }).end(); // call-site: esm\n}\n");
      const { start } = (await import(`file://${file}`)) as { start: (tracer: Tracer) => void };
      const { tracer, span } = traced();
      start(tracer);
      assert.deepEqual(codeOf(span('GET /esm')), { path: file, ...marked(file, 'esm', 'startSpan('), functionName: 'start' });
    });
  });

  describe('the process it runs in', () => {
    it('puts back Error.prepareStackTrace and Error.stackTraceLimit as they were', () => {
      const { prepareStackTrace, stackTraceLimit } = Error;
      const mine = (error: Error) => `mine: ${error.message}`;
      try {
        Error.prepareStackTrace = mine;
        Error.stackTraceLimit = 7;
        const { tracer, span } = traced();
        placeOrder(tracer);
        assert.equal(codeOf(span('POST /charge')).line, here('placeOrder').line);
        assert.equal(Error.prepareStackTrace, mine);
        assert.equal(Error.stackTraceLimit, 7);
        assert.equal(new Error('x').stack, 'mine: x');
      } finally {
        Error.prepareStackTrace = prepareStackTrace;
        Error.stackTraceLimit = stackTraceLimit;
      }
    });

    it('is not broken by a throwing Error.prepareStackTrace installed elsewhere', () => {
      const { prepareStackTrace } = Error;
      const broken = () => {
        throw new Error('broken formatter');
      };
      try {
        Error.prepareStackTrace = broken;
        const { tracer, span } = traced();
        placeOrder(tracer);
        assert.equal(codeOf(span('POST /charge')).line, here('placeOrder').line);
        assert.equal(Error.prepareStackTrace, broken);
      } finally {
        Error.prepareStackTrace = prepareStackTrace;
      }
    });

    it('never throws into the SDK: a failing span is just left without a call site', () => {
      const processor = new CallSiteSpanProcessor();
      const failing = {
        kind: SpanKind.CLIENT,
        attributes: {},
        setAttribute() {
          throw new Error('span refused the attribute');
        },
      } as unknown as Span;
      assert.doesNotThrow(() => processor.onStart(failing, {} as never));
      assert.doesNotThrow(() => processor.onStart({ kind: SpanKind.CLIENT } as unknown as Span, {} as never), 'a span without attributes');
    });

    it('flushes and shuts down at once: it holds no spans to export', async () => {
      const processor = new CallSiteSpanProcessor({ fetch: false });
      const order: string[] = [];
      setImmediate(() => order.push('next macrotask')); // what waited on a queue, a timer or I/O would let run first
      await Promise.all([processor.forceFlush().then(() => order.push('flushed')), processor.shutdown().then(() => order.push('shut down'))]);
      assert.deepEqual(order, ['flushed', 'shut down']);
    });
  });
});
