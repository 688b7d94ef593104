/**
 * Where a fit puts the graph: pure arithmetic on the viewport, the laid-out
 * content and, for a graph too big to read whole, the part that matters.
 *
 *   whole graph readable? ── yes ─► the whole graph, centred, enlarged up to `maxScale`
 *          │ no
 *   focus chain readable? ── yes ─► the chain (the blocking chain's nodes), centred, at most 100 %
 *          │ no
 *   a run of its nodes?   ── yes ─► the longest run of consecutive nodes that fits, centred, readable
 *          │ no: one at a time
 *          └─────────────────────► the start (the root) at the left edge, its row in the middle
 *
 * "Readable" is the scale at which the node labels render at `MIN_READABLE_TEXT_PX`
 * (the caller derives it from the labels' font size).
 */
import type { Transform } from './pan-zoom';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Node labels smaller than this on screen cannot be read. */
export const MIN_READABLE_TEXT_PX = 10;
/** Room kept free around a fitted graph, px. */
export const FIT_MARGIN = 12;

export interface FitOptions {
  /** The smallest scale at which the content can be read. */
  readableScale: number;
  /** How far a small graph is enlarged to fill the viewport. */
  maxScale: number;
  /** What to show when the whole content is not readable: boxes from where it starts (the root) on. */
  focus?: readonly Rect[] | undefined;
}

/** The transform that fits `content` (0,0 to width,height) into a viewport of `view` px. */
export function fitTransform(view: { width: number; height: number }, content: { width: number; height: number }, options: FitOptions): Transform {
  const room = { width: Math.max(1, view.width - 2 * FIT_MARGIN), height: Math.max(1, view.height - 2 * FIT_MARGIN) };
  const scaleFor = (box: { width: number; height: number }) => Math.min(room.width / Math.max(1, box.width), room.height / Math.max(1, box.height));
  const whole = scaleFor(content);
  if (whole >= options.readableScale) return centred(view, { x: 0, y: 0, ...content }, Math.min(whole, Math.max(options.maxScale, options.readableScale)));
  const focus = options.focus;
  if (!focus || focus.length === 0) {
    // Nothing to prefer: the top left corner (where a left-to-right graph starts), readable.
    return { k: options.readableScale, x: FIT_MARGIN, y: FIT_MARGIN };
  }
  const r = options.readableScale;
  const all = boundsOf(focus)!;
  const k = scaleFor(all);
  // A part of a bigger graph is not enlarged past 100 %: the context around it matters more.
  if (k >= r) return filled(view, content, centred(view, all, Math.min(k, Math.max(1, r))));
  // The longest run of consecutive chain nodes that is readable at once (the earliest of equals).
  let shown: Rect | undefined;
  let longest = 1;
  for (let i = 0; i + longest < focus.length; i++) {
    let box = focus[i]!;
    let n = 1;
    for (let j = i + 1; j < focus.length; j++) {
      const wider = boundsOf([box, focus[j]!])!;
      if (scaleFor(wider) < r) break;
      box = wider;
      n++;
    }
    if (n > longest) [longest, shown] = [n, box];
  }
  if (shown) return filled(view, content, centred(view, shown, r));
  const start = focus[0]!;
  return filled(view, content, { k: r, x: FIT_MARGIN - start.x * r, y: view.height / 2 - (start.y + start.height / 2) * r });
}

/**
 * Moved so that no margin wider than FIT_MARGIN is empty while content lies beyond the opposite edge
 * (a part centred at the graph's edge would waste the view on nothing). What was centred stays in view.
 */
function filled(view: { width: number; height: number }, content: { width: number; height: number }, t: Transform): Transform {
  const clamp = (at: number, size: number, room: number) => (size * t.k + 2 * FIT_MARGIN <= room ? at : Math.min(FIT_MARGIN, Math.max(room - FIT_MARGIN - size * t.k, at)));
  return { k: t.k, x: clamp(t.x, content.width, view.width), y: clamp(t.y, content.height, view.height) };
}

function centred(view: { width: number; height: number }, box: Rect, k: number): Transform {
  return { k, x: view.width / 2 - (box.x + box.width / 2) * k, y: view.height / 2 - (box.y + box.height / 2) * k };
}

/** The box around these boxes, or undefined for none. */
export function boundsOf(boxes: Iterable<Rect>): Rect | undefined {
  let [left, top, right, bottom] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const b of boxes) {
    left = Math.min(left, b.x);
    top = Math.min(top, b.y);
    right = Math.max(right, b.x + b.width);
    bottom = Math.max(bottom, b.y + b.height);
  }
  return left === Infinity ? undefined : { x: left, y: top, width: right - left, height: bottom - top };
}
