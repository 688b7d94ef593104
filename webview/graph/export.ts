/**
 * The graph as a standalone SVG file (styles resolved to the current theme's
 * colours, whole graph, no pan or zoom) and as a PNG drawn from that SVG.
 */
import type { Layout } from './elk-graph';

/** Properties worth carrying into the file; the rest is the browser's default. */
const STYLE_PROPERTIES = ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'opacity', 'font-family', 'font-size', 'font-weight'] as const;

export function exportSvg(canvas: SVGSVGElement, layout: Layout | undefined): string {
  const width = Math.ceil(layout?.width ?? 100);
  const height = Math.ceil(layout?.height ?? 100);
  const copy = canvas.cloneNode(true) as SVGSVGElement;
  // Inline the computed styles, element by element in step with the original.
  const from = [canvas, ...canvas.querySelectorAll('*')];
  const to = [copy, ...copy.querySelectorAll('*')];
  from.forEach((el, i) => {
    const style = getComputedStyle(el);
    const target = to[i] as SVGElement;
    // Through the CSSOM: the page's CSP refuses style attributes set as text.
    for (const property of STYLE_PROPERTIES) target.style.setProperty(property, style.getPropertyValue(property));
  });
  copy.querySelector('g.content')?.removeAttribute('transform');
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  copy.setAttribute('viewBox', `0 0 ${width} ${height}`);
  copy.removeAttribute('tabindex');
  copy.removeAttribute('class');
  const background = getComputedStyle(document.body).backgroundColor;
  copy.style.background = background;
  return new XMLSerializer().serializeToString(copy);
}

export async function exportPng(canvas: SVGSVGElement, layout: Layout | undefined, scale = 2): Promise<string> {
  const text = exportSvg(canvas, layout);
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const out = document.createElement('canvas');
    out.width = Math.max(1, Math.round(image.width * scale));
    out.height = Math.max(1, Math.round(image.height * scale));
    const context = out.getContext('2d')!;
    context.fillStyle = getComputedStyle(document.body).backgroundColor;
    context.fillRect(0, 0, out.width, out.height);
    context.scale(scale, scale);
    context.drawImage(image, 0, 0);
    return out.toDataURL('image/png');
  } finally {
    URL.revokeObjectURL(url);
  }
}
