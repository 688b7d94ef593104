/**
 * A span and a log record as a trace view carries them to the webview (the details pane shows them as
 * received). Declared here, not imported from src/model, so that the webview's contract is this folder:
 * each is structurally the model's type (src/model/span.ts), which src/views/view-contract.ts checks both
 * ways at compile time.
 */

/** An attribute value as JSON: bytes are base64 strings, 64-bit integers past 2^53 decimal strings. */
export type ViewAttrValue = string | number | boolean | null | ViewAttrValue[] | { [key: string]: ViewAttrValue };

export type ViewAttributes = Record<string, ViewAttrValue>;

export type ViewSpanKind = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export interface ViewSpanEvent {
  name: string;
  timeUs: number;
  attributes: ViewAttributes;
  droppedAttributesCount: number;
}

export interface ViewSpanLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: ViewAttributes;
  droppedAttributesCount: number;
  flags: number;
}

export interface ViewResource {
  attributes: ViewAttributes;
  droppedAttributesCount: number;
}

export interface ViewScope {
  name: string;
  version: string;
}

/** A span as received; times µs since the epoch, ids lower-case hex. */
export interface ViewSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  traceState: string;
  flags: number;
  name: string;
  kind: ViewSpanKind;
  service: string;
  startUs: number;
  /** 0 for a span still running (a started record). */
  endUs: number;
  status: { code: 'unset' | 'ok' | 'error'; message: string };
  attributes: ViewAttributes;
  events: ViewSpanEvent[];
  links: ViewSpanLink[];
  resource: ViewResource;
  scope: ViewScope;
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
}

/** A log record of the trace. */
export interface ViewLog {
  traceId: string;
  /** '' when the record names a trace but no span. */
  spanId: string;
  timeUs: number;
  observedTimeUs: number;
  severityNumber: number;
  severityText: string;
  eventName: string;
  body: ViewAttrValue;
  attributes: ViewAttributes;
  service: string;
  resource: ViewResource;
  scope: ViewScope;
  flags: number;
  droppedAttributesCount: number;
}
