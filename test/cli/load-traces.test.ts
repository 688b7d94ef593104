import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { loadTraceFile, loadTraceInputs } from '../../src/cli/load-traces';
import { shopTrace } from '../support/otel-trace';

const TRACE_A = '5b8efff798038103d269b633813fc60c';
const TRACE_B = '0af7651916cd43dd8448eb211c80319c';
const text = new TextDecoder();

const JAEGER = JSON.stringify({ data: [{ traceID: 'abc', spans: [
  { traceID: 'abc', spanID: '1', operationName: 'GET /', references: [], startTime: 1, duration: 2, processID: 'p1', tags: [{ key: 'span.kind', type: 'string', value: 'server' }] },
  { traceID: 'abc', spanID: '2', operationName: 'SELECT', references: [{ refType: 'CHILD_OF', traceID: 'abc', spanID: '1' }], startTime: 1, duration: 1, processID: 'p1' },
], processes: { p1: { serviceName: 'web', tags: [] } } }] }, null, 2);
const ZIPKIN = JSON.stringify([{ traceId: 'abc', id: '1', name: 'get', kind: 'SERVER', timestamp: 1, duration: 2, localEndpoint: { serviceName: 'web' } }]);

describe('loading trace files', () => {
  let dir = '';
  let sdkSpans: ReadableSpan[] = [];
  let json = '';
  let proto: Uint8Array = new Uint8Array();
  let jsonB = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hopscope-load-'));
    sdkSpans = await shopTrace(TRACE_A);
    json = text.decode(JsonTraceSerializer.serializeRequest(sdkSpans));
    proto = ProtobufTraceSerializer.serializeRequest(sdkSpans)!;
    jsonB = text.decode(JsonTraceSerializer.serializeRequest(await shopTrace(TRACE_B)));
    await mkdir(join(dir, 'traces', 'nested'), { recursive: true });
    await writeFile(join(dir, 'traces', 'a-otlp.json'), json);
    await writeFile(join(dir, 'traces', 'b-otlp.pb'), proto);
    await writeFile(join(dir, 'traces', 'c-requests.jsonl'), `${json}\n${jsonB}\n`);
    await writeFile(join(dir, 'traces', 'd-jaeger.json'), JAEGER);
    await writeFile(join(dir, 'traces', 'nested', 'e-zipkin.json'), ZIPKIN);
    await writeFile(join(dir, 'traces', 'notes.txt'), 'not a trace, and not looked at');
    await writeFile(join(dir, 'traces', 'x-truncated.json'), json.slice(0, 1000));
    await writeFile(join(dir, 'traces', 'y-bad-line.jsonl'), `${json}\n${jsonB}\n{"resourceSpans": [}\n`);
    await writeFile(join(dir, 'traces', 'z-garbage.bin'), Uint8Array.from([0x0a, 0xff, 0xff, 0x7f, 0x01, 0x02]));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads OTLP JSON and OTLP protobuf made by the OpenTelemetry serializers into the same spans', async () => {
    const fromJson = await loadTraceFile(join(dir, 'traces', 'a-otlp.json'));
    const fromProto = await loadTraceFile(join(dir, 'traces', 'b-otlp.pb'));
    assert.equal(fromJson.format, 'otlp-json');
    assert.equal(fromProto.format, 'otlp-proto');
    assert.deepEqual(fromJson.spans, fromProto.spans);
    assert.deepEqual(fromJson.spans.map((s) => [s.traceId, s.spanId, s.name]), sdkSpans.map((s) => [s.spanContext().traceId, s.spanContext().spanId, s.name]));
    assert.equal(fromJson.rejected, 0);
  });

  it('reads OTLP JSON lines, one request per line', async () => {
    const loaded = await loadTraceFile(join(dir, 'traces', 'c-requests.jsonl'));
    assert.equal(loaded.format, 'otlp-jsonl');
    assert.equal(loaded.spans.length, 2 * sdkSpans.length);
    assert.deepEqual(new Set(loaded.spans.map((s) => s.traceId)), new Set([TRACE_A, TRACE_B]));
  });

  it('tells Jaeger and Zipkin exports by their shape', async () => {
    const jaeger = await loadTraceFile(join(dir, 'traces', 'd-jaeger.json'));
    assert.equal(jaeger.format, 'jaeger');
    assert.deepEqual(jaeger.spans.map((s) => [s.spanId, s.parentSpanId, s.service, s.kind]), [
      ['0000000000000001', '', 'web', 'server'], ['0000000000000002', '0000000000000001', 'web', 'internal'],
    ]);
    const zipkin = await loadTraceFile(join(dir, 'traces', 'nested', 'e-zipkin.json'));
    assert.equal(zipkin.format, 'zipkin');
    assert.equal(zipkin.spans[0]!.traceId, '00000000000000000000000000000abc');
  });

  it('loads a directory recursively, collecting each bad file as an error without stopping the others', async () => {
    const { loaded, errors } = await loadTraceInputs([join(dir, 'traces'), join(dir, 'missing.json')]);
    assert.deepEqual(loaded.map((f) => [f.path.slice(dir.length + 1), f.format]), [
      ['traces/a-otlp.json', 'otlp-json'], ['traces/b-otlp.pb', 'otlp-proto'], ['traces/c-requests.jsonl', 'otlp-jsonl'],
      ['traces/d-jaeger.json', 'jaeger'], ['traces/nested/e-zipkin.json', 'zipkin'],
    ]);
    const messages = new Map(errors.map((e) => [e.path.slice(dir.length + 1), e.message]));
    assert.deepEqual([...messages.keys()], ['missing.json', 'traces/x-truncated.json', 'traces/y-bad-line.jsonl', 'traces/z-garbage.bin']);
    for (const [path, message] of messages) assert.ok(message.startsWith(join(dir, path)), `${message} names its file`);
    assert.match(messages.get('missing.json')!, /ENOENT/);
    assert.match(messages.get('traces/x-truncated.json')!, /x-truncated\.json:1:1001: invalid JSON: expected .*, got the end of the input$/);
    assert.match(messages.get('traces/y-bad-line.jsonl')!, /y-bad-line\.jsonl:3:20: invalid JSON: expected a value, got '}'$/);
    assert.match(messages.get('traces/z-garbage.bin')!, /z-garbage\.bin: not JSON, and not OTLP protobuf: .*length \d+ at byte 1 runs past the end/);
  });

  it('names the line and column of a syntax error in pretty-printed JSON, and the line of a bad request in JSON lines', async () => {
    const pretty = JSON.stringify(JSON.parse(json), null, 2);
    const cut = pretty.slice(0, pretty.indexOf('"spanId"') + 8);
    const path = join(dir, 'pretty.json');
    await writeFile(path, cut);
    const lines = cut.split('\n');
    await assert.rejects(loadTraceFile(path), { message: `${path}:${lines.length}:${lines.at(-1)!.length + 1}: invalid JSON: expected ':' after the property name, got the end of the input` });

    const linesPath = join(dir, 'wrong-kind.jsonl');
    await writeFile(linesPath, `${json}\n\n${json.replace('"kind":2', '"kind":"SIDEWAYS"')}\n`);
    await assert.rejects(loadTraceFile(linesPath), (error: Error) => {
      assert.match(error.message, /wrong-kind\.jsonl:3: OTLP JSON: resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[\d\]\.kind: expected a SpanKind/);
      return true;
    });
  });

  it('reads a file named explicitly whatever its extension, with a byte order mark or a leading blank line', async () => {
    const withBom = join(dir, 'export.txt');
    const withNewline = join(dir, 'export.otlp.txt');
    await writeFile(withBom, `\ufeff\n\n${JAEGER}`);
    await writeFile(withNewline, `\n${json}`); // starts with 0x0a, as protobuf requests do
    const { loaded, errors } = await loadTraceInputs([withBom, withNewline]);
    assert.deepEqual(errors, []);
    assert.deepEqual(loaded.map((f) => [f.format, f.spans.length]), [['jaeger', 2], ['otlp-json', sdkSpans.length]]);
  });

  it('says so when a file is neither JSON nor protobuf, is empty, or is JSON of another kind', async () => {
    const path = join(dir, 'readme.json');
    await writeFile(path, 'hello, world');
    await assert.rejects(loadTraceFile(path), /readme\.json: not JSON, and not OTLP protobuf: .*byte/);
    await writeFile(path, ' \n');
    await assert.rejects(loadTraceFile(path), /readme\.json: the file is empty/);
    await writeFile(path, '{"name": "hopscope", "version": "0.1.0"}');
    await assert.rejects(loadTraceFile(path), /readme\.json: expected "resourceSpans" .*, "data" .* or "spans" .*, got an object with keys "name", "version"$/);
  });

  it('loads a 50 MB OTLP JSON file in linear time', async () => {
    const request = JSON.parse(json) as { resourceSpans: unknown[] };
    const one = JSON.stringify(request.resourceSpans);
    const copies = Math.ceil((50 * 1024 * 1024) / one.length);
    const path = join(dir, 'big.json');
    await writeFile(path, `{"resourceSpans":[${new Array<string>(copies).fill(one.slice(1, -1)).join(',')}]}`);
    const started = performance.now();
    const loaded = await loadTraceFile(path);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(loaded.format, 'otlp-json');
    assert.equal(loaded.spans.length, copies * sdkSpans.length);
    assert.ok(seconds < 30, `took ${seconds.toFixed(1)} s`);
  });
});
