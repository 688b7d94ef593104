/**
 * Trace views the worker builds for a trace the debugger paused and for a request still running: drawn
 * traces, stored, with the pauses in the book, and the document read back as the page gets it.
 */
import { DerivedTraces } from '../../src/ingest/derived-traces';
import { PauseBook } from '../../src/ingest/pause-book';
import { TraceStore } from '../../src/ingest/trace-store';
import { TraceViews } from '../../src/ingest/trace-views';
import { DEBUG_SESSION_ATTRIBUTE, type DebugPause } from '../../src/model/pause';
import type { SpanRecord } from '../../src/model/span';
import { readTraceView } from '../../src/views/trace-document';
import type { TraceView } from '../../src/protocol/trace-view';
import { ms, timeline } from './timeline';

/** The spans with each service launched by its own debug session (`session-<service>`). */
export function debugged(spans: readonly SpanRecord[]): SpanRecord[] {
  return spans.map((s) => ({ ...s, resource: { ...s.resource, attributes: { ...s.resource.attributes, [DEBUG_SESSION_ATTRIBUTE]: `session-${s.service}` } } }));
}

/** The trace view the worker builds of these spans with these pauses in its book, `nowUs` ending what still runs. */
export function workerView(spans: readonly SpanRecord[], pauses: readonly DebugPause[] = [], nowUs?: number): TraceView {
  const store = new TraceStore();
  store.add([...spans]);
  const book = new PauseBook();
  book.record(pauses);
  const derived = new DerivedTraces(store, undefined, { pauses: book, ...(nowUs !== undefined ? { nowUs: () => nowUs } : {}) });
  const document = new TraceViews(derived).get(spans[0]!.traceId);
  if (!(document instanceof Uint8Array)) throw new Error('the worker drew no view');
  return readTraceView(document);
}

/*
 *  shop      POST /checkout   [0 ─────────────────────────────── 6140]
 *  shop        → payments       [10 ──────────────────────── 6100]
 *  payments      POST /charge     [20 ──────────────────────── 6090]
 *  payments        charge card      [30 ─▒▒▒▒▒▒ 6000 ms ▒▒▒▒▒▒─ 6080]   stopped at payments.ts:42, 40–6040
 *  shop        → email                                          [6105 ─ 6130]
 */
export const paused = (() => {
  const drawn = timeline(`
    shop | POST /checkout | server | 0-6140
      shop | shop → payments | client | 10-6100
        payments | POST /charge | server | 20-6090
          payments | charge card | internal | 30-6080
      shop | shop → email | client | 6105-6130
  `);
  const spans = debugged(drawn.spans);
  const t0 = spans[0]!.startUs;
  const pause: DebugPause = { session: 'session-payments', sessionName: 'payments', startUs: t0 + ms(40), endUs: t0 + ms(6040), reason: 'breakpoint', location: { path: '/app/src/payments.ts', line: 42 } };
  return { drawn, spans, pause, view: workerView(spans, [pause]) };
})();

/*
 *  shop      POST /checkout   [0 ───────── running …     ends "now": 4200
 *  shop        → payments       [10 ─────── running …
 *  payments      POST /charge     [20 ─ 60]
 */
export const running = (() => {
  const drawn = timeline(`
    shop | POST /checkout | server | 0-1
      shop | shop → payments | client | 10-11
        payments | POST /charge | server | 20-60
  `);
  const spans = drawn.spans.map((s) => (s.service === 'shop' ? { ...s, endUs: 0 } : s));
  return { drawn, spans, view: workerView(spans, [], spans[0]!.startUs + ms(4200)) };
})();
