/**
 * Analysis speed: one 10,000-span trace; a chain 100,000 deep (bench/deep.ts);
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
import { buildTree } from '../src/analysis/trace-tree';
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
    deepSpans: deep.length, deepAnalysisMs: 1000 / deepPerSec,
    aggregateSpans: spansIn(manyTraces), aggregateMs: 1000 / aggregatePerSec, aggregateCopyMs: 1000 / aggregateCopyPerSec,
    fileMB: bytes / 1024 / 1024, cliMs: median(cliMs), jsonParseMs: median(parseMs),
  }));
}

json(process.argv[2]!);
