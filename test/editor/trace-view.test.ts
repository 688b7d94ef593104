/**
 * The visualizer in a real VS Code: the demo shop sends a `sync` order to the
 * window's receiver; opening its trace from the Traces view shows the call
 * graph with the email call on the highlighted blocking chain, and the
 * latency-accumulation bar adds up to the request's duration. The service map
 * shows the shop's calls. The graph is readable at the default panel size and
 * fits itself again when the panel narrows. Screenshots go to artifacts/ (the
 * README's pictures; HOPSCOPE_UPDATE_SCREENSHOTS=1 also refreshes media/).
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { startDemo, type Demo } from '../../demo/shop';
import { eventually, freePort } from '../support/free-port';
import { request } from '../support/http-client';
import { launchChromium, openWindow, runCommand, screenshot, startCodeServer, tracesRows, type CodeServer } from '../support/code-server';

const WAIT = { timeout: 90_000 };
/** Smaller than this on screen, a graph label cannot be read (issue 14). */
const READABLE_PX = 10;

/** The graph's span nodes measured on screen: label height and font size (CSS size × scale), whether in the graph's box. */
const measureGraph = (frame: Frame) =>
  frame.locator('#graph g.node[data-span-id]').evaluateAll((nodes) => {
    const view = document.querySelector('#graph svg.graph')!.getBoundingClientRect();
    return {
      transform: document.querySelector('#graph svg.graph g.content')?.getAttribute('transform') ?? '',
      width: view.width,
      nodes: nodes.map((g) => {
        const box = g.querySelector('.node-box')!.getBoundingClientRect();
        const label = (g.querySelector('.node-name') ?? g.querySelector('.node-meta')) as SVGTextElement;
        return {
          service: g.getAttribute('data-service'),
          textHeight: label.getBoundingClientRect().height,
          fontPx: parseFloat(getComputedStyle(label).fontSize) * (label.getScreenCTM()?.a ?? 0),
          inside: box.left >= view.left - 0.5 && box.top >= view.top - 0.5 && box.right <= view.right + 0.5 && box.bottom <= view.bottom + 0.5,
          seen: box.right > view.left && box.left < view.right && box.bottom > view.top && box.top < view.bottom,
        };
      }),
    };
  });

/** The graph as drawn: every node in view readable, and at least `inside` of them wholly in the graph's box. */
async function assertReadable(frame: Frame, inside: number, where: string): Promise<void> {
  const { nodes, width } = await measureGraph(frame);
  const seen = nodes.filter((n) => n.seen);
  const summary = nodes.map((n) => `${n.service} ${n.fontPx.toFixed(1)} px${n.inside ? '' : n.seen ? ' (cut)' : ' (out of view)'}`).join(', ');
  assert.ok(seen.every((n) => n.textHeight >= READABLE_PX && n.fontPx >= READABLE_PX - 0.01), `${where}: labels in view are readable: ${summary}`);
  assert.ok(nodes.filter((n) => n.inside).length >= inside, `${where}: at least ${inside} nodes in the ${width} px graph: ${summary}`);
}

/** The content frame of the open Hopscope webview of this kind (VS Code nests it two iframes deep). */
async function webview(page: Page, view: 'trace' | 'serviceMap' = 'trace', timeout = WAIT.timeout): Promise<Frame> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (frame.isDetached()) continue;
      const found = await frame.locator(`body[data-view="${view}"]`).count().catch(() => 0);
      if (found > 0) return frame;
    }
    await page.waitForTimeout(250);
  }
  await screenshot(page, `no-${view}-webview`);
  throw new Error(`no ${view} webview among the frames: ${page.frames().map((f) => f.url()).join(', ')}`);
}

describe('the trace view in VS Code (code-server)', { timeout: 600_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let demo: Demo;
  /** The sync orders sent: trace id → how long the gateway took to answer, ms. */
  const orders = new Map<string, number>();
  let traceId: string;
  let httpPort: number;

  before(async () => {
    httpPort = await freePort();
    server = await startCodeServer({ 'hopscope.receiver.httpPort': httpPort, 'hopscope.receiver.grpcPort': await freePort() });
    browser = await launchChromium();
    page = await openWindow(browser, server, resolve('demo'));
    await page.locator('.statusbar-item', { hasText: `Hopscope :${httpPort}` }).waitFor(WAIT);
    demo = await startDemo({ endpoint: `http://127.0.0.1:${httpPort}` });
    for (let i = 0; i < 2; i++) {
      const order = await demo.sendOrder('sync');
      assert.equal(order.status, 201, order.error);
      orders.set(order.traceId!, order.ms);
    }
  });
  after(async () => {
    await demo?.stop();
    await browser?.close();
    await server?.stop();
  });

  it('opens the sync order from the Traces view with the email call on the highlighted blocking chain', async () => {
    const rows = await tracesRows(page);
    const row = rows.filter({ has: page.locator('.label-name', { hasText: /^POST \/orders$/ }) }).filter({ has: page.locator('.codicon-warning') }).first();
    await row.waitFor(WAIT);
    // The list repaints while traces settle; a repaint between mouse down and up loses a click, as it would a user's.
    let frame: Frame | undefined;
    for (let attempt = 0; attempt < 5 && !frame; attempt++) {
      await row.click();
      frame = await webview(page, 'trace', 5000).catch(() => undefined);
    }
    assert.ok(frame, 'clicking the trace opens its panel');
    await frame.locator('#graph[data-state="ready"]').waitFor(WAIT);
    const send = frame.locator('#graph g.node[data-service="email"]', { hasText: 'POST /send' });
    await send.waitFor(WAIT);
    assert.equal(await send.getAttribute('data-highlighted'), 'true', 'the email call is on the highlighted chain');
    assert.equal(await send.getAttribute('data-critical'), 'true');
    // orders' client span that called email, and the edge between them.
    const edgeToEmail = frame.locator(`#graph [data-edge][data-to="${await send.getAttribute('data-span-id')}"]`);
    assert.equal(await edgeToEmail.getAttribute('data-mode'), 'sync');
    assert.equal(await edgeToEmail.getAttribute('data-highlighted'), 'true');
    const call = frame.locator(`#graph g.node[data-span-id="${await edgeToEmail.getAttribute('data-from')}"]`);
    assert.equal(await call.getAttribute('data-service'), 'orders');
    assert.equal(await call.getAttribute('data-highlighted'), 'true');
    const facts = (await frame.locator('#trace-facts').textContent()) ?? '';
    traceId = [...orders.keys()].find((id) => facts.includes(id))!;
    assert.ok(traceId, `the toolbar names one of the orders' traces: ${facts}`);
    const chain = await frame.locator('#chain-picker option:checked').textContent();
    assert.match(chain ?? '', /email/);
  });

  it('draws the graph readably at the default panel size, and fits it again when the panel narrows', async () => {
    const frame = await webview(page);
    await assertReadable(frame, 4, 'the default panel');
    await screenshot(page, 'trace-view-default');
    const before = (await measureGraph(frame)).transform;
    // A narrower window narrows the panel as a split or a wider side bar does.
    await page.setViewportSize({ width: 1000, height: 860 });
    try {
      await eventually(async () => ((await measureGraph(frame)).transform !== before ? true : undefined), 100);
      await page.waitForTimeout(300);
      await screenshot(page, 'trace-view-narrow');
      // The root and its call at least; the overview shows where the rest is.
      await assertReadable(frame, 2, 'the narrowed panel');
      const narrowed = await measureGraph(frame);
      assert.ok(narrowed.width > 300, `the graph keeps its room: ${narrowed.width} px`);
      if (narrowed.nodes.some((n) => !n.inside)) await frame.locator('#graph .overview').waitFor({ state: 'visible', timeout: 5000 });
    } finally {
      await page.setViewportSize({ width: 1400, height: 860 });
    }
  });

  it('shows a latency-accumulation bar that adds up to the request’s duration', async () => {
    const frame = await webview(page);
    const bar = frame.locator('#accumulation [data-total-us]');
    const total = Number(await bar.getAttribute('data-total-us'));
    const parts = await frame.locator('#accumulation [data-part]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-us'))));
    assert.ok(parts.length >= 3, `${parts.length} parts`);
    assert.equal(parts.reduce((a, b) => a + b, 0), total);
    // The request took about as long as the gateway took to answer (the client adds a little). The two are read
    // from different clocks in different processes (the HTTP instrumentation starts spans at millisecond
    // precision): a few ms either way (3 ms over was seen on a busy machine).
    const orderMs = orders.get(traceId)!;
    assert.ok(total / 1000 <= orderMs + 5 && total / 1000 > orderMs * 0.8, `bar ${total} µs, order ${orderMs} ms`);
    // The README's picture: the panel with the whole width of a 1,600 px window, where the shop's
    // graph fits whole at a readable size (the graph fits itself to it again).
    await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
    await page.setViewportSize({ width: 1600, height: 900 });
    try {
      await eventually(async () => ((await frame.locator('#graph svg.graph').boundingBox())!.width > 1100 ? true : undefined), 100);
      await page.waitForTimeout(500);
      await assertReadable(frame, (await measureGraph(frame)).nodes.length, 'the README’s picture');
      const shot = await screenshot(page, 'trace-view');
      // The tracked copy in media/ is replaced only when asked: a test run leaves the work tree as it found it.
      if (process.env.HOPSCOPE_UPDATE_SCREENSHOTS === '1') copyFileSync(shot, resolve('media', 'screenshot-trace.png'));
    } finally {
      await page.setViewportSize({ width: 1400, height: 860 });
    }
  });

  it('selects a span from the graph and shows its details and its waterfall row', async () => {
    const frame = await webview(page);
    const send = frame.locator('#graph g.node[data-service="email"]', { hasText: 'POST /send' });
    await send.click();
    const spanId = await send.getAttribute('data-span-id');
    await eventually(async () => ((await send.getAttribute('aria-selected')) === 'true' ? true : undefined), 100);
    assert.equal(await frame.locator('#details [data-field="name"]').textContent(), 'POST /send');
    await frame.locator(`#waterfall [data-span-id="${spanId}"][aria-selected="true"]`).waitFor(WAIT);
  });

  it('opens the service map with the shop’s services and a synchronous edge from orders to email', async () => {
    await runCommand(page, 'Hopscope: Open Service Map');
    const frame = await webview(page, 'serviceMap');
    const map = frame.locator('#service-map[data-state="ready"]');
    await map.waitFor(WAIT);
    for (const service of ['gateway', 'orders', 'payments', 'inventory', 'email', 'analytics']) await frame.locator(`#service-map [data-service="${service}"]`).waitFor(WAIT);
    const edge = frame.locator('#service-map [data-edge][data-from="orders"][data-to="email"]');
    assert.equal(await edge.getAttribute('data-mode'), 'sync');
    await edge.dispatchEvent('click');
    await frame.locator(`#edge-traces li[data-trace-id="${traceId}"]`).waitFor(WAIT);
    await screenshot(page, 'service-map');
  });

  it('brings both panels back after a window reload: the trace from the journal, in the Traces view too, with its selection', async () => {
    // The reload restarts the extension host and its receiver, which reads its journal back into the store.
    // The workbench's own Reload Window saves the editor layout (and the panels' states) before it reloads;
    // a page reload would not wait for that save (a panel opened just before was lost in 3 of 4 runs).
    const before = JSON.parse((await request(httpPort, 'GET', '/api/traces')).text) as { traces: { traceId: string }[] };
    // On a busy machine the old extension host can outlive the reload for a moment; the new window then follows
    // its receiver, which still holds the traces (and restored none).
    const serverPidBefore = (JSON.parse((await request(httpPort, 'GET', '/api/stats')).text) as { pid: number }).pid;
    const reloaded = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: WAIT.timeout });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.locator('.monaco-workbench').waitFor(WAIT);
    await page.locator('.statusbar-item', { hasText: /Hopscope :\d+ · / }).waitFor(WAIT);
    // Every trace held before the reload is held again: restored from the journal, not re-sent.
    const held = await eventually(async () => {
      const stats = JSON.parse((await request(httpPort, 'GET', '/api/stats')).text) as { pid: number; journal: { restoring: boolean; restoredSpans: number } | null };
      return stats.journal && !stats.journal.restoring ? stats : undefined;
    }, 250);
    assert.ok(held.journal!.restoredSpans > 0 || held.pid === serverPidBefore, 'the new receiver restored spans from the journal');
    const after = JSON.parse((await request(httpPort, 'GET', '/api/traces')).text) as { traces: { traceId: string }[] };
    assert.deepEqual(before.traces.map((t) => t.traceId).filter((id) => !after.traces.some((t) => t.traceId === id)), [], 'no trace is lost by the reload');
    // The service map panel (in front after the reload) came back too, and goes on streaming.
    const map = await webview(page, 'serviceMap');
    await map.locator('#service-map[data-state="ready"]').waitFor(WAIT);
    assert.equal((await demo.sendOrder('sync')).status, 201);
    await map.locator('#service-map[data-state="ready"] [data-service="email"]').waitFor(WAIT);
    const rows = await tracesRows(page);
    await rows.filter({ has: page.locator('.label-name', { hasText: /^POST \/orders$/ }) }).first().waitFor(WAIT);
    await page.locator('.tabs-container .tab', { hasText: 'POST /orders' }).first().click();
    const frame = await webview(page, 'trace');
    await frame.locator('#graph[data-state="ready"]').waitFor(WAIT);
    assert.ok(((await frame.locator('#trace-facts').textContent()) ?? '').includes(traceId));
    await frame.locator('#graph g.node[aria-selected="true"][data-service="email"]').waitFor(WAIT);
    assert.doesNotMatch((await frame.locator('#notice').textContent()) ?? '', /kept with this panel/, 'drawn from the store, not from a kept copy');
    await screenshot(page, 'after-reload');
  });
});
