/**
 * The trace view shows the debugger's pauses: hatched where they were (the wall clock) or marked where they
 * were taken out (compensated, the default), a toggle between the two, the paused spans marked in the graph,
 * and requests still running drawn as running. Views built by the worker (test/support/paused-views.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { paused, running, workerView } from '../support/paused-views';
import { spanOf, traceView } from '../support/webview-fixtures';
import { launchChromium, withHarness } from '../support/webview-harness';
import { node, row } from '../support/webview-queries';
import { sync } from '../support/shop-drawings';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

const id = (name: string) => spanOf(paused.drawn, name.startsWith('shop') || name === 'POST /checkout' ? 'shop' : 'payments', name);
const LABEL = 'paused at breakpoint · payments.ts:42 · 6.00 s';
/** A row's bar: where it starts and how wide it is, px. */
const barOf = (page: import('playwright-core').Page, spanId: string) =>
  page.$eval(`${row(spanId)} .wf-bar`, (bar) => ({ left: parseFloat((bar as HTMLElement).style.left), width: parseFloat((bar as HTMLElement).style.width) }));

describe('a trace the debugger paused, without the pauses (the default)', () => {
  it('says how long it was paused, and marks where in each stopped span the pause was taken out', async () => {
    await withHarness(browser, { name: 'paused-compensated' }, async (h) => {
      await h.showTrace(paused.view);
      assert.match(await h.page.textContent('#trace-paused') ?? '', /paused 6\.00 s \(debugger\) — times shown without it/);
      assert.equal(await h.page.getAttribute('[data-time-mode="compensated"]', 'aria-pressed'), 'true');
      const charge = row(id('charge card'));
      assert.equal(await h.page.getAttribute(charge, 'data-paused'), 'own');
      assert.deepEqual(await h.page.$$eval(`${charge} .paused-part`, (els) => els.map((e) => [e.className, e.getAttribute('data-label')])), [['paused-part wf-paused-marker', LABEL]]);
      assert.match(await h.page.textContent(`${charge} .wf-dur`) ?? '', /^50 ms · paused at breakpoint · payments\.ts:42 · 6\.00 s$/);
      assert.equal(await h.page.getAttribute(row(id('POST /checkout')), 'data-paused'), 'waiting', 'the caller waited through it');
      await h.page.click(`${charge} .wf-label`);
      assert.equal(await h.page.textContent('#details [data-field="paused"]'), `${LABEL} (taken out of these times)`);
      assert.equal(await h.page.$$eval(`${row(id('shop → email'))} .paused-part`, (els) => els.length), 0, 'a span after the pause was not stopped');
      // The marker sits inside the compensated bar, 10 ms into the 50 ms span.
      const bar = await barOf(h.page, id('charge card'));
      const marker = await h.page.$eval(`${charge} .paused-part`, (e) => parseFloat((e as HTMLElement).style.left) + parseFloat((e as HTMLElement).style.width) / 2);
      assert.ok(Math.abs(marker - bar.width / 5) < 1, `marker at ${marker} of ${bar.width} px`);
    });
  });

  it('marks the paused spans in the graph and the hop in the accumulation bar', async () => {
    await withHarness(browser, { name: 'paused-graph' }, async (h) => {
      await h.showTrace(paused.view);
      assert.equal(await h.page.getAttribute(node(id('POST /charge')), 'data-paused'), 'true');
      assert.equal(await h.page.getAttribute(node(id('POST /checkout')), 'data-paused'), null, 'only spans of the stopped process');
      assert.equal(await h.page.textContent(`${node(id('charge card'))} .paused-badge title`), LABEL);
      assert.match(await h.page.getAttribute(node(id('charge card')), 'aria-label') ?? '', /, paused at breakpoint · payments\.ts:42 · 6\.00 s$/);
      assert.deepEqual(await h.page.$$eval('#accumulation .acc-paused-marker', (els) => els.map((e) => [e.closest('[data-service]')?.getAttribute('data-service'), e.getAttribute('data-label')])), [['payments', LABEL]]);
      const total = Number(await h.page.getAttribute('#accumulation [data-total-us]', 'data-total-us'));
      assert.equal(total, paused.view.analysis.durationUs, 'the bar is the compensated request');
    });
  });
});

describe('the wall clock', () => {
  it('draws the bars at their recorded times with the paused parts hatched, and back', async () => {
    await withHarness(browser, { name: 'paused-wall-clock' }, async (h) => {
      await h.showTrace(paused.view);
      const email = id('shop → email');
      const before = await barOf(h.page, email);
      await h.page.click('[data-time-mode="wall-clock"]');
      await h.page.waitForSelector(`${row(id('charge card'))} .wf-paused`);
      assert.equal(await h.page.getAttribute('[data-time-mode="wall-clock"]', 'aria-pressed'), 'true');
      assert.match(await h.page.textContent('#trace-paused') ?? '', /times shown as the clock ran/);
      const after = await barOf(h.page, email);
      const root = await barOf(h.page, id('POST /checkout'));
      // Recorded, email starts at 6105 of 6140 ms; compensated at 105 of 140.
      assert.ok(Math.abs((after.left - root.left) / root.width - 6105 / 6140) < 0.01, `email at ${after.left - root.left} of ${root.width} px`);
      assert.ok(Math.abs((before.left - root.left) / root.width - 6105 / 6140) > 0.1, 'it was elsewhere before');
      const charge = await barOf(h.page, id('charge card'));
      const hatched = await h.page.$eval(`${row(id('charge card'))} .wf-paused`, (e) => ({ left: parseFloat((e as HTMLElement).style.left), width: parseFloat((e as HTMLElement).style.width), label: e.getAttribute('data-label'), text: e.textContent }));
      assert.deepEqual([hatched.label, hatched.text], [LABEL, LABEL]);
      // 40–6040 ms of a span 30–6080: from 10 ms in, 6000 ms of its 6050.
      assert.ok(Math.abs(hatched.width / charge.width - 6000 / 6050) < 0.01 && Math.abs(hatched.left / charge.width - 10 / 6050) < 0.01, JSON.stringify({ hatched, charge }));
      assert.match(await h.page.textContent(`${row(id('POST /checkout'))} .wf-paused`) ?? '', /^waiting while payments was paused · 6\.00 s$/);
      const total = Number(await h.page.getAttribute('#accumulation [data-total-us]', 'data-total-us'));
      assert.equal(total, paused.view.analysis.durationUs + paused.view.paused!.pausedUs);
      const parts = await h.page.$$eval('#accumulation [data-part]', (els) => els.map((e) => [e.getAttribute('data-part'), Number(e.getAttribute('data-us'))] as const));
      assert.equal(parts.reduce((sum, [, us]) => sum + us, 0), total, 'the parts add up to the request on the wall clock');
      assert.deepEqual(parts.filter(([part]) => part === 'paused').map(([, us]) => us), [paused.view.paused!.pausedUs]);
      await h.page.click('[data-time-mode="compensated"]');
      await h.page.waitForSelector(`${row(id('charge card'))} .wf-paused-marker`);
      assert.deepEqual(await barOf(h.page, email), before);
    });
  });
});

describe('a request still running', () => {
  it('is drawn running: an open-ended bar, "running · 4.20 s so far", a badge in the graph', async () => {
    await withHarness(browser, { name: 'running' }, async (h) => {
      await h.showTrace(running.view);
      const root = spanOf(running.drawn, 'shop', 'POST /checkout');
      assert.equal(await h.page.getAttribute(row(root), 'data-running'), 'true');
      assert.ok(await h.page.$(`${row(root)} .wf-bar.wf-running`));
      assert.equal(await h.page.textContent(`${row(root)} .wf-dur`), 'running · 4.20 s so far');
      assert.equal(await h.page.getAttribute(row(spanOf(running.drawn, 'payments', 'POST /charge')), 'data-running'), null, 'an ended span is not');
      assert.equal(await h.page.getAttribute(node(root), 'data-running'), 'true');
      assert.ok(await h.page.$(`${node(root)} .running-badge`));
      assert.equal(await h.page.isHidden('#time-mode'), true, 'no pause, no toggle');
    });
  });
});

describe('pauses from outside', () => {
  it('show their names and places as text, never markup', async () => {
    const hostile = { ...paused.pause, sessionName: '<img src=x onerror=alert(1)>', location: { path: 'C:\\app\\<b>pay.ts', line: 7 } };
    const view = workerView(paused.spans, [hostile]);
    await withHarness(browser, { name: 'paused-hostile' }, async (h) => {
      await h.showTrace(view);
      await h.page.click('[data-time-mode="wall-clock"]');
      await h.page.waitForSelector('#waterfall .wf-paused');
      assert.equal(await h.page.$$eval('#waterfall img, #waterfall b, #toolbar img', (els) => els.length), 0);
      assert.match(await h.page.textContent(`${row(id('charge card'))} .wf-paused`) ?? '', /^paused at breakpoint · <b>pay\.ts:7 · 6\.00 s$/);
      assert.match(await h.page.getAttribute('#trace-paused', 'title') ?? '', /^<img src=x onerror=alert\(1\)>: paused at breakpoint/);
    });
  });

  it('leave a trace without pauses as it was drawn', async () => {
    await withHarness(browser, { name: 'unpaused' }, async (h) => {
      await h.showTrace(traceView(sync.spans));
      assert.equal(await h.page.isHidden('#trace-paused'), true);
      assert.equal(await h.page.$$eval('.paused-part, .paused-badge', (els) => els.length), 0);
    });
  });
});
