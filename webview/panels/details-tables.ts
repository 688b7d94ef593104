/**
 * The details pane's tables of a span's events, links and logs. Times are
 * offsets from the span's start; values stay text.
 */
import type { ViewLog as LogRecord, ViewSpan as SpanRecord } from '../../src/protocol/view-span';
import { formatDuration } from '../../src/common/format';
import { element } from '../dom';
import { spanTitle } from '../labels';
import type { Store } from '../store';
import { attributeLines, valueNode } from './values';

export function eventsTable(span: SpanRecord): HTMLTableElement {
  const events = [...span.events].sort((a, b) => a.timeUs - b.timeUs);
  return table(
    'Span events',
    ['Time', 'Event'],
    events.map((event) => [offset(event.timeUs, span.startUs), element('div', {}, element('div', { class: 'dt-event-name' }, event.name), attributeLines(event.attributes))]),
  );
}

export function linksTable(span: SpanRecord, store: Store): HTMLTableElement {
  return table(
    'Span links',
    ['Span', 'Attributes'],
    span.links.map((link) => {
      const inTrace = link.traceId === span.traceId && store.nodes.has(link.spanId);
      let target: Node;
      if (inTrace) {
        const node = store.nodes.get(link.spanId)!;
        const button = element('button', { type: 'button', class: 'hs-link-button', title: 'Select the linked span' }, spanTitle(node));
        button.addEventListener('click', () => store.select(link.spanId, 'details'));
        target = button;
      } else {
        target = element('span', { class: 'dt-id' }, `${link.spanId} in trace ${link.traceId}`);
      }
      return [target, attributeLines(link.attributes)];
    }),
  );
}

export function logsTable(logs: readonly LogRecord[], spanStartUs: number): HTMLTableElement {
  const sorted = [...logs].sort((a, b) => a.timeUs - b.timeUs);
  return table(
    'Logs of this span',
    ['Time', 'Message'],
    sorted.map((log) => {
      const time = log.timeUs || log.observedTimeUs;
      const severity = log.severityText || (log.severityNumber > 0 ? String(log.severityNumber) : '');
      const message = element('div', { class: 'dt-log' });
      if (severity) message.append(element('span', { class: `dt-severity dt-severity-${severityClass(log.severityNumber)}` }, severity), ' ');
      if (log.eventName) message.append(element('span', { class: 'dt-event-name' }, log.eventName), ' ');
      message.append(valueNode(log.body));
      if (Object.keys(log.attributes).length > 0) message.append(attributeLines(log.attributes));
      return [offset(time, spanStartUs), message];
    }),
  );
}

/** `+12 ms` from the span's start (`−` before it). */
function offset(timeUs: number, startUs: number): string {
  const d = timeUs - startUs;
  return `${d < 0 ? '−' : '+'}${formatDuration(Math.abs(d))}`;
}

/** OTel severity numbers: 1–4 trace, 5–8 debug, 9–12 info, 13–16 warn, 17–20 error, 21–24 fatal. */
function severityClass(n: number): string {
  if (n >= 17) return 'error';
  if (n >= 13) return 'warn';
  if (n >= 9) return 'info';
  return 'debug';
}

function table(label: string, columns: string[], rows: (Node | string)[][]): HTMLTableElement {
  return element(
    'table',
    { class: 'hs-table', 'aria-label': label },
    element('thead', {}, element('tr', {}, ...columns.map((c) => element('th', { scope: 'col' }, c)))),
    element('tbody', {}, ...rows.map((cells) => element('tr', {}, ...cells.map((cell) => element('td', {}, cell))))),
  );
}
