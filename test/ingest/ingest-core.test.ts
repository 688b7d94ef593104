import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { DEFAULT_INGEST_CONFIG } from '../../src/ingest/ingest-config';
import { decodeSpans, IngestCore, SLICED_BODY_BYTES } from '../../src/ingest/ingest-core';
import { deepChain } from '../../bench/deep';
import { shopTrace } from '../support/otel-trace';
import { toOtlpJson } from '../support/timeline';

const bytes = (text: string) => new TextEncoder().encode(text);

/** A core whose queue drains when the test turns it. */
function turned() {
  const drains: (() => void)[] = [];
  const core = new IngestCore({ ...DEFAULT_INGEST_CONFIG }, (drain) => drains.push(drain));
  return { core, turns: () => drains.length, turn: () => drains.shift()?.() };
}

describe('ingest core', () => {
  it('decodes and stores a big JSON request in slices, answering small requests meanwhile, with the same spans as in one piece', async () => {
    const chain = deepChain(10_000, 9);
    const body = bytes(toOtlpJson(chain));
    assert.ok(body.length >= SLICED_BODY_BYTES);
    const { core, turns, turn } = turned();
    const order: string[] = [];
    const big = core.submit({ signal: 'traces', encoding: 'json', body })!.then((r) => (order.push('big'), r));
    const small = core.submit({ signal: 'traces', encoding: 'protobuf', body: ProtobufTraceSerializer.serializeRequest(await shopTrace())! })!.then((r) => (order.push('small'), r));
    let steps = 0;
    while (turns() > 0) {
      turn();
      steps++;
      await Promise.resolve();
    }
    assert.equal((await big).accepted, 10_000);
    assert.ok((await small).accepted > 0);
    assert.deepEqual(order, ['small', 'big'], 'the small request did not wait for the big one');
    assert.ok(steps > 20, `worked in ${steps} turns`);
    const whole = new IngestCore({ ...DEFAULT_INGEST_CONFIG });
    whole.store.add(decodeSpans('json', body).spans);
    const traceId = chain[0]!.traceId;
    assert.deepEqual(core.store.get(traceId)!.spans, whole.store.get(traceId)!.spans);
    assert.equal(core.stats().spansReceived, 10_000 + (await small).accepted);
  });

  it('a big request the fast path leaves to the lenient decoder, and a malformed one, are answered as in one piece', async () => {
    const chain = deepChain(5_000, 10);
    const upper = bytes(toOtlpJson(chain).replaceAll(chain[0]!.traceId, chain[0]!.traceId.toUpperCase()));
    const { core, turns, turn } = turned();
    const lenient = core.submit({ signal: 'traces', encoding: 'json', body: upper })!;
    const bad = core.submit({ signal: 'traces', encoding: 'json', body: bytes(`${toOtlpJson(chain).slice(0, -2)},]`) })!;
    while (turns() > 0) turn();
    assert.equal((await lenient).accepted, 5_000);
    await assert.rejects(bad, /JSON/);
    assert.equal(core.stats().badRequests, 1);
  });
});
