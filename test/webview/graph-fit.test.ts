/**
 * The call graph fits readably: a small trace fills the panel with labels a
 * person can read, and fits again when the panel narrows until the user pans
 * or zooms; zoom steps keep the selected node in view; a trace too big to read
 * whole shows its blocking chain at a readable size with an overview of the
 * rest; the toolbar's title is cut in the middle, never lost.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { failedPayment } from '../support/shop-drawings';
import { spanOf, syntheticView, traceView, withNodes } from '../support/webview-fixtures';
import { launchChromium, withHarness } from '../support/webview-harness';
import { focusGraph, node, viewport } from '../support/webview-queries';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

/** An order whose payment failed: six spans, six nodes in three services. */
const failing = failedPayment;
const failingView = traceView(failing.spans);
const root = spanOf(failing, 'gateway', 'POST /orders');
const charge = spanOf(failing, 'payments', 'POST /charge');

/** Smaller than this on screen, a label cannot be read (the bar). */
const READABLE_PX = 10;

interface Drawn {
  spanId: string;
  /** The label's rendered height (its box) and font size (CSS size × the graph's scale), px. */
  textHeight: number;
  fontPx: number;
  /** The node's box lies wholly inside the graph's viewport. */
  inside: boolean;
  /** Some of it is in the viewport. */
  seen: boolean;
  highlighted: boolean;
}

/** Every drawn span node, measured on screen against the graph's <svg>. */
const drawnNodes = (page: Page): Promise<Drawn[]> =>
  page.$$eval('#graph g.node[data-span-id]', (nodes) => {
    const view = document.querySelector('#graph svg.graph')!.getBoundingClientRect();
    return nodes.map((g) => {
      const box = g.querySelector('.node-box')!.getBoundingClientRect();
      const label = (g.querySelector('.node-name') ?? g.querySelector('.node-meta')) as SVGTextElement;
      const scale = (label.getScreenCTM()?.a ?? 0);
      return {
        spanId: g.getAttribute('data-span-id')!,
        textHeight: label.getBoundingClientRect().height,
        fontPx: parseFloat(getComputedStyle(label).fontSize) * scale,
        inside: box.left >= view.left - 0.5 && box.top >= view.top - 0.5 && box.right <= view.right + 0.5 && box.bottom <= view.bottom + 0.5,
        seen: box.right > view.left && box.left < view.right && box.bottom > view.top && box.top < view.bottom,
        highlighted: g.getAttribute('data-highlighted') === 'true',
      };
    });
  });

/** The overview in the graph's corner: whether it shows, and its viewport frame against the map. */
const overview = (page: Page) =>
  page.evaluate(() => {
    const box = document.querySelector<HTMLElement>('#graph .overview');
    if (!box || box.hidden || box.getBoundingClientRect().width === 0) return undefined;
    const map = box.querySelector('svg')!.getBoundingClientRect();
    const frame = box.querySelector('[data-overview-viewport]')!.getBoundingClientRect();
    return { map: { x: map.x, y: map.y, width: map.width, height: map.height }, frame: { width: frame.width, height: frame.height } };
  });

const readable = (nodes: Drawn[]) => nodes.every((n) => n.textHeight >= READABLE_PX && n.fontPx >= READABLE_PX - 0.01);
const describeNodes = (nodes: Drawn[]) => nodes.map((n) => `${n.spanId.slice(-2)}: ${n.fontPx.toFixed(1)} px${n.inside ? '' : n.seen ? ' (cut)' : ' (out of view)'}`).join(', ');

/** Waits until the graph's transform stops changing after `change` (a resize reaches the page a frame later). */
async function settledViewport(page: Page, before: string): Promise<void> {
  await page.waitForFunction((b) => document.querySelector('#graph svg.graph g.content')?.getAttribute('transform') !== b, before, { timeout: 5000 });
}

const transformOf = (page: Page) => page.getAttribute('#graph svg.graph g.content', 'transform').then((t) => t ?? '');

describe('fitting a small trace', () => {
  it('draws the six nodes of a failed order whole, with labels of at least 10 px, in a 1,600 × 900 panel', async () => {
    await withHarness(browser, { name: 'fit-six-wide', viewport: { width: 1600, height: 900 } }, async (h) => {
      await h.showTrace(failingView);
      const nodes = await drawnNodes(h.page);
      assert.equal(nodes.length, 6);
      assert.ok(readable(nodes), `labels: ${describeNodes(nodes)}`);
      assert.ok(nodes.every((n) => n.inside), `every node in view: ${describeNodes(nodes)}`);
      assert.equal(await overview(h.page), undefined, 'no overview when the whole graph is in view');
    });
  });

  // 1,250 px: the panel of a 1,600 px window with its side bar open; 820 px: a split.
  for (const narrow of [{ width: 1250, height: 800 }, { width: 820, height: 700 }]) {
    it(`refits when the panel narrows to ${narrow.width} px: readable, the root in view, the rest one drag away on the overview`, async () => {
      await withHarness(browser, { name: `fit-six-narrow-${narrow.width}`, viewport: { width: 1600, height: 900 } }, async (h) => {
        await h.showTrace(failingView);
        const wide = await transformOf(h.page);
        await h.page.setViewportSize(narrow);
        await settledViewport(h.page, wide);
        const nodes = await drawnNodes(h.page);
        const graph = (await h.page.locator('#graph svg.graph').boundingBox())!;
        assert.ok(graph.width >= 300 && graph.height >= 150, `the graph keeps room in a narrow panel: ${graph.width} × ${graph.height}`);
        assert.ok(readable(nodes.filter((n) => n.seen)), `labels: ${describeNodes(nodes)}`);
        assert.ok(nodes.find((n) => n.spanId === root)!.inside, `the root is in view: ${describeNodes(nodes)}`);
        assert.ok(nodes.filter((n) => n.inside).length >= 2, `more than the root shows: ${describeNodes(nodes)}`);
        if (nodes.every((n) => n.inside)) assert.equal(await overview(h.page), undefined);
        else {
          const map = await overview(h.page);
          assert.ok(map, 'an overview shows what is out of view');
          assert.ok(map.frame.width < map.map.width, 'its frame is the part in view');
        }
      });
    });
  }

  it('refits after a resize while the user has not zoomed, and keeps the user’s zoom once they have', async () => {
    await withHarness(browser, { name: 'fit-until-zoomed', viewport: { width: 1600, height: 900 } }, async (h) => {
      await h.showTrace(failingView);
      const wide = await transformOf(h.page);
      // Still wide enough for all of it to be readable.
      await h.page.setViewportSize({ width: 1450, height: 850 });
      await settledViewport(h.page, wide);
      const narrower = await transformOf(h.page);
      assert.ok((await drawnNodes(h.page)).every((n) => n.inside), 'fitted again, whole');

      assert.ok(await focusGraph(h.page));
      await h.page.keyboard.press('+');
      const zoomed = await viewport(h.page);
      assert.notEqual(await transformOf(h.page), narrower);
      await h.page.setViewportSize({ width: 1600, height: 900 });
      await h.page.waitForTimeout(300);
      const after = await viewport(h.page);
      assert.deepEqual([after.k, after.x, after.y].map((n) => n.toFixed(2)), [zoomed.k, zoomed.x, zoomed.y].map((n) => n.toFixed(2)), 'the user’s zoom and pan stay');

      // Fit (0) hands the view back to the panel's size.
      await h.page.keyboard.press('0');
      const fitted = await transformOf(h.page);
      await h.page.setViewportSize({ width: 1400, height: 800 });
      await settledViewport(h.page, fitted);
      assert.ok((await drawnNodes(h.page)).every((n) => n.inside), 'fitted again after 0');
    });
  });
});

describe('zooming with a selection', () => {
  it('keeps the selected node in view through + and - steps, from the buttons and the keys', async () => {
    await withHarness(browser, { name: 'zoom-keeps-selection', viewport: { width: 1600, height: 900 } }, async (h) => {
      await h.showTrace(failingView);
      // The last call, at the graph's far end: zooming around the centre would push it out.
      await h.page.click(node(charge));
      await h.page.waitForSelector(`${node(charge)}[aria-selected="true"]`);
      const inView = async (step: string) => {
        const drawn = (await drawnNodes(h.page)).find((n) => n.spanId === charge)!;
        assert.ok(drawn.inside, `the selected node is in view after ${step}`);
      };
      for (let i = 0; i < 4; i++) {
        await h.page.click('[data-action="zoom-in"]');
        await inView(`zoom-in button ${i + 1}`);
      }
      assert.ok((await viewport(h.page)).k > 2, 'zoomed in well past the fit');
      assert.ok(await focusGraph(h.page));
      await h.page.keyboard.press('-');
      await inView('-');
      await h.page.keyboard.press('+');
      await h.page.keyboard.press('+');
      await inView('+ +');
    });
  });
});

describe('fitting a trace too big to read whole', () => {
  it('shows the blocking chain of a 5,000-span trace at a readable size, with an overview of the whole graph', async () => {
    const view = syntheticView(5000);
    await withHarness(browser, { name: 'fit-5000', viewport: { width: 1600, height: 900 } }, async (h) => {
      await h.showTrace(view);
      const nodes = await drawnNodes(h.page);
      const seen = nodes.filter((n) => n.seen);
      const chain = nodes.filter((n) => n.highlighted && n.inside);
      assert.ok(chain.length >= 2, `blocking-chain nodes in view: ${chain.length} of ${nodes.filter((n) => n.highlighted).length}`);
      assert.ok(readable(seen), `every label in view is readable: ${describeNodes(seen.filter((n) => n.fontPx < READABLE_PX))}`);
      const marked = await h.page.locator('#graph .overview [data-highlighted="true"]').count();
      assert.equal(marked, nodes.filter((n) => n.highlighted).length, 'the overview marks where the whole chain runs');

      const map = await overview(h.page);
      assert.ok(map, 'the overview shows');
      assert.ok(map.frame.width < map.map.width || map.frame.height < map.map.height, 'its frame is the part in view');
      // A click on the map's far corner moves the view there.
      const before = await transformOf(h.page);
      await h.page.mouse.click(map.map.x + map.map.width - 4, map.map.y + map.map.height - 4);
      assert.notEqual(await transformOf(h.page), before, 'clicking the overview pans the graph');
      assert.ok((await drawnNodes(h.page)).filter((n) => n.highlighted && n.inside).length < chain.length, 'the view moved away from the chain');
    });
  });
});

describe('the toolbar title', () => {
  const long = 'POST /api/v2/customers/{customerId}/orders/{orderId}/items/{itemId}/reservations';
  const longView = withNodes(failingView, { [root]: { label: long } });

  it('shows a short title whole', async () => {
    await withHarness(browser, { name: 'title-whole', viewport: { width: 1600, height: 900 } }, async (h) => {
      await h.showTrace(failingView);
      const title = h.page.locator('#trace-title');
      assert.equal(await title.textContent(), 'gateway: POST /orders');
      assert.equal(await title.getAttribute('title'), 'gateway: POST /orders');
      assert.ok(await title.evaluate((el) => el.scrollWidth <= el.clientWidth && [...el.children].every((c) => c.scrollWidth <= c.clientWidth + 0.5)), 'nothing is cut');
    });
  });

  it('cuts a title that does not fit in the middle, keeping its end, with all of it in the tooltip', async () => {
    await withHarness(browser, { name: 'title-middle', viewport: { width: 560, height: 700 } }, async (h) => {
      await h.showTrace(longView);
      const title = h.page.locator('#trace-title');
      const full = `gateway: ${long}`;
      assert.equal(await title.getAttribute('title'), full);
      assert.equal(await title.textContent(), full, 'the text (what a screen reader reads) is the whole title');
      const shown = await title.evaluate((el) => {
        const [head, tail] = [...el.children] as HTMLElement[];
        const box = el.getBoundingClientRect();
        const end = tail!.getBoundingClientRect();
        return { headCut: head!.scrollWidth > head!.clientWidth, tail: tail!.textContent, tailShown: end.left >= box.left && end.right <= box.right + 0.5 && end.width > 0, headShown: head!.clientWidth };
      });
      assert.ok(shown.headCut, 'the start is cut');
      assert.ok(shown.headShown > 40, `the start still shows: ${shown.headShown} px`);
      assert.ok(full.endsWith(shown.tail) && shown.tailShown, `the end shows: ${shown.tail}`);
    });
  });
});
