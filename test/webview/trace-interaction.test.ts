/**
 * Using the trace view: one selection shared by the graph, the waterfall, the
 * details and the host; findings that light up their spans; keys, search,
 * repeated calls opened on demand, late spans that keep the user's place, and
 * exports the host accepts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { WebviewToHost } from '../../src/protocol/messages';
import { sync } from '../support/shop-drawings';
import { timeline } from '../support/timeline';
import { spanOf, traceView } from '../support/webview-fixtures';
import { launchChromium, withHarness, type Harness } from '../support/webview-harness';
import { focusGraph, graphBackground, idsWhere, node, row, viewport } from '../support/webview-queries';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

const view = traceView(sync.spans);
const id = (service: string, name: string) => spanOf(sync, service, name);
const selects = async (h: Harness) => (await h.posted()).filter((m): m is Extract<WebviewToHost, { type: 'select' }> => m.type === 'select');
const selectedIn = (page: Page, scope: '#graph' | '#waterfall') => idsWhere(page, scope, 'aria-selected', 'true');
const detailsName = (page: Page) => page.textContent('#details [data-field="name"]');

/** Waits until this span is the one selected in the graph and the waterfall. */
async function selectedEverywhere(page: Page, spanId: string): Promise<void> {
  await page.waitForFunction((s) => document.querySelector(`#graph [data-span-id="${s}"]`)?.getAttribute('aria-selected') === 'true'
    && document.querySelector(`#waterfall [data-span-id="${s}"]`)?.getAttribute('aria-selected') === 'true', spanId, { timeout: 5000 });
  assert.deepEqual(await selectedIn(page, '#graph'), [spanId], 'one node selected');
  assert.deepEqual(await selectedIn(page, '#waterfall'), [spanId], 'one row selected');
}

describe('selecting a span in the trace view', () => {
  it('selects the same span in the graph, the waterfall and the details, and tells the host', async () => {
    await withHarness(browser, { name: 'select-graph' }, async (h) => {
      await h.showTrace(view);
      const charge = id('payments', 'POST /charge');
      await h.page.click(node(charge));
      await selectedEverywhere(h.page, charge);
      assert.equal(await detailsName(h.page), 'POST /charge');
      assert.deepEqual(await h.waitForPosted('select'), { type: 'select', spanId: charge });
      // Screen readers announce the selected call: the graph points at its node.
      const active = await h.page.getAttribute('#graph svg.graph', 'aria-activedescendant');
      assert.equal(await h.page.getAttribute(`#${active}`, 'data-span-id'), charge);
    });
  });

  it('follows a selection from the host without echoing it back', async () => {
    await withHarness(browser, { name: 'select-host' }, async (h) => {
      await h.showTrace(view);
      const send = id('email', 'POST /send');
      await h.send({ type: 'select', spanId: send });
      await selectedEverywhere(h.page, send);
      assert.equal(await detailsName(h.page), 'POST /send');
      // Then the user selects another span, which the page does post: an echo of the host's would have come first.
      const charge = id('payments', 'POST /charge');
      await h.page.click(node(charge));
      await h.waitForPosted('select');
      assert.deepEqual(await selects(h), [{ type: 'select', spanId: charge }], 'the host made the first selection; the webview must not post it back');
    });
  });

  it('selects the graph node when a waterfall row is clicked', async () => {
    await withHarness(browser, { name: 'select-waterfall' }, async (h) => {
      await h.showTrace(view);
      const reserve = id('inventory', 'POST /reserve');
      await h.page.click(row(reserve));
      await selectedEverywhere(h.page, reserve);
      assert.equal(await detailsName(h.page), 'POST /reserve');
      assert.deepEqual(await h.waitForPosted('select'), { type: 'select', spanId: reserve });
    });
  });
});

describe('the source of a span', () => {
  it('can be opened from the details when the host knows where it is, and only then', async () => {
    await withHarness(browser, { name: 'open-source' }, async (h) => {
      const charge = id('payments', 'POST /charge');
      await h.showTrace(view, [{ spanId: charge, label: 'payments/src/charge.ts:42' }]);
      await h.send({ type: 'select', spanId: id('inventory', 'POST /reserve') });
      await h.page.waitForFunction(() => document.querySelector('#details [data-field="name"]')?.textContent === 'POST /reserve');
      assert.equal(await h.page.locator('#details [data-action="open-source"]').count(), 0, 'no source known for inventory');
      await h.send({ type: 'select', spanId: charge });
      await h.page.click('#details [data-action="open-source"]');
      assert.deepEqual(await h.waitForPosted('openSource'), { type: 'openSource', spanId: charge, place: 0 }, 'with the place the host resolved');
      await h.send({ type: 'select', spanId: id('inventory', 'POST /reserve') });
      await h.page.click(node(charge));
      assert.deepEqual(await h.waitForPosted('select', (m) => m.spanId === charge), { type: 'select', spanId: charge, place: 0 }, 'a selection names its place too');
      // A double click on the call, or Enter on it, goes to its code too; on a call with no known place, nothing.
      const opened = async () => (await h.posted()).filter((m) => m.type === 'openSource').length;
      await h.page.dblclick(node(charge));
      await h.page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'openSource').length === 2);
      await h.page.press('#graph svg.graph', 'Enter');
      await h.page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'openSource').length === 3);
      await h.page.dblclick(node(id('inventory', 'POST /reserve')));
      await h.page.press('#graph svg.graph', 'Enter');
      await h.page.click(node(charge));
      await h.page.press('#graph svg.graph', 'Enter');
      await h.page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'openSource').length === 4);
      assert.equal(await opened(), 4, 'inventory, with no place, opened nothing');
      assert.ok((await h.posted()).filter((m) => m.type === 'openSource').every((m) => m.spanId === charge && m.place === 0));
      assert.ok((await h.page.textContent('#details'))!.includes('payments/src/charge.ts:42'), 'the details say where');
    });
  });
});

describe('the findings list', () => {
  it('selects a finding on click and highlights exactly its spans in the graph', async () => {
    await withHarness(browser, { name: 'findings' }, async (h) => {
      await h.showTrace(view);
      const index = view.analysis.findings.findIndex((f) => f.rule === 'sync-non-critical' && f.spanIds[0] === id('orders', 'orders → email'));
      const item = `#findings li[data-finding-index="${index}"]`;
      assert.equal(await h.page.getAttribute(item, 'data-rule'), 'sync-non-critical');
      assert.equal(await h.page.locator('#findings li[data-finding-index]').count(), view.analysis.findings.length);
      await h.page.click(item);
      await h.page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('aria-selected') === 'true', item);
      assert.equal(await h.page.locator('#findings li[aria-selected="true"]').count(), 1);
      const spans = view.analysis.findings[index]!.spanIds;
      await h.page.waitForFunction((ids) => ids.every((s) => document.querySelector(`#graph [data-span-id="${s}"]`)?.getAttribute('data-highlighted') === 'true'), spans);
      assert.deepEqual(await idsWhere(h.page, '#graph', 'data-highlighted', 'true'), [...spans].sort(), 'the chain highlighted before gives way to the finding');
    });
  });
});

describe('the graph from the keyboard', () => {
  it('zooms in and out with + and -, and fits with 0', async () => {
    await withHarness(browser, { name: 'keys-zoom' }, async (h) => {
      await h.showTrace(view);
      await h.page.click('[data-action="fit"]');
      const fitted = await viewport(h.page);
      assert.ok(await focusGraph(h.page), 'the graph can take the keyboard focus');
      await h.page.keyboard.press('+');
      const zoomedIn = await viewport(h.page);
      assert.ok(zoomedIn.k > fitted.k * 1.05, `+ zooms in (${fitted.k} → ${zoomedIn.k})`);
      await h.page.keyboard.press('-');
      const zoomedOut = await viewport(h.page);
      assert.ok(zoomedOut.k < zoomedIn.k / 1.05, `- zooms out (${zoomedIn.k} → ${zoomedOut.k})`);
      await h.page.keyboard.press('+');
      await h.page.keyboard.press('+');
      await h.page.keyboard.press('0');
      const refitted = await viewport(h.page);
      assert.deepEqual([refitted.k, refitted.x, refitted.y].map((n) => n.toFixed(2)), [fitted.k, fitted.x, fitted.y].map((n) => n.toFixed(2)), '0 fits like the Fit button');
    });
  });

  it('walks the calls with the arrows: left to the caller, right to the first callee, up and down to siblings', async () => {
    await withHarness(browser, { name: 'keys-arrows' }, async (h) => {
      await h.showTrace(view);
      const payments = id('orders', 'orders → payments');
      await h.page.click(node(payments));
      await selectedEverywhere(h.page, payments);
      const steps: [string, string][] = [
        ['ArrowRight', id('payments', 'POST /charge')],
        ['ArrowLeft', payments],
        ['ArrowDown', id('orders', 'orders → inventory')],
        ['ArrowDown', id('orders', 'orders → email')],
        ['ArrowUp', id('orders', 'orders → inventory')],
        ['ArrowLeft', id('orders', 'POST /orders')],
      ];
      for (const [key, expected] of steps) {
        await h.page.keyboard.press(key);
        await selectedEverywhere(h.page, expected);
        assert.deepEqual((await selects(h)).at(-1), { type: 'select', spanId: expected }, `${key} tells the host`);
      }
      await h.page.keyboard.press('Escape');
      await h.waitForPosted('select', (m) => m.spanId === null);
      assert.deepEqual(await selectedIn(h.page, '#graph'), [], 'Escape clears the selection');
    });
  });

  it('jumps to the search box with /', async () => {
    await withHarness(browser, { name: 'keys-search' }, async (h) => {
      await h.showTrace(view);
      assert.ok(await focusGraph(h.page));
      await h.page.keyboard.press('/');
      assert.equal(await h.page.evaluate(() => document.activeElement?.id), 'search');
      assert.equal(await h.page.inputValue('input#search'), '', 'the / is not typed into the box');
    });
  });
});

describe('searching the trace', () => {
  it('marks the spans that match, and only those, until the search is cleared', async () => {
    await withHarness(browser, { name: 'search' }, async (h) => {
      await h.showTrace(view);
      const snapshot = () => h.page.$$eval('#graph [data-span-id]', (els) => Object.fromEntries(els.map((e) => [
        e.getAttribute('data-span-id')!,
        [...e.getAttributeNames().filter((n) => n !== 'style' && n !== 'transform').map((n) => `${n}=${e.getAttribute(n)}`), ...[...e.classList].map((c) => `.${c}`)],
      ])));
      const before = await snapshot();
      await h.page.fill('input#search', 'payments');
      const matches = [id('orders', 'orders → payments'), id('payments', 'POST /charge')].sort();
      // Whatever the mark is, it sets the matches apart from the rest, which it did not before.
      const marks = async () => {
        const now = await snapshot();
        const tokens = new Set(Object.values(now).flat());
        return [...tokens].filter((t) => {
          const on = Object.keys(now).filter((s) => now[s]!.includes(t)).sort();
          const wasOn = Object.keys(before).filter((s) => before[s]!.includes(t)).sort();
          const apart = (ids: string[]) => JSON.stringify(ids) === JSON.stringify(matches) || JSON.stringify(ids) === JSON.stringify(Object.keys(now).filter((s) => !matches.includes(s)).sort());
          return apart(on) && !apart(wasOn);
        });
      };
      let found: string[] = [];
      for (let i = 0; i < 50 && found.length === 0; i++, await new Promise((r) => setTimeout(r, 50))) found = await marks();
      assert.ok(found.length > 0, 'no attribute or class marks exactly the spans matching "payments"');
      await h.page.fill('input#search', '');
      await h.page.waitForTimeout(200);
      assert.deepEqual(await marks(), [], 'clearing the search clears the marks');
    });
  });
});

describe('repeated calls', () => {
  //  orders asks postgresql for five items one by one (an N+1), then charges.
  const nPlusOne = timeline(`
    orders   | GET /orders/42    | server | 0-120
      orders | SELECT item       | client | 10-20 | db.system.name=postgresql
      orders | SELECT item       | client | 22-32 | db.system.name=postgresql
      orders | SELECT item       | client | 34-44 | db.system.name=postgresql
      orders | SELECT item       | client | 46-56 | db.system.name=postgresql
      orders | SELECT item       | client | 58-68 | db.system.name=postgresql
      orders | orders → payments | client | 70-110
        payments | POST /charge  | server | 72-108
  `);
  const queries = nPlusOne.spans.filter((s) => s.name === 'SELECT item').map((s) => s.spanId);

  it('shows five identical queries as one node ×5 that opens into five on click', async () => {
    await withHarness(browser, { name: 'groups-click' }, async (h) => {
      await h.showTrace(traceView(nPlusOne.spans));
      const group = '#graph [data-span-id][data-count="5"]';
      assert.equal(await h.page.locator(group).count(), 1);
      assert.equal(await h.page.getAttribute(group, 'data-span-id'), queries[0]);
      assert.ok(await h.page.getAttribute(group, 'data-group-key'), 'a group has data-group-key');
      assert.equal(await h.page.locator('#graph [data-span-id]').count(), 4, 'the handler, the ×5 queries, the call to payments and its server span');
      await h.page.locator(group).getByText('×5', { exact: false }).first().click();
      await h.page.waitForFunction((ids) => ids.every((s) => document.querySelector(`#graph [data-span-id="${s}"]`)), queries, { timeout: 10_000 });
      assert.equal(await h.page.locator('#graph [data-count="5"]').count(), 0);
      assert.equal(await h.page.locator('#graph [data-span-id]').count(), 8);
    });
  });

  it('opens the group with Enter too', async () => {
    await withHarness(browser, { name: 'groups-enter' }, async (h) => {
      await h.showTrace(traceView(nPlusOne.spans));
      await h.page.click('#graph [data-count="5"]');
      assert.equal(await h.page.locator('#graph [data-span-id]').count(), 4, 'a click selects the group; it stays closed');
      await h.page.keyboard.press('Enter');
      await h.page.waitForFunction((ids) => ids.every((s) => document.querySelector(`#graph [data-span-id="${s}"]`)), queries, { timeout: 10_000 });
      assert.equal(await h.page.locator('#graph [data-count="5"]').count(), 0);
      assert.equal(await h.page.locator('#graph [data-span-id]').count(), 8, 'the five queries, each its own node');
    });
  });
});

describe('late spans', () => {
  it('are added to the graph without losing the selection, the zoom or the pan', async () => {
    const early = sync.spans.filter((s) => s.name !== 'POST /track');
    const late = id('analytics', 'POST /track');
    await withHarness(browser, { name: 'live' }, async (h) => {
      await h.showTrace(traceView(early));
      assert.equal(await h.page.locator(node(late)).count(), 0);
      const charge = id('payments', 'POST /charge');
      await h.page.click(node(charge));
      await selectedEverywhere(h.page, charge);
      await h.page.click('[data-action="zoom-in"]');
      const from = await graphBackground(h.page);
      await h.page.mouse.move(from.x, from.y);
      await h.page.mouse.down();
      await h.page.mouse.move(from.x + 40, from.y + 25, { steps: 5 });
      await h.page.mouse.up();
      const placed = await viewport(h.page);
      const postedBefore = (await h.posted()).length;

      await h.showTrace(traceView(sync.spans));
      await h.page.locator(node(late)).waitFor();
      const kept = await viewport(h.page);
      assert.deepEqual({ ...kept }, { ...placed }, 'the same pan and zoom');
      await selectedEverywhere(h.page, charge);
      assert.equal(await detailsName(h.page), 'POST /charge');
      assert.deepEqual((await h.posted()).slice(postedBefore).filter((m) => m.type === 'select'), [], 'the selection did not change');
    });
  });
});

describe('exporting the graph', () => {
  it('sends the host an SVG with the span labels and names as text', async () => {
    await withHarness(browser, { name: 'export-svg' }, async (h) => {
      await h.showTrace(view);
      await h.page.click('[data-action="export-svg"]');
      const { data } = await h.waitForPosted('export', (m) => m.format === 'svg');
      assert.ok(data.startsWith('<svg'), data.slice(0, 80));
      // Parsed on a blank page: parsing it in the webview's page would apply its CSP to the file's style attributes.
      const blank = await h.page.context().newPage();
      const text = await blank.evaluate((svgText) => {
        const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
        return doc.querySelector('parsererror') ? null : doc.documentElement.textContent;
      }, data);
      await blank.close();
      assert.notEqual(text, null, 'the SVG parses as XML');
      for (const name of new Set(sync.spans.map((s) => s.name))) assert.ok(text!.includes(name), `${name} is in the SVG`);
      for (const label of new Set(view.nodes.map((n) => n.label))) assert.ok(text!.includes(label), `the label ${label} is in the SVG`);
    });
  });

  it('carries its colours in the SVG file, not as the webview’s theme variables', async () => {
    await withHarness(browser, { name: 'export-standalone' }, async (h) => {
      await h.showTrace(view);
      await h.page.click('[data-action="export-svg"]');
      const { data } = await h.waitForPosted('export', (m) => m.format === 'svg');
      assert.ok(!data.includes('var(--vscode-'), 'a file opened outside VS Code has no --vscode-* variables');
      assert.match(data, /xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    });
  });

  it('sends the host a PNG as a data URL', async () => {
    await withHarness(browser, { name: 'export-png' }, async (h) => {
      await h.showTrace(view);
      await h.page.click('[data-action="export-png"]');
      const { data } = await h.waitForPosted('export', (m) => m.format === 'png');
      const prefix = 'data:image/png;base64,';
      assert.ok(data.startsWith(prefix), data.slice(0, 40));
      const png = Buffer.from(data.slice(prefix.length), 'base64');
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
      assert.ok(png.readUInt32BE(16) > 100 && png.readUInt32BE(20) > 50, `a picture of the graph, not a blank pixel (${png.readUInt32BE(16)}×${png.readUInt32BE(20)})`);
    });
  });
});
