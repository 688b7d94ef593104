/**
 * Thousands of mutated and truncated valid payloads: every one is decoded or
 * refused with a WireError (never another exception), and over HTTP every one
 * gets 200 or 400 (never a 500, a crash or a hang), after which the receiver
 * still works.
 */
import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { JsonLogsSerializer, JsonTraceSerializer, ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeTracesProto } from '../../src/wire/otlp-proto-traces';
import { decodeLogsProto } from '../../src/wire/otlp-proto-logs';
import { decodeLogsJson } from '../../src/wire/otlp-json-logs';
import { decodeTracesJson } from '../../src/wire/otlp-json-traces';
import { WireError } from '../../src/wire/wire-error';
import { shopTrace } from '../support/otel-trace';
import { inSpan, sdkLogRecords } from '../support/otel-logs';
import { mutate, random } from '../support/mutate';
import { startHarness, type Harness } from '../support/receiver-harness';

const text = new TextDecoder();
let corpus: { name: string; path: string; type: string; body: Uint8Array; decode: (b: Uint8Array) => unknown }[];

before(async () => {
  const spans = await shopTrace();
  const logs = await sdkLogRecords((logger) => logger.emit({ body: 'hello', attributes: { n: 1, list: ['a', 'b'] }, context: inSpan('5b8efff798038103d269b633813fc60c', 'eee19b7ec3c1b174') }));
  corpus = [
    { name: 'protobuf traces', path: '/v1/traces', type: 'application/x-protobuf', body: ProtobufTraceSerializer.serializeRequest(spans)!, decode: decodeTracesProto },
    { name: 'JSON traces', path: '/v1/traces', type: 'application/json', body: JsonTraceSerializer.serializeRequest(spans)!, decode: (b) => decodeTracesJson(text.decode(b)) },
    { name: 'protobuf logs', path: '/v1/logs', type: 'application/x-protobuf', body: ProtobufLogsSerializer.serializeRequest(logs)!, decode: decodeLogsProto },
    { name: 'JSON logs', path: '/v1/logs', type: 'application/json', body: JsonLogsSerializer.serializeRequest(logs)!, decode: (b) => decodeLogsJson(text.decode(b)) },
  ];
});

describe('decoders under mutated input', () => {
  it('decode or refuse with a WireError 40,000 mutants, never throwing anything else', () => {
    const next = random(20261123);
    let refused = 0;
    for (const { name, body, decode } of corpus) {
      for (let i = 0; i < 10_000; i++) {
        const mutant = mutate(body, next);
        try {
          decode(mutant);
        } catch (error) {
          if (!(error instanceof WireError)) assert.fail(`${name} mutant ${i} threw ${String(error)}; bytes: ${Buffer.from(mutant).toString('base64')}`);
          refused++;
        }
      }
    }
    assert.ok(refused > 1000, `only ${refused} mutants were refused: the mutations are too gentle to test anything`);
  });
});

describe('the receiver under mutated requests', () => {
  let h: Harness;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  before(async () => (h = await startHarness()));
  after(async () => {
    agent.destroy();
    await h.close();
  });

  const post = (path: string, type: string, body: Uint8Array) =>
    new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: h.port, method: 'POST', path, agent, headers: { 'Content-Type': type }, timeout: 30_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('timeout', () => req.destroy(new Error('no answer: the receiver hung')));
      req.on('error', reject);
      req.end(body);
    });

  it('answers each of 4,000 mutants with 200 or 400 and still accepts a valid request after', async () => {
    const next = random(7);
    const statuses = new Map<number, number>();
    for (const { path, type, body } of corpus) {
      for (let i = 0; i < 1_000; i++) {
        const status = await post(path, type, mutate(body, next));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }
    assert.deepEqual([...statuses.keys()].filter((s) => s !== 200 && s !== 400), [], `statuses: ${JSON.stringify([...statuses])}`);
    assert.ok((statuses.get(400) ?? 0) > 100);
    assert.equal(await post(corpus[0]!.path, corpus[0]!.type, corpus[0]!.body), 200);
    assert.deepEqual(h.logs.filter((line) => line.startsWith('error')), []);
  });
});
