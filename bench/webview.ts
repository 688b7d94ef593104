/**
 * The trace view with big traces, in Chromium on the panel's own page (the
 * test harness): for synthetic checkouts of 1,000 and 5,000 spans, the time
 * from posting the `trace` message until the graph is laid out and drawn and
 * the waterfall has rows, with the graph's own layout (worker) and render
 * times beside it; then, on the 5,000-span trace, the longest main-thread task
 * while the user drags and wheels the graph for about 2 s and scrolls the
 * waterfall. Peer, interleaved round by round on the same kind of page:
 * elkjs's `layered` layout with its default options on the main thread, over
 * a flat graph with one node per span and one edge per parent link.
 * Usage: node dist/bench/webview.js [rounds]   (prints JSON; run from the repository root)
 */
import type { Browser, Page } from 'playwright-core';
import type { TraceView } from '../src/protocol/trace-view';
import { syntheticView } from '../test/support/webview-fixtures';
import { launchChromium, openHarness, traceDocumentText, type Harness } from '../test/support/webview-harness';
import { graphBackground, viewport } from '../test/support/webview-queries';

/** The checkout traces as they come (repeated calls fold into ×N nodes), and one where every call is different (only the node budget keeps the graph small). */
const CASES = [
  { key: '1000', spans: 1000, distinct: false },
  { key: '5000', spans: 5000, distinct: false },
  { key: '5000-distinct', spans: 5000, distinct: true },
] as const;

/** Every span its own operation: nothing repeats, so nothing folds into ×N. */
function distinctView(spanCount: number): TraceView {
  const view = syntheticView(spanCount);
  const names = new Map(view.nodes.map((n, i) => [n.spanId, `${n.name} #${i}`]));
  return { ...view, nodes: view.nodes.map((n) => ({ ...n, name: names.get(n.spanId)!, label: names.get(n.spanId)! })), spans: view.spans.map((s) => ({ ...s, name: names.get(s.spanId) ?? s.name })) };
}
const INTERACT_MS = 2000;

interface Ours {
  totalMs: number;
  layoutMs: number;
  renderMs: number;
  /** Nodes the graph drew (repeated calls and folded subtrees count once). */
  nodes: number;
  /** Until the first frame after that, for the record. */
  paintedMs: number;
  /** Longest main-thread task while the trace was being shown (0: none of 50 ms or more). */
  renderLongestTaskMs: number;
}

interface Peer {
  layoutMs: number;
  longestTaskMs: number;
}

/** Long tasks (≥ 50 ms, the browser's threshold) from now on, into window.__longTasks. */
const observeLongTasks = (page: Page) => page.evaluate(() => {
  const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
  w.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask' });
});

const longestTaskSince = (page: Page, since: number) => page.evaluate((t) =>
  Math.max(0, ...(window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((e) => e.start >= t).map((e) => e.duration)), since);

async function open(browser: Browser): Promise<Harness> {
  const h = await openHarness(browser, { viewport: { width: 1400, height: 900 } });
  await h.waitForPosted('ready');
  await observeLongTasks(h.page);
  return h;
}

async function failOnProblems(h: Harness): Promise<void> {
  const problems = await h.problems();
  if (problems.length > 0) throw new Error(`the page had problems:\n  ${problems.slice(0, 10).join('\n  ')}`);
}

/** Shows the trace; on the big one also pans, zooms and scrolls, and returns the longest task meanwhile. */
async function ours(browser: Browser, view: TraceView, interact: boolean): Promise<{ shown: Ours; interaction?: { longestTaskMs: number; panned: boolean; scrolled: boolean } }> {
  const h = await open(browser);
  try {
    // The message is put into the page first: only the page's own work is timed.
    // As VS Code delivers it: the trace document's bytes (made in the page before the clock starts).
    const { text, places } = traceDocumentText(view);
    await h.page.evaluate(([t, p]) => void ((window as unknown as { __message: unknown }).__message = { type: 'trace', document: new TextEncoder().encode(t), places: p }), [text, places] as const);
    const { end, ...shown } = await h.page.evaluate(() => new Promise<Ours & { end: number }>((resolve, reject) => {
      const graph = document.querySelector<HTMLElement>('#graph')!;
      const timer = setTimeout(() => reject(new Error(`not ready after 60 s (data-state="${graph.dataset.state}")`)), 60_000);
      const start = performance.now();
      const done = () => graph.dataset.state === 'ready' && document.querySelector('#waterfall [data-span-id]') !== null;
      const observer = new MutationObserver(() => {
        if (!done()) return;
        const totalMs = performance.now() - start;
        observer.disconnect();
        clearTimeout(timer);
        requestAnimationFrame(() => setTimeout(() => {
          const end = performance.now();
          const tasks = (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((e) => e.start >= start && e.start < end);
          resolve({
            totalMs, paintedMs: end - start, end,
            layoutMs: Number(graph.dataset.layoutMs), renderMs: Number(graph.dataset.renderMs), nodes: Number(graph.dataset.nodes),
            renderLongestTaskMs: Math.max(0, ...tasks.map((t) => t.duration)),
          });
        }));
      });
      observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
      window.postMessage((window as unknown as { __message: unknown }).__message, '*');
    }));
    if (!interact) {
      await failOnProblems(h);
      return { shown };
    }
    const interaction = await panZoomScroll(h.page, end);
    await failOnProblems(h);
    return { shown, interaction };
  } finally {
    await h.close();
  }
}

/** About 2 s of dragging and wheeling the graph, then scrolling the waterfall down and up. */
async function panZoomScroll(page: Page, since: number): Promise<{ longestTaskMs: number; panned: boolean; scrolled: boolean }> {
  const transform = async () => JSON.stringify(await viewport(page));
  const firstRow = () => page.$eval('#waterfall [data-span-id]', (r) => r.getAttribute('data-span-id'));
  const before = { transform: await transform(), row: await firstRow() };
  const from = await graphBackground(page);
  const started = Date.now();
  for (let i = 0; Date.now() - started < INTERACT_MS; i++) {
    const dx = i % 2 === 0 ? 60 : -50;
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + dx, from.y + dx / 2, { steps: 8 });
    await page.mouse.up();
    await page.mouse.move(from.x, from.y);
    await page.mouse.wheel(0, i % 3 === 2 ? 240 : -160);
  }
  const panned = (await transform()) !== before.transform;
  const waterfall = await page.$eval('#waterfall', (w) => {
    const r = w.getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height * 0.7 };
  });
  await page.mouse.move(waterfall.x, waterfall.y);
  for (let i = 0; i < 20; i++) await page.mouse.wheel(0, 400);
  const scrolled = (await firstRow()) !== before.row;
  for (let i = 0; i < 20; i++) await page.mouse.wheel(0, -400);
  await page.waitForTimeout(300);
  return { longestTaskMs: await longestTaskSince(page, since), panned, scrolled };
}

/** elkjs's layered layout, default options, on the page's main thread, over one node per span. */
async function peer(browser: Browser, view: TraceView): Promise<Peer> {
  const h = await open(browser);
  try {
    // Loaded the way the page loads its own script: from its origin, with its nonce.
    await h.page.evaluate(() => new Promise<void>((resolve, reject) => {
      const script = document.createElement('script');
      script.nonce = document.querySelector<HTMLScriptElement>('script[nonce]')!.nonce;
      script.src = '/node_modules/elkjs/lib/elk.bundled.js';
      script.onload = () => resolve();
      script.onerror = () => reject(new Error('elk.bundled.js did not load'));
      document.head.append(script);
    }));
    const graph = {
      id: 'root',
      layoutOptions: { 'elk.algorithm': 'layered' },
      children: view.nodes.map((n) => ({ id: n.spanId, width: 160, height: 42 })),
      edges: view.nodes.filter((n) => n.parentSpanId).map((n) => ({ id: `e${n.spanId}`, sources: [n.parentSpanId], targets: [n.spanId] })),
    };
    const result = await h.page.evaluate(async (g) => {
      const Elk = (window as unknown as { ELK: new () => { layout(graph: unknown): Promise<unknown> } }).ELK;
      await new Promise((r) => setTimeout(r, 100)); // let the script's own parse task pass
      const start = performance.now();
      await new Elk().layout(g);
      const layoutMs = performance.now() - start;
      await new Promise((r) => setTimeout(r, 100));
      const tasks = (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((e) => e.start >= start - 1);
      return { layoutMs, longestTaskMs: Math.max(0, ...tasks.map((t) => t.duration)) };
    }, graph);
    await failOnProblems(h);
    return result;
  } finally {
    await h.close();
  }
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 3);
  const browser = await launchChromium();
  try {
    const out: Record<string, unknown> = {};
    const interactions: { longestTaskMs: number; panned: boolean; scrolled: boolean }[] = [];
    for (const { key, spans, distinct } of CASES) {
      const view = distinct ? distinctView(spans) : syntheticView(spans);
      const oursRuns: Ours[] = [];
      const peerRuns: Peer[] = [];
      for (let r = 0; r < rounds; r++) {
        const run = await ours(browser, view, key === '5000');
        oursRuns.push(run.shown);
        if (run.interaction) interactions.push(run.interaction);
        peerRuns.push(await peer(browser, view));
      }
      const pick = <T>(runs: T[], key: keyof T) => median(runs.map((r) => r[key] as number));
      out[key] = {
        spans: view.nodes.length,
        ours: { totalMs: pick(oursRuns, 'totalMs'), layoutMs: pick(oursRuns, 'layoutMs'), renderMs: pick(oursRuns, 'renderMs'), nodes: pick(oursRuns, 'nodes'), paintedMs: pick(oursRuns, 'paintedMs'), renderLongestTaskMs: pick(oursRuns, 'renderLongestTaskMs') },
        oursRuns,
        peer: { layoutMs: pick(peerRuns, 'layoutMs'), longestTaskMs: pick(peerRuns, 'longestTaskMs') },
        peerRuns,
      };
    }
    out.interaction = {
      longestTaskMs: median(interactions.map((i) => i.longestTaskMs)),
      maxMs: Math.max(...interactions.map((i) => i.longestTaskMs)),
      runs: interactions,
    };
    process.stdout.write(JSON.stringify(out));
  } finally {
    await browser.close();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
