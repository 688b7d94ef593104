/**
 * Analysis speed: one 10,000-span trace; the same with 50 debugger pauses
 * taken out (src/analysis/pauses.ts); a chain 100,000 deep (bench/deep.ts);
 * the aggregate over 100,000 spans in
 * 1,000 traces; and `hopscope analyze` of a 50 MB OTLP JSON file beside
 * `JSON.parse` of the same file. Peers run interleaved in the same process.
 * Usage: node dist/bench/analysis.js <dir>   (prints JSON)
 */
import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aggregate } from '../src/analysis/aggregate';
import { analyzeTrace } from '../src/analysis/analyze-trace';
import { compensatePauses, compensateTree } from '../src/analysis/pauses';
import { buildTree } from '../src/analysis/trace-tree';
import { DEBUG_SESSION_ATTRIBUTE, type DebugPause } from '../src/model/pause';
import type { SpanRecord } from '../src/model/span';
import { throughputs } from './measure';
import { deepChain } from './deep';
import { syntheticTrace } from './synthetic';
import { toOtlpJson } from '../test/support/timeline';

function json(dir: string): void {
  const big = syntheticTrace(0, 10_000);
  const manyTraces = Array.from({ length: 1000 }, (_, i) => syntheticTrace(i + 1, 100));
  const spansIn = (list: SpanRecord[][]) => list.reduce((n, t) => n + t.length, 0);
  const copy = (spans: SpanRecord[]) => JSON.parse(JSON.stringify(spans)) as unknown;

  const [analysisPerSec = 0, copyPerSec = 0] = throughputs([big], () => 1, [(s) => analyzeTrace(s), (s) => copy(s)], 7, 500);
  // The same trace with every svc-* service launched from a debug session, and 50 pauses across it: the
  // compensation on the tree the analysis has anyway, with the tree built, and the analysis with them.
  const { spans: paused, pauses } = pausedTrace(big, 50);
  const pausedTree = buildTree(paused)!;
  const [compensationPerSec = 0, compensationWithTreePerSec = 0, pausedAnalysisPerSec = 0] = throughputs([paused], () => 1, [() => compensateTree(pausedTree, pauses), (s) => compensatePauses(s, pauses), (s) => analyzeTrace(s, undefined, pauses)], 5, 500);
  // A chain a hostile sender can send: 100,000 spans, each the parent of the next.
  const deep = deepChain(100_000);
  const [deepPerSec = 0] = throughputs([deep], () => 1, [(s) => analyzeTrace(s)], 3, 3000);
  const [aggregatePerSec = 0, aggregateCopyPerSec = 0] = throughputs([manyTraces], () => 1, [(list) => aggregate(list.map((t) => buildTree(t)!)), (list) => list.map(copy)], 5, 1500);

  // A 50 MB OTLP JSON file of many traces, for the CLI.
  const file = join(dir, 'traces.json');
  const requests: string[] = [];
  let size = 0;
  for (let i = 0; size < 50 * 1024 * 1024; i++) {
    const trace = syntheticTrace(100_000 + i, 200);
    const text = toOtlpJson(trace);
    requests.push(text);
    size += text.length;
  }
  // One request holding every resourceSpans entry.
  const merged = `{"resourceSpans":[${requests.map((r) => r.slice('{"resourceSpans":['.length, -2)).join(',')}]}`;
  writeFileSync(file, merged);
  const bytes = statSync(file).size;
  const timed = (args: string[]) => {
    const start = performance.now();
    execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 30 });
    return performance.now() - start;
  };
  const cliMs: number[] = [];
  const parseMs: number[] = [];
  for (let r = 0; r < 3; r++) {
    cliMs.push(timed(['dist/cli.js', 'analyze', '--json', file]));
    parseMs.push(timed(['-e', `JSON.parse(require('fs').readFileSync(${JSON.stringify(file)}, 'utf8'))`]));
  }
  const median = (list: number[]) => list.sort((a, b) => a - b)[1]!;
  process.stdout.write(JSON.stringify({
    traceSpans: big.length,
    analysisMs: 1000 / analysisPerSec, copyMs: 1000 / copyPerSec,
    pauses: pauses.length, compensationMs: 1000 / compensationPerSec, compensationWithTreeMs: 1000 / compensationWithTreePerSec, pausedAnalysisMs: 1000 / pausedAnalysisPerSec,
    deepSpans: deep.length, deepAnalysisMs: 1000 / deepPerSec,
    aggregateSpans: spansIn(manyTraces), aggregateMs: 1000 / aggregatePerSec, aggregateCopyMs: 1000 / aggregateCopyPerSec,
    fileMB: bytes / 1024 / 1024, cliMs: median(cliMs), jsonParseMs: median(parseMs),
  }));
}

/** The trace with its `svc-*` services in debug sessions and `count` 3 ms pauses spread over it, one service after another. */
function pausedTrace(trace: SpanRecord[], count: number): { spans: SpanRecord[]; pauses: DebugPause[] } {
  const spans = trace.map((s) => (s.service.startsWith('svc-') ? { ...s, resource: { ...s.resource, attributes: { ...s.resource.attributes, [DEBUG_SESSION_ATTRIBUTE]: `dbg-${s.service}` } } } : s));
  const { startUs, endUs } = trace[0]!;
  const pauses = Array.from({ length: count }, (_, i): DebugPause => {
    const at = startUs + Math.round(((i + 0.5) / count) * (endUs - startUs));
    return { session: `dbg-svc-${i % 17}`, startUs: at, endUs: at + 3000, reason: 'breakpoint', sessionName: `svc-${i % 17}`, location: null };
  });
  return { spans, pauses };
}

json(process.argv[2]!);
