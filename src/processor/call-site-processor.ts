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
 * hands out (on the bench machine ≈2 µs for the first, ≈0.4 µs for each more).
 * So the processor captures only as deep as the service's frame was found before
 * for spans of the same instrumentation scope (6 frames to begin with), and
 * looks again down to `maxFrames` when that was not deep enough.
 *
 * Only CLIENT and PRODUCER spans by default: those are the calls a service
 * makes; a SERVER span's stack is the framework's, not a caller's.
 * Built as its own bundle that needs nothing at run time but Node:
 * OpenTelemetry is imported for its types only.
 */
import type { Context, SpanKind } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { ServiceFrames, type ServiceFrame } from './service-frames';
import { between, callerPosition, captureCallSites } from './stack';

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
}

// SpanKind's values, so that this bundle needs no @opentelemetry/api at run time.
const INTERNAL = 0;
const CLIENT = 2;
const PRODUCER = 3;

/** How deep to look for a scope not seen yet: a span started straight from the service's code. */
const FIRST_LOOK = 6;

export class CallSiteSpanProcessor implements SpanProcessor {
  private readonly kindMask: number;
  private readonly maxFrames: number;
  private readonly frames: ServiceFrames;
  /** Per instrumentation scope, how many frames it took to reach the service's (the most seen). */
  private readonly depths = new Map<string, number>();

  constructor(options: CallSiteSpanProcessorOptions = {}) {
    let mask = 0;
    for (const kind of options.kinds ?? [CLIENT, PRODUCER]) mask |= 1 << kind;
    if (options.internal) mask |= 1 << INTERNAL;
    this.kindMask = mask;
    this.maxFrames = Math.max(1, Math.min(200, Math.floor(options.maxFrames ?? 24)));
    this.frames = new ServiceFrames(options.ignore ?? [], isOwn);
  }

  onStart(span: Span, _parentContext: Context): void {
    try {
      if (((this.kindMask >> span.kind) & 1) === 0) return;
      const attributes = span.attributes;
      if (attributes['code.file.path'] !== undefined || attributes['code.filepath'] !== undefined) return;
      const scope = span.instrumentationScope?.name ?? '';
      const limit = Math.min(this.depths.get(scope) ?? FIRST_LOOK, this.maxFrames);
      // Captured right here: V8 walks every frame above onStart too, and each one costs.
      const near = captureCallSites(limit, this.onStart);
      const site = near && this.serviceFrame(scope, near, limit);
      if (!site) return;
      span.setAttribute('code.file.path', site.path);
      span.setAttribute('code.line.number', site.line);
      span.setAttribute('code.column.number', site.column);
      if (site.functionName) span.setAttribute('code.function.name', site.functionName);
    } catch {
      // Never into the SDK: the span just goes without its call site.
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  /** The service's frame among the `limit` frames `near` onStart, or else further down, up
   * to maxFrames; and how deep this scope's spans must be looked at from now on. */
  private serviceFrame(scope: string, near: NodeJS.CallSite[], limit: number): ServiceFrame | undefined {
    let found = this.frames.first(near, 0);
    let depth = found && found.index + 1;
    if (!found && near.length === limit && limit < this.maxFrames) {
      const far = captureCallSites(this.maxFrames, this.onStart);
      found = far && this.frames.first(far, limit);
      // Not within maxFrames either: look that deep at once from now on.
      depth = found ? found.index + 1 : far?.length === this.maxFrames ? this.maxFrames : undefined;
    }
    if (depth !== undefined && depth > (this.depths.get(scope) ?? 0)) this.depths.set(scope, depth);
    return found;
  }
}

function isOwn(file: string, line: number, column: number): boolean {
  return OWN_START !== undefined && OWN_END !== undefined && between(OWN_START, OWN_END, file, line, column);
}

const OWN_END = callerPosition();
