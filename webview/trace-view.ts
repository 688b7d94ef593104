/**
 * The trace view: toolbar, latency-accumulation bar, call graph with the
 * findings and details beside it, and the waterfall below. Every part reads
 * the one Store; host messages go into it and selections go back out.
 */
import type { Host } from './host';
import { mountGraph } from './graph/graph-view';
import { mountAccumulationBar } from './panels/accumulation-bar';
import { mountDetails } from './panels/details';
import { mountFindings } from './panels/findings-list';
import { mountWaterfall } from './panels/waterfall';
import { Store } from './store';
import { readView, sourceLinks } from './trace-document';
import { mountToolbar } from './toolbar';
import { element } from './dom';

export function mountTraceView(body: HTMLElement, host: Host): void {
  const store = new Store();
  const toolbar = element('header', { id: 'toolbar', role: 'toolbar', 'aria-label': 'Trace' });
  const notice = element('div', { id: 'notice', role: 'status', hidden: '' });
  const bar = element('section', { id: 'accumulation', 'aria-label': 'Latency accumulation along the blocking chain' });
  const graph = element('section', { id: 'graph', 'aria-label': 'Call graph' });
  const findings = element('section', { id: 'findings', 'aria-label': 'Findings' });
  const details = element('section', { id: 'details', 'aria-label': 'Span details' });
  const side = element('aside', { id: 'side' }, findings, details);
  const middle = element('div', { id: 'middle' }, graph, side);
  const waterfall = element('section', { id: 'waterfall', 'aria-label': 'Waterfall timeline' });
  body.append(toolbar, notice, bar, middle, waterfall);

  const graphView = mountGraph(graph, store, host);
  mountToolbar(toolbar, store, graphView);
  mountAccumulationBar(bar, store);
  mountFindings(findings, store);
  mountDetails(details, store, host);
  mountWaterfall(waterfall, store);

  store.goToCode = (spanId) => {
    const place = store.sources.get(spanId)?.place;
    if (place !== undefined) host.post({ type: 'openSource', spanId, place });
  };
  const saved = host.state();
  store.on((aspect) => {
    if (aspect === 'selection') {
      host.saveState({ selected: store.selected });
      if (store.selectionOrigin !== 'host') {
        const place = store.selected === null ? undefined : store.sources.get(store.selected)?.place;
        host.post(place === undefined ? { type: 'select', spanId: store.selected } : { type: 'select', spanId: store.selected, place });
      }
    }
  });
  host.onMessage((message) => {
    switch (message.type) {
      case 'trace': {
        performance.mark('hopscope:trace-received');
        try {
          const first = store.view === undefined;
          const view = readView(message.document);
          notice.hidden = true;
          host.saveState({ kind: 'trace', traceId: view.traceId });
          store.setView(view, sourceLinks(view, message.places));
          if (first && saved?.traceId === view.traceId && saved.selected) store.select(saved.selected, 'host');
        } catch (error) {
          // A panel never stays blank: it says why it could not draw, and the host's log has it too.
          const why = error instanceof Error ? error.message : String(error);
          notice.textContent = `This trace could not be drawn: ${why}`;
          notice.hidden = false;
          host.post({ type: 'log', level: 'error', message: `could not draw the trace: ${why}` });
        }
        break;
      }
      case 'traceMissing':
        notice.textContent = message.message;
        notice.hidden = false;
        break;
      case 'select':
        store.select(message.spanId, 'host');
        break;
      case 'serviceMap':
        break;
    }
  });
}
