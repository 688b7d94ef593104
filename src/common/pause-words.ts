/**
 * How the views name a debugger pause, the same in the trace view and the Traces view:
 *
 *   paused at breakpoint · payments.ts:42 · 12.3 s     a bar's hatched part (pauseLabel)
 *   paused 6.00 s at a breakpoint (debugger)          a row's tooltip (pausedSentence)
 */
import type { PauseReason } from '../model/pause';
import { formatDuration } from './format';

const SHORT: Record<PauseReason, string> = {
  breakpoint: 'paused at breakpoint',
  step: 'paused on a step',
  exception: 'paused on exception',
  pause: 'paused (Pause)',
  entry: 'paused on entry',
  other: 'paused in the debugger',
  // Never listed (pause-book.ts): it corrects another pause's times.
  measured: 'paused in the debugger',
};

const PHRASE: Record<PauseReason, string> = {
  breakpoint: 'at a breakpoint',
  step: 'stepping',
  exception: 'on an exception',
  pause: 'by Pause',
  entry: 'on entry',
  other: 'in the debugger',
  measured: 'in the debugger',
};

/** `payments.ts:42`: the file's name and line, never its folders (a path from the debug adapter, any OS). */
export function placeLabel(location: { path: string; line: number } | null | undefined): string | undefined {
  if (!location || typeof location.path !== 'string') return undefined;
  const name = location.path.split(/[\\/]/).pop() || location.path;
  return `${name}:${location.line}`;
}

/** `paused at breakpoint · payments.ts:42 · 12.3 s` (the place and time when known). */
export function pauseLabel(pause: { reason: PauseReason; location: { path: string; line: number } | null }, pausedUs?: number): string {
  const place = placeLabel(pause.location);
  return [SHORT[pause.reason] ?? SHORT.other, ...(place ? [place] : []), ...(pausedUs !== undefined ? [formatDuration(pausedUs)] : [])].join(' · ');
}

/** `paused 6.00 s at a breakpoint (debugger)`, `… at a breakpoint in payments.ts:42 (debugger)` with a place. */
export function pausedSentence(pausedUs: number, pause?: { reason: PauseReason; location: { path: string; line: number } | null }): string {
  const how = pause ? ` ${PHRASE[pause.reason] ?? PHRASE.other}` : '';
  const place = pause && placeLabel(pause.location);
  return `paused ${formatDuration(pausedUs)}${how}${place ? ` in ${place}` : ''} (debugger)`;
}
