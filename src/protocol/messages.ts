/**
 * Every message between the extension host and a Hopscope webview, one union
 * per direction. The webview starts with `ready`; the host answers with the
 * state to draw. Both sides import these types (the webview with `import type`);
 * the host checks each message it receives with `parseWebviewMessage`
 * (src/extension/webview-messages.ts).
 */
import type { ServiceMapView } from './service-map';

/** Where a span's code is, when the host could place it inside the workspace. */
export interface SourceLink {
  spanId: string;
  /** What to show, e.g. `orders/src/orders.ts:42` (workspace-relative). */
  label: string;
  /** The trace document's place list the line came from (sent back with `select` and `openSource`). */
  place: number;
}

export type HostToWebview =
  /**
   * The trace to draw, sent after `ready` and again (throttled) as late spans arrive; the view keeps zoom, pan and
   * selection. `document` is the trace document's bytes (trace-document.ts: a head line, then the TraceView);
   * `places[i]` is where the head's place list i is in the workspace (`orders/src/orders.ts:42`), or null.
   */
  | { type: 'trace'; document: Uint8Array; places: (string | null)[] }
  /** The trace is not (or no longer) stored, e.g. after Clear Traces or a receiver restart. */
  | { type: 'traceMissing'; traceId: string; message: string }
  /** The service map, sent after `ready` and at most once a second while traces arrive. */
  | { type: 'serviceMap'; map: ServiceMapView }
  /** Select this span and bring it into view (e.g. from a CodeLens). */
  | { type: 'select'; spanId: string };

export type WebviewToHost =
  /** The webview has loaded and listens; the host answers with `trace` or `serviceMap`. */
  | { type: 'ready' }
  /** The user selected a span (null: cleared the selection); `place`: the place list its line came from. */
  | { type: 'select'; spanId: string | null; place?: number }
  /** The user asked to open the span's source: the place list whose line the page showed (the host resolved it). */
  | { type: 'openSource'; spanId: string; place?: number }
  /** The user asked to open a trace, e.g. one of an edge's slowest calls on the service map. */
  | { type: 'openTrace'; traceId: string; spanId?: string }
  /** The user exported the graph: SVG text, or a PNG as a `data:image/png;base64,` URL. */
  | { type: 'export'; format: 'svg' | 'png'; data: string }
  /** Something went wrong inside the webview; the host writes it to the log. */
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };
