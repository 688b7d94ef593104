/**
 * Which line of code a span stands for. Each level is tried in turn and the
 * first that lands inside the workspace wins:
 *
 *   attributes         code.file.path  code.line.number  code.column.number  code.function.name
 *   legacy-attributes  code.filepath   code.lineno       code.column         code.namespace + code.function
 *   code.stacktrace    its first frame that is not a library's, the runtime's or OpenTelemetry's
 *   exception          the first frame of an `exception` event's stack that is in the workspace
 *                      (in both stacks, frames `hopscope.sourceLines.skipFrames` names are passed over)
 *   parent             the nearest ancestor that has a location of its own, within the service
 *
 *   GET /orders (server)  code.file.path=/app/src/routes.ts:12      ─► attributes
 *    └─ SELECT orders (client, no code.*)                            ─► parent (routes.ts:12)
 *
 * The parent level stays in the span's service and on its side of a broker
 * (see `takesParentPlace`): a callee's own work is never put on the line of the
 * caller that called it, nor a consumer's on the line that published.
 *
 * This file holds the one candidate list (`spanCandidates`), the one rule for
 * which ancestor's place a span may take (`takesParentPlace`) and the one
 * resolve rule (`firstInside`); trace-places.ts makes the one ancestor walk.
 * Every surface — the trace view's Open, CodeLens, hints, Problems — goes
 * through these, so a span lands on the same line in each.
 *
 * When no level is inside the workspace, the first thing a level named comes
 * back as text (`outside`), for the UI to show but never to open.
 */
import type { Attributes, SpanRecord } from '../model/span';
import type { PlaceCandidate } from '../model/code-place';
import { isLibraryFrame } from './library-frames';
import type { SkipFrame } from './skip-frames';
import type { CodeReference, InsidePosition, Outside } from './resolve-path';
import { parseStackTrace, suffixPath, type StackFrame } from './stack-frames';
import { isSanePath } from './workspace-paths';

export type SourceOrigin = PlaceCandidate['from'] | 'parent';

/** A place a span's own attributes name, before any file is looked at. */
export interface SpanCandidate extends CodeReference {
  from: 'attributes' | 'legacy-attributes' | 'code.stacktrace';
  functionName?: string;
}

export interface FoundSource {
  outside?: undefined;
  from: SourceOrigin;
  /** The span whose data named the place: the span itself, or for `parent` the ancestor. */
  spanId: string;
  position: InsidePosition;
  functionName?: string;
}

export interface OutsideSource extends Outside {
  from: SourceOrigin;
  spanId: string;
}

export type Resolve = (ref: CodeReference) => Promise<InsidePosition | Outside>;

const MAX_EXCEPTION_EVENTS = 8;
const MAX_EXCEPTION_FRAMES = 40;
const MAX_FUNCTION_NAME = 256;

/** What the parent level looks at of a span and its parent. */
export type Hop = Pick<SpanRecord, 'kind' | 'service'>;

/**
 * Whether a span with no place of its own may take its parent's: only where
 * the parent's code made it, in the same service. Never across a broker (a
 * consumer under its producer, or an edge the caller knows to be async), never
 * from a service's entry (a SERVER span) to its caller: the callee's own work
 * is not the caller's line. Except the span itself (`first`), when it stands
 * for a call its caller made without recording a client span (its parent is in
 * another service and not a CLIENT): that call was made on the caller's line.
 *
 *   orders POST /orders ─ orders INTERNAL (orders.ts:30) ─ email POST /send (server, first)   ─► orders.ts:30
 *   orders CLIENT (orders.ts:30) ─ payments POST /charge ─ payments charge card               ─► nothing
 *   orders PRODUCER (orders.ts:44) ─ analytics CONSUMER ─ analytics Redis GET                 ─► nothing
 */
export function takesParentPlace(child: Hop, parent: Hop, first: boolean, asyncEdge = false): boolean {
  if (asyncEdge || child.kind === 'consumer' || parent.kind === 'producer') return false;
  if (parent.service !== child.service) return first && parent.kind !== 'client';
  return child.kind !== 'server';
}

/** The first candidate that resolves inside the workspace; else the first one as text; undefined for none. */
export async function firstInside(candidates: readonly PlaceCandidate[], resolve: Resolve): Promise<Omit<FoundSource, 'spanId'> | Omit<OutsideSource, 'spanId'> | undefined> {
  let first: Omit<OutsideSource, 'spanId'> | undefined;
  for (const { from, functionName, ...ref } of candidates) {
    const position = await resolve(ref);
    if (!position.outside) return { from, position, ...(functionName !== undefined && { functionName }) };
    first ??= { from, outside: true, text: position.text };
  }
  return first;
}

/** Every place the span names, best first: its attribute levels (`attributeCandidates`), then its exceptions' application frames. */
export function spanCandidates(span: SpanRecord, skip?: SkipFrame): PlaceCandidate[] {
  return [
    ...attributeCandidates(span, skip),
    ...exceptionFrames(span, skip).map((frame): PlaceCandidate => ({ from: 'exception', ...frameReference(frame), ...(frame.function !== undefined && { functionName: frame.function }) })),
  ];
}

/** The places a span's attributes name, best first: current names, pre-1.30 names, then `code.stacktrace` (past the frames `skip` names). */
export function attributeCandidates(span: SpanRecord, skip?: SkipFrame): SpanCandidate[] {
  const a = span.attributes ?? {};
  const out: SpanCandidate[] = [];
  const current = candidate(a, 'attributes', 'code.file.path', ['code.line.number', 'code.lineno'], ['code.column.number', 'code.column'], functionName(a, 'code.function.name'));
  const legacy = candidate(a, 'legacy-attributes', 'code.filepath', ['code.lineno', 'code.line.number'], ['code.column', 'code.column.number'], legacyFunctionName(a));
  if (current) out.push(current);
  if (legacy && legacy.path !== current?.path) out.push(legacy);
  const frame = parseStackTrace(a['code.stacktrace']).find((f) => !isLibraryFrame(f) && !skip?.(f));
  if (frame) out.push({ from: 'code.stacktrace', ...frameReference(frame), ...(frame.function !== undefined && { functionName: frame.function }) });
  return out;
}

/** The path and line the span's `code.*` attributes name (current names first), as the minimal resolver read them. */
export function codeAttributes(span: SpanRecord): { path: string; line: number } | undefined {
  const named = attributeCandidates(span).find((c) => c.from !== 'code.stacktrace');
  return named && { path: named.path, line: named.line };
}

/** The frames of the span's exception stack traces that may be the application's (and `skip` does not name), top first. */
export function exceptionFrames(span: SpanRecord, skip?: SkipFrame): StackFrame[] {
  const frames: StackFrame[] = [];
  const events = Array.isArray(span.events) ? span.events : [];
  let read = 0;
  for (const event of events) {
    if (read >= MAX_EXCEPTION_EVENTS || frames.length >= MAX_EXCEPTION_FRAMES) break;
    const stack = event?.attributes?.['exception.stacktrace'];
    if (event?.name !== 'exception' || typeof stack !== 'string') continue;
    read++;
    frames.push(...parseStackTrace(stack).filter((f) => !isLibraryFrame(f) && !skip?.(f)));
  }
  return frames.slice(0, MAX_EXCEPTION_FRAMES);
}

function frameReference(frame: StackFrame): CodeReference {
  const ref: CodeReference = { path: suffixPath(frame), line: frame.line };
  if (frame.column !== undefined) ref.column = frame.column;
  if (frame.suffixOnly) ref.suffixOnly = true;
  return ref;
}

function candidate(a: Attributes, from: SpanCandidate['from'], pathKey: string, lineKeys: string[], columnKeys: string[], fn: string | undefined): SpanCandidate | undefined {
  const path = a[pathKey];
  const line = lineKeys.map((k) => positiveInteger(a[k])).find((n) => n !== undefined);
  if (!isSanePath(path) || line === undefined) return undefined;
  const out: SpanCandidate = { from, path, line };
  const column = columnKeys.map((k) => positiveInteger(a[k])).find((n) => n !== undefined);
  if (column !== undefined) out.column = column;
  if (fn !== undefined) out.functionName = fn;
  return out;
}

/** 42 or "42"; nothing for 0, 2.5, "forty", or a number no file has that many lines of. */
function positiveInteger(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\s*\d{1,9}\s*$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n < 1e9 ? n : undefined;
}

function functionName(a: Attributes, key: string): string | undefined {
  const value = a[key];
  if (typeof value !== 'string' || value.trim() === '' || value.includes('\0')) return undefined;
  const name = value.trim();
  return name.length > MAX_FUNCTION_NAME ? `${name.slice(0, MAX_FUNCTION_NAME - 1)}…` : name;
}

/** Before 1.30 the function's class or module was a separate `code.namespace`. */
function legacyFunctionName(a: Attributes): string | undefined {
  const fn = functionName(a, 'code.function');
  const namespace = functionName(a, 'code.namespace');
  return fn !== undefined && namespace !== undefined ? functionName({ name: `${namespace}.${fn}` }, 'name') : fn;
}
