/**
 * Marks the graph's nodes the debugger stopped and those still running: a badge on the node's top edge
 * (a pause glyph, or "running") with its words in a tooltip, and `data-paused` / `data-running` on the node.
 *
 *   ┌──────────────[⏸]┐   payments POST /charge: paused at breakpoint · payments.ts:42 · 6.00 s
 *   │ POST /charge     │
 *   └──────────────────┘
 */
import { svg } from '../dom';
import type { Store } from '../store';
import type { Rendered } from './render-graph';
import type { GraphModel } from './trace-graph';

const BADGE_WIDTH = 26;
const BADGE_HEIGHT = 14;

export function markPausedNodes(rendered: Rendered, model: GraphModel, store: Store): void {
  const pauses = store.pauses;
  for (const node of model.nodes) {
    const g = rendered.nodes.get(node.key);
    if (!g || node.folded !== undefined) continue;
    const width = Number(g.querySelector('.node-box')?.getAttribute('width') ?? 0);
    // A group stands for its spans: it was stopped when one of them was, and says the longest one's pause.
    let stopped: { spanId: string; us: number } | undefined;
    let running = false;
    for (const spanId of node.spanIds) {
      const us = pauses?.pausedUsOf(spanId) ?? 0;
      if (us > 0 && (!stopped || us > stopped.us)) stopped = { spanId, us };
      running ||= store.nodes.get(spanId)?.running === true;
    }
    let right = width - 8;
    if (stopped) {
      const label = pauses!.label(stopped.spanId) ?? '';
      g.dataset.paused = 'true';
      g.setAttribute('aria-label', `${g.getAttribute('aria-label') ?? ''}, ${label}`);
      const x = right - BADGE_WIDTH;
      g.append(svg('g', { class: 'paused-badge', 'data-paused-us': stopped.us, 'aria-hidden': 'true' },
        svg('title', {}, label),
        svg('rect', { x, y: -BADGE_HEIGHT / 2, width: BADGE_WIDTH, height: BADGE_HEIGHT, rx: 3 }),
        svg('rect', { class: 'paused-glyph', x: x + 9, y: -4, width: 2.5, height: 8 }),
        svg('rect', { class: 'paused-glyph', x: x + 14.5, y: -4, width: 2.5, height: 8 })));
      right = x - 4;
    }
    if (running) {
      g.dataset.running = 'true';
      g.setAttribute('aria-label', `${g.getAttribute('aria-label') ?? ''}, still running`);
      const w = 52;
      g.append(svg('g', { class: 'running-badge', 'aria-hidden': 'true' },
        svg('title', {}, 'still running: its end is the time the trace was drawn'),
        svg('rect', { x: right - w, y: -BADGE_HEIGHT / 2, width: w, height: BADGE_HEIGHT, rx: 7 }),
        svg('text', { x: right - w / 2, y: 4, 'text-anchor': 'middle' }, 'running')));
    }
  }
}
