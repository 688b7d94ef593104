/**
 * What the views draw of the debugger's pauses (the view's `paused`, src/protocol/trace-view.ts), worked out
 * once per view: each node's times in either time mode, and the parts of its recorded time the pauses cover.
 *
 *   wall clock   charge [20──▒▒▒▒▒▒▒▒▒▒ 2000 ▒▒▒▒▒▒▒▒──2080]   parts: the pauses over its recorded times
 *   compensated  charge [20─▒─80]                              a marker where the pause was taken out
 *
 * A part is `own` when its span's own session was the one stopped ("paused at breakpoint"); else the span was
 * waiting on one that was ("waiting while payments was paused").
 */
import { formatDuration } from '../src/common/format';
import { pauseLabel } from '../src/common/pause-words';
import type { TraceView, ViewNode, ViewPause, ViewWallClock } from '../src/protocol/trace-view';

export type TimeMode = 'compensated' | 'wall-clock';

export interface PausedPart {
  /** µs since the epoch, within the span's recorded times. */
  startUs: number;
  endUs: number;
  own: boolean;
  pause: ViewPause;
}

/** Parts drawn per span at most: a view lists up to 200 pauses, a bar has room for far fewer. */
const MAX_PARTS = 24;

export class PauseFacts {
  readonly pauses: readonly ViewPause[];
  readonly pausedUs: number;
  private readonly wallClock: Map<string, ViewWallClock>;
  private readonly partsOf = new Map<string, PausedPart[]>();

  constructor(view: TraceView) {
    const paused = view.paused;
    this.pauses = Array.isArray(paused?.pauses) ? paused.pauses : [];
    this.pausedUs = typeof paused?.pausedUs === 'number' ? paused.pausedUs : 0;
    this.wallClock = new Map((Array.isArray(paused?.wallClock) ? paused.wallClock : []).map((w) => [w.spanId, w]));
  }

  /** Whether the view says anything about pauses (the toggle shows only then). */
  get any(): boolean {
    return this.wallClock.size > 0;
  }

  /** The node's times in this mode: its recorded ones on the wall clock, else its own (compensated). */
  timesOf(node: ViewNode, mode: TimeMode): { startUs: number; endUs: number } {
    const recorded = mode === 'wall-clock' ? this.wallClock.get(node.spanId) : undefined;
    return recorded ?? node;
  }

  /** Whether the pauses moved the span (its recorded times differ, or its own session was stopped in it). */
  moved(spanId: string): boolean {
    return this.wallClock.has(spanId);
  }

  /** How long the span's own session was stopped in it, µs (0: not, or only waiting on one that was). */
  pausedUsOf(spanId: string): number {
    return this.wallClock.get(spanId)?.pausedUs ?? 0;
  }

  /** The pauses over the span's recorded times, by start; none for a span they did not move. */
  parts(spanId: string): readonly PausedPart[] {
    const known = this.partsOf.get(spanId);
    if (known) return known;
    const w = this.wallClock.get(spanId);
    const out: PausedPart[] = [];
    if (w) {
      for (const pause of this.pauses) {
        if (out.length >= MAX_PARTS) break;
        const startUs = Math.max(w.startUs, pause.startUs);
        const endUs = Math.min(w.endUs, pause.endUs);
        if (endUs > startUs) out.push({ startUs, endUs, own: w.session !== undefined && w.session === pause.session, pause });
      }
    }
    this.partsOf.set(spanId, out);
    return out;
  }

  /** The longest part, the one a span's label names: its own session's first. */
  main(spanId: string): PausedPart | undefined {
    let best: PausedPart | undefined;
    for (const part of this.parts(spanId)) {
      const better = !best || (part.own && !best.own) || (part.own === best.own && part.endUs - part.startUs > best.endUs - best.startUs);
      if (better) best = part;
    }
    return best;
  }

  /** `paused at breakpoint · payments.ts:42 · 6.00 s`, or `waiting while payments was paused · 6.00 s`. */
  label(spanId: string): string | undefined {
    const part = this.main(spanId);
    if (!part) return undefined;
    return partLabel(part, part.own ? this.pausedUsOf(spanId) || part.endUs - part.startUs : this.waitedUs(spanId));
  }

  /** The time a span that was not stopped itself spent waiting through pauses, µs: the parts' union. */
  private waitedUs(spanId: string): number {
    let total = 0;
    let reached = -Infinity;
    for (const part of this.parts(spanId)) {
      const from = Math.max(part.startUs, reached);
      if (part.endUs > from) total += part.endUs - from;
      reached = Math.max(reached, part.endUs);
    }
    return total;
  }

  /**
   * Where, on the compensated axis, each part was taken out of the span: as far into it as the part began
   * into the recorded span, less the paused time before that.
   */
  markers(node: ViewNode): number[] {
    const w = this.wallClock.get(node.spanId);
    if (!w) return [];
    let removed = 0;
    let reached = w.startUs;
    const out: number[] = [];
    for (const part of this.parts(node.spanId)) {
      out.push(Math.min(node.endUs, Math.max(node.startUs, node.startUs + (part.startUs - w.startUs) - removed)));
      const from = Math.max(part.startUs, reached);
      if (part.endUs > from) removed += part.endUs - from;
      reached = Math.max(reached, part.endUs);
    }
    return out;
  }
}

/** One part's words, with the time it stands for. */
export function partLabel(part: PausedPart, us: number): string {
  if (part.own) return pauseLabel(part.pause, us);
  const who = part.pause.sessionName || 'a debugged service';
  return `waiting while ${who} was paused · ${formatDuration(us)}`;
}
