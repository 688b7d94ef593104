/**
 * Reading the webview through its `data-*` hooks (docs/visualizer.md), and
 * the few gestures a test needs that Playwright has no one-liner for.
 */
import type { Page } from 'playwright-core';

/** The value of `name` on every element matching `selector`, in document order. */
export const attrs = (page: Page, selector: string, name: string): Promise<(string | null)[]> =>
  page.$$eval(selector, (els, n) => els.map((el) => el.getAttribute(n)), name);

/** The graph node showing this span. */
export const node = (spanId: string): string => `#graph [data-span-id="${spanId}"]`;
export const row = (spanId: string): string => `#waterfall [data-span-id="${spanId}"]`;

/** Span ids of the graph nodes (or waterfall rows) that have `name="value"`. */
export const idsWhere = (page: Page, scope: '#graph' | '#waterfall', name: string, value: string): Promise<string[]> =>
  page.$$eval(`${scope} [data-span-id][${name}="${value}"]`, (els) => els.map((el) => el.getAttribute('data-span-id')!).sort());

/**
 * The pan/zoom of the graph: the screen matrix of the <svg>'s top-level group
 * that holds the nodes (it includes the viewBox, so it does not matter which of
 * the two the view changes). `k` is the scale, `x`/`y` the translation.
 */
export const viewport = (page: Page): Promise<{ k: number; x: number; y: number; viewBox: string | null; transform: string | null }> =>
  page.evaluate(() => {
    const first = document.querySelector('#graph [data-span-id]');
    const svg = first?.closest('svg');
    if (!first || !svg) throw new Error('no graph node in an <svg>');
    let group: Element = first;
    while (group.parentNode && group.parentNode !== svg) group = group.parentNode as Element;
    const m = (group as SVGGraphicsElement).getScreenCTM()!;
    return { k: m.a, x: m.e, y: m.f, viewBox: svg.getAttribute('viewBox'), transform: group.getAttribute('transform') };
  });

/** The screen point halfway along an edge's drawn path (a click there hits the line itself). */
export const edgeMidpoint = (page: Page, selector: string): Promise<{ x: number; y: number }> =>
  page.$eval(selector, (edge) => {
    const path = edge.matches('path, line, polyline') ? edge : edge.querySelector('path, polyline, line');
    if (!path) throw new Error('the edge has no path');
    const geometry = path as SVGGeometryElement;
    const p = geometry.getPointAtLength(geometry.getTotalLength() / 2);
    const m = geometry.getScreenCTM()!;
    return { x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f };
  });

/** A point of the graph's background (no node, edge or control under it), to start a pan from. */
export const graphBackground = (page: Page): Promise<{ x: number; y: number }> =>
  page.evaluate(() => {
    const svg = document.querySelector('#graph svg.graph');
    if (!svg) throw new Error('no <svg> in #graph');
    const r = svg.getBoundingClientRect();
    for (let fy = 0.05; fy < 1; fy += 0.05) {
      for (let fx = 0.05; fx < 1; fx += 0.05) {
        const x = r.left + r.width * fx;
        const y = r.top + r.height * fy;
        const hit = document.elementFromPoint(x, y);
        if (hit && svg.contains(hit) && !hit.closest('[data-span-id],[data-edge],[data-action],button,a')) return { x, y };
      }
    }
    throw new Error('no free background in the graph');
  });

/** Focuses the graph the way a keyboard user gets there (its focusable element); false if it has none. */
export const focusGraph = (page: Page): Promise<boolean> =>
  page.evaluate(() => {
    const graph = document.querySelector<HTMLElement>('#graph');
    const target = [graph, ...(graph?.querySelectorAll<HTMLElement>('svg, [tabindex]') ?? [])].find((el) => el && el.tabIndex >= 0);
    target?.focus();
    return !!graph && !!document.activeElement && graph.contains(document.activeElement);
  });
