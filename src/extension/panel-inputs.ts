/**
 * What the panels accept from outside, checked: the state a webview saved
 * (VS Code hands it back on a window reload, and the webview's page wrote it)
 * and a command's argument (a trace id, or a row of the Traces view).
 */
import { isSpanId, isTraceId } from '../model/ids';

export type RestoredTrace = { traceId: string; selected: string | null };

/** The trace a restored panel showed, or a sentence saying why the state cannot be used. */
export function restoredTrace(state: unknown): RestoredTrace | { problem: string } {
  if (typeof state !== 'object' || state === null) return { problem: 'it saved no state' };
  const { kind, traceId, selected } = state as Record<string, unknown>;
  if (kind !== 'trace') return { problem: `its state is for a ${typeof kind === 'string' ? JSON.stringify(kind.slice(0, 20)) : 'different'} view` };
  if (typeof traceId !== 'string' || !isTraceId(traceId.toLowerCase())) return { problem: 'its state has no valid trace id (32 hex digits)' };
  // A bad selection only loses the selection.
  return { traceId: traceId.toLowerCase(), selected: isSpanId(selected) ? selected : null };
}

/** The trace id a command was given: an id string, or a Traces view row `{ kind: 'trace', trace: { traceId } }`. */
export function traceIdArgument(arg: unknown): string | undefined {
  if (typeof arg === 'string') return isTraceId(arg.trim().toLowerCase()) ? arg.trim().toLowerCase() : undefined;
  if (typeof arg !== 'object' || arg === null) return undefined;
  const node = arg as { kind?: unknown; trace?: { traceId?: unknown } };
  return node.kind === 'trace' ? traceIdArgument(node.trace?.traceId) : undefined;
}
