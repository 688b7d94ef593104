/**
 * A debugger pause: an interval during which a debug session's threads were
 * stopped (a breakpoint, a step, an exception, a Pause). The editor records
 * them per debug session; every span whose resource carries that session's id
 * (`hopscope.debug.session`, injected into what VS Code launches) was stopped
 * for the part of its time that overlaps them.
 *
 * Plain JSON, like every model type: times are microseconds since the Unix
 * epoch, on the editor's clock (the same machine's clock as the services').
 */

/** The resource attribute that names the debug session a process was launched by. */
export const DEBUG_SESSION_ATTRIBUTE = 'hopscope.debug.session';

/**
 * Why the session stopped. `measured` is not a pause of its own: the debugged process timed its own stop
 * (the register module's pause probe), which corrects the editor's pause that it contains — the editor
 * hears of a stop late and of a resume early.
 */
export type PauseReason = 'breakpoint' | 'step' | 'exception' | 'pause' | 'entry' | 'other' | 'measured';

export interface DebugPause {
  /** The `hopscope.debug.session` id of the session whose threads stopped. */
  session: string;
  startUs: number;
  /** null while the session is still stopped. */
  endUs: number | null;
  reason: PauseReason;
  /** The debug session's name (its launch configuration's), e.g. `payments`. */
  sessionName: string;
  /** Where the top frame stood when the adapter said (a file path, 1-based line); null when it did not. */
  location: { path: string; line: number } | null;
}

/** What the compensation found for one span: how much of its time its own session was stopped. */
export interface SpanPause {
  spanId: string;
  pausedUs: number;
}
