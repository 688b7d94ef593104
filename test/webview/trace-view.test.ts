/**
 * The trace view draws what the analysis found: the webview bundle in
 * Chromium on the panel's own page (CSP and all), fed the demo shop and drawn
 * failure cascades, read back through the `data-*` hooks of docs/visualizer.md.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { events, sync } from '../support/shop-drawings';
import { ms, timeline } from '../support/timeline';
import { spanOf, traceView } from '../support/webview-fixtures';
import { launchChromium, withHarness } from '../support/webview-harness';
import { attrs, idsWhere, node } from '../support/webview-queries';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

describe('the trace view starting up', () => {
  it('announces ready before anything else, and asks the host for nothing more until it answers', async () => {
    await withHarness(browser, { name: 'ready' }, async (h) => {
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(await h.posted(), [{ type: 'ready' }]);
      assert.equal(await h.page.getAttribute('body', 'data-view'), 'trace');
    });
  });
});

describe('the shop in sync mode, drawn', () => {
  const view = traceView(sync.spans);
  const id = (service: string, name: string) => spanOf(sync, service, name);

  it('is laid out, with one node per span, each inside the box of its service', async () => {
    await withHarness(browser, { name: 'sync-structure' }, async (h) => {
      await h.showTrace(view);
      assert.equal(await h.page.getAttribute('#graph', 'data-state'), 'ready');
      assert.deepEqual((await attrs(h.page, '#graph [data-span-id]', 'data-span-id')).sort(), sync.spans.map((s) => s.spanId).sort());
      const boxes = await attrs(h.page, '#graph [data-service-box]', 'data-service-box');
      assert.deepEqual([...boxes].sort(), ['analytics', 'email', 'gateway', 'inventory', 'orders', 'payments']);
      const outside = await h.page.$$eval('#graph [data-span-id]', (nodes) => nodes.flatMap((n) => {
        const service = n.getAttribute('data-service');
        const box = [...document.querySelectorAll('#graph [data-service-box]')].find((b) => b.getAttribute('data-service-box') === service);
        if (!box) return [`${n.getAttribute('data-span-id')}: no box for data-service="${service}"`];
        const r = n.getBoundingClientRect();
        const b = box.getBoundingClientRect();
        const inside = r.left >= b.left - 0.5 && r.top >= b.top - 0.5 && r.right <= b.right + 0.5 && r.bottom <= b.bottom + 0.5;
        return inside ? [] : [`${n.getAttribute('data-span-id')} (${service}) lies outside its box`];
      }));
      assert.deepEqual(outside, []);
    });
  });

  it('draws every call as a sync edge, parent to child', async () => {
    await withHarness(browser, { name: 'sync-edges' }, async (h) => {
      await h.showTrace(view);
      const edges = await h.page.$$eval('#graph [data-edge]', (els) => els.map((e) => `${e.getAttribute('data-from')}→${e.getAttribute('data-to')} ${e.getAttribute('data-mode')}`));
      assert.deepEqual(edges.sort(), view.analysis.edges.map((e) => `${e.parentSpanId}→${e.childSpanId} sync`).sort());
    });
  });

  it('marks the email call, on the critical path and the first blocking chain, as critical', async () => {
    await withHarness(browser, { name: 'sync-critical' }, async (h) => {
      await h.showTrace(view);
      for (const spanId of [id('orders', 'orders → email'), id('email', 'POST /send')]) {
        assert.equal(await h.page.getAttribute(node(spanId), 'data-critical'), 'true', spanId);
      }
    });
  });

  it('splits the 680 ms request into hops whose parts add up exactly to it', async () => {
    await withHarness(browser, { name: 'sync-accumulation' }, async (h) => {
      await h.showTrace(view);
      const total = await h.page.getAttribute('#accumulation[data-total-us], #accumulation [data-total-us]', 'data-total-us');
      assert.equal(Number(total), view.analysis.durationUs);
      assert.equal(Number(total), ms(680));
      const parts = await h.page.$$eval('#accumulation [data-part]', (els) => els.map((e) => ({ part: e.getAttribute('data-part'), us: Number(e.getAttribute('data-us')), service: e.getAttribute('data-service'), hop: e.getAttribute('data-hop') })));
      assert.ok(parts.length > 0, 'the bar has segments');
      assert.equal(parts.reduce((sum, p) => sum + p.us, 0), ms(680));
      for (const p of parts) {
        assert.match(p.part ?? '', /^(self|network|wait)$/);
        assert.ok(p.hop !== null && /^\d+$/.test(p.hop), `each segment carries its hop index: a data-part="${p.part}" segment has data-hop="${p.hop}"`);
      }
      assert.deepEqual([...new Set(parts.map((p) => p.service))], view.analysis.blockingChains[0]!.services, 'the bar follows the first chain: gateway, orders, email');
    });
  });

  it('offers one entry per blocking chain, and choosing one highlights that chain', async () => {
    await withHarness(browser, { name: 'sync-chains' }, async (h) => {
      await h.showTrace(view);
      const chains = view.analysis.blockingChains;
      assert.equal(await h.page.locator('select#chain-picker option').count(), chains.length);
      assert.deepEqual(await idsWhere(h.page, '#graph', 'data-highlighted', 'true'), [...chains[0]!.spanIds].sort());
      await h.page.selectOption('select#chain-picker', { index: 1 });
      await h.page.waitForFunction((ids) => ids.every((s) => document.querySelector(`#graph [data-span-id="${s}"]`)?.getAttribute('data-highlighted') === 'true'), chains[1]!.spanIds);
      assert.deepEqual(await idsWhere(h.page, '#graph', 'data-highlighted', 'true'), [...chains[1]!.spanIds].sort());
      const services = await attrs(h.page, '#accumulation [data-part]', 'data-service');
      assert.deepEqual([...new Set(services)], chains[1]!.services, 'the bar shows the chosen chain (read from each segment\'s data-service)');
    });
  });
});

describe('the shop in events mode, drawn', () => {
  const view = traceView(events.spans);
  const id = (service: string, name: string) => spanOf(events, service, name);

  it('draws the consumers behind async edges with the time order.created waited in the queue', async () => {
    await withHarness(browser, { name: 'events-async' }, async (h) => {
      await h.showTrace(view);
      const producer = id('orders', 'publish order.created');
      for (const consumer of [id('email', 'process order.created (email)'), id('analytics', 'process order.created (analytics)')]) {
        const edge = `#graph [data-edge][data-from="${producer}"][data-to="${consumer}"]`;
        assert.equal(await h.page.getAttribute(edge, 'data-mode'), 'async');
        assert.equal(Number(await h.page.getAttribute(edge, 'data-queue-us')), ms(140 - 128));
      }
      const syncEdges = await h.page.$$eval('#graph [data-edge][data-mode="sync"]', (els) => els.length);
      assert.equal(syncEdges, view.analysis.edges.filter((e) => e.mode === 'sync').length);
      assert.equal(await h.page.locator('#graph [data-edge][data-queue-us]:not([data-mode="async"])').count(), 0, 'only async edges have a queue time');
    });
  });

  it('leaves the async consumers off the critical path', async () => {
    await withHarness(browser, { name: 'events-critical' }, async (h) => {
      await h.showTrace(view);
      assert.equal(await h.page.getAttribute(node(id('payments', 'POST /charge')), 'data-critical'), 'true');
      for (const name of ['process order.created (email)', 'send confirmation email']) {
        assert.notEqual(await h.page.getAttribute(node(id('email', name)), 'data-critical'), 'true', name);
      }
    });
  });

  it('shows the failing email consumer as isolated: nothing on the order side failed', async () => {
    await withHarness(browser, { name: 'events-isolated' }, async (h) => {
      await h.showTrace(view);
      const failures = await h.page.$$eval('#graph [data-span-id][data-failure]', (els) => els.map((e) => `${e.getAttribute('data-service')}:${e.getAttribute('data-failure')}`));
      assert.ok(failures.includes('email:isolated'), JSON.stringify(failures));
      assert.deepEqual(failures.filter((f) => !f.startsWith('email:')), [], 'gateway, orders, payments and inventory did not fail');
    });
  });
});

describe('a failure cascade, drawn', () => {
  it('marks the payments failure as the origin and everything above it as propagated when it reaches the root', async () => {
    const cascade = timeline(`
      gateway   | POST /orders (gateway) | server | 0-300 | error
        gateway | gateway → orders      | client | 5-295 | error
          orders   | POST /orders       | server | 10-290 | error
            orders | orders → payments  | client | 20-280 | error
              payments | POST /charge   | server | 30-270 | error
    `);
    const expected: Record<string, string> = {
      'POST /charge': 'origin',
      'orders → payments': 'propagated', 'POST /orders': 'propagated', 'gateway → orders': 'propagated', 'POST /orders (gateway)': 'propagated',
    };
    await withHarness(browser, { name: 'cascade-root' }, async (h) => {
      await h.showTrace(traceView(cascade.spans));
      for (const [name, role] of Object.entries(expected)) assert.equal(await h.page.getAttribute(node(cascade.id(name)), 'data-failure'), role, name);
      const edges = await h.page.$$eval('#graph [data-edge]', (els) => els.map((e) => e.getAttribute('data-failure')));
      assert.deepEqual(edges, ['propagated', 'propagated', 'propagated', 'propagated'], 'every call on the way up carried the failure');
    });
  });

  it('marks the orders handler as containing a payments failure that it absorbed', async () => {
    const contained = timeline(`
      gateway   | POST /orders (gateway) | server | 0-300
        gateway | gateway → orders      | client | 5-295
          orders   | POST /orders       | server | 10-290
            orders | orders → payments  | client | 20-120 | error
              payments | POST /charge   | server | 30-110 | error
            orders | orders → inventory | client | 130-200
              inventory | POST /reserve | server | 140-190
    `);
    const expected: Record<string, string | null> = {
      'POST /charge': 'origin', 'orders → payments': 'propagated', 'POST /orders': 'contained',
      'gateway → orders': null, 'POST /orders (gateway)': null, 'orders → inventory': null, 'POST /reserve': null,
    };
    await withHarness(browser, { name: 'cascade-contained' }, async (h) => {
      await h.showTrace(traceView(contained.spans));
      for (const [name, role] of Object.entries(expected)) assert.equal(await h.page.getAttribute(node(contained.id(name)), 'data-failure'), role, name);
      const edge = (from: string, to: string) => h.page.getAttribute(`#graph [data-edge][data-from="${contained.id(from)}"][data-to="${contained.id(to)}"]`, 'data-failure');
      assert.equal(await edge('orders → payments', 'POST /charge'), 'propagated');
      assert.equal(await edge('gateway → orders', 'POST /orders'), null, 'the failure never reached the gateway');
      assert.equal(await edge('orders → inventory', 'POST /reserve'), null);
    });
  });
});
