import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeSpans } from '../../src/ingest/ingest-core';
import { decodeHopscopeTraceJson, isHopscopeTraceJson } from '../../src/wire/hopscope-json';
import { WireError } from '../../src/wire/wire-error';
import { shopTrace } from '../support/otel-trace';

const saved = async () => {
  const spans = decodeSpans('protobuf', ProtobufTraceSerializer.serializeRequest(await shopTrace())!).spans;
  return { spans, root: JSON.parse(JSON.stringify({ traceId: spans[0]!.traceId, spans, logs: [] })) as Record<string, unknown> };
};

describe("Hopscope's own trace JSON", () => {
  it('reads back a saved /api/traces/{id} answer as the same spans', async () => {
    const { spans, root } = await saved();
    assert.equal(isHopscopeTraceJson(root), true);
    assert.deepEqual(decodeHopscopeTraceJson(root).spans, spans);
  });

  it('is told apart from OTLP and Jaeger documents', () => {
    assert.equal(isHopscopeTraceJson({ resourceSpans: [] }), false);
    assert.equal(isHopscopeTraceJson({ data: [{ spans: [] }] }), false);
    assert.equal(isHopscopeTraceJson({ traceId: 'x', spans: [] }), true);
  });

  it('names the path of a bad field', async () => {
    const { root } = await saved();
    const spans = root.spans as Record<string, unknown>[];
    const bad = (change: (s: Record<string, unknown>) => void, pattern: RegExp) => {
      const copy = JSON.parse(JSON.stringify(root)) as { spans: Record<string, unknown>[] };
      change(copy.spans[2]!);
      assert.throws(() => decodeHopscopeTraceJson(copy), (e: unknown) => e instanceof WireError && pattern.test(e.message));
    };
    assert.ok(spans.length > 2);
    bad((s) => (s.startUs = 'soon'), /spans\[2\]\.startUs: expected a number/);
    bad((s) => (s.kind = 'SERVER'), /spans\[2\]\.kind: expected one of internal/);
    bad((s) => (s.spanId = 'zz'), /spans\[2\]\.spanId: expected hex digits/);
    bad((s) => ((s.status as Record<string, unknown>).code = 2), /spans\[2\]\.status\.code/);
    bad((s) => (s.events = [{ name: 'e', timeUs: -1 }]), /spans\[2\]\.events\[0\]\.timeUs/);
    bad((s) => {
      let deep: unknown = 1;
      for (let i = 0; i < 70; i++) deep = [deep];
      s.attributes = { deep };
    }, /spans\[2\]\.attributes: expected values nested at most 64 deep/);
  });

  it('leaves out and counts a span whose ids cannot place it', async () => {
    const { root } = await saved();
    (root.spans as Record<string, unknown>[])[0]!.spanId = '0000000000000000';
    const decoded = decodeHopscopeTraceJson(root);
    assert.equal(decoded.rejected, 1);
    assert.match(decoded.rejectReason, /^spans\[0\]: spanId is all zeros/);
  });
});
