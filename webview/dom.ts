/**
 * DOM construction without `innerHTML`: span data is untrusted, so text only
 * ever goes in through `textContent` and SVG text nodes.
 */
const SVG_NS = 'http://www.w3.org/2000/svg';

/** An HTML element with attributes and children (strings become text nodes). */
export function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  el.append(...children);
  return el;
}

/** An SVG element with attributes and children (strings become text nodes). */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number> = {}, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, String(value));
  el.append(...children);
  return el;
}

/** A codicon (`<span class="codicon codicon-NAME">`), hidden from screen readers. */
export function codicon(name: string): HTMLSpanElement {
  return element('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
}

/** Arrow heads of a fixed size (not scaled by the stroke): plain, on the highlighted chain, on a failure. */
export function arrowMarkers(): SVGMarkerElement[] {
  return ['arrow', 'arrow-hot', 'arrow-failure'].map((id) =>
    svg('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0L10,5L0,10z', class: `arrow-head ${id}` })));
}
