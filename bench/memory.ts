/**
 * Retained heap per stored span after GC, at 200,000 spans (run with --expose-gc).
 * `ours`: decoded into the trace store. `peer`: the same requests kept as protobufjs decode + toObject.
 * Each request is stored under fresh trace ids, so no span is a duplicate.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TraceStore } from '../src/ingest/trace-store';
import { decodeTracesProto } from '../src/wire/otlp-proto-traces';
import { pbjsDecodeToObject, spanCount } from './otlp-protobufjs';

const [dir, which] = [process.argv[2]!, process.argv[3]!];
const bodies = readdirSync(dir).filter((f) => f.endsWith('.pb')).map((f) => readFileSync(join(dir, f)));
const TARGET = 200_000;
const gc = (globalThis as { gc?: () => void }).gc!;
const settle = () => { for (let i = 0; i < 4; i++) gc(); };

settle();
const base = process.memoryUsage().heapUsed;
let stored = 0;
const kept: unknown[] = [];
const store = new TraceStore({ maxSpans: TARGET, maxTraces: 1_000_000 });
for (let round = 0; stored < TARGET; round++) {
  const body = bodies[round % bodies.length]!;
  if (which === 'ours') {
    const { spans } = decodeTracesProto(body);
    const renamed = new Map<string, string>();
    const prefix = round.toString(16).padStart(8, '0');
    for (const span of spans) {
      let id = renamed.get(span.traceId);
      if (id === undefined) renamed.set(span.traceId, (id = prefix + span.traceId.slice(8)));
      span.traceId = id;
    }
    store.add(spans.slice(0, TARGET - stored));
    stored = store.stats.spansStored;
  } else {
    const message = pbjsDecodeToObject(body);
    kept.push(message);
    stored += spanCount(message);
  }
}
settle();
const bytes = process.memoryUsage().heapUsed - base;
process.stdout.write(JSON.stringify({ which, spans: stored, bytesPerSpan: Math.round(bytes / stored) }));
// Keep both alive until measured: an unreferenced store would be collected first.
if (kept.length < 0 || store.stats.spansStored < 0) process.exitCode = 1;
