/**
 * What-ifs that are honest: the details of a span list the projections the
 * analysis made for it, each with the request's new duration and its saving,
 * or say in one line why there are none; the findings panel shows only the
 * few changes that really save something, best first. A saving of nothing is
 * said in words, never as `−0 µs`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { WhatIf } from '../../src/analysis/what-if';
import { formatDuration } from '../../src/common/format';
import { sync } from '../support/shop-drawings';
import { ms, timeline } from '../support/timeline';
import { spanOf, traceView, withWhatIfs } from '../support/webview-fixtures';
import { launchChromium, withHarness } from '../support/webview-harness';
import { node } from '../support/webview-queries';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

const id = (service: string, name: string) => spanOf(sync, service, name);
const payments = id('orders', 'orders → payments');
const inventory = id('orders', 'orders → inventory');
const email = id('orders', 'orders → email');
const analytics = id('orders', 'orders → analytics');

//  The sync shop (680 ms), priced: email dominates; inventory's parallel run saves nothing.
const WHAT_IFS: WhatIf[] = [
  { spanId: email, change: 'async', durationUs: ms(179), savingUs: ms(501) },
  { spanId: email, change: 'faster', durationUs: ms(429), savingUs: ms(251) },
  { spanId: payments, change: 'async', durationUs: ms(579), savingUs: ms(101) },
  { spanId: payments, change: 'faster', durationUs: ms(629), savingUs: ms(51) },
  { spanId: analytics, change: 'async', durationUs: ms(638), savingUs: ms(42) },
  { spanId: email, change: 'parallel', durationUs: ms(656), savingUs: ms(24) },
  { spanId: inventory, change: 'parallel', durationUs: ms(680), savingUs: 0 },
];
const priced = withWhatIfs(traceView(sync.spans), WHAT_IFS);

const select = async (page: Page, spanId: string, label: string) => {
  await page.click(node(spanId));
  await page.waitForFunction((l) => document.querySelector('#details [data-field="name"]')?.textContent === l, label, { timeout: 5000 });
};
const projections = (page: Page, scope: string) => page.$$eval(`${scope} [data-what-if]`, (els) => els.map((e) => ({
  change: e.getAttribute('data-what-if'), spanId: e.getAttribute('data-span-id'),
  durationUs: Number(e.getAttribute('data-duration-us')), savingUs: Number(e.getAttribute('data-saving-us')), text: (e.textContent ?? '').trim(),
})));
const reason = (page: Page) => page.textContent('#details [data-field="what-if-none"]');

describe('the what-ifs of the selected span', () => {
  it('lists each projection made for the call, with the new duration and the saving', async () => {
    await withHarness(browser, { name: 'what-if-details' }, async (h) => {
      await h.showTrace(priced);
      await select(h.page, email, 'orders → email');
      const shown = await projections(h.page, '#details');
      const expected = WHAT_IFS.filter((w) => w.spanId === email);
      assert.deepEqual(shown.map(({ text: _, ...rest }) => rest), expected, 'the email call’s three projections, in the analysis’s order');
      assert.equal(shown[0]!.text, 'Make it async (the caller only publishes): the request would take 179 ms (−501 ms).');
      assert.equal(shown[1]!.text, 'Make it 50 % faster: the request would take 429 ms (−251 ms).');
      assert.equal(shown[2]!.text, 'Run it in parallel with the call before it: the request would take 656 ms (−24 ms).');
      assert.equal(await h.page.locator('#details [data-field="what-if-none"]').count(), 0);
    });
  });

  it('says a change saves nothing in words, never as −0', async () => {
    await withHarness(browser, { name: 'what-if-zero' }, async (h) => {
      await h.showTrace(priced);
      await select(h.page, inventory, 'orders → inventory');
      const [only, ...rest] = await projections(h.page, '#details');
      assert.deepEqual(rest, []);
      assert.equal(only!.text, `Run it in parallel with the call before it: the request would still take ${formatDuration(ms(680))}: it saves nothing.`);
      assert.ok(!(await h.page.textContent('body'))!.includes('−0'), 'no −0 anywhere on the page');
    });
  });

  it('says why the request’s entry and the answering side of a call have none', async () => {
    await withHarness(browser, { name: 'what-if-none' }, async (h) => {
      await h.showTrace(priced);
      await select(h.page, id('gateway', 'POST /orders'), 'POST /orders');
      assert.equal(await reason(h.page), 'The request’s own entry: nothing to change here.');
      assert.equal(await h.page.locator('#details [data-what-if]').count(), 0);

      await select(h.page, id('payments', 'POST /charge'), 'POST /charge');
      assert.ok((await reason(h.page))!.startsWith('The answering side of a call: its what-ifs are on the caller’s span.'), (await reason(h.page))!);
      await h.page.click('#details [data-action="select-caller"]');
      await h.page.waitForFunction(() => document.querySelector('#details [data-field="name"]')?.textContent === 'orders → payments');
      assert.deepEqual((await projections(h.page, '#details')).map((p) => p.change), ['async', 'faster'], 'the caller’s span has them');

      await select(h.page, id('gateway', 'gateway → orders'), 'gateway → orders');
      assert.equal(await reason(h.page), 'The request’s own entry: nothing to change here.', 'the gateway passing the request on is the entry too');
      await select(h.page, id('orders', 'POST /orders'), 'POST /orders');
      assert.equal(await reason(h.page), 'The request’s own entry: nothing to change here.', 'and so is the handler it passes it to');
    });
  });

  it('says so when the analysis priced nothing for a call', async () => {
    await withHarness(browser, { name: 'what-if-unpriced' }, async (h) => {
      await h.showTrace(withWhatIfs(traceView(sync.spans), WHAT_IFS.filter((w) => w.spanId !== analytics)));
      await select(h.page, analytics, 'orders → analytics');
      assert.equal(await reason(h.page), 'No projection for this call.');
      assert.equal(await h.page.locator('#details [data-what-if]').count(), 0);
    });
  });

  it('calls the server span of a client root the request’s entry too, and internal work not a call', async () => {
    const clientRoot = timeline(`
      loadgen   | GET /orders   | client   | 0-100
        orders  | GET /orders (server) | server   | 2-98
          orders | render page | internal | 10-20
    `);
    await withHarness(browser, { name: 'what-if-entry' }, async (h) => {
      await h.showTrace(traceView(clientRoot.spans));
      await select(h.page, clientRoot.id('GET /orders (server)'), 'GET /orders (server)');
      assert.equal(await reason(h.page), 'The request’s own entry: nothing to change here.');
      await select(h.page, clientRoot.id('render page'), 'render page');
      assert.equal(await reason(h.page), 'Not a call: work inside orders.');
    });
  });
});

describe('the what-ifs in the findings panel', () => {
  it('shows the three changes that save the most, and selects a change’s span on click', async () => {
    await withHarness(browser, { name: 'what-if-findings' }, async (h) => {
      await h.showTrace(priced);
      const shown = await projections(h.page, '#findings');
      assert.deepEqual(shown.map((p) => [p.spanId, p.change, p.savingUs]), [[email, 'async', ms(501)], [email, 'faster', ms(251)], [payments, 'async', ms(101)]]);
      assert.equal(shown[0]!.text, 'make orders → email async → 179 ms (−501 ms)');
      assert.equal(shown[1]!.text, 'make orders → email 50 % faster → 429 ms (−251 ms)');
      await h.page.click(`#findings [data-what-if][data-span-id="${payments}"] button`);
      await h.page.waitForFunction((s) => document.querySelector(`#graph [data-span-id="${s}"]`)?.getAttribute('aria-selected') === 'true', payments, { timeout: 5000 });
      assert.equal(await h.page.textContent('#details [data-field="name"]'), 'orders → payments');
      assert.deepEqual(await h.waitForPosted('select'), { type: 'select', spanId: payments });
    });
  });

  it('leaves out changes that save nothing, and hides the section when none saves anything', async () => {
    await withHarness(browser, { name: 'what-if-findings-none' }, async (h) => {
      const zero = (w: WhatIf): WhatIf => ({ ...w, durationUs: ms(680), savingUs: 0 });
      await h.showTrace(withWhatIfs(traceView(sync.spans), [WHAT_IFS[0]!, WHAT_IFS[2]!, ...WHAT_IFS.slice(3).map(zero)]));
      assert.deepEqual((await projections(h.page, '#findings')).map((p) => [p.spanId, p.change]), [[email, 'async'], [payments, 'async']]);
      assert.ok(await h.page.isVisible('#what-if-heading'));

      await h.showTrace(withWhatIfs(traceView(sync.spans), WHAT_IFS.map(zero)));
      await h.page.waitForFunction(() => document.querySelectorAll('#findings [data-what-if]').length === 0, undefined, { timeout: 5000 });
      assert.equal(await h.page.isVisible('#what-if-heading'), false, 'no heading over an empty list');
      assert.ok(!(await h.page.textContent('#findings'))!.includes('−0'));
    });
  });
});
