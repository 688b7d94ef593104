/**
 * The debugger pauses the editor reported, by debug session: the analysis
 * subtracts them from the spans of the processes that session launched
 * (src/analysis/pauses.ts). A pause is sent when it opens and again when it
 * learns its place or closes; it is the same pause while its session and start
 * are the same.
 *
 * Bounded: at most MAX_PAUSES_PER_SESSION per session (the oldest go first) and
 * MAX_SESSIONS sessions (the one changed longest ago goes). A pause older than
 * every stored trace concerns nothing and can be let go (`dropBefore`).
 */
import type { DebugPause, PauseReason } from '../model/pause';

export const MAX_PAUSES_PER_SESSION = 2_000;
export const MAX_SESSIONS = 64;
/** A request to /api/pauses carries at most this many. */
export const MAX_PAUSES_PER_REQUEST = 256;
/** How late the editor may hear of a stop, or early of a resume, for a measured stop to correct its pause, µs. */
export const SNAP_US = 1_000_000;
/** Longest session name and place path kept (a path keeps its end, where the file's name is). */
export const MAX_PAUSE_NAME_CHARS = 256;
export const MAX_PAUSE_PATH_CHARS = 1024;

const REASONS: ReadonlySet<string> = new Set<PauseReason>(['breakpoint', 'step', 'exception', 'pause', 'entry', 'other', 'measured']);

export class PauseBook {
  /** Session → its pauses by start; sessions in the order they last changed. */
  private readonly sessions = new Map<string, Map<number, DebugPause>>();
  /** Goes up with every change: part of the version of anything analysed with the pauses. */
  version = 0;

  /**
   * Stores these (a known one is replaced), their strings cut to the bounds above: every view of a pause
   * reads it from here. Returns the ones that changed anything.
   */
  record(pauses: readonly DebugPause[]): DebugPause[] {
    const changed: DebugPause[] = [];
    for (const given of pauses) {
      const pause = bounded(given);
      let book = this.sessions.get(pause.session);
      if (book) this.sessions.delete(pause.session);
      else book = new Map();
      this.sessions.set(pause.session, book);
      const known = book.get(pause.startUs);
      if (known && known.endUs === pause.endUs && known.location?.path === pause.location?.path && known.location?.line === pause.location?.line && known.reason === pause.reason) continue;
      book.delete(pause.startUs);
      book.set(pause.startUs, pause);
      changed.push(pause);
      for (const start of book.keys()) {
        if (book.size <= MAX_PAUSES_PER_SESSION) break;
        book.delete(start);
      }
    }
    for (const session of this.sessions.keys()) {
      if (this.sessions.size <= MAX_SESSIONS) break;
      this.sessions.delete(session);
    }
    if (changed.length > 0) this.version++;
    return changed;
  }

  /** Every record as it came (measured stops too, uncorrected): what a restarted thread is given to record again. */
  records(): DebugPause[] {
    const out: DebugPause[] = [];
    for (const book of this.sessions.values()) for (const pause of book.values()) out.push(pause);
    return out;
  }

  /** Every pause of these sessions, by start within each, as corrected by the measured ones. */
  of(sessions: Iterable<string>): DebugPause[] {
    const out: DebugPause[] = [];
    for (const session of sessions) {
      const book = this.sessions.get(session);
      if (!book) continue;
      const measured: DebugPause[] = [];
      for (const pause of book.values()) if (pause.reason === 'measured') measured.push(pause);
      if (measured.length > 0) measured.sort((a, b) => a.startUs - b.startUs);
      for (const pause of book.values()) if (pause.reason !== 'measured') out.push(measured.length > 0 ? corrected(pause, measured) : pause);
    }
    return out;
  }

  all(): DebugPause[] {
    return this.of(this.sessions.keys());
  }

  /** Pauses kept, measured ones too (what the bounds count). */
  get size(): number {
    let n = 0;
    for (const book of this.sessions.values()) n += book.size;
    return n;
  }

  /** Lets go of closed pauses that ended before `us` (no stored trace reaches back that far). */
  dropBefore(us: number): void {
    let dropped = false;
    for (const [session, book] of this.sessions) {
      for (const [start, pause] of book) {
        if (pause.endUs !== null && pause.endUs < us) {
          book.delete(start);
          dropped = true;
        }
      }
      if (book.size === 0) this.sessions.delete(session);
    }
    if (dropped) this.version++;
  }

  clear(): void {
    if (this.sessions.size > 0) this.version++;
    this.sessions.clear();
  }
}

/** The pause with its strings within the bounds (the same object when they are). */
function bounded(pause: DebugPause): DebugPause {
  const long = pause.sessionName.length > MAX_PAUSE_NAME_CHARS || (pause.location !== null && pause.location.path.length > MAX_PAUSE_PATH_CHARS);
  if (!long) return pause;
  return {
    ...pause,
    sessionName: pause.sessionName.slice(0, MAX_PAUSE_NAME_CHARS),
    location: pause.location && { path: pause.location.path.slice(-MAX_PAUSE_PATH_CHARS), line: pause.location.line },
  };
}

/** The pause with the start and end of the measured stop that contains its start (by start, sorted), if one does. */
function corrected(pause: DebugPause, measured: readonly DebugPause[]): DebugPause {
  // The last measured stop that started at or before the pause.
  let low = 0;
  let high = measured.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (measured[mid]!.startUs <= pause.startUs) low = mid + 1;
    else high = mid;
  }
  const stop = measured[low - 1];
  if (stop === undefined || stop.endUs === null || stop.endUs < pause.startUs || pause.startUs - stop.startUs > SNAP_US) return pause;
  const endUs = pause.endUs !== null && stop.endUs >= pause.endUs && stop.endUs - pause.endUs <= SNAP_US ? stop.endUs : pause.endUs;
  return { ...pause, startUs: stop.startUs, endUs };
}

/**
 * Pauses from JSON (POST /api/pauses from a window that follows this receiver): `{ "pauses": [...] }`, each
 * checked field by field. Returns the pauses, or a sentence naming the first thing wrong.
 */
export function readPauses(json: unknown): { pauses: DebugPause[] } | { problem: string } {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { pauses?: unknown }).pauses)) return { problem: 'expected {"pauses": [...]}' };
  const list = (json as { pauses: unknown[] }).pauses;
  if (list.length > MAX_PAUSES_PER_REQUEST) return { problem: `at most ${MAX_PAUSES_PER_REQUEST} pauses a request, not ${list.length}` };
  const pauses: DebugPause[] = [];
  for (let i = 0; i < list.length; i++) {
    const p = list[i] as Record<string, unknown> | null;
    const at = `pauses[${i}]`;
    if (typeof p !== 'object' || p === null) return { problem: `${at} is not an object` };
    const text = (key: string, max: number) => typeof p[key] === 'string' && (p[key]).length > 0 && (p[key]).length <= max;
    if (!text('session', 128)) return { problem: `${at}.session must be a string of 1 to 128 characters` };
    if (typeof p.sessionName !== 'string' || p.sessionName.length > MAX_PAUSE_NAME_CHARS) return { problem: `${at}.sessionName must be a string of at most ${MAX_PAUSE_NAME_CHARS} characters` };
    if (!isTime(p.startUs)) return { problem: `${at}.startUs must be microseconds since the epoch` };
    if (p.endUs !== null && (!isTime(p.endUs) || p.endUs < p.startUs)) return { problem: `${at}.endUs must be null or a time not before startUs` };
    if (typeof p.reason !== 'string' || !REASONS.has(p.reason)) return { problem: `${at}.reason must be one of ${[...REASONS].join(', ')}` };
    const location = p.location as { path?: unknown; line?: unknown } | null;
    if (location !== null && (typeof location !== 'object' || typeof location.path !== 'string' || location.path.length > MAX_PAUSE_PATH_CHARS || !Number.isInteger(location.line) || (location.line as number) < 1)) {
      return { problem: `${at}.location must be null or {"path": a string, "line": a whole number from 1}` };
    }
    pauses.push({
      session: p.session as string,
      sessionName: p.sessionName,
      startUs: p.startUs,
      endUs: p.endUs,
      reason: p.reason as PauseReason,
      location: location === null ? null : { path: location.path as string, line: location.line as number },
    });
  }
  return { pauses };
}

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
