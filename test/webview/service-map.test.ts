/**
 * The service map: the shop's services and the calls between them over four
 * requests, each edge listing its slowest calls, each of which opens its trace;
 * and a map that holds still while its numbers change once a second.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildTree } from '../../src/analysis/trace-tree';
import { toServiceMapView } from '../../src/views/service-map';
import type { ServiceMapView } from '../../src/protocol/service-map';
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

  it('fits the map with the services\' names readable, at the default size and in a narrow panel', async () => {
    for (const viewport of [{ width: 1600, height: 900 }, { width: 700, height: 700 }]) {
      await withHarness(browser, { name: `map-readable-${viewport.width}`, view: 'serviceMap', viewport }, async (h) => {
        await showMap(h);
        await h.page.locator('#service-map[data-state="ready"]').waitFor({ timeout: 20_000 });
        const names = await h.page.locator('#service-map .service text').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
        assert.ok(names.length >= 5, `${names.length} names`);
        assert.ok(Math.min(...names) >= 10, `names ${names.map((n) => n.toFixed(1)).join(', ')} px high at ${viewport.width} px`);
        // The map begins where the calls begin: the first caller is in view.
        const gateway = await h.page.locator('#service-map [data-service="gateway"]').boundingBox();
        const area = await h.page.locator('#service-map').boundingBox();
        assert.ok(gateway && area && gateway.x >= area.x && gateway.x + gateway.width <= area.x + area.width, 'gateway is in view');
      });
    }
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

  it('holds every service and edge still while only the numbers change, and keeps the elements a click is on', async () => {
    await withHarness(browser, { name: 'map-stable', view: 'serviceMap' }, async (h) => {
      await showMap(h);
      const first = await geometry(h.page);
      assert.equal(await h.page.getAttribute('#service-map', 'data-layouts'), '1');
      // The elements a user points at, marked: an update must change them, not replace them.
      await h.page.$$eval('#service-map [data-service], #service-map [data-edge]', (els) => els.forEach((el) => ((el as unknown as { kept: boolean }).kept = true)));
      for (let update = 1; update <= 5; update++) {
        // What the worker sends a second later: other counts and times, and (sorted by calls) another order.
        await h.send({ type: 'serviceMap', map: busier(map, update) });
        await h.page.waitForFunction((calls) => document.querySelector('#service-map [data-edge][data-from="gateway"][data-to="orders"]')?.getAttribute('aria-label')?.includes(`${calls} calls`), 4 + update * 10, { timeout: 5000 });
        assert.deepEqual(await geometry(h.page), first, `update ${update}: every node and edge where it was`);
      }
      assert.equal(await h.page.getAttribute('#service-map', 'data-layouts'), '1', 'numbers alone never lay the map out again');
      assert.deepEqual(await unkept(h.page), [], 'the same elements, updated in place');

      // A click whose press and release straddle an update lands on the edge it began on.
      const email = edge('orders', 'email', 'sync');
      const at = await edgeMidpoint(h.page, email);
      await h.page.mouse.move(at.x, at.y);
      await h.page.mouse.down();
      await h.send({ type: 'serviceMap', map: busier(map, 6) });
      await h.page.waitForFunction(() => document.querySelector('#service-map [data-edge][data-from="gateway"][data-to="orders"]')?.getAttribute('aria-label')?.includes('64 calls'), undefined, { timeout: 5000 });
      await h.page.mouse.up();
      assert.equal(await h.page.getAttribute(email, 'aria-selected'), 'true');
      await h.page.waitForFunction(() => document.querySelector('#edge-traces h2')?.textContent === 'orders → email', undefined, { timeout: 5000 });

      // A new service is the one thing that lays the map out again; the known elements stay the same elements.
      await h.send({ type: 'serviceMap', map: withNewService(busier(map, 7)) });
      await h.page.locator('#service-map [data-service="fraud-check"]').waitFor({ timeout: 20_000 });
      await h.page.waitForFunction(() => document.querySelector('#service-map')?.getAttribute('data-layouts') === '2', undefined, { timeout: 20_000 });
      assert.deepEqual(await unkept(h.page), ['fraud-check', 'payments→fraud-check'], 'only the new service and its edge are new elements');
      assert.equal(await h.page.getAttribute(email, 'aria-selected'), 'true', 'the selection survives the new layout');
      const after = await geometry(h.page);
      await h.send({ type: 'serviceMap', map: withNewService(busier(map, 8)) });
      await h.page.waitForFunction(() => document.querySelector('#service-map [data-edge][data-from="gateway"][data-to="orders"]')?.getAttribute('aria-label')?.includes('84 calls'), undefined, { timeout: 5000 });
      assert.deepEqual(await geometry(h.page), after);
      assert.deepEqual(await h.problems(), []);
    });
  });
});

/** Where every service and edge is drawn: transforms, edge paths and label positions, by name. */
function geometry(page: Page): Promise<Record<string, string | null>> {
  return page.evaluate(() => {
    const out: Record<string, string | null> = {};
    for (const el of document.querySelectorAll('#service-map [data-service]')) out[el.getAttribute('data-service')!] = el.getAttribute('transform');
    for (const el of document.querySelectorAll('#service-map [data-edge]')) {
      const tspan = el.querySelector('tspan');
      out[el.getAttribute('data-key')!] = `${el.querySelector('.edge-line')?.getAttribute('d')} @${tspan?.getAttribute('x')},${tspan?.getAttribute('y')}`;
    }
    return out;
  });
}

/** Services and edges drawn by elements that were not there when they were marked. */
function unkept(page: Page): Promise<string[]> {
  return page.$$eval('#service-map [data-service], #service-map [data-edge]', (els) => els
    .filter((el) => !(el as unknown as { kept?: boolean }).kept)
    .map((el) => el.getAttribute('data-service') ?? `${el.getAttribute('data-from')}→${el.getAttribute('data-to')}`).sort());
}

/** The map `n` seconds on: every edge with more calls, other times and errors, edges and services in another order. */
function busier(base: ServiceMapView, n: number): ServiceMapView {
  const edges = base.edges.map((e) => ({ ...e, calls: e.calls + n * 10, errors: (e.errors + n) % 3, p50Us: e.p50Us * (1 + n / 7), p95Us: e.p95Us * (1 + n / 3) + 123_456 }));
  const turn = n % edges.length;
  return { ...base, traces: base.traces + n * 10, edges: [...edges.slice(turn), ...edges.slice(0, turn)].reverse(), services: n % 2 ? [...base.services].reverse() : base.services };
}

/** A new service that payments calls. */
function withNewService(view: ServiceMapView): ServiceMapView {
  return {
    ...view,
    services: [...view.services, { name: 'fraud-check', instrumented: true, spans: 3 }],
    edges: [...view.edges, { from: 'payments', to: 'fraud-check', mode: 'sync', calls: 3, errors: 0, p50Us: 12_000, p95Us: 15_000, slowest: [] }],
  };
}
