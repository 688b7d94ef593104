/**
 * Hopscope while you debug, in a real VS Code (code-server) with its built-in
 * JavaScript debugger: a workspace of two Node services with no OpenTelemetry
 * code at all — payments (CommonJS) and orders (an ES module) — and a compound
 * launch configuration starting both. F5 (Debug: Select and Start Debugging →
 * Shop), a request, and its trace arrives with both services' names; then a
 * breakpoint in payments holds a request for longer than the long-sync-call
 * threshold. While it is stopped the Traces view shows the request running;
 * once continued, the trace is marked paused by about the time stopped, its
 * blocking chain adds up as the unpaused request's did, no finding comes of
 * the pause, and the waterfall draws the pause hatched. A terminal opened in
 * that window has the OTLP endpoint.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Frame, Locator, Page } from 'playwright-core';
import type { TraceAnalysis } from '../../src/analysis/analyze-trace';
import { freePort } from '../support/free-port';
import { request } from '../support/http-client';
import { hopscopeLog, launchChromium, openFileAt, openWindow, runCommand, screenshot, startCodeServer, tracesRows, type CodeServer } from '../support/code-server';

const WAIT = { timeout: 90_000 };
/** How long the test stays at the breakpoint: past the 5 s long-sync-call threshold. */
const STOPPED_MS = 6_000;

/** payments: POST /charge answers after 20 ms. The breakpoint goes on the `charged` line. */
const PAYMENTS = [
  "const http = require('node:http');",
  '',
  'http.createServer((req, res) => {',
  '  if (req.url === "/health") return res.end("ok");',
  '  const charged = { ok: true, at: Date.now() };',
  '  setTimeout(() => res.end(JSON.stringify(charged)), 20);',
  "}).listen(Number(process.env.PORT), '127.0.0.1');",
  '',
].join('\n');
const BREAKPOINT_LINE = 5;

/** orders: POST /orders calls payments' /charge and answers when it has. */
const ORDERS = [
  "import http from 'node:http';",
  '',
  'function charge() {',
  '  return new Promise((resolve, reject) => {',
  "    const call = http.request({ host: '127.0.0.1', port: Number(process.env.PAYMENTS_PORT), path: '/charge', method: 'POST' }, (res) => {",
  '      res.resume();',
  "      res.on('end', resolve);",
  '    });',
  "    call.on('error', reject);",
  '    call.end();',
  '  });',
  '}',
  '',
  'http.createServer(async (req, res) => {',
  '  if (req.url === "/health") return res.end("ok");',
  '  await charge();',
  "  res.end('ordered');",
  "}).listen(Number(process.env.PORT), '127.0.0.1');",
  '',
].join('\n');

interface Summary { traceId: string; rootService: string; rootName: string; services: string[]; spanCount: number; runningSpans?: number }

/** Polls `check` until it returns a value; fails naming `what`, with a screenshot and Hopscope's log. */
async function poll<T>(page: Page, server: CodeServer, what: string, check: () => Promise<T | undefined>, timeout = WAIT.timeout): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      await screenshot(page, 'debugging-failed');
      throw new Error(`gave up waiting for ${what}\n${hopscopeLog(server)}`);
    }
    await new Promise((done) => setTimeout(done, 250));
  }
}

async function getJson<T>(port: number, path: string): Promise<T> {
  const reply = await request(port, 'GET', path);
  assert.equal(reply.status, 200, `${path}: ${reply.body.toString()}`);
  return JSON.parse(reply.body.toString()) as T;
}

/** A trace's analysis, from the document a trace panel draws (its second line is the view). */
async function analysisOf(port: number, traceId: string): Promise<TraceAnalysis> {
  const reply = await request(port, 'GET', `/api/traces/${traceId}/view`);
  assert.equal(reply.status, 200, reply.body.toString());
  const text = reply.body.toString();
  return (JSON.parse(text.slice(text.indexOf('\n') + 1)) as { analysis: TraceAnalysis }).analysis;
}

/** The content frame of the open trace webview (VS Code nests it two iframes deep). */
async function traceWebview(page: Page): Promise<Frame | undefined> {
  for (const frame of page.frames()) {
    if (frame.isDetached()) continue;
    if ((await frame.locator('body[data-view="trace"]').count().catch(() => 0)) > 0) return frame;
  }
  return undefined;
}

/** Clicks a Traces row until its trace panel shows (a repaint between mouse down and up loses a click, as it would a user's). */
async function openRow(page: Page, row: Locator, what: string): Promise<Frame> {
  for (let attempt = 0; attempt < 5; attempt++) {
    await row.click();
    await page.waitForTimeout(1500);
    const frame = await traceWebview(page);
    if (frame) return frame;
  }
  throw new Error(`${what} did not open in a panel`);
}

describe('Hopscope while debugging (code-server and its JavaScript debugger)', { timeout: 600_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let workspace = '';
  let httpPort = 0;
  let ordersPort = 0;
  let paymentsPort = 0;
  /** The blocking chain's accumulated latency of the last request sent without a pause, µs. */
  let unpausedAccumulatedUs = 0;

  const order = () => request(ordersPort, 'POST', '/orders', '');
  const summaries = async () => (await getJson<{ traces: Summary[] }>(httpPort, '/api/traces')).traces;
  const orderTraces = async () => (await summaries()).filter((t) => t.rootService === 'orders' && t.rootName.startsWith('POST'));

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'hopscope-debugging-'));
    httpPort = await freePort();
    ordersPort = await freePort();
    paymentsPort = await freePort();
    writeFileSync(join(workspace, 'payments.js'), PAYMENTS);
    writeFileSync(join(workspace, 'orders.mjs'), ORDERS);
    mkdirSync(join(workspace, '.vscode'));
    writeFileSync(join(workspace, '.vscode', 'launch.json'), JSON.stringify({
      version: '0.2.0',
      configurations: [
        { type: 'node', request: 'launch', name: 'Launch payments', program: '${workspaceFolder}/payments.js', env: { PORT: String(paymentsPort) } },
        { type: 'node', request: 'launch', name: 'Launch orders', program: '${workspaceFolder}/orders.mjs', env: { PORT: String(ordersPort), PAYMENTS_PORT: String(paymentsPort) } },
      ],
      compounds: [{ name: 'Shop', configurations: ['Launch payments', 'Launch orders'] }],
    }, null, 2));
    server = await startCodeServer({ 'hopscope.receiver.httpPort': httpPort, 'hopscope.receiver.grpcPort': await freePort(), 'debug.openDebug': 'neverOpen', 'debug.toolBarLocation': 'floating' });
    browser = await launchChromium();
    page = await openWindow(browser, server, workspace);
    await page.locator('.statusbar-item', { hasText: `Hopscope :${httpPort}` }).waitFor(WAIT);
  });

  after(async () => {
    await browser?.close();
    // Stopping code-server ends its debug sessions and the services they launched.
    await server?.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('starts both services from the compound launch, and their first trace names both', async () => {
    await runCommand(page, 'Debug: Select and Start Debugging');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Shop' }).first().click();
    for (const [name, port] of [['payments', paymentsPort], ['orders', ordersPort]] as const) {
      await poll(page, server, `${name} to answer /health`, async () => ((await request(port, 'GET', '/health')).status === 200 ? true : undefined));
    }
    for (let i = 0; i < 3; i++) assert.equal((await order()).body.toString(), 'ordered');
    const traces = await poll(page, server, 'three order traces with both services', async () => {
      const found = (await orderTraces()).filter((t) => t.spanCount >= 3 && t.runningSpans === undefined);
      return found.length >= 3 ? found : undefined;
    });
    assert.deepEqual(traces[0]!.services, ['orders', 'payments']);
    const analysis = await analysisOf(httpPort, traces[0]!.traceId);
    assert.equal(analysis.pausedUs, undefined, 'no pause in a request sent while nothing was stopped');
    unpausedAccumulatedUs = analysis.blockingChains[0]!.accumulatedUs;
    assert.ok(unpausedAccumulatedUs > 20_000, `the chain includes payments' 20 ms: ${unpausedAccumulatedUs} µs`);
    assert.match(hopscopeLog(server, 200), /debug session "Launch orders" \((pwa-)?node\): added .*NODE_OPTIONS/);
  });

  it('shows a request stopped at a breakpoint as running, and leaves the pause out of its figures', async () => {
    const before = new Set((await orderTraces()).map((t) => t.traceId));
    // The breakpoint, set as a user does: open payments.js, go to the line, F9.
    await openFileAt(page, 'payments.js', 'payments.js', BREAKPOINT_LINE, page.locator('.editor-instance .monaco-editor').first(), WAIT.timeout);
    await page.keyboard.press('F9');
    await page.locator('.codicon-debug-breakpoint').first().waitFor(WAIT);

    const sentAt = Date.now();
    const answered = order();
    await page.locator('.debug-top-stack-frame-line').first().waitFor(WAIT);
    const stoppedAt = Date.now();

    // While stopped: orders' started spans reach Hopscope, and the Traces view shows the request running.
    const running = await poll(page, server, 'the stopped request reported as running', async () => (await orderTraces()).find((t) => !before.has(t.traceId) && (t.runningSpans ?? 0) > 0));
    const rows = await tracesRows(page);
    const runningRow = rows.filter({ has: page.locator('.codicon-sync') }).first();
    await runningRow.waitFor(WAIT);
    // Its panel: orders' calls running, and whom they wait on (payments, stopped, has sent nothing yet).
    const waiting = await openRow(page, runningRow, 'the running trace');
    // The place comes a moment after the stop (the debugger's stack trace): the note follows without new spans.
    const note = waiting.locator('#trace-paused[data-stopped="elsewhere"]', { hasText: /payments\.js:5/ });
    await note.waitFor(WAIT);
    assert.match((await note.textContent()) ?? '', /waiting on payments, paused at breakpoint · payments\.js:5/);
    assert.ok((await waiting.locator('[data-running="true"]').count()) > 0, 'spans drawn running');
    await screenshot(page, 'debugging-running');

    await page.waitForTimeout(Math.max(0, STOPPED_MS - (Date.now() - stoppedAt)));
    // Certainly stopped from when the editor drew the stop until Continue; stopped at most from the request
    // until its answer.
    const stoppedMs = Date.now() - stoppedAt;
    await runCommand(page, 'Debug: Continue');
    assert.equal((await answered).body.toString(), 'ordered');
    const atMostMs = Date.now() - sentAt;

    const done = await poll(page, server, 'the finished trace', async () => (await orderTraces()).find((t) => t.traceId === running.traceId && t.runningSpans === undefined && t.spanCount >= 3));
    const analysis = await poll(page, server, 'the trace analysed with its pause', async () => {
      const found = await analysisOf(httpPort, done.traceId);
      return found.pausedUs !== undefined ? found : undefined;
    });
    const pausedMs = analysis.pausedUs! / 1000;
    assert.ok(pausedMs >= stoppedMs - 50 && pausedMs <= atMostMs, `paused ${pausedMs} ms; the test saw it stopped ${stoppedMs} ms, of ${atMostMs} ms from the request to its answer`);
    assert.ok(analysis.rawDurationUs! - analysis.durationUs >= (STOPPED_MS - 500) * 1000, `raw ${analysis.rawDurationUs} µs, compensated ${analysis.durationUs} µs`);
    const accumulated = analysis.blockingChains[0]!.accumulatedUs;
    const spans = (await getJson<{ spans: { name: string; service: string; startUs: number; endUs: number }[] }>(httpPort, `/api/traces/${done.traceId}`)).spans;
    const timeline = spans.map((s) => `${s.service} ${s.name} ${s.startUs} +${s.endUs - s.startUs}`).join('\n');
    assert.ok(Math.abs(accumulated - unpausedAccumulatedUs) <= 50_000, `accumulated ${accumulated} µs with the pause left out, ${unpausedAccumulatedUs} µs unpaused\n${timeline}\n${JSON.stringify(analysis.pauses)}\n${hopscopeLog(server, 30)}`);
    assert.deepEqual(analysis.findings.filter((f) => f.rule === 'long-sync-call').map((f) => f.rule), []);
    assert.deepEqual(analysis.timeouts, []);

    // The trace panel: the pause drawn hatched in the waterfall.
    const rowsNow = await tracesRows(page);
    const row = rowsNow.filter({ has: page.locator('.codicon-debug-pause') }).first();
    await row.waitFor(WAIT);
    const frame = await openRow(page, row, 'the paused trace');
    // Compensated (the default): a marker where the pause was taken out, named as the debugger named it.
    const marker = frame.locator('.wf-paused-marker.paused-part:not(.is-waiting)').first();
    await marker.waitFor(WAIT);
    assert.match((await marker.getAttribute('data-label')) ?? '', /^paused at breakpoint · payments\.js:5 · 6\.\d+ s$/);
    // Wall clock: the bar as recorded, the pause hatched in it.
    await frame.locator('#time-mode button[data-time-mode="wall-clock"]').click();
    const hatched = frame.locator('.wf-paused.paused-part:not(.is-waiting)').first();
    await hatched.waitFor(WAIT);
    assert.ok(Number(await hatched.getAttribute('data-paused-us')) >= (STOPPED_MS - 500) * 1000);
    assert.match((await frame.locator('.wf-paused.paused-part.is-waiting').first().getAttribute('data-label')) ?? '', /^waiting while payments was paused/);
    await screenshot(page, 'debugging-paused-trace');
  });

  it('gives a terminal opened in the window the OTLP endpoint', async () => {
    await runCommand(page, 'Terminal: Create New Terminal');
    await page.locator('.terminal-wrapper.active .xterm').waitFor(WAIT);
    await page.locator('.terminal-wrapper.active .xterm').click();
    await page.keyboard.type('echo "$OTEL_EXPORTER_OTLP_ENDPOINT" > endpoint.txt\n');
    const endpoint = join(workspace, 'endpoint.txt');
    const text = await poll(page, server, 'the terminal to write endpoint.txt', async () => (existsSync(endpoint) && readFileSync(endpoint, 'utf8').trim() !== '' ? readFileSync(endpoint, 'utf8').trim() : undefined));
    assert.equal(text, `http://127.0.0.1:${httpPort}`);
  });
});
