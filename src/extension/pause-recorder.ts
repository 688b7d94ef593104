/**
 * Records when each debug session Hopscope launched was stopped, from the
 * Debug Adapter Protocol messages between VS Code and the adapter:
 *
 *   adapter → editor  stopped (breakpoint, step, exception, pause, entry)   a pause opens
 *   editor → adapter  stackTrace … response                                 its top frame's file and line
 *   editor → adapter  continue / next / stepIn / stepOut / …                it closes (the adapter resumes)
 *   adapter → editor  continued · terminated · exited, or the session ends  it closes
 *
 * Stepping is a pause per step: the moments the program ran between steps are
 * not paused. Each pause is sent to the receiver as it opens and again when it
 * closes (keyed by session and start), so a request stopped right now is known
 * to be stopped.
 */
import type { DebugPause, PauseReason } from '../model/pause';

/** Requests after which the adapter runs the program again. */
const RESUMING = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto', 'restartFrame', 'restart', 'disconnect', 'terminate']);

export interface DapMessage {
  type?: string;
  event?: string;
  command?: string;
  success?: boolean;
  body?: { reason?: string; stackFrames?: { line?: number; source?: { path?: string; name?: string } }[] };
}

export function reasonOf(dapReason: string | undefined): PauseReason {
  const reason = (dapReason ?? '').toLowerCase();
  if (reason.includes('breakpoint')) return 'breakpoint';
  if (reason === 'step' || reason === 'goto') return 'step';
  if (reason === 'exception' || reason === 'pause' || reason === 'entry') return reason;
  return 'other';
}

/** Microseconds since the epoch, finer than Date.now() (the spans' clocks are µs). */
const nowUs = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000);

/** One session's pauses as the protocol goes. `send` gets a pause whenever it opens, learns its place or closes. */
export class PauseRecorder {
  private open: DebugPause | undefined;

  constructor(
    readonly session: string,
    readonly sessionName: string,
    private readonly send: (pause: DebugPause) => void,
    private readonly now: () => number = nowUs,
  ) {}

  fromAdapter(message: DapMessage): void {
    if (message.type === 'event') {
      if (message.event === 'stopped') this.stop(reasonOf(message.body?.reason));
      else if (message.event === 'continued' || message.event === 'terminated' || message.event === 'exited') this.resume();
    } else if (message.type === 'response' && message.command === 'stackTrace' && message.success !== false && this.open && this.open.location === null) {
      const top = message.body?.stackFrames?.[0];
      const path = top?.source?.path ?? top?.source?.name;
      if (path && typeof top?.line === 'number') {
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- typed a string, sent by a debug adapter
        this.open = { ...this.open, location: { path: String(path).slice(0, 1024), line: top.line } };
        this.send(this.open);
      }
    }
  }

  fromEditor(message: DapMessage): void {
    if (message.type === 'request' && message.command !== undefined && RESUMING.has(message.command)) this.resume();
  }

  /** The session ended (or the adapter went): a pause still open ends now. */
  end(): void {
    this.resume();
  }

  private stop(reason: PauseReason): void {
    // Another thread stopping while stopped (or the adapter saying it twice) is the same pause.
    if (this.open) return;
    this.open = { session: this.session, sessionName: this.sessionName, startUs: this.now(), endUs: null, reason, location: null };
    this.send(this.open);
  }

  private resume(): void {
    if (!this.open) return;
    const closed = { ...this.open, endUs: Math.max(this.open.startUs, this.now()) };
    this.open = undefined;
    this.send(closed);
  }
}

