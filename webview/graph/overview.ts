/**
 * The overview of a graph bigger than the view: a small map in the graph's
 * corner with one rect per service box and node (the drawn graph is at most
 * `NODE_BUDGET` nodes, so this costs no DOM per span) and the viewport as a
 * frame. Clicking or dragging on it moves the view there; with focus, arrow
 * keys pan. Hidden while the whole graph is in view.
 */
import { element, svg } from '../dom';
import type { Layout } from './elk-graph';
import type { PanZoom } from './pan-zoom';

/** The map's largest size, px, and as a share of the graph's viewport (it covers a corner of it). */
const MAX_WIDTH = 200;
const MAX_HEIGHT = 130;
const MAX_SHARE = 0.25;
/** The thinnest a side of the map gets, px (a very wide graph stays clickable). */
const MIN_SIDE = 24;

export interface Overview {
  /** Draws the map of a new layout. */
  draw(layout: Layout): void;
  /** Marks the nodes on the highlighted chain, the failed ones and the selected one. */
  decorate(hot: ReadonlySet<string>, failed: ReadonlySet<string>, selected: string | undefined): void;
}

export function mountOverview(parent: HTMLElement, panZoom: PanZoom): Overview {
  const content = svg('g', { class: 'overview-content' });
  const frame = svg('rect', { class: 'overview-viewport', 'data-overview-viewport': '' });
  const map = svg('svg', { class: 'overview-map', 'aria-hidden': 'true' }, content, frame);
  const box = element('div', {
    class: 'overview', hidden: '', tabindex: '0', role: 'group', 'aria-roledescription': 'overview',
    'aria-label': 'Overview of the whole graph: click or drag to move the view there; arrow keys pan',
  }, map);
  parent.append(box);
  let rects = new Map<string, SVGRectElement>();
  let drawnSize = '';

  const update = () => {
    const { width, height } = panZoom.contentSize;
    const view = panZoom.viewport;
    const { x, y, k } = panZoom.transform;
    // What the viewport shows, in layout coordinates.
    const seen = { x: -x / k, y: -y / k, width: view.width / k, height: view.height / k };
    const all = width > 0 && view.width > 0 && seen.x <= 1 && seen.y <= 1 && seen.x + seen.width >= width - 1 && seen.y + seen.height >= height - 1;
    box.hidden = all || width === 0;
    if (box.hidden) return;
    const scale = Math.min(Math.min(MAX_WIDTH, view.width * MAX_SHARE) / width, Math.min(MAX_HEIGHT, view.height * MAX_SHARE) / height);
    // A very wide (or tall) graph keeps a map thick enough to click: the drawing is centred in it.
    const size = `${Math.max(MIN_SIDE, width * scale).toFixed(0)}×${Math.max(MIN_SIDE, height * scale).toFixed(0)}`;
    if (size !== drawnSize) {
      drawnSize = size;
      map.setAttribute('width', size.split('×')[0]!);
      map.setAttribute('height', size.split('×')[1]!);
    }
    frame.setAttribute('x', seen.x.toFixed(1));
    frame.setAttribute('y', seen.y.toFixed(1));
    frame.setAttribute('width', seen.width.toFixed(1));
    frame.setAttribute('height', seen.height.toFixed(1));
  };
  panZoom.listen(update);

  followInput(box, content, panZoom);

  return {
    draw(layout) {
      const width = Math.max(1, layout.width);
      const height = Math.max(1, layout.height);
      map.setAttribute('viewBox', `0 0 ${width} ${height}`);
      const services = [...layout.services.values()].map((b) => svg('rect', { class: 'overview-service', x: b.x, y: b.y, width: b.width, height: b.height }));
      rects = new Map([...layout.nodes].map(([key, b]) => [key, svg('rect', { class: 'overview-node', x: b.x, y: b.y, width: b.width, height: b.height })]));
      content.replaceChildren(...services, ...rects.values());
      update();
    },
    decorate(hot, failed, selected) {
      for (const [key, rect] of rects) {
        toggle(rect, 'data-highlighted', hot.has(key));
        toggle(rect, 'data-failed', failed.has(key));
        toggle(rect, 'data-selected', key === selected);
      }
    },
  };
}

function toggle(el: Element, name: string, on: boolean): void {
  if (on) el.setAttribute(name, 'true');
  else el.removeAttribute(name);
}

/** Clicking or dragging on the map moves the view there; with focus, arrow keys pan. */
function followInput(box: HTMLElement, content: SVGGElement, panZoom: PanZoom): void {
  /** Centres the view on the map's point under the pointer. */
  const moveTo = (event: PointerEvent) => {
    const m = content.getScreenCTM();
    if (!m) return;
    const p = new DOMPoint(event.clientX, event.clientY).matrixTransform(m.inverse());
    const { k } = panZoom.transform;
    const view = panZoom.viewport;
    panZoom.set({ k, x: view.width / 2 - p.x * k, y: view.height / 2 - p.y * k });
  };
  let dragging = false;
  box.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    dragging = true;
    box.setPointerCapture(event.pointerId);
    moveTo(event);
    event.preventDefault();
  });
  box.addEventListener('pointermove', (event) => dragging && moveTo(event));
  const end = () => void (dragging = false);
  box.addEventListener('pointerup', end);
  box.addEventListener('pointercancel', end);
  box.addEventListener('keydown', (event) => {
    const steps: Record<string, [number, number]> = { ArrowLeft: [1, 0], ArrowRight: [-1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    const step = steps[event.key];
    if (!step) return;
    event.preventDefault();
    event.stopPropagation();
    const view = panZoom.viewport;
    const t = panZoom.transform;
    panZoom.set({ ...t, x: t.x + (step[0] * view.width) / 4, y: t.y + (step[1] * view.height) / 4 });
  });
}
