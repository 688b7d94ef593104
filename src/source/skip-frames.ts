/**
 * `hopscope.sourceLines.skipFrames`: stack frames that are never the line to
 * show, when the first application frame of a stack trace is chosen
 * (`code.stacktrace`, an exception's `exception.stacktrace`). For a service's
 * shared helpers — its own wrapper around fetch, a work or retry helper —
 * whose frames sit on top of every stack; the frame below them, the line that
 * called the helper, is shown instead. What the call-site processor's `ignore`
 * does for `code.*` when a span starts, this does for stack traces read later.
 *
 *   "lib/work.ts"          a substring of the frame's path, `/` as separator
 *   "/\\/shared\\/.*\\.js$/i"   a regular expression, between slashes, flags i, m, s, u
 *
 *   Error: mail server refused the message
 *       at work (/app/demo/lib/work.ts:46:15)        skipped with "/demo/lib/"
 *       at handle (/app/demo/services/email.ts:15:3)  ← the line shown
 *
 * Values come from hand-edited settings: a bad entry is named and left out.
 */
import { errorText } from '../common/errors';
import type { StackFrame } from './stack-frames';

export type SkipFrame = (frame: StackFrame) => boolean;

export interface SkipFrameSettings {
  /** The entries that are valid, as written. */
  patterns: string[];
  /** One sentence per entry left out. */
  errors: string[];
}

const SETTING = 'hopscope.sourceLines.skipFrames';
const MAX_PATTERNS = 100;
const MAX_PATTERN_LENGTH = 500;
/** Frame paths come from the network: a pattern is tested against this much of one at most. */
const MAX_TESTED_PATH = 1024;
const REGEX = /^\/(.+)\/([a-z]*)$/s;

/** The valid entries of the setting, and a sentence for each one that is not. */
export function readSkipFrames(raw: unknown): SkipFrameSettings {
  if (raw === undefined || raw === null) return { patterns: [], errors: [] };
  if (!Array.isArray(raw)) return { patterns: [], errors: [`${SETTING} must be a list of path substrings or /regular expressions/, not ${describe(raw)}; skipping no frames.`] };
  const out: SkipFrameSettings = { patterns: [], errors: [] };
  raw.slice(0, MAX_PATTERNS).forEach((entry: unknown, index) => {
    const problem = patternProblem(entry);
    if (problem) out.errors.push(`${SETTING}[${index}] ${problem}; left out.`);
    else out.patterns.push(entry as string);
  });
  if (raw.length > MAX_PATTERNS) out.errors.push(`${SETTING} has ${raw.length} entries; only the first ${MAX_PATTERNS} are used.`);
  return out;
}

/** The frames to skip, from entries `readSkipFrames` kept (any others are ignored); undefined when there are none. */
export function frameSkipper(patterns: readonly string[] | undefined): SkipFrame | undefined {
  const tests = (patterns ?? []).flatMap((pattern) => (patternProblem(pattern) ? [] : [matcher(pattern)]));
  if (tests.length === 0) return undefined;
  return (frame) => {
    const path = slashes(frame.file.slice(0, MAX_TESTED_PATH));
    return tests.some((matches) => matches(path));
  };
}

function patternProblem(entry: unknown): string | undefined {
  if (typeof entry !== 'string') return `must be a string, not ${describe(entry)}`;
  if (entry.trim() === '') return 'is empty';
  if (entry.length > MAX_PATTERN_LENGTH) return `is longer than ${MAX_PATTERN_LENGTH} characters`;
  const regex = REGEX.exec(entry);
  if (!regex) return undefined;
  if (!/^[imsu]*$/.test(regex[2]!)) return `${JSON.stringify(entry)} has flags other than i, m, s and u`;
  let compiled: RegExp;
  try {
    compiled = new RegExp(regex[1]!, regex[2]);
  } catch (error) {
    return `${JSON.stringify(entry)} is not a regular expression (${errorText(error)})`;
  }
  if (compiled.test('')) return `${JSON.stringify(entry)} matches every path`;
  return undefined;
}

function matcher(pattern: string): (path: string) => boolean {
  const regex = REGEX.exec(pattern);
  if (regex) {
    const compiled = new RegExp(regex[1]!, regex[2]);
    return (path) => compiled.test(path);
  }
  const part = slashes(pattern);
  return (path) => path.includes(part);
}

const slashes = (path: string) => (path.includes('\\') ? path.replaceAll('\\', '/') : path);

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- only primitives are left here
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 60)) : typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
