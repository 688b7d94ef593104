/**
 * A trace a sender made 20,000 spans deep (each span the parent of the
 * next), and one whose spans formed a parent cycle the analysis cut: the
 * trace view draws both without a page error, the graph folds within its
 * node budget, and the waterfall shows its rows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { deepChain, deepCycle } from '../../bench/deep';
import { NODE_BUDGET } from '../../webview/graph/trace-graph';
import { traceView } from '../support/webview-fixtures';
import { launchChromium, withHarness } from '../support/webview-harness';

/** 20,000 levels: far past any stack a recursive walk could take. (At 100,000 the page of the test harness is lost in Chromium: not yet diagnosed.) */
const DEPTH = Number(process.env.DEEP_DEPTH ?? 20_000);

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

describe('the trace view of a hostile deep trace', () => {
  for (const [name, spans] of [['a deep chain', deepChain(DEPTH)], ['a deep cycle, repaired', deepCycle(DEPTH)]] as const) {
    it(`draws ${name} without a page error: the graph within its budget, the waterfall with rows`, async () => {
      await withHarness(browser, { name: `deep-${spans[0]!.traceId}` }, async (h) => {
        // Sent as JSON text (Playwright's own serialisation of 100,000 nested objects takes minutes), then
        // delivered the way VS Code does.
        const message = JSON.stringify({ type: 'trace', view: traceView(spans), sources: [] });
        await h.page.evaluate((text) => window.postMessage(JSON.parse(text), '*'), message);
        await h.page.waitForFunction(() => document.querySelector('#graph')?.getAttribute('data-state') === 'ready', undefined, { timeout: 180_000, polling: 250 });
        const nodes = Number(await h.page.getAttribute('#graph', 'data-nodes'));
        assert.ok(nodes > 0 && nodes <= NODE_BUDGET, `${nodes} graph nodes`);
        assert.ok((await h.page.locator('#graph [data-fold-key]').count()) > 0, 'the rest of the chain is folded');
        await h.page.waitForSelector('.wf-row');
        assert.ok((await h.page.locator('.wf-row').count()) > 0, 'the waterfall shows rows');
        assert.equal(await h.page.textContent('.wf .hs-count'), String(DEPTH));
        assert.deepEqual(await h.problems(), []);
      });
    });
  }
});
