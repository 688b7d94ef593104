/**
 * The call sites as the editor shows them: resolved to workspace files, with
 * the Problems they raise and the hover that explains them. No `vscode` here
 * (source-lines.ts turns these into CodeLenses, decorations, diagnostics and
 * hovers), so all of it is tested in Node.
 *
 *   CallSitesView (paths as the telemetry names them)
 *     ──► resolveLineCalls ──► per workspace file, per line: the calls made there
 *     ──► lineProblems     ──► one problem per finding at its call site, related locations along the chain
 *     ──► hoverMarkdown    ──► numbers, a latency distribution, links to the slowest traces
 */
import type { CallAtSite, CodePlace, SiteFinding } from '../analysis/call-sites';
import type { Rule, Severity } from '../analysis/findings';
import type { PlaceCandidate } from '../model/code-place';
import { formatDuration } from '../common/format';
import type { CallSitesView } from '../ingest/worker-protocol';
import { DEFAULT_FINDING_THRESHOLDS, inTraces, lensTitle, plainText, worthSaying, type FindingThresholds } from './call-site-text';

/** A workspace position, 1-based as OTel counts. */
export interface FilePosition {
  file: string;
  line: number;
  column?: number;
}

/** Where one candidate list is in the workspace: its first candidate inside it (`SourceLocator.placeOf`), or undefined. */
export type ResolvePlace = (list: readonly PlaceCandidate[]) => Promise<(FilePosition & { functionName?: string }) | undefined>;

/** The calls one line made, over recent traces (several telemetry paths may name the same line). */
export interface LineCalls extends FilePosition {
  functionName?: string;
  calls: CallAtSite[];
}

/** Each file's lines that made calls, by real path; lines in order. */
export type FileCalls = Map<string, LineCalls[]>;

/** `resolve`, asked once per distinct list (a view names the same lists at many sites) and never throwing. */
function placer(resolve: ResolvePlace): ResolvePlace {
  const known = new Map<string, ReturnType<ResolvePlace>>();
  return (list) => {
    const key = JSON.stringify(list);
    let found = known.get(key);
    if (!found) known.set(key, (found = resolve(list).catch(() => undefined)));
    return found;
  };
}

/** The line of a place: its first list that resolves inside the workspace, and which one it was (-1: none). */
async function placeLine(place: CodePlace, resolve: ResolvePlace): Promise<{ at: (FilePosition & { functionName?: string }) | undefined; index: number }> {
  for (let index = 0; index < place.tries.length; index++) {
    const at = await resolve(place.tries[index]!);
    if (at) return { at, index };
  }
  return { at: undefined, index: -1 };
}

/**
 * Resolve every call site against the workspace; a site is kept when the last of its lists is the first its place
 * resolves (see CallSite), so each call is on one line. Sites none of whose lists is inside are left out (and, unless a
 * kept site goes on from them, passed to `outside`, if given).
 */
export async function resolveLineCalls(view: CallSitesView, resolve: ResolvePlace, outside?: (place: CodePlace) => void): Promise<FileCalls> {
  const lines = new Map<string, LineCalls>();
  const place = placer(resolve);
  const found = await Promise.all(view.sites.map((site) => placeLine(site.place, place)));
  const continued = new Set<string>();
  view.sites.forEach((site, i) => {
    const { at, index } = found[i]!;
    if (!at || index !== site.place.tries.length - 1) return;
    for (let d = 1; d <= site.place.tries.length; d++) continued.add(JSON.stringify(site.place.tries.slice(0, d)));
    const key = `${at.file}\u0000${at.line}`;
    const known = lines.get(key);
    if (known) {
      known.calls = [...known.calls, ...site.calls].sort((a, b) => b.p50Us * b.count - a.p50Us * a.count);
      return;
    }
    const { functionName, ...position } = at;
    const line: LineCalls = { ...position, calls: site.calls };
    if (functionName !== undefined) line.functionName = functionName;
    lines.set(key, line);
  });
  view.sites.forEach((site, i) => {
    if (found[i]!.index === -1 && !continued.has(JSON.stringify(site.place.tries))) outside?.(site.place);
  });
  const files: FileCalls = new Map();
  for (const line of lines.values()) files.set(line.file, [...(files.get(line.file) ?? []), line]);
  for (const list of files.values()) list.sort((a, b) => a.line - b.line);
  return files;
}

/**
 * Findings about a group of calls (a chain, a cascade, calls made one after
 * another): shown once, at the group's first located span, the others as
 * related locations. The rest (a call that could be an event, a long wait)
 * are about each call, and show at each.
 */
const GROUP_RULES: ReadonlySet<Rule> = new Set<Rule>(['deep-sync-chain', 'cascading-failure', 'retry-amplification', 'request-reply-over-messaging', 'sequential-calls', 'n-plus-one']);

export interface LineProblem extends FilePosition {
  /** The finding's own severity (findings.ts); `info` for one said though not worth saying (a rare failure). */
  severity: Severity;
  rule: Rule;
  message: string;
  /** The trace and span to open ("Show in Hopscope"). */
  traceId: string;
  spanId: string;
  related: (FilePosition & { message: string })[];
}

/**
 * One problem per (line, finding rule, callee), with the other spans the finding names as related locations.
 * A finding worth saying (`worthSaying`: it held in enough of the recent traces and saves enough) is said with
 * its own severity, the one the hint beside the line is coloured by. One that is not is left out when it is about
 * saving time (a 3 ms call that could save 2 ms); a failure or a chain seen in few traces stays, as `info` with
 * its count.
 */
export async function lineProblems(files: FileCalls, resolve: ResolvePlace, thresholds: FindingThresholds = DEFAULT_FINDING_THRESHOLDS): Promise<LineProblem[]> {
  const problems: LineProblem[] = [];
  const seen = new Set<string>();
  const place = placer(resolve);
  for (const lines of files.values()) {
    for (const line of lines) {
      for (const call of line.calls) {
        for (const finding of call.findings) {
          const worth = worthSaying(finding, call, thresholds);
          if (!worth && finding.typicalSavingUs !== null) continue;
          const located = await locatedSpans(finding, place);
          const here = located.find((s) => s.file === line.file && s.line === line.line);
          if (GROUP_RULES.has(finding.rule) && located[0] && located[0] !== here) continue;
          const key = `${line.file}\u0000${line.line}\u0000${finding.rule}\u0000${GROUP_RULES.has(finding.rule) ? '' : call.callee}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const problem: LineProblem = {
            file: line.file, line: line.line,
            severity: worth ? finding.severity : 'info',
            rule: finding.rule,
            message: problemMessage(finding, call),
            // The finding's own span on this line; else (its spans name no place here) the line's newest call.
            ...(here ? { traceId: finding.traceId, spanId: here.spanId } : call.latest),
            related: located.filter((s) => s !== here).map(({ file, line: l, column, label }) => ({ file, line: l, ...(column !== undefined && { column }), message: plainText(label, 120) })),
          };
          if (line.column !== undefined) problem.column = line.column;
          problems.push(problem);
        }
      }
    }
  }
  return problems;
}

async function locatedSpans(finding: SiteFinding, resolve: ResolvePlace): Promise<(FilePosition & { spanId: string; label: string })[]> {
  const out: (FilePosition & { spanId: string; label: string })[] = [];
  for (const span of finding.spans) {
    if (!span.place) continue;
    const { at } = await placeLine(span.place, resolve);
    if (at) out.push({ file: at.file, line: at.line, ...(at.column !== undefined && { column: at.column }), spanId: span.spanId, label: span.label });
  }
  return out;
}

/** The typical trace's sentence (its numbers are the median ones), and in how many recent traces it held. */
function problemMessage(finding: SiteFinding, call: CallAtSite): string {
  return `${sentence(finding.message, 400)} (in ${inTraces(finding, call)} that made this call recently)`;
}

/** A finding's sentence without its closing full stop, for a count to follow it in brackets. */
const sentence = (message: string, max: number) => plainText(message, max).replace(/\.$/, '');

/** Markdown special characters in span data, escaped so names show as typed and never become links, images or HTML. */
export function escapeMarkdown(text: string): string {
  return plainText(text, 200).replace(/[\\`*_{}[\]()#+\-.!|<>~&:]/g, (c) => `\\${c}`);
}

const BARS = '▁▂▃▄▅▆▇█';

/** A one-line histogram of sorted durations: `bins` buckets from the fastest to the slowest. */
export function sparkline(sortedUs: readonly number[], bins = 16): string {
  if (sortedUs.length === 0) return '';
  const lo = sortedUs[0]!;
  const hi = sortedUs[sortedUs.length - 1]!;
  if (hi === lo) return BARS[BARS.length - 1]!.repeat(1);
  const counts = new Array<number>(bins).fill(0);
  for (const us of sortedUs) counts[Math.min(bins - 1, Math.floor(((us - lo) / (hi - lo)) * bins))]!++;
  const most = Math.max(...counts);
  return counts.map((n) => (n === 0 ? ' ' : BARS[Math.max(0, Math.ceil((n / most) * BARS.length) - 1)]!)).join('');
}

/** A few durations are listed; more are drawn as a histogram between the fastest and the slowest. */
function distribution(sortedUs: readonly number[]): string {
  if (sortedUs.length < 2) return '';
  if (sortedUs.length <= FEW) return `Durations: ${sortedUs.map(formatDuration).join(' · ')}`;
  return `\`${formatDuration(sortedUs[0]!)}\` \`${sparkline(sortedUs)}\` \`${formatDuration(sortedUs[sortedUs.length - 1]!)}\``;
}

const FEW = 8;

/** A command link for a hover: the command id and its arguments, URI-encoded JSON. */
function commandLink(label: string, command: string, args: unknown[]): string {
  return `[${label}](command:${command}?${encodeURIComponent(JSON.stringify(args))})`;
}

export const SHOW_SPAN_COMMAND = 'hopscope.showSpan';

/** The hover over a line that made calls: for each call, its numbers, its distribution, its findings and links to its slowest traces. */
export function hoverMarkdown(line: LineCalls, maxCalls = 5): string {
  const parts: string[] = [];
  for (const call of line.calls.slice(0, maxCalls)) {
    const head = `**${escapeMarkdown(lensTitle(call))}**`;
    const numbers = `${call.count} call${call.count === 1 ? '' : 's'} · p50 ${formatDuration(call.p50Us)} · p95 ${formatDuration(call.p95Us)}${call.errors > 0 ? ` · ${call.errors} failed` : ''}`;
    const range = distribution(call.durationsUs);
    const findings = call.findings.map((f) => `- ${escapeMarkdown(sentence(f.message, 200))} (in ${inTraces(f, call)})`).join('\n');
    const slowest = call.slowest.map((s) => commandLink(formatDuration(s.durationUs), SHOW_SPAN_COMMAND, [s.traceId, s.spanId])).join(' · ');
    parts.push([head, numbers, range, findings, `Slowest: ${slowest} · ${commandLink('latest', SHOW_SPAN_COMMAND, [call.latest.traceId, call.latest.spanId])}`].filter(Boolean).join('\n\n'));
  }
  if (line.calls.length > maxCalls) parts.push(`…and ${line.calls.length - maxCalls} more`);
  return parts.join('\n\n---\n\n');
}
