/**
 * A span processor for the services Hopscope watches: at span start it records
 * the line of *your* code that made the call, as `code.file.path`,
 * `code.line.number`, `code.column.number` and `code.function.name` (1-based,
 * source-mapped when Node has the map), so the editor can show a call's latency
 * beside the line that made it.
 *
 *   const { CallSiteSpanProcessor } = require('…/call-site.js');
 *   new NodeSDK({ spanProcessors: [new CallSiteSpanProcessor(), new BatchSpanProcessor(exporter)] });
 *
 * For a client span made through the http instrumentation the stack reads,
 * innermost first, and the first frame that is the service's is recorded:
 *
 *   0  MultiSpanProcessor.onStart   node_modules/@opentelemetry/sdk-trace      skip
 *   1  SpanImpl                     node_modules/@opentelemetry/sdk-trace      skip
 *   2  Tracer.startSpan             node_modules/@opentelemetry/sdk-trace      skip
 *   3  outgoingRequest              node_modules/@opentelemetry/instrumentation-http  skip
 *   4  request                      node:http                                  skip
 *   5  callJson                     lib/client.ts        (an `ignore` pattern) skip
 *   6  call                         services/orders.ts:30:19                   ← recorded
 *
 * Capturing the stack is the whole cost, and V8 charges for every frame it
 * walks (on the bench machine ≈2 µs for the first, ≈0.4 µs for each more), also
 * for frames it skips. So the processor captures only as deep as the service's
 * frame was found before for spans of the same instrumentation scope (6 frames
 * to begin with), and looks again down to `maxFrames` when that was not deep enough.
 *
 * Two kinds of span need more than the stack at span start:
 *
 * - `fetch`: instrumentation-undici starts its span from a diagnostics channel
 *   some 30 frames down inside Node's bundled undici (`node:internal/deps/undici/undici`),
 *   past `maxFrames` and costly to walk. So the global `fetch` is wrapped: the
 *   wrapper captures the few frames below itself (the line that called fetch is
 *   the first) and a span started while it runs takes its call site from them.
 * - a span started in a library's callback, with no frame of the service on
 *   the stack at all: pg starts a pooled query's span in the callback of the
 *   pool checkout, after the checkout's own span ended. Such a span takes the
 *   call site of the span of the same scope and parent that ended just before it,
 *   in the same synchronous run (the checkout, started by the `pool.query` line).
 *
 * Only CLIENT and PRODUCER spans by default: those are the calls a service
 * makes; a SERVER span's stack is the framework's, not a caller's.
 * Built as its own bundle that needs nothing at run time but Node:
 * OpenTelemetry is imported for its types only.
 */
import type { Context, SpanKind } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { ServiceFrames, type ServiceFrame } from './service-frames';
import { between, callerPosition, captureCallSites, type StackCut } from './stack';

/** Where this module starts in the running code; it ends at OWN_END, at the bottom. Frames
 * in between are the processor's own, also when a bundler has put it in the service's file. */
const OWN_START = callerPosition();

export interface CallSiteSpanProcessorOptions {
  /** Kinds of span that get a call site. Default: CLIENT and PRODUCER. */
  kinds?: readonly SpanKind[];
  /** Also INTERNAL spans (work inside the service), besides `kinds`. Default false. */
  internal?: boolean;
  /** Frames whose file matches one of these are skipped as well: a RegExp, or a
   * substring. Tested against the running file and the source-mapped one, with
   * `/` as separator. E.g. your own HTTP helper, so the helper's caller is recorded. */
  ignore?: readonly (RegExp | string)[];
  /** Most frames looked at below the processor. Default 24. */
  maxFrames?: number;
  /** Wrap the global `fetch` (while the processor is not shut down) so that a fetch span gets
   * the line that called fetch. Default true. */
  fetch?: boolean;
}

// SpanKind's values, so that this bundle needs no @opentelemetry/api at run time.
/* eslint-disable @typescript-eslint/no-unsafe-enum-assignment -- the enum itself cannot be imported here */
const INTERNAL = 0 as SpanKind.INTERNAL;
const CLIENT = 2 as SpanKind.CLIENT;
const PRODUCER = 3 as SpanKind.PRODUCER;
/* eslint-enable @typescript-eslint/no-unsafe-enum-assignment */

/** How deep to look for a scope not seen yet: a span started straight from the service's code. */
const FIRST_LOOK = 6;

/** How deep to look for each instrumentation scope, and whether its spans ever had the service's frame. */
interface Depth {
  limit: number;
  found: boolean;
}

export class CallSiteSpanProcessor implements SpanProcessor {
  private readonly kindMask: number;
  private readonly maxFrames: number;
  private readonly frames: ServiceFrames;
  private readonly depths = new Map<string, Depth>();
  /** A span with a call site that has just ended (see onEnd). */
  private ended: ReadableSpan | undefined;
  private forgetScheduled = false;
  private readonly forget = () => {
    this.ended = undefined;
    this.forgetScheduled = false;
  };
  private fetchWrap: FetchWrap | undefined;

  constructor(options: CallSiteSpanProcessorOptions = {}) {
    let mask = 0;
    for (const kind of options.kinds ?? [CLIENT, PRODUCER]) mask |= 1 << kind;
    if (options.internal) mask |= 1 << INTERNAL;
    this.kindMask = mask;
    this.maxFrames = Math.max(1, Math.min(200, Math.floor(options.maxFrames ?? 24)));
    this.frames = new ServiceFrames(options.ignore ?? [], isOwn);
    this.fetchWrap = options.fetch === false ? undefined : wrapFetch();
  }

  onStart(span: Span, _parentContext: Context): void {
    try {
      if (((this.kindMask >> span.kind) & 1) === 0) return;
      const attributes = span.attributes;
      if (attributes['code.file.path'] !== undefined || attributes['code.filepath'] !== undefined) return;
      const scope = span.instrumentationScope?.name ?? '';
      if (fetchCallers !== undefined && this.fetchWrap) return this.record(span, this.fetchCaller(fetchCallers));
      let depth = this.depths.get(scope);
      if (!depth) this.depths.set(scope, (depth = { limit: FIRST_LOOK, found: false }));
      const limit = Math.min(depth.limit, this.maxFrames);
      // Captured right here: V8 walks every frame above onStart too, and each one costs.
      // eslint-disable-next-line @typescript-eslint/unbound-method -- where the stack is cut, never called
      const near = captureCallSites(limit, this.onStart);
      const found = near && this.frames.first(near, 0);
      if (found) {
        depth.found = true;
        return this.record(span, found);
      }
      // No frame of the service's near: a library's callback continuing a call that just ended?
      if (this.ended && this.continues(span, scope, this.ended)) return this.inherit(span, this.ended);
      if (near && near.length === limit && limit < this.maxFrames) this.record(span, this.deeper(depth, limit));
    } catch {
      // Never into the SDK: the span just goes without its call site.
    }
  }

  onEnd(span: ReadableSpan): void {
    try {
      if (((this.kindMask >> span.kind) & 1) === 0) return;
      if (typeof span.attributes['code.file.path'] !== 'string') return;
      // Only a span started before anything else runs can continue this one.
      this.ended = span;
      if (!this.forgetScheduled) {
        this.forgetScheduled = true;
        // Before the callbacks queued from here on (next ticks, then promise reactions).
        process.nextTick(this.forget);
      }
    } catch {
      // Never into the SDK.
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    if (this.fetchWrap) unwrapFetch(this.fetchWrap);
    this.fetchWrap = undefined;
    return Promise.resolve();
  }

  private record(span: Span, site: ServiceFrame | undefined): void {
    if (!site) return;
    span.setAttribute('code.file.path', site.path);
    span.setAttribute('code.line.number', site.line);
    span.setAttribute('code.column.number', site.column);
    if (site.functionName) span.setAttribute('code.function.name', site.functionName);
  }

  /** Whether `span`, with no frame of the service's, was started for the same call as `ended`: same scope, same parent. */
  private continues(span: Span, scope: string, ended: ReadableSpan): boolean {
    return (ended.instrumentationScope?.name ?? '') === scope && ended.spanContext().traceId === span.spanContext().traceId && parentId(ended) === parentId(span);
  }

  private inherit(span: Span, ended: ReadableSpan): void {
    const a = ended.attributes;
    span.setAttribute('code.file.path', a['code.file.path'] as string);
    const line = a['code.line.number'];
    const column = a['code.column.number'];
    const functionName = a['code.function.name'];
    if (typeof line === 'number') span.setAttribute('code.line.number', line);
    if (typeof column === 'number') span.setAttribute('code.column.number', column);
    if (typeof functionName === 'string') span.setAttribute('code.function.name', functionName);
  }

  /** The service's frame further down than `limit`, up to maxFrames; and how deep this scope's spans are looked at from now on. */
  private deeper(depth: Depth, limit: number): ServiceFrame | undefined {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- where the stack is cut, never called
    const far = captureCallSites(this.maxFrames, this.onStart);
    const found = far && this.frames.first(far, limit);
    if (found) {
      depth.limit = Math.max(depth.limit, found.index + 1);
      depth.found = true;
    } else if (!depth.found && far?.length === this.maxFrames) {
      // No span of this scope ever had the service's frame within maxFrames: look that deep at once.
      // (Not once one had: a few connection handshakes must not make every span of the scope look deep.)
      depth.limit = this.maxFrames;
    }
    return found;
  }

  /** The caller of the wrapped fetch this span was started in: the frames its wrapper captured, else deeper below it. */
  private fetchCaller(called: NodeJS.CallSite[]): ServiceFrame | undefined {
    const found = this.frames.first(called, 0);
    const wrapper = fetchWrapper;
    if (found || called.length < fetchDepth || !wrapper) return found;
    const far = captureCallSites(this.maxFrames, wrapper);
    const deeper = far && this.frames.first(far, called.length);
    if (deeper) fetchDepth = Math.min(this.maxFrames, Math.max(fetchDepth, deeper.index + 1));
    return deeper;
  }
}

function parentId(span: ReadableSpan): string | undefined {
  // SDK 2 names the parent's context; SDK 1 its id.
  return span.parentSpanContext?.spanId ?? (span as { parentSpanId?: string }).parentSpanId;
}

/** The global `fetch` as a processor wrapped it; shared by the processors made while it is the global. */
interface FetchWrap {
  original: typeof fetch;
  wrapper: typeof fetch;
  /** Processors using it that are not shut down; at 0 it passes calls straight through. */
  users: number;
}

/** The newest wrap, which new processors share while it is still the global `fetch`. */
let newestWrap: FetchWrap | undefined;
/** While a wrapped fetch runs (synchronously: undici starts its span before fetch returns), the frames below
 * its wrapper, the caller's first; and that wrapper. */
let fetchCallers: NodeJS.CallSite[] | undefined;
let fetchWrapper: StackCut | undefined;
/** How many frames below the wrapper to capture: as deep as a caller of fetch was found. */
let fetchDepth = 2;

function wrapFetch(): FetchWrap | undefined {
  const original = globalThis.fetch;
  if (newestWrap && original === newestWrap.wrapper) {
    newestWrap.users++;
    return newestWrap;
  }
  // Not wrapped yet, or fetch was replaced since: wrap what is there now.
  if (typeof original !== 'function') return undefined;
  const wrap: FetchWrap = { original, wrapper: original, users: 1 };
  const wrapper = function fetch(this: unknown, ...args: Parameters<typeof globalThis.fetch>): ReturnType<typeof globalThis.fetch> {
    if (wrap.users === 0) return original.apply(this, args);
    const outerCallers = fetchCallers;
    const outerWrapper = fetchWrapper;
    fetchCallers = captureCallSites(fetchDepth, wrapper);
    fetchWrapper = wrapper;
    try {
      return original.apply(this, args);
    } finally {
      fetchCallers = outerCallers;
      fetchWrapper = outerWrapper;
    }
  };
  try {
    globalThis.fetch = wrapper;
  } catch {
    return undefined;
  }
  wrap.wrapper = wrapper;
  newestWrap = wrap;
  return wrap;
}

function unwrapFetch(wrap: FetchWrap): void {
  if (wrap.users === 0 || --wrap.users > 0) return;
  // Put back only what is still ours: whoever wrapped fetch after us keeps calling our wrapper, now idle.
  try {
    if (globalThis.fetch === wrap.wrapper) globalThis.fetch = wrap.original;
  } catch {
    // A frozen global: the wrapper stays, idle.
  }
  if (newestWrap === wrap) newestWrap = undefined;
}

function isOwn(file: string, line: number, column: number): boolean {
  return OWN_START !== undefined && OWN_END !== undefined && between(OWN_START, OWN_END, file, line, column);
}

const OWN_END = callerPosition();
