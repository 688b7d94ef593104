/**
 * The JSON fast path either gives up or answers exactly what the lenient
 * decoder answers; on the shape SDKs send it always answers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeTracesJson } from '../../src/wire/otlp-json-traces';
import { decodeTracesJsonFast } from '../../src/wire/otlp-json-fast';
import { shopTrace, serviceTracer } from '../support/otel-trace';
import { mutate, random } from '../support/mutate';

const text = new TextDecoder();
const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

/** The lenient decoder's answer, or the error it throws. */
function lenient(input: Uint8Array): unknown {
  try {
    return decodeTracesJson(text.decode(input));
  } catch (error) {
    return error;
  }
}

const span = (extra: Record<string, unknown> = {}) => ({ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'op', ...extra });
const request = (...spans: unknown[]) => ({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }] }, scopeSpans: [{ scope: { name: 's' }, spans }] }] });

describe('the OTLP/JSON fast path', () => {
  it('answers for what the SDK JSON exporter sends, exactly as the lenient decoder does', async () => {
    const body = JsonTraceSerializer.serializeRequest(await shopTrace())!;
    const fast = decodeTracesJsonFast(Buffer.from(body));
    assert.ok(fast, 'the fast path gave up on an SDK payload');
    assert.deepEqual(fast, decodeTracesJson(text.decode(body)));
  });

  it('reads snake_case keys, escapes, unicode, unknown fields and numbers in every JSON form', () => {
    const body = bytes(`{"resource_spans":[{"resource":{"attributes":[{"key":"service.name","value":{"string_value":"caf\\u00e9 \\"q\\""}}]},"schemaUrl":"x",
      "scope_spans":[{"spans":[{"trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174","kind":2,"start_time_unix_nano":1763900000123456,
      "end_time_unix_nano":"1763900000999999999","unknown":{"deep":[1,2.5e3,-0.1,true,null,"s",{"k":[]}]},"status":{"code":2,"message":"über"},
      "attributes":[{"key":"i","value":{"intValue":"-9223372036854775808"}},{"key":"d","value":{"doubleValue":-0}},{"key":"a","value":{"arrayValue":{"values":[{"boolValue":false},{"kvlistValue":{"values":[{"key":"z","value":{"intValue":7}}]}}]}}}],
      "events":[{"timeUnixNano":"5000","name":"e"}],"links":[{"traceId":"","spanId":"00"}]}]}]}]}`);
    const fast = decodeTracesJsonFast(body);
    assert.ok(fast);
    assert.deepEqual(fast, lenient(body));
    assert.equal(fast.spans[0]!.service, 'café "q"');
  });

  for (const [what, body] of [
    ['enum names', request(span({ kind: 'SPAN_KIND_SERVER' }))],
    ['upper-case ids', request(span({ traceId: '5B8EFFF798038103D269B633813FC60C' }))],
    ['bytes values', request(span({ attributes: [{ key: 'b', value: { bytesValue: 'AAE' } }] }))],
    ['ids that get a span rejected', request(span({ spanId: '0000000000000000' }))],
    ['a field given twice', request(span({ span_id: 'eee19b7ec3c1b174' }))],
    ['nulls', request(span({ status: null }))],
    ['the pre-1.0 names', { resourceSpans: [{ instrumentationLibrarySpans: [{ spans: [span()] }] }] }],
    ['a resource after its spans', { resourceSpans: [{ scopeSpans: [{ spans: [span()] }], resource: { attributes: [] } }] }],
  ] as const) {
    it(`leaves ${what} to the lenient decoder`, () => {
      assert.equal(decodeTracesJsonFast(bytes(body)), undefined);
    });
  }

  it('gives up on malformed JSON anywhere, even inside fields it skips', () => {
    for (const bad of ['', '{', '{"resourceSpans":[]} x', '{"x":[1,}', '{"x":{"a" 1}}', '{"x":"\\q"}', '{"x":01}', '{"x":[1}]}', '{"x":{1:2}}', '\ufeff{}']) {
      assert.equal(decodeTracesJsonFast(bytes(bad)), undefined, bad);
    }
  });

  it('agrees with the lenient decoder on 20,000 mutants whenever it answers', async () => {
    const { provider, exporter } = serviceTracer('mutants');
    const tracer = provider.getTracer('t');
    for (let i = 0; i < 5; i++) {
      tracer.startSpan(`op ${i}`, { attributes: { 'http.request.method': 'GET', n: i, f: i / 3, ok: i % 2 === 0, list: ['a', 'b'], 'url.full': `http://x/${i}?q="é"` } }).end();
    }
    await provider.forceFlush();
    const corpus = [Buffer.from(JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans())!), Buffer.from(JsonTraceSerializer.serializeRequest(await shopTrace())!)];
    const next = random(99);
    let answered = 0;
    for (let i = 0; i < 20_000; i++) {
      const mutant = mutate(corpus[i % corpus.length]!, next);
      const fast = decodeTracesJsonFast(mutant);
      if (fast === undefined) continue;
      answered++;
      assert.deepEqual(fast, lenient(mutant), `mutant ${i}: ${Buffer.from(mutant).toString('base64')}`);
    }
    assert.ok(answered > 2000, `the fast path answered only ${answered} mutants`);
  });
});
