/**
 * The service map: the shop's services and the calls between them over four
 * requests, each edge listing its slowest calls, each of which opens its trace.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { buildTree } from '../../src/analysis/trace-tree';
import { toServiceMapView } from '../../src/protocol/service-map';
import { timeline } from '../support/timeline';
import { MAP_TRACES, shopServiceMap } from '../support/webview-fixtures';
import { launchChromium, withHarness, type Harness } from '../support/webview-harness';
import { edgeMidpoint } from '../support/webview-queries';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

const { map } = shopServiceMap();
const edge = (from: string, to: string, mode: 'sync' | 'async') => `#service-map [data-edge][data-from="${from}"][data-to="${to}"][data-mode="${mode}"]`;

async function showMap(h: Harness): Promise<void> {
  await h.send({ type: 'serviceMap', map });
  await h.page.locator('#service-map [data-service]').first().waitFor({ timeout: 20_000 });
  await h.page.locator('#service-map [data-edge]').first().waitFor({ timeout: 20_000 });
}

/** Clicks the edge where a user would: on its line. */
async function clickEdge(h: Harness, selector: string): Promise<void> {
  await h.page.locator(selector).scrollIntoViewIfNeeded();
  const at = await edgeMidpoint(h.page, selector);
  await h.page.mouse.click(at.x, at.y);
}

describe('the service map', () => {
  it('announces ready first, as a service map page', async () => {
    await withHarness(browser, { name: 'map-ready', view: 'serviceMap' }, async (h) => {
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(await h.posted(), [{ type: 'ready' }]);
      assert.equal(await h.page.getAttribute('body', 'data-view'), 'serviceMap');
    });
  });

  it('draws every service, postgresql as uninstrumented, and every call edge with its mode', async () => {
    await withHarness(browser, { name: 'map-structure', view: 'serviceMap' }, async (h) => {
      await showMap(h);
      const services = await h.page.$$eval('#service-map [data-service]', (els) => els.map((e) => `${e.getAttribute('data-service')} ${e.getAttribute('data-instrumented')}`));
      assert.deepEqual(services.sort(), map.services.map((s) => `${s.name} ${s.instrumented}`).sort());
      const edges = await h.page.$$eval('#service-map [data-edge]', (els) => els.map((e) => `${e.getAttribute('data-from')}→${e.getAttribute('data-to')} ${e.getAttribute('data-mode')}`));
      assert.deepEqual(edges.sort(), map.edges.map((e) => `${e.from}→${e.to} ${e.mode}`).sort());
      // The broker sits between producer and consumer (the events drawing's messaging.system is `queue`).
      assert.equal(await h.page.locator(edge('orders', 'queue', 'async')).count(), 1, 'events mode: orders publishes to the queue');
      assert.equal(await h.page.locator(edge('queue', 'analytics', 'async')).count(), 1, 'events mode: analytics consumes from the queue');
      assert.equal(await h.page.locator(edge('orders', 'analytics', 'async')).count(), 0, 'no edge skips the broker');
      assert.equal(await h.page.locator(edge('orders', 'analytics', 'sync')).count(), 1, 'sync mode: the same pair, called directly');
    });
  });

  it('lists an edge’s slowest calls, slowest first, when the edge is clicked', async () => {
    await withHarness(browser, { name: 'map-edge', view: 'serviceMap' }, async (h) => {
      await showMap(h);
      await clickEdge(h, edge('gateway', 'orders', 'sync'));
      await h.page.locator('#edge-traces li[data-trace-id]').first().waitFor({ timeout: 5000 });
      const listed = await h.page.$$eval('#edge-traces li[data-trace-id]', (els) => els.map((e) => e.getAttribute('data-trace-id')));
      assert.deepEqual(listed, [MAP_TRACES.slowSync, MAP_TRACES.sync, MAP_TRACES.failing, MAP_TRACES.events]);

      await clickEdge(h, edge('orders', 'email', 'sync'));
      await h.page.waitForFunction(() => document.querySelectorAll('#edge-traces li[data-trace-id]').length === 2, undefined, { timeout: 5000 });
      const email = await h.page.$$eval('#edge-traces li[data-trace-id]', (els) => els.map((e) => e.getAttribute('data-trace-id')));
      assert.deepEqual(email, [MAP_TRACES.slowSync, MAP_TRACES.sync], 'the list follows the clicked edge');
    });
  });

  it('asks the host to open the trace of a listed call', async () => {
    await withHarness(browser, { name: 'map-open', view: 'serviceMap' }, async (h) => {
      await showMap(h);
      await clickEdge(h, edge('orders', 'payments', 'sync'));
      const failing = `#edge-traces li[data-trace-id="${MAP_TRACES.failing}"]`;
      await h.page.click(failing);
      const open = await h.waitForPosted('openTrace');
      assert.equal(open.traceId, MAP_TRACES.failing);
    });
  });

  it('shows a service name that is markup as text', async () => {
    const SERVICE = '<img src=x onerror=alert(1)>';
    const drawn = timeline(`
      gateway   | GET /         | server | 0-50
        gateway | call          | client | 5-45
          evil  | GET /evil     | server | 10-40
    `);
    drawn.spans[2]!.service = SERVICE;
    await withHarness(browser, { name: 'map-escaping', view: 'serviceMap' }, async (h) => {
      await h.send({ type: 'serviceMap', map: toServiceMapView([buildTree(drawn.spans)!], 0) });
      const evil = h.page.locator('#service-map [data-service]').filter({ hasText: SERVICE });
      await evil.first().waitFor({ timeout: 20_000 });
      assert.equal(await evil.first().getAttribute('data-service'), SERVICE);
      assert.equal(await h.page.locator('img').count(), 0);
    });
  });
});
