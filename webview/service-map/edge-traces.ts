/**
 * The side panel of the selected edge: what it carries and its slowest calls,
 * each of which opens its trace. Updated in place — the same `<li>` for the
 * same trace, text changed only when it differs — so that a click on a call
 * is not lost to the once-a-second update.
 */
import { formatDuration, plural } from '../../src/common/format';
import type { ServiceMapEdge } from '../../src/protocol/service-map';
import { element } from '../dom';
import { edgeKey } from './map-layout';

const NONE_SELECTED = 'Select an edge to list its slowest calls.';

export class EdgeTraces {
  readonly section = element('section', { id: 'edge-traces', 'aria-label': 'Slowest calls of the selected edge' });
  private readonly heading = element('h2');
  private readonly summary = element('p');
  private readonly list = element('ul', { class: 'trace-list' });
  private readonly none = element('p', { class: 'empty' }, 'No calls kept for this edge.');
  private readonly items = new Map<string, HTMLLIElement>();
  private shown: string | undefined;

  constructor(open: (traceId: string) => void) {
    this.section.append(element('p', { class: 'empty' }, NONE_SELECTED));
    this.section.addEventListener('click', (event) => {
      const item = (event.target as Element).closest<HTMLElement>('li[data-trace-id]');
      if (item) open(item.dataset.traceId!);
    });
    this.section.addEventListener('keydown', (event) => {
      const item = (event.target as Element).closest<HTMLElement>('li[data-trace-id]');
      if (!item || (event.key !== 'Enter' && event.key !== ' ')) return;
      event.preventDefault();
      open(item.dataset.traceId!);
    });
  }

  /** Shows this edge (or the hint to select one when there is none). */
  show(edge: ServiceMapEdge | undefined): void {
    if (!edge) {
      if (this.shown !== undefined) this.section.replaceChildren(element('p', { class: 'empty' }, NONE_SELECTED));
      this.shown = undefined;
      this.items.clear();
      return;
    }
    const key = edgeKey(edge);
    if (this.shown !== key) {
      this.shown = key;
      this.items.clear();
      this.list.replaceChildren();
      this.section.replaceChildren(this.heading, this.summary, this.list, this.none);
    }
    setText(this.heading, `${edge.from} → ${edge.to}`);
    setText(this.summary, `${plural(edge.calls, 'call')}, ${plural(edge.errors, 'error')}, p50 ${formatDuration(edge.p50Us)}, p95 ${formatDuration(edge.p95Us)}, ${edge.mode === 'sync' ? 'the caller waits' : 'through a queue'}`);
    this.none.hidden = edge.slowest.length > 0;
    const wanted = new Set(edge.slowest.map((e) => e.traceId));
    for (const [traceId, item] of this.items) {
      if (wanted.has(traceId)) continue;
      item.remove();
      this.items.delete(traceId);
    }
    edge.slowest.forEach((example, i) => {
      let item = this.items.get(example.traceId);
      if (!item) {
        item = element('li', { 'data-trace-id': example.traceId, tabindex: '0', role: 'button', title: `Open trace ${example.traceId}` },
          element('span', { class: 'name' }), element('span', { class: 'duration' }));
        this.items.set(example.traceId, item);
      }
      setText(item.children[0]!, example.rootName);
      setText(item.children[1]!, formatDuration(example.durationUs));
      if (example.failed) item.dataset.failed = 'true';
      else delete item.dataset.failed;
      // Moved only when out of place: an item that stays where it is keeps the pointer's click.
      if (this.list.children[i] !== item) this.list.insertBefore(item, this.list.children[i] ?? null);
    });
  }
}

function setText(node: Element, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}
