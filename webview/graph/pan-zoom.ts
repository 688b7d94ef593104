/**
 * Pan and zoom of an SVG's content group: wheel zooms around the pointer,
 * dragging the background pans, and fit/zoom steps for buttons and keys.
 * The transform is plain data, so a re-render keeps it. Until the user pans
 * or zooms, the view is "fitted": every resize (and every `fit`) places the
 * content again as `fit.ts` decides.
 */
import { fitTransform, type FitOptions, type Rect } from './fit';

export interface Transform {
  x: number;
  y: number;
  k: number;
}

const MIN_SCALE = 0.05;
const MAX_SCALE = 4;

export interface PanZoomOptions {
  /** The smallest scale a fit uses (default 0.4). */
  readableScale?: () => number;
  /** How far a fit enlarges small content (default 1: never). */
  maxFitScale?: number;
  /** What a fit shows when the whole content is not readable. */
  focus?: () => FitOptions['focus'];
}

export class PanZoom {
  transform: Transform = { x: 0, y: 0, k: 1 };
  private content = { width: 0, height: 0 };
  private readonly listeners: ((t: Transform) => void)[] = [];
  /** True while the view is as `fit` left it: a resize then fits again. */
  private fitted = false;
  /** The viewport's size as last measured: panning reads it on every move, and a measure would force a layout. */
  private size = { width: 0, height: 0 };

  constructor(private readonly svg: SVGSVGElement, private readonly group: SVGGElement, private readonly options: PanZoomOptions = {}) {
    svg.addEventListener('wheel', (event) => {
      event.preventDefault();
      const rect = svg.getBoundingClientRect();
      this.zoomAt(Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.002)), event.clientX - rect.left, event.clientY - rect.top);
    }, { passive: false });
    let drag: { x: number; y: number; tx: number; ty: number } | undefined;
    svg.addEventListener('pointerdown', (event) => {
      if (event.button !== 0 || (event.target as Element).closest('[data-span-id],[data-action],[data-edge],[data-service]')) return;
      drag = { x: event.clientX, y: event.clientY, tx: this.transform.x, ty: this.transform.y };
      svg.setPointerCapture(event.pointerId);
      svg.classList.add('panning');
    });
    svg.addEventListener('pointermove', (event) => {
      if (!drag) return;
      this.set({ ...this.transform, x: drag.tx + event.clientX - drag.x, y: drag.ty + event.clientY - drag.y });
    });
    const end = () => {
      drag = undefined;
      svg.classList.remove('panning');
    };
    svg.addEventListener('pointerup', end);
    svg.addEventListener('pointercancel', end);
    new ResizeObserver((entries) => {
      const { width, height } = entries[entries.length - 1]!.contentRect;
      this.size = { width, height };
      if (this.fitted) this.fit();
      // The same transform shows another part of the content: the listeners (the overview) follow.
      else this.notify();
    }).observe(svg);
  }

  /** Whether the view is still as `fit` left it (the user has not panned or zoomed since). */
  get isFitted(): boolean {
    return this.fitted;
  }

  /** The viewport's size, px. */
  get viewport(): { width: number; height: number } {
    return this.size.width > 0 && this.size.height > 0 ? this.size : this.measure();
  }

  get contentSize(): { width: number; height: number } {
    return this.content;
  }

  /** Called after every change of the transform, and when a resize changes what it shows. */
  listen(onChange: (t: Transform) => void): void {
    this.listeners.push(onChange);
  }

  setContent(width: number, height: number): void {
    this.content = { width, height };
  }

  /** The user's (or a restored) transform: the view stops following resizes. */
  set(t: Transform): void {
    this.fitted = false;
    this.apply(t);
  }

  /** Zooms by `factor` keeping the point (px, py) of the viewport still. */
  zoomAt(factor: number, px: number, py: number): void {
    const { x, y, k } = this.transform;
    const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, k * factor));
    this.set({ k: next, x: px - ((px - x) * next) / k, y: py - ((py - y) * next) / k });
  }

  /**
   * Zooms by `factor` around the viewport's centre, or around `keep` (the selection) when given,
   * which then stays in view.
   */
  zoomBy(factor: number, keep?: Rect): void {
    const { width, height } = this.viewport;
    if (!keep) return this.zoomAt(factor, width / 2, height / 2);
    const { x, y, k } = this.transform;
    const cx = (keep.x + keep.width / 2) * k + x;
    const cy = (keep.y + keep.height / 2) * k + y;
    const inView = cx >= 0 && cy >= 0 && cx <= width && cy <= height;
    this.zoomAt(factor, inView ? cx : width / 2, inView ? cy : height / 2);
    this.reveal(keep);
  }

  /** Places the content as `fitTransform` decides, and follows resizes until the user pans or zooms. */
  fit(): void {
    // The size the ResizeObserver saw: measuring here would force a layout of the page just drawn.
    const view = this.viewport;
    const { width, height } = this.content;
    // Hidden (or not laid out yet): fit when a size arrives.
    this.fitted = true;
    if (!width || !height || !view.width || !view.height) return;
    this.apply(fitTransform(view, this.content, {
      readableScale: this.options.readableScale?.() ?? 0.4,
      maxScale: this.options.maxFitScale ?? 1,
      focus: this.options.focus?.(),
    }));
  }

  /** Pans (keeping the zoom) so that the box is in view, if it is not already. */
  reveal(box: Rect): void {
    const { width, height } = this.viewport;
    const { x, y, k } = this.transform;
    const left = box.x * k + x;
    const top = box.y * k + y;
    const inside = left >= 0 && top >= 0 && left + box.width * k <= width && top + box.height * k <= height;
    if (inside) return;
    this.set({ k, x: width / 2 - (box.x + box.width / 2) * k, y: height / 2 - (box.y + box.height / 2) * k });
  }

  private measure(): { width: number; height: number } {
    const rect = this.svg.getBoundingClientRect();
    this.size = { width: rect.width, height: rect.height };
    return this.size;
  }

  private apply(t: Transform): void {
    this.transform = { x: t.x, y: t.y, k: Math.min(MAX_SCALE, Math.max(MIN_SCALE, t.k)) };
    this.group.setAttribute('transform', `translate(${this.transform.x.toFixed(1)},${this.transform.y.toFixed(1)}) scale(${this.transform.k.toFixed(4)})`);
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener(this.transform);
  }
}
