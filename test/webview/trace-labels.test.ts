/**
 * The trace view names spans by what they are (their label, `GET /price`),
 * not by their raw name (`GET`): in the graph, its ×N groups, the waterfall,
 * the details and the search. And plumbing (pool checkouts, acks) is drawn as
 * part of the call it serves, dimmed, never as a call of its own or in a ×N.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { timeline } from '../support/timeline';
import { traceView, withNodes, type NodeFacts } from '../support/webview-fixtures';
import { launchChromium, withHarness } from '../support/webview-harness';
import { attrs, idsWhere, node, row } from '../support/webview-queries';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

const text = (page: Page, selector: string) => page.$eval(selector, (el) => el.textContent ?? '');
const waitForDetails = (page: Page, label: string) =>
  page.waitForFunction((l) => document.querySelector('#details [data-field="name"]')?.textContent === l, label, { timeout: 5000 });

//  shop asks the catalog service for five things, each a plain `GET` span:
//  shop  GET /cart [========================================]
//          GET /price [==]  GET /stock [==]  GET /tax [==]  GET /shipping [==]  GET /reviews [==]
const fiveGets = timeline(`
  shop   | GET /cart     | server | 0-300
    shop | get price     | client | 10-40
    shop | get stock     | client | 50-80
    shop | get tax       | client | 90-120
    shop | get shipping  | client | 130-160
    shop | get reviews   | client | 170-200
`);
const PATHS = ['price', 'stock', 'tax', 'shipping', 'reviews'];
const gets = PATHS.map((p) => fiveGets.id(`get ${p}`));
for (const span of fiveGets.spans) if (span.name.startsWith('get ')) span.name = 'GET';

/** The five calls labelled as given (all answered by `catalog`, so only the label tells them apart). */
const labelled = (labels: (path: string) => string) =>
  withNodes(traceView(fiveGets.spans), Object.fromEntries(PATHS.map((p, i): [string, NodeFacts] => [gets[i]!, { label: labels(p), peer: 'catalog' }])));

describe('spans named by their label', () => {
  it('draws five different GETs as five nodes, not one ×5, each with its label and peer', async () => {
    await withHarness(browser, { name: 'labels-five-gets' }, async (h) => {
      await h.showTrace(labelled((p) => `GET /${p}`));
      assert.equal(await h.page.locator('#graph [data-span-id]').count(), 6, 'the handler and its five calls');
      assert.deepEqual(await attrs(h.page, '#graph [data-span-id]:not([data-count="1"])', 'data-span-id'), [], 'no node stands for several calls');
      for (const [i, p] of PATHS.entries()) {
        const shown = await text(h.page, node(gets[i]!));
        assert.ok(shown.includes(`GET /${p}`), `the node of the /${p} call shows its label: ${JSON.stringify(shown)}`);
        assert.ok(shown.includes('→ catalog'), `and who answers it: ${JSON.stringify(shown)}`);
        assert.equal(await h.page.getAttribute(node(gets[i]!), 'data-peer'), 'catalog');
        assert.equal(await text(h.page, `${row(gets[i]!)} .wf-name`), `GET /${p}`, 'the waterfall row shows the label');
      }
    });
  });

  it('still groups calls that are the same by label, and keeps calls to two peers apart', async () => {
    await withHarness(browser, { name: 'labels-same-label' }, async (h) => {
      await h.showTrace(labelled(() => 'GET /price'));
      assert.equal(await h.page.locator('#graph [data-span-id][data-count="5"]').count(), 1, 'five GET /price calls are one ×5');
      assert.ok((await text(h.page, '#graph [data-count="5"]')).includes('GET /price'));

      const twoPeers = withNodes(traceView(fiveGets.spans), Object.fromEntries(gets.map((id, i): [string, NodeFacts] => [id, { label: 'SELECT items', peer: i < 3 ? 'postgresql' : 'mysql' }])));
      await h.showTrace(twoPeers);
      assert.equal(await h.page.locator('#graph [data-span-id][data-count="3"]').count(), 1, 'three to postgresql are one ×3');
      assert.equal(await h.page.getAttribute('#graph [data-count="3"]', 'data-peer'), 'postgresql');
      assert.equal(await h.page.locator('#graph [data-span-id][data-peer="mysql"]').count(), 2, 'two to mysql stay two nodes');
    });
  });

  it('titles the details with the label, and shows the raw span name and the peer beside it', async () => {
    await withHarness(browser, { name: 'labels-details' }, async (h) => {
      await h.showTrace(labelled((p) => `GET /${p}`));
      await h.page.click(node(gets[1]!));
      await waitForDetails(h.page, 'GET /stock');
      assert.equal(await text(h.page, '#details [data-field="span-name"]'), 'GET');
      assert.equal(await text(h.page, '#details [data-field="peer"]'), 'catalog');
      await h.send({ type: 'select', spanId: fiveGets.id('GET /cart') });
      await waitForDetails(h.page, 'GET /cart');
      assert.equal(await h.page.locator('#details [data-field="span-name"]').count(), 0, 'no span-name row when the name says the same');
      assert.equal(await h.page.locator('#details [data-field="peer"]').count(), 0, 'no peer for the handler');
    });
  });

  it('finds spans by label, by raw name and by peer', async () => {
    await withHarness(browser, { name: 'labels-search' }, async (h) => {
      const view = withNodes(labelled((p) => `GET /${p}`), { [gets[3]!]: { label: 'GET /shipping', peer: 'carrier-api' } });
      await h.showTrace(view);
      const matching = async (query: string, expected: string[]) => {
        await h.page.fill('input#search', query);
        const want = [...expected].sort();
        await h.page.waitForFunction((ids) => JSON.stringify([...document.querySelectorAll('#graph [data-span-id][data-match="true"]')].map((e) => e.getAttribute('data-span-id')).sort()) === JSON.stringify(ids), want, { timeout: 5000 })
          .catch(() => undefined);
        assert.deepEqual(await idsWhere(h.page, '#graph', 'data-match', 'true'), want, `graph matches for ${JSON.stringify(query)}`);
        assert.deepEqual(await idsWhere(h.page, '#waterfall', 'data-match', 'true'), want, `waterfall matches for ${JSON.stringify(query)}`);
      };
      await matching('/stock', [gets[1]!]);
      await matching('catalog', gets.filter((_, i) => i !== 3));
      await matching('carrier', [gets[3]!]);
      await matching('GET', fiveGets.spans.map((s) => s.spanId));
    });
  });
});

//  shop checks a connection out of the pool before each of five queries, and acks three messages at the end:
//  shop  GET /cart [=================================================================]
//          pool▪SELECT[==] pool▪SELECT[==] pool▪SELECT[==] pool▪SELECT[==] pool▪SELECT[==]      ack▪ ack▪ ack▪
const pooled = timeline(`
  shop   | GET /cart   | server   | 0-300
    shop | connect 1   | internal | 10-12
    shop | query 1     | client   | 12-30
    shop | connect 2   | internal | 32-34
    shop | query 2     | client   | 34-52
    shop | connect 3   | internal | 54-56
    shop | query 3     | client   | 56-74
    shop | connect 4   | internal | 76-78
    shop | query 4     | client   | 78-96
    shop | connect 5   | internal | 98-100
    shop | query 5     | client   | 100-118
    shop | ack 1       | internal | 280-282
    shop | ack 2       | internal | 283-285
    shop | ack 3       | internal | 286-288
`);
const N = [1, 2, 3, 4, 5];
const connects = N.map((n) => pooled.id(`connect ${n}`));
const queries = N.map((n) => pooled.id(`query ${n}`));
const acks = [1, 2, 3].map((n) => pooled.id(`ack ${n}`));
for (const span of pooled.spans) span.name = span.name.replace(/^connect \d$/, 'pg-pool.connect').replace(/^query \d$/, 'pg.query:SELECT').replace(/^ack \d$/, 'basic.ack');
const pooledView = withNodes(traceView(pooled.spans), {
  ...Object.fromEntries(connects.map((id): [string, NodeFacts] => [id, { plumbing: true }])),
  ...Object.fromEntries(queries.map((id): [string, NodeFacts] => [id, { label: 'SELECT items', peer: 'postgresql' }])),
  ...Object.fromEntries(acks.map((id): [string, NodeFacts] => [id, { label: 'ack', plumbing: true }])),
});
const opacity = (page: Page, selector: string) => page.$eval(selector, (el) => Number(getComputedStyle(el).opacity));

describe('plumbing spans', () => {
  it('are drawn inside the call they precede, which alone counts in its ×N', async () => {
    await withHarness(browser, { name: 'plumbing-graph' }, async (h) => {
      await h.showTrace(pooledView);
      const group = '#graph [data-span-id][data-count="5"]';
      assert.equal(await h.page.getAttribute(group, 'data-span-id'), queries[0]);
      assert.equal(await h.page.getAttribute(group, 'data-plumbing-count'), '5', 'the five checkouts are drawn inside the ×5 queries');
      assert.ok((await text(h.page, group)).includes('5× pg-pool.connect'), await text(h.page, group));
      for (const id of connects) assert.equal(await h.page.locator(node(id)).count(), 0, 'a checkout is no node of its own');
      assert.deepEqual((await attrs(h.page, '#graph [data-span-id]', 'data-count')).sort(), ['1', '1', '1', '1', '5'], 'the handler, the ×5 queries and three acks');
    });
  });

  it('with no call after them are small dimmed nodes, one each, never a ×N', async () => {
    await withHarness(browser, { name: 'plumbing-alone' }, async (h) => {
      await h.showTrace(pooledView);
      assert.deepEqual(await idsWhere(h.page, '#graph', 'data-plumbing', 'true'), [...acks].sort());
      for (const id of acks) {
        assert.equal(await h.page.getAttribute(node(id), 'data-count'), '1');
        assert.ok((await opacity(h.page, node(id))) < 1, 'dimmed');
        const [ack, query] = await Promise.all([node(id), node(queries[0]!)].map((s) => h.page.$eval(s, (el) => (el as SVGGraphicsElement).getBBox().height)));
        assert.ok(ack! < query!, `smaller than a call (${ack} < ${query})`);
      }
      assert.equal(await opacity(h.page, node(queries[0]!)), 1, 'the call is not dimmed');
    });
  });

  it('are dimmed in the waterfall with a (plumbing) hint', async () => {
    await withHarness(browser, { name: 'plumbing-waterfall' }, async (h) => {
      await h.showTrace(pooledView);
      assert.deepEqual(await idsWhere(h.page, '#waterfall', 'data-plumbing', 'true'), [...connects, ...acks].sort());
      for (const id of [connects[0]!, acks[2]!]) {
        assert.ok((await text(h.page, row(id))).includes('(plumbing)'), await text(h.page, row(id)));
        assert.ok((await opacity(h.page, `${row(id)} .wf-bar`)) < 1, 'the bar is dimmed');
      }
      assert.ok(!(await text(h.page, row(queries[0]!))).includes('(plumbing)'));
      assert.equal(await opacity(h.page, `${row(queries[0]!)} .wf-bar`), 1);
    });
  });

  it('selected anywhere, select the call that draws them; their line in it selects them', async () => {
    await withHarness(browser, { name: 'plumbing-select' }, async (h) => {
      await h.showTrace(pooledView);
      const group = node(queries[0]!);
      await h.page.click(row(connects[1]!));
      await h.page.waitForFunction((s) => document.querySelector(s)?.getAttribute('aria-selected') === 'true', group, { timeout: 5000 });
      assert.equal(await h.page.getAttribute(`${group} [data-plumbing-span-id]`, 'data-selected'), 'true');
      await waitForDetails(h.page, 'pg-pool.connect');
      assert.ok((await text(h.page, '#details [data-field="plumbing"]')).includes('part of the call'));
      await h.page.click(`${group} [data-plumbing-span-id]`);
      assert.deepEqual(await h.waitForPosted('select', (m) => m.spanId === connects[0]), { type: 'select', spanId: connects[0] });
      assert.equal(await h.page.getAttribute(row(connects[0]!), 'aria-selected'), 'true');
    });
  });

  it('stay with their own call when the ×5 is opened', async () => {
    await withHarness(browser, { name: 'plumbing-open' }, async (h) => {
      await h.showTrace(pooledView);
      await h.page.locator('#graph [data-count="5"]').getByText('×5', { exact: false }).first().click();
      await h.page.waitForFunction((ids) => ids.every((s) => document.querySelector(`#graph [data-span-id="${s}"]`)), queries, { timeout: 10_000 });
      for (const [i, id] of queries.entries()) {
        assert.equal(await h.page.getAttribute(node(id), 'data-plumbing-count'), '1');
        assert.equal(await h.page.getAttribute(`${node(id)} [data-plumbing-span-id]`, 'data-plumbing-span-id'), connects[i]);
      }
    });
  });
});
