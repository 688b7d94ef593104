import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { DEFAULT_INGEST_CONFIG } from '../../src/ingest/ingest-config';
import { decodeSpans, IngestCore } from '../../src/ingest/ingest-core';
import { exportTrace, openTraceFile } from '../../src/ingest/trace-files';
import { shopTrace } from '../support/otel-trace';

const A = '5b8efff798038103d269b633813fc60c';
const B = '6b8efff798038103d269b633813fc60c';
const appended: string[] = [];
const core = () => {
  const c = new IngestCore({ ...DEFAULT_INGEST_CONFIG });
  c.journal = { append: (signal) => (appended.push(signal), Promise.resolve()) };
  return c;
};

describe('trace files in and out of the store', () => {
  it('opens a file into the store, journals it, and exports each trace back as the same spans', async () => {
    const spans = decodeSpans('protobuf', ProtobufTraceSerializer.serializeRequest([...(await shopTrace(A)), ...(await shopTrace(B))])!).spans;
    const jaeger = exportedAsJaeger(spans);
    const into = core();
    appended.length = 0;
    const opened = openTraceFile(into, 'shop.json', new TextEncoder().encode(jaeger));
    assert.equal(opened.error, null);
    assert.equal(opened.format, 'jaeger');
    assert.deepEqual(opened.traceIds.sort(), [A, B]);
    assert.deepEqual(appended, ['traces']);
    // Export, then open the export somewhere else: the same trace.
    const exported = exportTrace(into, A)!;
    const again = core();
    assert.deepEqual(openTraceFile(again, 'a.jsonl', exported).traceIds, [A]);
    assert.deepEqual(again.store.get(A)!.spans, into.store.get(A)!.spans);
    assert.equal(exportTrace(into, 'f'.repeat(32)), null);
  });

  it('a bad file gives its place; a bad line in JSON lines is named and the good lines still open', async () => {
    const spans = decodeSpans('protobuf', ProtobufTraceSerializer.serializeRequest(await shopTrace(A))!).spans;
    const bad = openTraceFile(core(), '/tmp/x.json', new TextEncoder().encode('{\n  "resourceSpans": [,]\n}'));
    assert.match(bad.error!, /^\/tmp\/x\.json:2:\d+: invalid JSON/);
    const into = core();
    const lines = `${new TextDecoder().decode(exportTrace(withSpans(into, spans), A)!)}{"resourceSpans": 7}\nnot json\n`;
    const fresh = core();
    const opened = openTraceFile(fresh, 'mixed.jsonl', new TextEncoder().encode(lines));
    assert.equal(opened.error, null);
    assert.deepEqual(opened.traceIds, [A]);
    assert.equal(opened.problems.length, 2);
    assert.match(opened.problems[0]!, /^mixed\.jsonl:2: /);
    assert.match(opened.problems[1]!, /^mixed\.jsonl:3:\d+: invalid JSON/);
  });
});

function withSpans(into: IngestCore, spans: Parameters<IngestCore['store']['add']>[0]): IngestCore {
  into.store.add(spans);
  return into;
}

/** The spans as the Jaeger UI's JSON download writes them (the shape its decoder reads). */
function exportedAsJaeger(spans: ReturnType<typeof decodeSpans>['spans']): string {
  const processes = new Map<string, string>();
  const traces = new Map<string, unknown[]>();
  for (const s of spans) {
    if (!processes.has(s.service)) processes.set(s.service, `p${processes.size + 1}`);
    const list = traces.get(s.traceId) ?? [];
    traces.set(s.traceId, list);
    list.push({
      traceID: s.traceId, spanID: s.spanId, operationName: s.name, startTime: s.startUs, duration: s.endUs - s.startUs, processID: processes.get(s.service),
      references: s.parentSpanId ? [{ refType: 'CHILD_OF', traceID: s.traceId, spanID: s.parentSpanId }] : [],
      tags: [{ key: 'span.kind', type: 'string', value: s.kind }], logs: [],
    });
  }
  const procs = Object.fromEntries([...processes].map(([service, id]) => [id, { serviceName: service, tags: [] }]));
  return JSON.stringify({ data: [...traces].map(([traceID, list]) => ({ traceID, spans: list, processes: procs })) });
}
