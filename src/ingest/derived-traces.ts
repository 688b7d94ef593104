/**
 * Each trace's derived facts — its repaired tree, and its analysis under the current settings — made once per
 * trace version on the analysis thread and shared by everything there that reads a trace: the live analysis
 * (headlines), the call sites, the service map and the trace views. jaeger-ui's `transform-trace-data` +
 * `memoizeOne` is the model: derive once per input, and every consumer reads the one result.
 *
 *   live analysis ─┐
 *   call sites    ─┼─► get(traceId) ─► kept, same version? ─► the same tree (and analysis)
 *   service map   ─┤                   else: buildTree once, keep it (bounded, least recently used let go)
 *   trace view    ─┘
 *
 * A version is what the tree depends on: the copy's generation and how many spans it holds (a trace in the
 * store only grows, so the count names its spans; TraceCopies.versionOf), and the debugger pauses that fall in
 * its time. Logs are not part of the tree; what depends on them (a trace view) adds their count to its own key.
 *
 * Before the tree is built, spans still running end now (running-spans.ts); when a debugger pause of one of
 * its sessions falls in it, the tree is the compensated one (analysis/pauses.ts) — what the analysis
 * describes, so the call sites, the map and the views agree with it — and the analysis carries the raw figures.
 *
 * What is kept is bounded by traces and by estimated bytes (each node with its analysis at NODE_BYTES): past
 * either, the least recently asked for trace is let go. A tree larger than the whole byte bound is made for the
 * one who asks and not kept.
 */
import { analyzeTree, type TraceAnalysis } from '../analysis/analyze-trace';
import { DEFAULT_ANALYSIS_SETTINGS, type AnalysisSettings } from '../analysis/settings';
import { compensateTree, sessionOf } from '../analysis/pauses';
import { endRunningSpans } from '../analysis/running-spans';
import { buildTree, type TraceTree } from '../analysis/trace-tree';
import type { DebugPause } from '../model/pause';
import type { SpanRecord } from '../model/span';
import type { PauseBook } from './pause-book';
import type { TraceSource } from './store-views';

export interface DerivedTrace {
  /** The trace version it was derived from (see `DerivedTraces.versionOf`). */
  readonly version: string;
  readonly tree: TraceTree;
  /** The spans the tree was built from, as stored then (the trace view lists them). */
  readonly spans: readonly SpanRecord[];
  /** The tree as recorded, pauses in: `tree` itself when no pause moved anything. */
  readonly recorded: TraceTree;
  /** The debugger pauses in the trace's time of the sessions its spans were launched by (what `tree` is without). */
  readonly pauses: readonly DebugPause[];
  /**
   * While the trace is still running: the open pauses of sessions none of its spans came from. A stopped
   * process sends nothing; these are what its callers are waiting on (the view names them).
   */
  readonly stoppedElsewhere: readonly DebugPause[];
  /** The analysis under the current settings: made on the first ask, then kept until the settings change. */
  analysis(): TraceAnalysis;
}

export interface DerivedTracesOptions {
  maxTraces?: number;
  /** Estimated bytes kept in all, over every kept tree and analysis (nodes × NODE_BYTES). */
  maxBytes?: number;
  /** How a tree is built (tests count builds through it). */
  build?: (spans: readonly SpanRecord[]) => TraceTree | undefined;
  /** The debugger pauses the editor reported; none when absent. */
  pauses?: PauseBook;
  /** µs since the epoch: where a running span ends. */
  nowUs?: () => number;
}

/**
 * Measured (heap after a GC, node 20, tree and analysis of 500 synthetic 40-span traces and of the 10,000-deep
 * chain): 1.13 KB a node either way. The default bound, 64 MiB, holds some 58,000 nodes: the 50,000 spans and
 * 1,000 traces the call sites and the service map read, and the few traces the headlines and views are asked of.
 */
export const NODE_BYTES = 1152;
export const DERIVED_LIMITS = { maxTraces: 1_200, maxBytes: 64 * 1024 * 1024 };

interface Entry extends DerivedTrace {
  readonly nodes: number;
}

export class DerivedTraces {
  /** Least recently asked for first. */
  private readonly kept = new Map<string, Entry>();
  private nodes = 0;
  private settings: AnalysisSettings;
  private settingsVersion = 0;
  private readonly maxTraces: number;
  private readonly maxNodes: number;
  private readonly build: (spans: readonly SpanRecord[]) => TraceTree | undefined;
  private readonly pauses: PauseBook | undefined;
  private readonly nowUs: () => number;
  /** The book's pauses by start, as of its version. */
  private pauseList: { version: number; pauses: DebugPause[] } | undefined;

  constructor(readonly source: TraceSource, settings: AnalysisSettings = DEFAULT_ANALYSIS_SETTINGS, options: DerivedTracesOptions = {}) {
    this.settings = settings;
    this.maxTraces = options.maxTraces ?? DERIVED_LIMITS.maxTraces;
    this.maxNodes = Math.floor((options.maxBytes ?? DERIVED_LIMITS.maxBytes) / NODE_BYTES);
    this.build = options.build ?? buildTree;
    this.pauses = options.pauses;
    this.nowUs = options.nowUs ?? (() => Date.now() * 1000);
  }

  /** The version of the trace as the source holds it now; undefined when it holds none. */
  versionOf(traceId: string): string | undefined {
    const own = this.source.versionOf?.(traceId);
    const version = own ?? this.sourceVersion(traceId);
    if (version === undefined) return undefined;
    const pauses = this.pausesIn(traceId);
    return pauses.length === 0 ? version : `${version}|${pauses.map((p) => `${p.session}@${p.startUs}-${p.endUs ?? 'open'}`).join(',')}`;
  }

  private sourceVersion(traceId: string): string | undefined {
    const summary = this.source.summary(traceId);
    return summary && `${summary.spanCount}:${this.source.lastChangeMs(traceId) ?? 0}`;
  }

  /** The pauses (of any session) that fall in the trace's time: those it may have been stopped by. */
  pausesIn(traceId: string): DebugPause[] {
    if (!this.pauses || this.pauses.size === 0) return [];
    const summary = this.source.summary(traceId);
    if (!summary) return [];
    if (this.pauseList?.version !== this.pauses.version) this.pauseList = { version: this.pauses.version, pauses: this.pauses.all().sort((a, b) => a.startUs - b.startUs) };
    const from = summary.startUs;
    const to = summary.runningSpans ? Infinity : summary.startUs + summary.durationUs;
    const out: DebugPause[] = [];
    for (const pause of this.pauseList.pauses) {
      if (pause.startUs >= to) break;
      if (pause.endUs === null || pause.endUs > from) out.push(pause);
    }
    return out;
  }

  /** The trace's tree and analysis as the source holds it now; undefined when it holds none or its spans make no tree. */
  get(traceId: string): DerivedTrace | undefined {
    const version = this.versionOf(traceId);
    const known = this.kept.get(traceId);
    if (known) this.drop(traceId);
    if (version === undefined) return undefined;
    if (known?.version === version) return this.keep(traceId, known);
    const trace = this.source.get(traceId);
    if (!trace) return undefined;
    const spans = endRunningSpans(trace.spans, this.nowUs());
    const recorded = this.build(spans);
    if (!recorded) return undefined;
    const { own, elsewhere } = this.pausesOf(traceId, spans);
    return this.keep(traceId, this.entry(version, recorded, spans, own, this.source.summary(traceId)?.runningSpans ? elsewhere : []));
  }

  /** What the analyses depend on changed: each is made again when next asked for (the trees are kept). */
  setSettings(settings: AnalysisSettings): void {
    this.settings = settings;
    this.settingsVersion++;
  }

  /** Goes up with every settings change: part of the key of anything made from an analysis. */
  get analysisVersion(): number {
    return this.settingsVersion;
  }

  /** The source let go of these traces: so does this. */
  forget(traceIds: readonly string[]): void {
    for (const id of traceIds) this.drop(id);
  }

  clear(): void {
    this.kept.clear();
    this.nodes = 0;
  }

  /** Traces, nodes and estimated bytes kept now. */
  get size(): { traces: number; nodes: number; bytes: number } {
    return { traces: this.kept.size, nodes: this.nodes, bytes: this.nodes * NODE_BYTES };
  }

  /** The pauses in the trace's time of the sessions its spans were launched by, and the open ones of other sessions. */
  private pausesOf(traceId: string, spans: readonly SpanRecord[]): { own: DebugPause[]; elsewhere: DebugPause[] } {
    const candidates = this.pausesIn(traceId);
    if (candidates.length === 0) return { own: candidates, elsewhere: candidates };
    const sessions = new Set<string>();
    let last: SpanRecord['resource'] | undefined;
    for (const span of spans) {
      // A batch's spans share their resource: most spans cost one comparison.
      if (span.resource === last) continue;
      last = span.resource;
      const session = sessionOf(span);
      if (session !== undefined) sessions.add(session);
    }
    return { own: candidates.filter((p) => sessions.has(p.session)), elsewhere: candidates.filter((p) => !sessions.has(p.session) && p.endUs === null) };
  }

  private entry(version: string, recorded: TraceTree, spans: readonly SpanRecord[], pauses: readonly DebugPause[], stoppedElsewhere: readonly DebugPause[]): Entry {
    let analysed: { settingsVersion: number; analysis: TraceAnalysis } | undefined;
    // With pauses, everything reads the tree as if the debugger had not stopped it (the analysis compares both).
    let tree = recorded;
    let treeSpans = spans;
    if (pauses.length > 0) {
      const compensated = compensateTree(recorded, pauses);
      const rebuilt = compensated.moved ? buildTree(compensated.spans) : undefined;
      if (rebuilt) [tree, treeSpans] = [rebuilt, compensated.spans];
    }
    return {
      version,
      tree,
      spans: treeSpans,
      recorded,
      pauses,
      stoppedElsewhere,
      nodes: tree.nodes.length + (tree === recorded ? 0 : recorded.nodes.length),
      analysis: () => {
        if (analysed?.settingsVersion !== this.settingsVersion) analysed = { settingsVersion: this.settingsVersion, analysis: analyzeTree(recorded, this.settings, pauses) };
        return analysed.analysis;
      },
    };
  }

  private keep(traceId: string, entry: Entry): Entry {
    if (entry.nodes > this.maxNodes) return entry;
    this.kept.set(traceId, entry);
    this.nodes += entry.nodes;
    for (const id of this.kept.keys()) {
      if (this.kept.size <= this.maxTraces && this.nodes <= this.maxNodes) break;
      this.drop(id);
    }
    return entry;
  }

  private drop(traceId: string): void {
    const entry = this.kept.get(traceId);
    if (!entry) return;
    this.kept.delete(traceId);
    this.nodes -= entry.nodes;
  }
}
