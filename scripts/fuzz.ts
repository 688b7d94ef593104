/**
 * `npm run fuzz`: a standing fuzz run, beyond the seconds the tests spend on it.
 *
 *   byte mutants   of real export requests (the recorded real-stack traffic,
 *                  OTLP/JSON of it, logs, Jaeger and Zipkin renderings) through
 *                  every decoder: each input decodes or is refused with a
 *                  WireError, never another exception;
 *   analysed       every 20th decoded mutant goes through the tree, the
 *                  analysis, the trace view and the service map;
 *   structural     span lists a sender could shape: chains and cycles up to
 *                  100,000 deep, fan-out, huge strings, huge counts, clashing
 *                  ids, absurd times — through the same analysis;
 *   wire shapes    payloads a sender could shape, for every decoder (depth,
 *                  fan-out, huge strings, huge counts: fuzz-wire-shapes.ts),
 *                  decoded or refused, and what they decode to analysed.
 *
 * Usage: npm run fuzz [-- --inputs N] [--seed S]   (N byte mutants through each decoder, default 1,000,000)
 * Exits 1 on the first input that breaks anything, after writing it to
 * .hopscope-cache/fuzz-failure.bin (its base64 is printed too).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { aggregate } from '../src/analysis/aggregate';
import { analyzeTree } from '../src/analysis/analyze-trace';
import { buildTree } from '../src/analysis/trace-tree';
import type { SpanRecord } from '../src/model/span';
import { toServiceMapView } from '../src/views/service-map';
import { toTraceView } from '../src/views/trace-view';
import { decodeJaegerJson } from '../src/wire/jaeger-json';
import { decodeLogsJson } from '../src/wire/otlp-json-logs';
import { decodeTracesJson } from '../src/wire/otlp-json-traces';
import { decodeTracesJsonFast } from '../src/wire/otlp-json-fast';
import { decodeLogsProto } from '../src/wire/otlp-proto-logs';
import { decodeTracesProto } from '../src/wire/otlp-proto-traces';
import { WireError } from '../src/wire/wire-error';
import { decodeZipkinJson } from '../src/wire/zipkin-json';
import { inSpan, sdkLogRecords } from '../test/support/otel-logs';
import { toOtlpJson } from '../test/support/timeline';
import { mutate, random } from '../test/support/mutate';
import { wireShapes } from './fuzz-wire-shapes';

const { values } = parseArgs({ options: { inputs: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '20261202' } } });
const INPUTS = Math.max(1, Number(values.inputs));
const next = random(Number(values.seed));
const text = new TextDecoder();
const utf8 = new TextEncoder();

interface Target {
  name: string;
  seeds: Uint8Array[];
  decode: (bytes: Uint8Array) => SpanRecord[] | undefined;
}

function fail(what: string, input: Uint8Array, error: unknown): never {
  mkdirSync('.hopscope-cache', { recursive: true });
  writeFileSync('.hopscope-cache/fuzz-failure.bin', input);
  console.error(`fuzz: ${what} threw ${error instanceof Error ? error.stack : String(error)}`);
  console.error(`input (${input.length} bytes, also in .hopscope-cache/fuzz-failure.bin): ${Buffer.from(input).toString('base64').slice(0, 4000)}`);
  process.exit(1);
}

/** Every real export request of the recorded real-stack scenarios, one seed each. */
function recordedRequests(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const scenario of ['sync', 'events', 'failure', 'timeout', 'fallback', 'retry']) {
    const dir = `test/fixtures/realstack/${scenario}`;
    const bytes = new Uint8Array(readFileSync(`${dir}/export.binpb`));
    const truth = JSON.parse(readFileSync(`${dir}/truth.json`, 'utf8')) as { recorded: { requests: { offset: number; length: number }[] } };
    for (const r of truth.recorded.requests) out.push(bytes.subarray(r.offset, r.offset + r.length));
  }
  return out;
}

function jaegerOf(spans: SpanRecord[]): string {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a seed's tags are strings; how a list reads in one does not matter
  return JSON.stringify({ data: [{ traceID: spans[0]!.traceId, processes: { p1: { serviceName: spans[0]!.service, tags: [] } }, spans: spans.map((s) => ({ traceID: s.traceId, spanID: s.spanId, operationName: s.name, references: s.parentSpanId ? [{ refType: 'CHILD_OF', traceID: s.traceId, spanID: s.parentSpanId }] : [], startTime: s.startUs, duration: s.endUs - s.startUs, tags: Object.entries(s.attributes).map(([key, value]) => ({ key, type: 'string', value: String(value) })), processID: 'p1' })) }] });
}

function zipkinOf(spans: SpanRecord[]): string {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a seed's tags are strings; how a list reads in one does not matter
  return JSON.stringify(spans.map((s) => ({ traceId: s.traceId, id: s.spanId, parentId: s.parentSpanId || undefined, name: s.name, kind: s.kind === 'internal' ? undefined : s.kind.toUpperCase(), timestamp: s.startUs, duration: s.endUs - s.startUs, localEndpoint: { serviceName: s.service }, tags: Object.fromEntries(Object.entries(s.attributes).map(([k, v]) => [k, String(v)])) })));
}

async function targets(): Promise<Target[]> {
  const requests = recordedRequests();
  const decoded = requests.map((r) => decodeTracesProto(r).spans).filter((s) => s.length > 0);
  const json = decoded.slice(0, 12).map((spans) => utf8.encode(toOtlpJson(spans)));
  const logs = await sdkLogRecords((logger) => logger.emit({ body: 'hello', attributes: { n: 1, list: ['a', 'b'] }, context: inSpan('5b8efff798038103d269b633813fc60c', 'eee19b7ec3c1b174') }));
  const logsProto = ProtobufLogsSerializer.serializeRequest(logs)!;
  const spansOf = (d: { spans: SpanRecord[] }) => d.spans;
  return [
    { name: 'OTLP protobuf traces', seeds: requests, decode: (b) => spansOf(decodeTracesProto(b)) },
    { name: 'OTLP JSON traces', seeds: json, decode: (b) => spansOf(decodeTracesJson(text.decode(b))) },
    { name: 'OTLP JSON traces (fast path)', seeds: json, decode: (b) => decodeTracesJsonFast(b)?.spans },
    { name: 'OTLP protobuf logs', seeds: [logsProto], decode: (b) => (decodeLogsProto(b), undefined) },
    { name: 'OTLP JSON logs', seeds: [JsonLogsSerializer.serializeRequest(logs)!], decode: (b) => (decodeLogsJson(text.decode(b)), undefined) },
    { name: 'Jaeger UI JSON', seeds: decoded.slice(0, 12).map((s) => utf8.encode(jaegerOf(s))), decode: (b) => spansOf(decodeJaegerJson(text.decode(b))) },
    { name: 'Zipkin v2 JSON', seeds: decoded.slice(0, 12).map((s) => utf8.encode(zipkinOf(s))), decode: (b) => spansOf(decodeZipkinJson(text.decode(b))) },
  ];
}

/** The tree, the analysis, the trace view and the service map of one trace's spans. */
function analyse(spans: readonly SpanRecord[]): void {
  const tree = buildTree(spans);
  if (!tree) return;
  analyzeTree(tree);
  toTraceView(tree.traceId, spans, []);
  toServiceMapView([tree], 0);
  aggregate([tree]);
}

/** Span lists a sender could shape, built from one real span. */
function* structural(base: SpanRecord): Generator<[string, SpanRecord[]]> {
  const id = (n: number) => (n + 1).toString(16).padStart(16, '0');
  const span = (i: number, parent: number, extra: Partial<SpanRecord> = {}): SpanRecord => ({ ...base, spanId: id(i), parentSpanId: parent < 0 ? '' : id(parent), service: `svc-${i % 3}`, kind: i % 2 ? 'server' : 'client', startUs: base.startUs + i, endUs: base.startUs + 2_000_000 - i, ...extra });
  for (const depth of [1000, 10_000, 100_000]) {
    yield [`chain ${depth} deep`, Array.from({ length: depth }, (_, i) => span(i, i - 1))];
    yield [`cycle of ${depth}`, Array.from({ length: depth }, (_, i) => span(i, (i + 1) % depth))];
  }
  yield ['fan-out of 50,000', Array.from({ length: 50_000 }, (_, i) => span(i, i === 0 ? -1 : 0))];
  yield ['a 1 MB name and attribute', [span(0, -1, { name: 'x'.repeat(1 << 20), attributes: { 'url.full': `http://h/${'a/'.repeat(300_000)}`, 'db.query.text': `SELECT ${'(('.repeat(100_000)}` } })]];
  yield ['every span the same id', Array.from({ length: 20_000 }, (_, i) => span(0, i === 0 ? -1 : 0))];
  yield ['absurd times', Array.from({ length: 1000 }, (_, i) => span(i, i - 1, { startUs: i % 2 ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER, endUs: i % 3 ? 0 : Number.MAX_SAFE_INTEGER }))];
  for (let round = 0; round < 2000; round++) {
    const n = 1 + Math.floor(next() * 300);
    yield [`random tree ${round}`, Array.from({ length: n }, (_, i) => span(i, Math.floor(next() * (n + 2)) - 1, { startUs: base.startUs + Math.floor(next() * 1e6), endUs: base.startUs + Math.floor(next() * 2e6), kind: (['server', 'client', 'internal', 'producer', 'consumer'] as const)[Math.floor(next() * 5)]! }))];
  }
}

async function main(): Promise<void> {
  const all = await targets();
  const per = INPUTS;
  console.log(`fuzz: ${per.toLocaleString('en-US')} byte mutants through each of ${all.length} decoders, seed ${values.seed}`);
  let analysed = 0;
  for (const target of all) {
    const started = performance.now();
    let refused = 0;
    let worstMs = 0;
    for (let i = 0; i < per; i++) {
      const seed = target.seeds[i % target.seeds.length]!;
      const input = mutate(seed, next);
      const t = performance.now();
      let spans: SpanRecord[] | undefined;
      try {
        spans = target.decode(input);
      } catch (error) {
        if (!(error instanceof WireError)) fail(target.name, input, error);
        refused++;
      }
      if (spans && spans.length > 0 && i % 20 === 0) {
        try {
          analyse(spans);
          analysed++;
        } catch (error) {
          fail(`the analysis of a ${target.name} mutant`, input, error);
        }
      }
      worstMs = Math.max(worstMs, performance.now() - t);
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`  ${target.name.padEnd(30)} ${per.toLocaleString('en-US')} inputs, ${refused.toLocaleString('en-US')} refused (WireError), ${Math.round(per / seconds).toLocaleString('en-US')}/s, slowest input ${worstMs.toFixed(1)} ms`);
  }
  const base = decodeTracesProto(recordedRequests()[0]!).spans[0]!;
  let shapes = 0;
  let worst = { name: '', ms: 0 };
  for (const [name, spans] of structural(base)) {
    const t = performance.now();
    try {
      analyse(spans);
    } catch (error) {
      fail(`the analysis of ${name}`, utf8.encode(name), error);
    }
    const ms = performance.now() - t;
    if (ms > worst.ms) worst = { name, ms };
    shapes++;
  }
  console.log(`  structural shapes              ${shapes.toLocaleString('en-US')} span lists analysed (slowest: ${worst.name}, ${worst.ms.toFixed(0)} ms)`);
  const wire = wireShapesThrough(all);
  console.log(`  wire shapes                    ${wire.count} payloads through ${wire.targets} decoders: ${wire.refused} refused (WireError), ${wire.analysed} decoded to spans and analysed (slowest: ${wire.slowest})`);
  console.log(`fuzz: ${(per * all.length).toLocaleString('en-US')} byte mutants, ${shapes.toLocaleString('en-US')} span-list shapes and ${wire.count} wire shapes, ${analysed.toLocaleString('en-US')} mutants analysed: nothing broke`);
}

/** Every structural wire payload through its decoder; what decodes to spans goes through the analysis. */
function wireShapesThrough(all: Target[]): { count: number; targets: number; refused: number; analysed: number; slowest: string } {
  const byName = new Map(all.map((t) => [t.name, t]));
  const seen = new Set<string>();
  let count = 0;
  let refused = 0;
  let analysed = 0;
  const times: { name: string; ms: number }[] = [];
  for (const shape of wireShapes()) {
    const target = byName.get(shape.target);
    if (!target) throw new Error(`fuzz-wire-shapes names no decoder "${shape.target}"`);
    seen.add(shape.target);
    count++;
    const t = performance.now();
    let spans: SpanRecord[] | undefined;
    try {
      spans = target.decode(shape.bytes);
    } catch (error) {
      if (!(error instanceof WireError)) fail(`${target.name} on "${shape.name}"`, shape.bytes, error);
      refused++;
    }
    if (spans && spans.length > 0) {
      try {
        analyse(spans);
        analysed++;
      } catch (error) {
        fail(`the analysis of ${target.name} "${shape.name}"`, shape.bytes, error);
      }
    }
    times.push({ name: `${shape.name} (${target.name})`, ms: performance.now() - t });
  }
  const slowest = times.sort((a, b) => b.ms - a.ms).slice(0, 3).map((s) => `${s.name} ${s.ms.toFixed(0)} ms`).join('; ');
  return { count, targets: seen.size, refused, analysed, slowest };
}

void main();
