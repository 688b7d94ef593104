/**
 * Hopscope's own span model. Every wire format is translated into these shapes
 * once, in `src/wire/`; nothing past the decoders sees OTLP, Jaeger or Zipkin.
 *
 * Everything here is plain JSON (no bigint, Map or class instances) so it can
 * cross a worker or webview boundary as it is. Times are microseconds since the
 * Unix epoch; ids are lower-case hex (trace 32 chars, span 16 chars).
 */

/** An attribute value: OTLP's AnyValue as a JSON value. Bytes are base64 strings;
 * 64-bit integers beyond 2^53 are decimal strings so that nothing is rounded. */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };

export type Attributes = Record<string, AttrValue>;

export type SpanKind = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export type StatusCode = 'unset' | 'ok' | 'error';

export interface SpanStatus {
  code: StatusCode;
  message: string;
}

export interface SpanEvent {
  name: string;
  timeUs: number;
  attributes: Attributes;
  droppedAttributesCount: number;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: Attributes;
  droppedAttributesCount: number;
  flags: number;
}

/** The entity that produced the telemetry; shared by every span of one batch. */
export interface Resource {
  attributes: Attributes;
  droppedAttributesCount: number;
}

/** The instrumentation library that produced the span. */
export interface Scope {
  name: string;
  version: string;
}

export interface SpanRecord {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  traceState: string;
  flags: number;
  name: string;
  kind: SpanKind;
  /** The resource's `service.name`, or `unknown_service` when it has none. */
  service: string;
  startUs: number;
  endUs: number;
  status: SpanStatus;
  attributes: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
  resource: Resource;
  scope: Scope;
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
}

/** A log record that names a trace; kept with that trace, shown beside its spans. */
export interface LogRecord {
  traceId: string;
  /** '' when the record names a trace but no span. */
  spanId: string;
  timeUs: number;
  observedTimeUs: number;
  severityNumber: number;
  severityText: string;
  eventName: string;
  body: AttrValue;
  attributes: Attributes;
  service: string;
  resource: Resource;
  scope: Scope;
  flags: number;
  droppedAttributesCount: number;
}

export const UNKNOWN_SERVICE = 'unknown_service';

/**
 * A span reported when it started, before it ended (Hopscope's register module does, so that a request stuck
 * at a breakpoint is seen while it is stuck): OTLP's `end_time_unix_nano` is 0, and the attribute says so.
 * The finished span, with the same id, takes its place when it arrives.
 */
export const SPAN_STATE_ATTRIBUTE = 'hopscope.span.state';

/** The span has not ended yet (a started record): no end time. */
export const isStarted = (span: Pick<SpanRecord, 'endUs'>): boolean => span.endUs === 0;

/** What a decoder made of one export request. */
export interface DecodedSpans {
  spans: SpanRecord[];
  /** Spans left out because they cannot be placed in a trace (bad ids). */
  rejected: number;
  /** Why the first rejected span was left out, for `partial_success.error_message`. */
  rejectReason: string;
}

export interface DecodedLogs {
  /** Only records that carry a trace id; the rest are accepted and dropped. */
  logs: LogRecord[];
  rejected: number;
  rejectReason: string;
}
