/**
 * Pan and zoom of an SVG's content group: wheel zooms around the pointer,
 * dragging the background pans, and fit/zoom steps for buttons and keys.
 * The transform is plain data, so a re-render keeps it.
 */
export interface Transform {
  x: number;
  y: number;
  k: number;
}

const MIN_SCALE = 0.05;
const MAX_SCALE = 4;
/** Below this, labels cannot be read: fitting stops here. */
const MIN_FIT_SCALE = 0.4;

export class PanZoom {
  transform: Transform = { x: 0, y: 0, k: 1 };
  private content = { width: 0, height: 0 };
  private onChange: (t: Transform) => void = () => {};
  /** True while the view is as `fit` left it: a resize then fits again. */
  private fitted = false;

  constructor(private readonly svg: SVGSVGElement, private readonly group: SVGGElement) {
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
    new ResizeObserver(() => {
      if (this.fitted) this.fit();
    }).observe(svg);
  }

  /** Whether the view is still as `fit` left it (the user has not panned or zoomed since). */
  get isFitted(): boolean {
    return this.fitted;
  }

  listen(onChange: (t: Transform) => void): void {
    this.onChange = onChange;
  }

  setContent(width: number, height: number): void {
    this.content = { width, height };
  }

  set(t: Transform): void {
    this.fitted = false;
    this.transform = { x: t.x, y: t.y, k: Math.min(MAX_SCALE, Math.max(MIN_SCALE, t.k)) };
    this.group.setAttribute('transform', `translate(${this.transform.x.toFixed(1)},${this.transform.y.toFixed(1)}) scale(${this.transform.k.toFixed(4)})`);
    this.onChange(this.transform);
  }

  /** Zooms by `factor` keeping the point (px, py) of the viewport still. */
  zoomAt(factor: number, px: number, py: number): void {
    const { x, y, k } = this.transform;
    const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, k * factor));
    this.set({ k: next, x: px - ((px - x) * next) / k, y: py - ((py - y) * next) / k });
  }

  zoomBy(factor: number): void {
    const rect = this.svg.getBoundingClientRect();
    this.zoomAt(factor, rect.width / 2, rect.height / 2);
  }

  /**
   * The whole graph in view, never enlarged past 100 %; a graph that would
   * shrink below a readable scale is shown from its top left (the root) instead.
   */
  fit(): void {
    const rect = this.svg.getBoundingClientRect();
    const { width, height } = this.content;
    if (!width || !height || !rect.width || !rect.height) return this.set({ x: 0, y: 0, k: 1 });
    const k = Math.min(1, (rect.width - 24) / width, (rect.height - 24) / height);
    if (k < MIN_FIT_SCALE) this.set({ k: MIN_FIT_SCALE, x: 12, y: 12 });
    else this.set({ k, x: (rect.width - width * k) / 2, y: Math.max(12, (rect.height - height * k) / 2) });
    this.fitted = true;
  }

  /** Pans (keeping the zoom) so that the box is in view, if it is not already. */
  reveal(box: { x: number; y: number; width: number; height: number }): void {
    const rect = this.svg.getBoundingClientRect();
    const { x, y, k } = this.transform;
    const left = box.x * k + x;
    const top = box.y * k + y;
    const inside = left >= 0 && top >= 0 && left + box.width * k <= rect.width && top + box.height * k <= rect.height;
    if (inside) return;
    this.set({ k, x: rect.width / 2 - (box.x + box.width / 2) * k, y: rect.height / 2 - (box.y + box.height / 2) * k });
  }
}
