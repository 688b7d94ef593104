/**
 * Each debug session's stopped time, merged into disjoint sorted intervals with
 * prefix sums, so that the stopped time in any window costs two binary
 * searches; and which spans a pause touches (pauses.ts replays only those).
 */
import { DEBUG_SESSION_ATTRIBUTE, type DebugPause } from '../model/pause';
import type { SpanRecord } from '../model/span';
import { JITTER_US } from './clock';
import type { TraceTree } from './trace-tree';

/** How soon after its process resumed a span may start and still have been held by the pause, µs. */
export const RESUME_US = 5000;

/** One session's stopped time: disjoint intervals, sorted, on the machine's clock. */
export interface Stops {
  starts: number[];
  ends: number[];
  /** Stopped time before each interval (prefix sums), so that any window costs two binary searches. */
  before: number[];
}

/** The session whose pauses stopped this span's process, if any of them did. */
export function sessionOf(span: SpanRecord): string | undefined {
  const id = span.resource.attributes[DEBUG_SESSION_ATTRIBUTE];
  return typeof id === 'string' ? id : undefined;
}

/** The trace's end: where an open pause stops counting. */
export function traceEnd(spans: readonly SpanRecord[]): number {
  let end = -Infinity;
  for (const s of spans) end = Math.max(end, s.startUs, s.endUs);
  return end;
}

/** Each session's pauses, merged; undefined when there are none that last. */
export function stopIndex(pauses: readonly DebugPause[], openEnd: number): Map<string, Stops> | undefined {
  if (pauses.length === 0) return undefined;
  const bySession = new Map<string, [number, number][]>();
  for (const p of pauses) {
    const end = p.endUs ?? openEnd;
    if (!(end > p.startUs)) continue;
    const list = bySession.get(p.session);
    if (list) list.push([p.startUs, end]);
    else bySession.set(p.session, [[p.startUs, end]]);
  }
  if (bySession.size === 0) return undefined;
  const index = new Map<string, Stops>();
  for (const [session, list] of bySession) {
    list.sort((a, b) => a[0] - b[0]);
    const stops: Stops = { starts: [], ends: [], before: [] };
    for (const [s, e] of list) {
      const last = stops.ends.length - 1;
      if (last >= 0 && s <= stops.ends[last]!) stops.ends[last] = Math.max(stops.ends[last]!, e);
      else {
        stops.starts.push(s);
        stops.ends.push(e);
      }
    }
    let total = 0;
    for (let i = 0; i < stops.starts.length; i++) {
      stops.before.push(total);
      total += stops.ends[i]! - stops.starts[i]!;
    }
    index.set(session, stops);
  }
  return index;
}

export const stopsOf = (span: SpanRecord, index: ReadonlyMap<string, Stops>): Stops | undefined => {
  const session = sessionOf(span);
  return session === undefined ? undefined : index.get(session);
};

/** The first interval that ends after `time`. */
export function firstEndingAfter(stops: Stops, time: number): number {
  let low = 0;
  let high = stops.ends.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (stops.ends[mid]! <= time) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Stopped time before `time`, µs. */
export function stoppedBefore(stops: Stops, time: number): number {
  const i = firstEndingAfter(stops, time);
  if (i === stops.starts.length) return stops.before.length === 0 ? 0 : stops.before[i - 1]! + stops.ends[i - 1]! - stops.starts[i - 1]!;
  return stops.before[i]! + Math.max(0, time - stops.starts[i]!);
}

/** Stopped time within [from, to], µs. */
export const stoppedWithin = (stops: Stops, from: number, to: number): number => (to > from ? stoppedBefore(stops, to) - stoppedBefore(stops, from) : 0);

/** The pause that held a span starting at `start`: the last to end at most `RESUME_US` before it (or within `slack` after). */
export function holdingPause(stops: Stops, start: number, slack: number): number {
  const i = firstEndingAfter(stops, start + RESUME_US) - 1;
  return i >= 0 && stops.ends[i]! >= start - slack && stops.starts[i]! < start ? i : -1;
}

/** Whether a span overlaps, or may have been held by, a pause of its own session: with none, nothing is replayed. */
export function touches(span: SpanRecord, stops: Stops | undefined): boolean {
  // The coarsest clock (whole milliseconds) and its jitter.
  return stops !== undefined && (stoppedWithin(stops, span.startUs, span.endUs) > 0 || holdingPause(stops, span.startUs, 1000 + JITTER_US) >= 0);
}

/** Per node (by index), its session's stopped time; undefined when no span `touches` a pause. */
export function stopsByNode(tree: TraceTree, index: ReadonlyMap<string, Stops>): (Stops | undefined)[] | undefined {
  const stops = new Array<Stops | undefined>(tree.nodes.length);
  let touched = false;
  for (const node of tree.nodes) {
    const own = node.span && stopsOf(node.span, index);
    stops[node.index] = own;
    if (own && !touched) touched = touches(node.span!, own);
  }
  return touched ? stops : undefined;
}

