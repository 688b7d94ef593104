/**
 * `hopscope analyze` and `hopscope check`: the analysis of trace files
 * (OTLP JSON, OTLP JSON lines, OTLP protobuf, Jaeger UI exports, Zipkin v2).
 * Bad input: a message naming the file and position, exit 2; other files are
 * still processed.
 */
import { parseArgs } from 'node:util';
import { aggregate, type Aggregate } from '../analysis/aggregate';
import { analyzeTree, type TraceAnalysis } from '../analysis/analyze-trace';
import { RULES, type Rule } from '../analysis/rules';
import { buildTree, type TraceTree } from '../analysis/trace-tree';
import { analysedTrace, matchesTrace, spansHaveAttribute } from '../analysis/trace-query-match';
import { parseTraceQuery, queryErrorText, type TraceQuery } from '../analysis/trace-query';
import { errorText } from '../common/errors';
import { isTraceId } from '../model/ids';
import type { SpanRecord } from '../model/span';
import { loadTraceInputs } from './load-traces';
import { aggregateReport, clean, traceReport } from './report';

export const ANALYZE_USAGE = `Options for analyze:  hopscope analyze <file|dir>... [--json] [--trace <id>] [--filter <query>]
  --json                    print { "traces": [ … ], "aggregate": { … } } (schema in the README)
  --trace <id>              only this trace
  --filter <query>          only the traces a query picks, e.g. 'duration>500ms service:orders' (docs/trace-queries.md)
Options for check:    hopscope check <file|dir>... [--max-hops N] [--max-duration-ms N] [--fail-on rule,rule]
  exits 1 with a short report when a budget is broken, 0 when all hold, 2 on bad input`;

interface Analysed {
  trees: TraceTree[];
  analyses: TraceAnalysis[];
  aggregate: Aggregate;
  badInput: boolean;
}

async function analyseFiles(paths: string[], traceId: string | undefined, query?: TraceQuery): Promise<Analysed> {
  if (paths.length === 0) throw new UsageError('name at least one file or directory');
  const { loaded, errors } = await loadTraceInputs(paths);
  for (const e of errors) process.stderr.write(`hopscope: ${e.message.startsWith(e.path) ? e.message : `${e.path}: ${e.message}`}\n`);
  const byTrace = new Map<string, SpanRecord[]>();
  for (const file of loaded) {
    for (const span of file.spans) {
      if (traceId !== undefined && span.traceId !== traceId) continue;
      const list = byTrace.get(span.traceId);
      if (list) list.push(span);
      else byTrace.set(span.traceId, [span]);
    }
  }
  let trees = [...byTrace.values()].map((spans) => buildTree(spans)!);
  let analyses = trees.map((tree) => analyzeTree(tree));
  if (query) {
    const picked = trees.map((tree, i) => matchesTrace(query, analysedTrace(tree, analyses[i]!), (term) => spansHaveAttribute(term, byTrace.get(tree.traceId)!)));
    trees = trees.filter((_, i) => picked[i]);
    analyses = analyses.filter((_, i) => picked[i]);
  }
  analyses.sort((a, b) => b.durationUs - a.durationUs);
  return { trees, analyses, aggregate: aggregate(trees), badInput: errors.length > 0 };
}

class UsageError extends Error {}

export async function runAnalyze(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { json: { type: 'boolean' }, trace: { type: 'string' }, filter: { type: 'string' } } });
  } catch (error) {
    return usage(error);
  }
  const traceId = parsed.values.trace?.toLowerCase();
  if (traceId !== undefined && !isTraceId(traceId)) return usage(new UsageError(`--trace must be a 32-hex-digit trace id, not ${JSON.stringify(parsed.values.trace)}`));
  const filter = parsed.values.filter === undefined ? undefined : parseTraceQuery(parsed.values.filter);
  if (filter && !filter.ok) return usage(new UsageError(`--filter ${JSON.stringify(parsed.values.filter)}: ${queryErrorText(filter.error)}`));
  let result: Analysed;
  try {
    result = await analyseFiles(parsed.positionals, traceId, filter?.query);
  } catch (error) {
    return usage(error);
  }
  if (parsed.values.json) {
    process.stdout.write(JSON.stringify({ traces: result.analyses, aggregate: result.aggregate }) + '\n');
  } else {
    const names = spanNames(result.trees);
    for (const a of result.analyses) process.stdout.write(traceReport(a, names) + '\n\n');
    process.stdout.write(aggregateReport(result.aggregate) + '\n');
  }
  return result.badInput ? 2 : 0;
}

export async function runCheck(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { 'max-hops': { type: 'string' }, 'max-duration-ms': { type: 'string' }, 'fail-on': { type: 'string' } } });
  } catch (error) {
    return usage(error);
  }
  const number = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${flag} must be a number of at least 0, not ${JSON.stringify(text)}`);
    return n;
  };
  let maxHops: number | undefined;
  let maxDurationMs: number | undefined;
  let failOn: Rule[] = [];
  try {
    maxHops = number('max-hops', parsed.values['max-hops']);
    maxDurationMs = number('max-duration-ms', parsed.values['max-duration-ms']);
    failOn = (parsed.values['fail-on'] ?? '').split(',').map((r) => r.trim()).filter(Boolean) as Rule[];
    const unknown = failOn.filter((r) => !(RULES as readonly string[]).includes(r));
    if (unknown.length > 0) throw new UsageError(`--fail-on: unknown rule ${unknown.join(', ')}; rules are ${RULES.join(', ')}`);
  } catch (error) {
    return usage(error);
  }
  let result: Analysed;
  try {
    result = await analyseFiles(parsed.positionals, undefined);
  } catch (error) {
    return usage(error);
  }
  const broken: string[] = [];
  for (const a of result.analyses) {
    const at = `trace ${a.traceId} (${clean(a.rootService)} ${clean(a.rootName)})`;
    // The chain with the most hops, not the one that accumulated the most latency (chains come ranked by that).
    const deepest = a.blockingChains.reduce<(typeof a.blockingChains)[number] | undefined>((best, c) => (!best || c.hops > best.hops ? c : best), undefined);
    const hops = deepest?.hops ?? 0;
    if (maxHops !== undefined && deepest && hops > maxHops) broken.push(`${at}: blocking chain of ${hops} hops > ${maxHops} (${deepest.services.map(clean).join(' → ')})`);
    if (maxDurationMs !== undefined && a.durationUs > maxDurationMs * 1000) broken.push(`${at}: ${(a.durationUs / 1000).toFixed(1)} ms > ${maxDurationMs} ms`);
    for (const f of a.findings) if (failOn.includes(f.rule)) broken.push(`${at}: ${f.rule}: ${clean(f.message)}`);
  }
  if (result.badInput) return 2;
  if (broken.length > 0) {
    process.stdout.write(`hopscope check: ${broken.length} budget${broken.length === 1 ? '' : 's'} broken in ${result.analyses.length} traces\n${broken.map((b) => `  ✖ ${b}`).join('\n')}\n`);
    return 1;
  }
  process.stdout.write(`hopscope check: ${result.analyses.length} traces, every budget holds\n`);
  return 0;
}

function spanNames(trees: TraceTree[]): (spanId: string) => string {
  const names = new Map<string, string>();
  for (const tree of trees) for (const node of tree.nodes) names.set(node.spanId, `${clean(node.service)} ${clean(node.name)}`);
  return (id) => names.get(id) ?? id;
}

function usage(error: unknown): number {
  process.stderr.write(`hopscope: ${errorText(error)}\n\n${ANALYZE_USAGE}\n`);
  return 2;
}
