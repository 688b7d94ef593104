/**
 * Span names, labels, peers and attributes come from the network: the trace
 * view shows them as text, never as markup. And it follows the editor's theme: dark, light
 * and high contrast each colour the graph and the bar, and nothing breaks
 * when the user switches between them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { sync } from '../support/shop-drawings';
import { timeline } from '../support/timeline';
import { spanOf, traceView, withNodes, withWhatIfs } from '../support/webview-fixtures';
import { launchChromium, setTheme, withHarness, type ThemeKind } from '../support/webview-harness';
import { node, row } from '../support/webview-queries';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

describe('untrusted text in the trace view', () => {
  const IMG = '<img src=x onerror=alert(1)>';
  const SCRIPT = '<script>alert(2)</script>';
  const QUOTES = '"><svg onload=alert(3)> &amp; \'';
  const SERVICE = '<img src=y onerror=alert(4)>';
  const hostile = timeline(`
    gateway   | POST /orders | server | 0-100
      gateway | call         | client | 10-90
        payments | charge    | server | 20-80
        payments | quotes    | internal | 30-40
  `);
  hostile.spans[1]!.name = IMG;
  hostile.spans[1]!.attributes.note = SCRIPT;
  hostile.spans[2]!.service = SERVICE;
  hostile.spans[2]!.resource.attributes['service.name'] = SERVICE;
  hostile.spans[3]!.name = QUOTES;
  const [, call, charge, quotes] = hostile.spans.map((s) => s.spanId);

  it('stays text everywhere it is shown: graph, waterfall, details and export', async () => {
    await withHarness(browser, { name: 'escaping' }, async (h) => {
      await h.showTrace(traceView(hostile.spans));
      assert.ok((await h.page.textContent(node(call!)))!.includes('<img'), 'the graph node shows the markup as characters');
      assert.ok((await h.page.textContent(row(call!)))!.includes(IMG), 'the waterfall row shows the name');
      assert.ok((await h.page.textContent(row(quotes!)))!.includes(QUOTES));
      await h.page.click(node(call!));
      await h.page.waitForFunction((name) => document.querySelector('#details [data-field="name"]')?.textContent === name, IMG);
      assert.ok((await h.page.textContent('#details'))!.includes(SCRIPT), 'the attribute value is shown as written');
      await h.send({ type: 'select', spanId: quotes! });
      await h.page.waitForFunction((name) => document.querySelector('#details [data-field="name"]')?.textContent === name, QUOTES);
      await h.send({ type: 'select', spanId: charge! });
      await h.page.waitForFunction((service) => document.querySelector('#details [data-field="service"]')?.textContent?.includes(service), SERVICE);
      assert.equal(await h.page.getAttribute(node(charge!), 'data-service'), SERVICE);
      assert.equal(await h.page.locator('#graph [data-service-box]').evaluateAll((boxes, s) => boxes.filter((b) => b.getAttribute('data-service-box') === s).length, SERVICE), 1);

      await h.page.click('[data-action="export-svg"]');
      const { data } = await h.waitForPosted('export', (m) => m.format === 'svg');
      assert.ok(!data.includes('<img') && !data.includes('<script'), 'the exported SVG escapes the names');
      assert.ok(data.includes('&lt;img src=x onerror=alert(1)&gt;'));

      const injected = await h.page.evaluate(() => ({
        img: document.querySelectorAll('img').length,
        scripts: document.querySelectorAll('script').length,
        svgs: [...document.querySelectorAll('svg')].filter((s) => s.hasAttribute('onload')).length,
        handlers: [...document.querySelectorAll('*')].filter((el) => el.getAttributeNames().some((n) => n.startsWith('on'))).length,
      }));
      assert.deepEqual(injected, { img: 0, scripts: 1, svgs: 0, handlers: 0 }, 'no element came from span data');
    });
  });
});

describe('untrusted labels and peers in the trace view', () => {
  const IMG = '<img src=x onerror=alert(1)>';
  const PEER = '<b onmouseover=alert(5)>peer</b>';
  const END = '<script>alert(6)</script>';
  const HOP = '"><svg onload=alert(7)>';
  const email = spanOf(sync, 'orders', 'orders → email');
  const view = withWhatIfs(
    withNodes(traceView(sync.spans), {
      [email]: { label: IMG, peer: PEER },
      [spanOf(sync, 'email', 'POST /send')]: { label: END },
      [spanOf(sync, 'orders', 'POST /orders')]: { label: HOP },
    }),
    [{ spanId: email, change: 'async', durationUs: 179_000, savingUs: 501_000 }],
  );

  it('stays text in the graph, the waterfall, the details, the findings, the chain picker, the tooltips and the export', async () => {
    await withHarness(browser, { name: 'escaping-labels' }, async (h) => {
      await h.showTrace(view);
      const shown = (await h.page.textContent(node(email)))!;
      assert.ok(shown.includes(IMG) && shown.includes(PEER), `the node shows label and peer as characters: ${shown}`);
      assert.equal(await h.page.textContent(`${row(email)} .wf-name`), IMG);
      assert.ok((await h.page.textContent('#findings [data-what-if]'))!.includes(IMG), 'the findings name the call by its label');
      const options = await h.page.$$eval('select#chain-picker option', (els) => els.map((e) => e.textContent ?? ''));
      assert.ok(options.some((o) => o.includes(END)), `the chain picker names where a chain ends: ${JSON.stringify(options)}`);
      await h.page.hover('#accumulation [data-service="orders"][data-part="wait"]');
      await h.page.waitForFunction((hop) => document.querySelector('.hs-tooltip')?.textContent?.includes(hop), HOP, { timeout: 5000 });

      await h.page.click(node(email));
      await h.page.waitForFunction((label) => document.querySelector('#details [data-field="name"]')?.textContent === label, IMG);
      assert.equal(await h.page.textContent('#details [data-field="peer"]'), PEER);
      assert.equal(await h.page.textContent('#details [data-field="span-name"]'), 'orders → email');

      await h.page.click('[data-action="export-svg"]');
      const { data } = await h.waitForPosted('export', (m) => m.format === 'svg');
      assert.ok(!data.includes('<img') && !data.includes('<b ') && !data.includes('<svg onload'), 'the exported SVG escapes labels and peers');
      assert.ok(data.includes('&lt;img src=x onerror=alert(1)&gt;'));

      const injected = await h.page.evaluate(() => ({
        img: document.querySelectorAll('img').length,
        bold: document.querySelectorAll('b').length,
        scripts: document.querySelectorAll('script').length,
        handlers: [...document.querySelectorAll('*')].filter((el) => el.getAttributeNames().some((n) => n.startsWith('on'))).length,
      }));
      assert.deepEqual(injected, { img: 0, bold: 0, scripts: 1, handlers: 0 }, 'no element came from span data');
    });
  });
});

describe('the trace view under the editor’s themes', () => {
  const view = traceView(sync.spans);
  const send = spanOf(sync, 'email', 'POST /send');

  /** Colours of the email server node's shape and label, of a bar segment, and of the page, in this theme. */
  const colours = (page: Page) => page.evaluate((spanId) => {
    const g = document.querySelector(`#graph [data-span-id="${spanId}"]`)!;
    const shape = g.querySelector('rect, path, polygon, ellipse, circle')!;
    const label = g.querySelector('text')!;
    const part = document.querySelector('#accumulation [data-part="self"]')!;
    const style = (el: Element) => getComputedStyle(el);
    return {
      nodeFill: style(shape).fill, nodeStroke: style(shape).stroke, label: style(label).fill,
      bar: style(part).backgroundColor, page: style(document.body).color,
      background: style(document.documentElement).backgroundColor,
    };
  }, send);

  it('colours the graph and the bar from each theme, and keeps working across switches', async () => {
    await withHarness(browser, { name: 'themes' }, async (h) => {
      await h.showTrace(view);
      const seen = new Map<ThemeKind, Awaited<ReturnType<typeof colours>>>();
      for (const theme of ['dark', 'light', 'high-contrast'] as const) {
        await setTheme(h.page, theme);
        assert.equal(await h.page.getAttribute('body', 'class'), `vscode-${theme}`);
        seen.set(theme, await colours(h.page));
        assert.equal(await h.page.getAttribute('#graph', 'data-state'), 'ready');
      }
      const [dark, light, contrast] = [seen.get('dark')!, seen.get('light')!, seen.get('high-contrast')!];
      const nodeColour = (c: typeof dark) => `${c.nodeFill} / ${c.nodeStroke}`;
      assert.notEqual(nodeColour(dark), nodeColour(light), 'the node changes colour from dark to light');
      assert.notEqual(nodeColour(light), nodeColour(contrast), 'and from light to high contrast');
      assert.notEqual(dark.bar, light.bar, 'the bar changes colour from dark to light');
      assert.notEqual(light.bar, contrast.bar, 'and from light to high contrast');
      for (const [theme, c] of seen) {
        const ratio = contrastRatio(c.label, c.nodeFill, c.background);
        assert.ok(ratio >= 3, `${theme}: the node's label (${c.label}) is readable on its fill (${c.nodeFill}) over ${c.background}: contrast ${ratio.toFixed(2)}`);
      }
      // Still usable after the switches.
      await h.page.click(node(spanOf(sync, 'payments', 'POST /charge')));
      await h.waitForPosted('select');
    });
  });
});

/** WCAG contrast of `fg` over `bg`, both composited over `base` (computed colours: rgb()/rgba()/none). */
function contrastRatio(fg: string, bg: string, base: string): number {
  const parse = (c: string): [number, number, number, number] => {
    const m = /rgba?\(([^)]+)\)/.exec(c);
    if (!m) return [0, 0, 0, 0]; // none / transparent
    const [r, g, b, a = 1] = m[1]!.split(/[ ,/]+/).filter(Boolean).map(Number);
    return [r!, g!, b!, a];
  };
  const over = (top: [number, number, number, number], under: [number, number, number]): [number, number, number] =>
    [0, 1, 2].map((i) => top[i]! * top[3] + under[i]! * (1 - top[3])) as [number, number, number];
  const baseRgb = over(parse(base), [255, 255, 255]);
  const bgRgb = over(parse(bg), baseRgb);
  const fgRgb = over(parse(fg), bgRgb);
  const lum = ([r, g, b]: [number, number, number]) => {
    const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const [l1, l2] = [lum(fgRgb), lum(bgRgb)].sort((a, b) => b - a);
  return (l1! + 0.05) / (l2! + 0.05);
}
