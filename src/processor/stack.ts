/**
 * The caller's stack as V8's structured call sites, for a span processor that
 * runs inside someone else's service: it must neither cost much nor leave a
 * trace. So the stack is captured through `Error.prepareStackTrace` (no string
 * formatting, no parsing) with a bounded `Error.stackTraceLimit`, and both are
 * put back exactly as they were, even when capturing fails.
 *
 * The call sites' positions are those of the code V8 runs: with source maps on,
 * Node maps the `.stack` *string*, never the call sites (see source-position.ts).
 */

const keepCallSites = (_error: Error, callSites: NodeJS.CallSite[]): NodeJS.CallSite[] => callSites;

/** Reused for every capture: one allocation less per span. Its `stack` is
 * cleared after each read so that it does not keep the frames' receivers alive. */
const holder: { stack?: NodeJS.CallSite[] | undefined } = {};

/** A function a captured stack is cut at: its frame and those above it are left out (never called). */
export type StackCut = (...args: never[]) => unknown;

/**
 * Up to `limit` frames of the current stack, innermost first, starting below
 * the frame of `below` (that function and everything it called are left out).
 * Undefined when the engine would not give them.
 */
export function captureCallSites(limit: number, below: StackCut): NodeJS.CallSite[] | undefined {
  const hadPrepare = Object.prototype.hasOwnProperty.call(Error, 'prepareStackTrace');
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be put back, never called
  const previousPrepare = Error.prepareStackTrace;
  const previousLimit = Error.stackTraceLimit;
  try {
    Error.prepareStackTrace = keepCallSites;
    Error.stackTraceLimit = limit;
    Error.captureStackTrace(holder, below);
    // The stack is formatted lazily, on this read: while our prepareStackTrace is in place.
    const callSites = holder.stack;
    return Array.isArray(callSites) ? callSites : undefined;
  } catch {
    return undefined;
  } finally {
    holder.stack = undefined;
    try {
      if (hadPrepare) Error.prepareStackTrace = previousPrepare;
      else delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
      Error.stackTraceLimit = previousLimit;
    } catch {
      // A frozen Error: nothing was changed in the first place.
    }
  }
}

export interface RunningPosition {
  /** Path or URL, as V8 names the running file. */
  file: string;
  line: number;
  column: number;
}

/** Where the call of this function is, in the running code: how a module learns where it is loaded. */
export function callerPosition(): RunningPosition | undefined {
  const callSite = captureCallSites(1, callerPosition)?.[0];
  const file = callSite?.getFileName();
  const line = callSite?.getLineNumber();
  const column = callSite?.getColumnNumber();
  return file && line && column ? { file, line, column } : undefined;
}

/** Whether `file`:`line`:`column` lies from `start` to `end`, in one file. */
export function between(start: RunningPosition, end: RunningPosition, file: string, line: number, column: number): boolean {
  if (file !== start.file || file !== end.file) return false;
  const after = line > start.line || (line === start.line && column >= start.column);
  const before = line < end.line || (line === end.line && column <= end.column);
  return after && before;
}
