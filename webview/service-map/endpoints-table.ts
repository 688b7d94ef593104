/** The endpoints under the service map: count, errors, percentiles and critical-path share. */
import { formatDuration, formatCount } from '../../src/common/format';
import type { ServiceMapView } from '../../src/protocol/service-map';
import { element } from '../dom';

const MAX_ROWS = 100;

export function renderEndpoints(parent: HTMLElement, view: ServiceMapView): void {
  const head = element('tr', {}, ...['Service', 'Endpoint', 'Count', 'Errors', 'p50', 'p95', 'p99', 'On critical path'].map((h) => element('th', { scope: 'col' }, h)));
  const rows = view.endpoints.slice(0, MAX_ROWS).map((e) => element('tr', { 'data-endpoint': `${e.service} ${e.operation}` },
    element('td', {}, e.service), element('td', {}, e.operation), element('td', { class: 'num' }, formatCount(e.count)),
    element('td', { class: 'num' }, `${(e.errorRate * 100).toFixed(e.errorRate > 0 && e.errorRate < 0.01 ? 1 : 0)} %`),
    element('td', { class: 'num' }, formatDuration(e.p50Us)), element('td', { class: 'num' }, formatDuration(e.p95Us)), element('td', { class: 'num' }, formatDuration(e.p99Us)),
    element('td', { class: 'num' }, `${Math.round(e.criticalShare * 100)} %`)));
  parent.replaceChildren(element('h2', {}, 'Endpoints'), element('table', {}, element('thead', {}, head), element('tbody', {}, ...rows)));
}
