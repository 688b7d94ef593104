/**
 * Call sites: the lines of code that made calls, over recent traces, with
 * what those calls cost. The extension puts them beside the source (CodeLens,
 * hints, hovers, Problems); the location of a span comes from a function the
 * caller passes in (attributes, stack traces, the parent's location).
 *
 *   orders.ts:42  ── 12 calls ──► email POST /send   sync   p50 501 ms  p95 540 ms
 *                                 77 % of POST /orders    could be an event: −500 ms
 */
import { percentile } from '../common/percentile';
import { isFailed } from '../model/failure';
import type { PlaceCandidate } from '../model/code-place';
import type { SpanRecord } from '../model/span';
import { callee, calleeOperation, isCall } from './calls';
import type { EdgeMode } from './edge-modes';
import { bySeverity, type Finding } from './findings';
import { duration, type TraceNode, type TraceTree } from './trace-tree';

/**
 * Where a span's code is, as the telemetry names it, before any file is looked at: the candidate lists to try,
 * best first — the span's own, then those of the ancestors whose place it may take (src/source/trace-places.ts,
 * the walk the trace view's places come from). The editor's line is the first list with a candidate inside its
 * workspace (`SourceLocator.placeOf`), as the trace view's Open takes it.
 */
export interface CodePlace {
  tries: PlaceCandidate[][];
}

/** A span a finding names, with where its code is (when known) and what it is, e.g. `orders → email POST /send`. */
export interface FindingSpan {
  spanId: string;
  label: string;
  place?: CodePlace;
}

/**
 * A finding as the editor shows it at a call site, over the recent traces that made the call: in how many of them
 * it held, and its typical (median) saving there. The finding itself — message, trace, spans (for related
 * locations) — is the typical one: the trace whose saving is the median.
 */
export interface SiteFinding extends Finding {
  traceId: string;
  spans: FindingSpan[];
  /** Recent traces with the call in which this finding held for it. */
  inTraces: number;
  /** The median of its per-trace savings, µs; null for findings that save nothing (failures, chains). */
  typicalSavingUs: number | null;
  /** The median of its per-trace savings as a share of their request's duration (0–1); null as above. */
  typicalSavingShare: number | null;
}

export interface CallAtSite {
  callee: string;
  operation: string;
  mode: EdgeMode;
  /** Set when these calls are PRODUCER spans: publishes to a broker, whatever the caller waited for. */
  publish?: true;
  count: number;
  /** Recent traces that made these calls (each finding's `inTraces` is out of these). */
  traces: number;
  errors: number;
  p50Us: number;
  p95Us: number;
  /** Median share of its request's duration (0–1) taken by the call. */
  shareOfRequest: number;
  /** The request these calls were made for most often, e.g. `POST /orders`. */
  rootName: string;
  /** The most severe finding about these calls, largest typical saving first. */
  worstFinding: SiteFinding | undefined;
  /** Every finding about these calls (one per rule, over the traces), most severe first, then by typical saving. */
  findings: SiteFinding[];
  /** The slowest calls, slowest first (at most three), to open. */
  slowest: { traceId: string; spanId: string; durationUs: number }[];
  /** The newest call, to open its trace with this span selected. */
  latest: { traceId: string; spanId: string };
  /** Durations, µs, sorted (for a latency distribution); at most 200, evenly sampled. */
  durationsUs: number[];
}

/**
 * The calls whose place's tries begin with `place.tries`, for the case that the last of these is the first list
 * placed inside the workspace. A call is listed under each beginning of its tries (at most MAX_TRIES), so that
 * whichever of its lists the editor places, one site holds exactly the calls that land there: the editor keeps a
 * site only when its last list is the first it places (`siteLine` in src/extension/line-calls.ts).
 *
 *   a call tried at [stock.ts:42, routes.ts:12]   ─► site [stock.ts:42]                 kept when stock.ts is in the workspace
 *                                                 ─► site [stock.ts:42, routes.ts:12]   kept when only routes.ts is
 */
export interface CallSite {
  place: CodePlace;
  calls: CallAtSite[];
}

export interface AnalysedTrace {
  tree: TraceTree;
  findings: readonly Finding[];
}

const SLOWEST = 3;

export type Locate = (span: SpanRecord, tree: TraceTree) => CodePlace | undefined;

/** The call sites in these traces (newest first is best: `latest` is the first seen). */
export function callSites(traces: Iterable<AnalysedTrace>, locate: Locate): CallSite[] {
  const sites = new Map<string, { place: CodePlace; calls: Map<string, Acc> }>();
  for (const { tree, findings } of traces) {
    const places = new Map<string, CodePlace | undefined>();
    const placeOf = (node: TraceNode): CodePlace | undefined => {
      if (!node.span) return undefined;
      if (!places.has(node.spanId)) places.set(node.spanId, locate(node.span, tree));
      return places.get(node.spanId);
    };
    const findingsOf = new Map<string, Finding[]>();
    for (const finding of findings) for (const spanId of finding.spanIds) findingsOf.set(spanId, [...(findingsOf.get(spanId) ?? []), finding]);
    const requestUs = Math.max(1, duration(tree.root));
    for (const node of tree.nodes) {
      if (!node.span || !isCall(node) || !node.mode) continue;
      const place = placeOf(node);
      if (!place) continue;
      const to = callee(node);
      const operation = calleeOperation(node);
      const publish = node.kind === 'producer';
      const callKey = `${to}\u0000${operation}\u0000${node.mode}\u0000${publish}`;
      let siteKey = '';
      for (let d = 0; d < place.tries.length; d++) {
        siteKey += `${listKey(place.tries[d]!)}\u0001`;
        let site = sites.get(siteKey);
        if (!site) sites.set(siteKey, (site = { place: { tries: place.tries.slice(0, d + 1) }, calls: new Map() }));
        let acc = site.calls.get(callKey);
        if (!acc) site.calls.set(callKey, (acc = { callee: to, operation, mode: node.mode, publish, durations: [], shares: [], errors: 0, roots: new Map(), traces: new Set(), findings: new Map(), slowest: [], latest: { traceId: tree.traceId, spanId: node.spanId } }));
        addCall(acc, node, tree, requestUs, findingsOf.get(node.spanId) ?? [], placeOf);
      }
    }
  }
  return [...sites.values()].map(({ place, calls }) => ({ place, calls: [...calls.values()].map(summarize).sort((a, b) => b.p50Us * b.count - a.p50Us * a.count) }));
}

/** One call of a trace into what a site knows of calls like it. */
function addCall(acc: Acc, node: TraceNode, tree: TraceTree, requestUs: number, findings: readonly Finding[], placeOf: (node: TraceNode) => CodePlace | undefined): void {
  acc.traces.add(tree.traceId);
  const took = duration(node);
  acc.durations.push(took);
  acc.shares.push(took / requestUs);
  if (node.span && isFailed(node.span)) acc.errors++;
  acc.roots.set(tree.root.name, (acc.roots.get(tree.root.name) ?? 0) + 1);
  for (const finding of findings) {
    // One per rule and trace (an N+1 names many calls of the same line): the largest saving of that trace.
    let byTrace = acc.findings.get(finding.rule);
    if (!byTrace) acc.findings.set(finding.rule, (byTrace = new Map<string, KeptFinding>()));
    const kept = byTrace.get(tree.traceId);
    if (!kept || (finding.savingUs ?? 0) > (kept.finding.savingUs ?? 0)) byTrace.set(tree.traceId, { finding: siteFinding(finding, tree, placeOf), requestUs });
  }
  acc.slowest.push({ traceId: tree.traceId, spanId: node.spanId, durationUs: took });
  acc.slowest.sort((a, b) => b.durationUs - a.durationUs);
  if (acc.slowest.length > SLOWEST) acc.slowest.pop();
}

/** A list's key, made once per list (a trace's lists are shared by its calls' tries). */
const listKeys = new WeakMap<readonly PlaceCandidate[], string>();
function listKey(list: readonly PlaceCandidate[]): string {
  let key = listKeys.get(list);
  if (key === undefined) listKeys.set(list, (key = JSON.stringify(list)));
  return key;
}

/** A finding as a site keeps it from one trace (the largest saving), and that request's time. */
interface KeptFinding {
  finding: Omit<SiteFinding, 'inTraces' | 'typicalSavingUs' | 'typicalSavingShare'>;
  requestUs: number;
}

interface Acc {
  callee: string;
  operation: string;
  mode: EdgeMode;
  publish: boolean;
  durations: number[];
  shares: number[];
  errors: number;
  roots: Map<string, number>;
  traces: Set<string>;
  /** By rule, by trace: the finding there and its request's duration. */
  findings: Map<string, Map<string, KeptFinding>>;
  slowest: { traceId: string; spanId: string; durationUs: number }[];
  latest: { traceId: string; spanId: string };
}

function summarize(acc: Acc): CallAtSite {
  const durations = acc.durations.sort((a, b) => a - b);
  const shares = acc.shares.sort((a, b) => a - b);
  const findings = [...acc.findings.values()].map(typical).sort((a, b) => bySeverity(a, b) || (b.typicalSavingUs ?? 0) - (a.typicalSavingUs ?? 0));
  return {
    callee: acc.callee,
    operation: acc.operation,
    mode: acc.mode,
    ...(acc.publish && { publish: true as const }),
    count: durations.length,
    traces: acc.traces.size,
    errors: acc.errors,
    p50Us: percentile(durations, 0.5),
    p95Us: percentile(durations, 0.95),
    shareOfRequest: percentile(shares, 0.5),
    rootName: [...acc.roots].sort((a, b) => b[1] - a[1])[0]![0],
    worstFinding: findings[0],
    findings,
    slowest: acc.slowest,
    latest: acc.latest,
    durationsUs: sample(durations, MAX_DURATIONS),
  };
}

/** A rule's findings over the traces as one: the typical trace's finding, with how often it held and its median savings. */
function typical(byTrace: Map<string, { finding: Omit<SiteFinding, 'inTraces' | 'typicalSavingUs' | 'typicalSavingShare'>; requestUs: number }>): SiteFinding {
  const seen = [...byTrace.values()];
  const saving = seen.filter((s) => s.finding.savingUs !== null).sort((a, b) => a.finding.savingUs! - b.finding.savingUs!);
  if (saving.length === 0) return { ...seen[0]!.finding, inTraces: seen.length, typicalSavingUs: null, typicalSavingShare: null };
  const median = saving[Math.floor((saving.length - 1) / 2)]!;
  const shares = saving.map((s) => s.finding.savingUs! / s.requestUs).sort((a, b) => a - b);
  return { ...median.finding, inTraces: seen.length, typicalSavingUs: median.finding.savingUs, typicalSavingShare: percentile(shares, 0.5) };
}

const MAX_DURATIONS = 200;
const MAX_FINDING_SPANS = 20;

function siteFinding(finding: Finding, tree: TraceTree, placeOf: (node: TraceNode) => CodePlace | undefined): Omit<SiteFinding, 'inTraces' | 'typicalSavingUs' | 'typicalSavingShare'> {
  const spans = finding.spanIds.slice(0, MAX_FINDING_SPANS).flatMap((spanId): FindingSpan[] => {
    const node = tree.byId.get(spanId);
    if (!node) return [];
    const caller = node.kind === 'client' || node.kind === 'producer' ? node.service : node.parent?.service ?? node.service;
    const label = isCall(node) ? `${caller} → ${callee(node)} ${calleeOperation(node)}` : `${node.service} ${node.name}`;
    const place = placeOf(node);
    return [place ? { spanId, label, place } : { spanId, label }];
  });
  return { ...finding, traceId: tree.traceId, spans };
}

/** At most `max` values of a sorted list, evenly spaced, first and last kept. */
function sample(sorted: number[], max: number): number[] {
  if (sorted.length <= max) return sorted;
  return Array.from({ length: max }, (_, i) => sorted[Math.round((i * (sorted.length - 1)) / (max - 1))]!);
}
