/**
 * Stack traces from five runtimes, as they really look, turned into frames;
 * and the same parser facing mixed, garbled and enormous text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLibraryFrame } from '../../src/source/library-frames';
import { parseStackTrace, suffixPath } from '../../src/source/stack-frames';

const where = (text: string) => parseStackTrace(text).map((f) => `${f.file}:${f.line}${f.column === undefined ? '' : `:${f.column}`} ${f.function ?? '-'}`);

describe('reading stack traces', () => {
  it('reads a Node trace, keeping file: URLs as paths and leaving out the runtime and <anonymous>', () => {
    const trace = [
      'Error: out of stock: sku-42',
      '    at reserve (/app/src/stock.ts:42:7)',
      '    at /app/src/orders.ts:18:21',
      '    at Array.map (<anonymous>)',
      '    at async createOrder (file:///app/src/orders.mjs:30:5)',
      '    at new OrderService (/app/src/service.ts:5:3)',
      '    at eval (eval at compile (/app/src/rules.ts:3:9), <anonymous>:1:1)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at Module._compile (internal/modules/cjs/loader.js:1085:14)',
    ].join('\n');
    assert.deepEqual(where(trace), [
      '/app/src/stock.ts:42:7 reserve',
      '/app/src/orders.ts:18:21 -',
      '/app/src/orders.mjs:30:5 createOrder',
      '/app/src/service.ts:5:3 OrderService',
    ]);
    assert.ok(parseStackTrace(trace).every((f) => f.format === 'node'));
  });

  it('reads a Python traceback, skipping frozen and <string> frames', () => {
    const trace = [
      'Traceback (most recent call last):',
      '  File "/app/orders/views.py", line 88, in post',
      '    order = create_order(payload)',
      '  File "/app/orders/service.py", line 42, in create_order',
      '    raise OutOfStock(sku)',
      '  File "<frozen importlib._bootstrap>", line 1176, in _find_and_load',
      '  File "<string>", line 1, in <module>',
      'orders.errors.OutOfStock: sku-42',
    ].join('\n');
    assert.deepEqual(where(trace), ['/app/orders/views.py:88 post', '/app/orders/service.py:42 create_order']);
  });

  it('reads a Java trace, whose frames name only a base name and so are found by suffix, through the package', () => {
    const trace = [
      'java.lang.IllegalStateException: out of stock',
      '\tat com.shop.orders.OrderService.create(OrderService.java:42)',
      '\tat com.shop.orders.OrderController.post(OrderController.java:27)',
      '\tat java.base/java.lang.Thread.run(Thread.java:1583)',
      '\tat com.shop.orders.Native.call(Native Method)',
      '\t... 12 more',
      'Caused by: java.io.IOException: disk full',
      '\tat com.shop.orders.Stock.reserve(Stock.java:9) ~[classes/:na]',
    ].join('\n');
    const frames = parseStackTrace(trace);
    assert.deepEqual(where(trace), [
      'OrderService.java:42 com.shop.orders.OrderService.create',
      'OrderController.java:27 com.shop.orders.OrderController.post',
      'Thread.java:1583 java.lang.Thread.run',
      'Stock.java:9 com.shop.orders.Stock.reserve',
    ]);
    assert.ok(frames.every((f) => f.suffixOnly === true && f.format === 'java'));
    assert.equal(suffixPath(frames[0]!), 'com/shop/orders/OrderService.java');
    assert.ok(isLibraryFrame(frames[2]!), 'java.lang is the runtime');
  });

  it('reads a Go panic, pairing each function line with the location below it', () => {
    const trace = [
      'panic: out of stock',
      '',
      'goroutine 1 [running]:',
      'main.(*Inventory).Reserve(0xc000012345, {0x4b2f1e, 0x6})',
      '\t/app/inventory/stock.go:42 +0x1d',
      'main.main()',
      '\t/app/inventory/main.go:10 +0x25',
      'created by net/http.(*Server).Serve in goroutine 1',
      '\t/usr/local/go/src/net/http/server.go:3285 +0x4b4',
      'exit status 2',
    ].join('\n');
    assert.deepEqual(where(trace), [
      '/app/inventory/stock.go:42 main.(*Inventory).Reserve',
      '/app/inventory/main.go:10 main.main',
      '/usr/local/go/src/net/http/server.go:3285 net/http.(*Server).Serve',
    ]);
    assert.ok(isLibraryFrame(parseStackTrace(trace)[2]!), 'GOROOT is the runtime');
  });

  it('reads a .NET trace, Windows paths included, and skips frames that name no file', () => {
    const trace = [
      'System.InvalidOperationException: Out of stock',
      '   at Shop.Orders.OrderService.Create(Int32 sku) in /app/Orders/OrderService.cs:line 42',
      '   at Shop.Orders.OrdersController.Post(OrderRequest request) in C:\\src\\Shop\\OrdersController.cs:line 17',
      '   at Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.Execute(ObjectMethodExecutor executor)',
      '--- End of stack trace from previous location ---',
      '   at lambda_method5(Closure, Object, Object[])',
    ].join('\n');
    assert.deepEqual(where(trace), [
      '/app/Orders/OrderService.cs:42 Shop.Orders.OrderService.Create(Int32 sku)',
      'C:\\src\\Shop\\OrdersController.cs:17 Shop.Orders.OrdersController.Post(OrderRequest request)',
    ]);
  });

  it('reads CRLF and lone-CR line ends like LF', () => {
    const lf = '    at reserve (/app/src/stock.ts:42:7)\n    at /app/src/orders.ts:18:21';
    assert.deepEqual(parseStackTrace(lf.replace(/\n/g, '\r\n')), parseStackTrace(lf));
    assert.deepEqual(parseStackTrace(lf.replace(/\n/g, '\r')), parseStackTrace(lf));
  });

  it('finds every well-formed frame in a mixed, garbled trace, in order', () => {
    const trace = [
      '\u0000\u0001binary junk \uFFFD\uFFFD',
      '    at reserve (/app/src/stock.ts:42:7)',
      '    at broken (/app/src/half.ts:4',
      '  File "/app/orders/service.py", line 42, in create_order',
      '  File "/app/orders/service.py", line forty-two, in create_order',
      'main.handle(...)',
      '\t/app/inventory/stock.go:7 +0x1d',
      '\tat com.shop.Orders.create(Orders.java:0)',
      '   at Shop.Orders.Create() in /app/Orders.cs:line 9',
      '    at zero (/app/src/zero.ts:0:0)',
      '    at huge (/app/src/huge.ts:99999999999:1)',
      '\t/app/orphan.go:3 +0x1',
      'at \u0000nul (/app/src/nul.ts:1:1)',
    ].join('\n');
    assert.deepEqual(where(trace), [
      '/app/src/stock.ts:42:7 reserve',
      '/app/orders/service.py:42 create_order',
      '/app/inventory/stock.go:7 main.handle',
      '/app/Orders.cs:9 Shop.Orders.Create()',
    ]);
  });

  it('stops at 200 frames of a huge trace, and quickly', () => {
    const trace = 'Error: deep\n' + Array.from({ length: 100_000 }, (_, i) => `    at f${i} (/app/src/deep.ts:${i + 1}:1)`).join('\n');
    const started = performance.now();
    const frames = parseStackTrace(trace);
    assert.equal(frames.length, 200);
    assert.equal(frames[199]!.function, 'f199');
    assert.ok(performance.now() - started < 500, 'well under a second');
  });

  it('reads only the first 64 KB, so that frames past it are not reached', () => {
    const padding = 'x'.repeat(70 * 1024);
    assert.deepEqual(parseStackTrace(`${padding}\n    at late (/app/src/late.ts:1:1)`), []);
  });

  it('gives up on hostile text without throwing or stalling', () => {
    const hostile = [
      'at ' + ' ('.repeat(30_000),
      ('    at a (' + ':1'.repeat(1000) + '\n').repeat(60),
      ('  File "' + '"'.repeat(1500) + '", line 1\n').repeat(40),
      ('at x(' + 'a'.repeat(1500) + '\n').repeat(40),
      'x'.repeat(10_000_000),
    ];
    for (const text of hostile) {
      const started = performance.now();
      assert.doesNotThrow(() => parseStackTrace(text));
      assert.ok(performance.now() - started < 1000, `${text.slice(0, 20)}… took too long`);
    }
    for (const notText of [undefined, null, 42, {}, ['    at a (/a.js:1:1)']]) assert.deepEqual(parseStackTrace(notText), []);
  });
});

describe('telling library frames from the application', () => {
  it('names installed packages, the runtime and OpenTelemetry as libraries, and app code as not', () => {
    const frames = parseStackTrace([
      '    at Span.end (/app/node_modules/@opentelemetry/sdk-trace/build/Span.js:9:3)',
      '  File "/usr/lib/python3.12/asyncio/events.py", line 84, in _run',
      '  File "/app/.venv/lib/python3.12/site-packages/flask/app.py", line 880, in full_dispatch_request',
      '\tat io.opentelemetry.sdk.trace.SdkSpan.end(SdkSpan.java:501)',
      '   at OpenTelemetry.Trace.TracerProvider.Flush() in /src/OpenTelemetry/Trace/TracerProvider.cs:line 5',
      'go.opentelemetry.io/otel/sdk/trace.(*recordingSpan).End(0xc0001)',
      '\t/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.28.0/trace/span.go:418 +0x2a',
      '    at reserve (/app/src/stock.ts:42:7)',
    ].join('\n'));
    assert.deepEqual(frames.map(isLibraryFrame), [true, true, true, true, true, true, false]);
  });
});
