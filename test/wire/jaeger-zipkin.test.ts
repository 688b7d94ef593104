import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeJaegerJson } from '../../src/wire/jaeger-json';
import { decodeZipkinJson, derivedSpanId } from '../../src/wire/zipkin-json';
import { WireError } from '../../src/wire/wire-error';
import type { SpanRecord } from '../../src/model/span';

const T0 = 1_763_900_000_000_000; // µs

/** A Jaeger UI "Download JSON" of one trace: three spans over two processes, with a 64-bit trace id. */
function jaegerExport(): Record<string, unknown> {
  const tag = (key: string, type: string, value: unknown) => ({ key, type, value });
  return {
    data: [{
      traceID: '3f2a1b0c4d5e6f70',
      spans: [
        {
          traceID: '3f2a1b0c4d5e6f70', spanID: '3f2a1b0c4d5e6f70', operationName: 'HTTP GET /dispatch', flags: 1,
          references: [], startTime: T0, duration: 5000, processID: 'p1', warnings: null,
          tags: [
            tag('span.kind', 'string', 'server'), tag('http.method', 'string', 'GET'), tag('http.status_code', 'int64', 200),
            tag('sampler.param', 'bool', true), tag('otel.scope.name', 'string', 'frontend-http'), tag('otel.scope.version', 'string', '1.4.0'),
          ],
          logs: [{ timestamp: T0 + 100, fields: [tag('event', 'string', 'dns.resolved'), tag('addr', 'string', '10.0.0.7')] }],
        },
        {
          traceID: '3f2a1b0c4d5e6f70', spanID: 'E5F6A7B8', operationName: 'FindNearest', flags: 1,
          references: [{ refType: 'CHILD_OF', traceID: '3f2a1b0c4d5e6f70', spanID: '3f2a1b0c4d5e6f70' }],
          startTime: T0 + 200, duration: 3000, processID: 'p1', warnings: null,
          tags: [tag('span.kind', 'string', 'client'), tag('error', 'bool', true), tag('retry.ratio', 'float64', 0.5)],
          logs: [{ timestamp: T0 + 300, fields: [tag('message', 'string', 'retrying'), tag('level', 'string', 'warn')] }],
        },
        {
          traceID: '3f2a1b0c4d5e6f70', spanID: '7b4c', operationName: 'GetDriver', flags: 1,
          references: [
            { refType: 'FOLLOWS_FROM', traceID: 'aa', spanID: '1' },
            { refType: 'CHILD_OF', traceID: '3f2a1b0c4d5e6f70', spanID: 'e5f6a7b8' },
          ],
          startTime: T0 + 400, duration: 1000, processID: 'p2', warnings: ['clock skew adjusted'],
          tags: [
            tag('otel.status_code', 'string', 'ERROR'), tag('otel.status_description', 'string', 'redis timeout'),
            tag('db.rows', 'int64', '9007199254740993'), tag('payload', 'binary', 'AAEC'),
          ],
          logs: [{ timestamp: T0 + 900, fields: [tag('key', 'string', 'driver:42')] }],
        },
      ],
      processes: {
        p1: { serviceName: 'frontend', tags: [tag('hostname', 'string', 'web-1'), tag('jaeger.version', 'string', 'Go-2.30.0')] },
        p2: { serviceName: 'redis', tags: [] },
      },
    }],
    total: 0, limit: 0, offset: 0, errors: null,
  };
}

/** Asserts that `fn` throws a WireError whose message matches `pattern`. */
function throwsWire(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof WireError, String(error));
    assert.match(error.message, pattern);
    return true;
  });
}

const byName = (spans: SpanRecord[], name: string): SpanRecord => {
  const span = spans.find((s) => s.name === name);
  assert.ok(span, `no span named ${name}`);
  return span;
};

describe('the Jaeger JSON decoder', () => {
  it('decodes an export into SpanRecords, field by field', () => {
    const decoded = decodeJaegerJson(JSON.stringify(jaegerExport()));
    assert.equal(decoded.rejected, 0, decoded.rejectReason);
    assert.equal(decoded.spans.length, 3);
    const frontend = { attributes: { 'service.name': 'frontend', hostname: 'web-1', 'jaeger.version': 'Go-2.30.0' }, droppedAttributesCount: 0 };
    assert.deepEqual(byName(decoded.spans, 'HTTP GET /dispatch'), {
      traceId: '00000000000000003f2a1b0c4d5e6f70', spanId: '3f2a1b0c4d5e6f70', parentSpanId: '', traceState: '', flags: 1,
      name: 'HTTP GET /dispatch', kind: 'server', service: 'frontend', startUs: T0, endUs: T0 + 5000,
      status: { code: 'unset', message: '' },
      attributes: { 'http.method': 'GET', 'http.status_code': 200, 'sampler.param': true },
      events: [{ name: 'dns.resolved', timeUs: T0 + 100, attributes: { addr: '10.0.0.7' }, droppedAttributesCount: 0 }],
      links: [], resource: frontend, scope: { name: 'frontend-http', version: '1.4.0' },
      droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
    } satisfies SpanRecord);

    const find = byName(decoded.spans, 'FindNearest');
    assert.equal(find.spanId, '00000000e5f6a7b8', 'short, upper-case ids are left-padded and lower-cased');
    assert.equal(find.parentSpanId, '3f2a1b0c4d5e6f70');
    assert.equal(find.kind, 'client');
    assert.deepEqual(find.status, { code: 'error', message: '' }, 'error=true makes an error status');
    assert.deepEqual(find.attributes, { 'retry.ratio': 0.5 });
    assert.deepEqual(find.events, [{ name: 'retrying', timeUs: T0 + 300, attributes: { level: 'warn' }, droppedAttributesCount: 0 }]);
    assert.equal(find.resource, byName(decoded.spans, 'HTTP GET /dispatch').resource, 'one resource object per process');
    assert.deepEqual(find.scope, { name: '', version: '' });

    const driver = byName(decoded.spans, 'GetDriver');
    assert.equal(driver.spanId, '0000000000007b4c');
    assert.equal(driver.parentSpanId, '00000000e5f6a7b8', 'the first CHILD_OF reference is the parent, even after a FOLLOWS_FROM');
    assert.equal(driver.kind, 'internal');
    assert.equal(driver.service, 'redis');
    assert.deepEqual(driver.resource.attributes, { 'service.name': 'redis' });
    assert.deepEqual(driver.status, { code: 'error', message: 'redis timeout' });
    assert.deepEqual(driver.attributes, { 'db.rows': '9007199254740993', payload: 'AAEC' });
    assert.deepEqual(driver.links, [{
      traceId: '000000000000000000000000000000aa', spanId: '0000000000000001', traceState: '', flags: 0,
      attributes: { 'opentracing.ref_type': 'follows_from' }, droppedAttributesCount: 0,
    }]);
    assert.deepEqual(driver.events.map((e) => [e.name, e.timeUs, e.attributes]), [['log', T0 + 900, { key: 'driver:42' }]]);
  });

  it('takes a lone FOLLOWS_FROM reference as the parent, and accepts the parsed value as well as text', () => {
    const doc = jaegerExport();
    const span = (doc.data as { spans: Record<string, unknown>[] }[])[0]!.spans[1]!;
    span.references = [{ refType: 'FOLLOWS_FROM', traceID: '3f2a1b0c4d5e6f70', spanID: '3f2a1b0c4d5e6f70' }];
    const decoded = decodeJaegerJson(doc);
    const find = byName(decoded.spans, 'FindNearest');
    assert.equal(find.parentSpanId, '3f2a1b0c4d5e6f70');
    assert.deepEqual(find.links, []);
  });

  it('names the JSON path of a malformed field', () => {
    const doc = jaegerExport();
    (doc.data as { spans: Record<string, unknown>[] }[])[0]!.spans[1]!.startTime = 'soon';
    throwsWire(() => decodeJaegerJson(doc), /^data\[0\]\.spans\[1\]\.startTime: expected a number .*got "soon"$/);
    throwsWire(() => decodeJaegerJson('{"data": [{"spans": [{"startTime": 1, "tags": [{"key": "x", "type": "int64", "value": "1.5"}]}]}]}'),
      /^data\[0\]\.spans\[0\]\.tags\[0\]\.value: expected a value of type int64, got "1\.5"$/);
    throwsWire(() => decodeJaegerJson({ data: [{ spans: [{ startTime: 1, tags: [{ key: 'x', type: 'uuid', value: 'u' }] }] }] }),
      /^data\[0\]\.spans\[0\]\.tags\[0\]\.type: expected "string", "bool", "int64", "float64" or "binary", got "uuid"$/);
  });

  it('reports JSON syntax errors with line and column', () => {
    throwsWire(() => decodeJaegerJson('{\n  "data": [\n    {"traceID": "1",}\n  ]\n}'), /^line 3, column 21: expected a property name/);
  });

  it('rejects spans whose ids cannot be ids, and says why', () => {
    const decoded = decodeJaegerJson({ data: [{ spans: [
      { traceID: 'not-hex', spanID: '1', startTime: T0, duration: 1 },
      { traceID: '1', spanID: '0', startTime: T0, duration: 1 },
      { traceID: '1', spanID: '2', startTime: T0, duration: 1 },
    ] }] });
    assert.equal(decoded.spans.length, 1);
    assert.equal(decoded.rejected, 2);
    assert.match(decoded.rejectReason, /^data\[0\]\.spans\[0\]: traceID is not an id of at most 32 hex digits/);
    assert.equal(decoded.spans[0]!.service, 'unknown_service');
  });
});

/** Zipkin v2 spans of one RPC reported by both sides under one id (B3 shared span), plus a 64-bit trace. */
const zipkinSpans = [
  {
    traceId: '463ac35c9f6413ad48485a3953bb6124', id: 'a2fb4a1d1a96d312', name: 'get /api', kind: 'SERVER',
    timestamp: T0, duration: 9000, localEndpoint: { serviceName: 'frontend', ipv4: '192.168.99.1', port: 8080 },
    remoteEndpoint: { ipv4: '172.19.0.2', port: 58648 }, tags: { 'http.method': 'GET', 'http.path': '/api' },
    annotations: [{ timestamp: T0 + 10, value: 'wr' }], debug: false,
  },
  {
    traceId: '463ac35c9f6413ad48485a3953bb6124', parentId: 'a2fb4a1d1a96d312', id: '0562809467078eab', name: 'get /backend', kind: 'CLIENT',
    timestamp: T0 + 1000, duration: 7000, localEndpoint: { serviceName: 'frontend' },
    remoteEndpoint: { serviceName: 'backend', ipv4: '172.19.0.3', port: 9000 }, tags: { 'http.method': 'GET' },
  },
  {
    traceId: '463ac35c9f6413ad48485a3953bb6124', parentId: 'a2fb4a1d1a96d312', id: '0562809467078eab', name: 'get /backend', kind: 'SERVER',
    shared: true, timestamp: T0 + 1500, duration: 6000, localEndpoint: { serviceName: 'backend' },
    remoteEndpoint: { ipv6: '2001:db8::c001', port: 40000 }, tags: { error: 'connection refused', 'otel.library.name': 'brave' },
  },
  {
    traceId: '463AC35C9F6413AD48485A3953BB6124', parentId: '562809467078eab', id: '1a', name: 'select orders',
    timestamp: T0 + 2000, duration: 3000, localEndpoint: { serviceName: 'backend' },
    tags: { 'otel.status_code': 'ERROR', 'otel.status_description': 'deadlock', 'db.system': 'postgresql' },
  },
  { traceId: '48485a3953bb6124', id: '1', name: 'lonely', kind: 'PRODUCER', timestamp: T0, duration: 1, localEndpoint: { serviceName: 'queue' } },
];

describe('the Zipkin v2 JSON decoder', () => {
  const decoded = decodeZipkinJson(JSON.stringify(zipkinSpans));
  const [root, client, server, query, lonely] = decoded.spans;

  it('decodes spans field by field', () => {
    assert.equal(decoded.rejected, 0, decoded.rejectReason);
    assert.equal(decoded.spans.length, 5);
    assert.deepEqual(root, {
      traceId: '463ac35c9f6413ad48485a3953bb6124', spanId: 'a2fb4a1d1a96d312', parentSpanId: '', traceState: '', flags: 0,
      name: 'get /api', kind: 'server', service: 'frontend', startUs: T0, endUs: T0 + 9000, status: { code: 'unset', message: '' },
      attributes: { 'http.method': 'GET', 'http.path': '/api', 'network.peer.address': '172.19.0.2', 'network.peer.port': 58648 },
      events: [{ name: 'wr', timeUs: T0 + 10, attributes: {}, droppedAttributesCount: 0 }], links: [],
      resource: { attributes: { 'service.name': 'frontend' }, droppedAttributesCount: 0 }, scope: { name: '', version: '' },
      droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
    } satisfies SpanRecord);
    assert.equal(client!.kind, 'client');
    assert.deepEqual(client!.attributes, { 'http.method': 'GET', 'peer.service': 'backend', 'server.address': '172.19.0.3', 'server.port': 9000 });
    assert.equal(client!.resource, root.resource, 'one resource object per service');
    assert.equal(lonely!.traceId, '000000000000000048485a3953bb6124', '64-bit trace ids are padded to 128 bits');
    assert.equal(lonely!.spanId, '0000000000000001');
    assert.equal(lonely!.kind, 'producer');
    assert.equal(query!.kind, 'internal', 'no kind is internal');
  });

  it('reads the error tag and otel.status_code as the status', () => {
    assert.deepEqual(server!.status, { code: 'error', message: 'connection refused' });
    assert.deepEqual(server!.attributes, { 'network.peer.address': '2001:db8::c001', 'network.peer.port': 40000 });
    assert.deepEqual(server!.scope, { name: 'brave', version: '' });
    assert.deepEqual(query!.status, { code: 'error', message: 'deadlock' });
    assert.deepEqual(query!.attributes, { 'db.system': 'postgresql' });
  });

  it('gives the server half of a shared span its own id under the client half, and moves its children to it', () => {
    assert.equal(client!.spanId, '0562809467078eab');
    assert.equal(client!.parentSpanId, 'a2fb4a1d1a96d312');
    assert.equal(server!.spanId, derivedSpanId('0562809467078eab'));
    assert.match(server!.spanId, /^[0-9a-f]{16}$/);
    assert.notEqual(server!.spanId, client!.spanId);
    assert.equal(server!.parentSpanId, client!.spanId);
    assert.equal(query!.spanId, '000000000000001a');
    assert.equal(query!.parentSpanId, server!.spanId, 'the backend span under the shared id now hangs under the backend half');
    assert.deepEqual(decodeZipkinJson(zipkinSpans), decoded, 'deterministic, and the parsed value decodes as the text does');
  });

  it('leaves a shared server span alone when its client half is not in the file', () => {
    const { spans } = decodeZipkinJson(zipkinSpans.filter((s) => s.kind !== 'CLIENT'));
    assert.equal(spans.find((s) => s.kind === 'server' && s.service === 'backend')!.spanId, '0562809467078eab');
  });

  it('names the JSON path of a malformed field, and the line and column of bad JSON', () => {
    throwsWire(() => decodeZipkinJson([{ ...zipkinSpans[0], kind: 'SIDEWAYS' }]), /^\[0\]\.kind: expected "CLIENT", "SERVER", "PRODUCER" or "CONSUMER", got "SIDEWAYS"$/);
    throwsWire(() => decodeZipkinJson([zipkinSpans[0], { ...zipkinSpans[1], tags: { retries: [1] } }]), /^\[1\]\.tags\["retries"\]: expected a string, got an array$/);
    throwsWire(() => decodeZipkinJson([{ ...zipkinSpans[0], binaryAnnotations: [] }]), /Zipkin v1 spans are not supported/);
    throwsWire(() => decodeZipkinJson('[\n  {"id": "1"\n'), /^line 3, column 1: expected ',' or '}', got the end of the input$/);
  });
});
