/**
 * Hopscope in a real VS Code: code-server 1.100 with the built .vsix installed,
 * driven by Playwright in Debian's Chromium, fed by a real OTLP exporter.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { Browser, Page } from 'playwright-core';
import { formatDuration } from '../../src/common/format';
import { micros } from '../support/expected-span';
import { eventually, freePort } from '../support/free-port';
import { request } from '../support/http-client';
import { shopTrace } from '../support/otel-trace';
import { launchChromium, openWindow, runCommand, screenshot, setNumberSetting, startCodeServer, statusItem, tracesRows, type CodeServer } from '../support/code-server';

const WAIT = { timeout: 90_000 };

function findFile(dir: string, name: string): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name === name) return path;
    const found = entry.isDirectory() ? findFile(path, name) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** Sends the shop trace; returns its root's duration (the request's latency) as the Traces view prints it. */
async function sendShopTrace(port: number, traceId: string): Promise<string> {
  const spans = await shopTrace(traceId);
  const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces` });
  const result = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
  await exporter.shutdown();
  assert.equal(result.code, 0, String(result.error));
  const root = spans.find((s) => s.name === 'GET /orders')!; // the root drawn in support/otel-trace.ts
  return formatDuration(micros(root.endTime) - micros(root.startTime));
}

/** The clipboard's text once it contains `part` (the copy commands write it asynchronously). */
const clipboardWith = (page: Page, part: string, polls = 300) =>
  page.evaluate(async ({ wanted, polls }) => {
    for (let attempt = 0; attempt < polls; attempt++) {
      const text = await navigator.clipboard.readText();
      if (text.includes(wanted)) return text;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return '';
  }, { wanted: part, polls });

const statusText = async (page: Page) => ((await statusItem(page).textContent()) ?? '').trim();
const waitForStatus = (page: Page, pattern: RegExp) =>
  page.waitForFunction((source) => Array.from(document.querySelectorAll(".statusbar-item")).some((item) => new RegExp(source).test(item.textContent ?? '')), pattern.source, WAIT);

describe('Hopscope in VS Code (code-server)', () => {
  let server: CodeServer;
  let browser: Browser;
  let first: Page;
  let httpPort: number;
  let grpcPort: number;
  const settings = () => ({ 'hopscope.receiver.httpPort': httpPort, 'hopscope.receiver.grpcPort': grpcPort });

  before(async () => {
    [httpPort, grpcPort] = [await freePort(), await freePort()];
    [server, browser] = await Promise.all([startCodeServer(settings()), launchChromium()]);
    first = await openWindow(browser, server, process.cwd() + '/test');
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows in the status bar that the receiver is listening, and the receiver answers', async () => {
    await waitForStatus(first, new RegExp(`Hopscope :${httpPort} · 0 spans`));
    const stats = JSON.parse((await request(httpPort, 'GET', '/api/stats')).text) as { program: string; runner: string; endpoints: { grpc: { port: number } } };
    assert.equal(stats.program, 'hopscope');
    assert.match(stats.runner, /window/);
    assert.equal(stats.endpoints.grpc.port, grpcPort);
  });

  it('records receiver events in its log, with how long activation took', async (t) => {
    const log = await eventually(() => findFile(server.userDataDir, 'Hopscope.log'), 200);
    const text = await eventually(() => {
      const content = readFileSync(log, 'utf8');
      return content.includes('listening: OTLP/HTTP') ? content : undefined;
    }, 200);
    assert.match(text, new RegExp(`listening: OTLP/HTTP 127\\.0\\.0\\.1:${httpPort}, OTLP/gRPC 127\\.0\\.0\\.1:${grpcPort}`));
    const activation = /activated in ([\d.]+) ms/.exec(text);
    const ready = /receiver ready (\d+) ms after/.exec(text);
    assert.ok(activation && ready, text);
    t.diagnostic(`activation ${activation[1]} ms (synchronous part); receiver listening ${ready[1]} ms later`);
  });

  it('lists a trace sent by a real OpenTelemetry exporter, with its endpoint, service and duration', async () => {
    const duration = await sendShopTrace(httpPort, 'e2e00000000000000000000000000001');
    const rows = await tracesRows(first);
    const row = rows.filter({ has: first.locator('.label-name', { hasText: 'GET /orders' }) }).first();
    await row.waitFor(WAIT);
    // The latency, the root's status code if it has one, when it started (local time), how it travelled; and the short id.
    assert.match(await row.getAttribute('aria-label') ?? '', new RegExp(`^GET /orders, ${duration}, (status \\w+, )?\\d\\d:\\d\\d:\\d\\d\\.\\d{3}, 1 failed span(, [^,]+)*, trace e2e00000$`));
    assert.match(await row.locator('.label-description').textContent() ?? '', new RegExp(`^${duration}( · \\w+)? · \\d\\d:\\d\\d:\\d\\d\\.\\d{3} · 1 failed( · [^·]+)*$`));
    await waitForStatus(first, new RegExp(`Hopscope :${httpPort} · ${(await shopTrace()).length} spans`));

    // The row's inline Copy Trace ID button (the same command is in its context menu).
    await row.hover();
    await row.locator('.action-label[aria-label="Copy Trace ID"]').click();
    const copied = await clipboardWith(first, 'e2e0');
    assert.equal(copied, 'e2e00000000000000000000000000001');
    await screenshot(first, 'traces-view');

    await first.locator('.action-label[aria-label="Group by Endpoint"]').first().click();
    await rows.filter({ hasText: '1 trace' }).first().waitFor(WAIT);
    await first.locator('.action-label[aria-label="Show as List"]').first().click();
  });

  it('copies the OTLP environment for a language, with the port this window listens on', async () => {
    await runCommand(first, 'Hopscope: Copy OTLP Environment');
    const input = first.locator('.quick-input-widget input');
    await input.fill('Python');
    await input.press('Enter');
    const copied = await clipboardWith(first, 'OTEL_EXPORTER_OTLP_ENDPOINT');
    assert.match(copied, new RegExp(`^export OTEL_EXPORTER_OTLP_PROTOCOL=grpc\nexport OTEL_EXPORTER_OTLP_ENDPOINT=http://127\\.0\\.0\\.1:${grpcPort}\n`));
  });

  it('moves the receiver when the port setting changes', async () => {
    const oldPort = httpPort;
    httpPort = await freePort();
    await setNumberSetting(first, 'hopscope.receiver.httpPort', httpPort);
    await waitForStatus(first, new RegExp(`Hopscope :${httpPort} `));
    assert.equal((await request(httpPort, 'GET', '/api/stats')).status, 200);
    await assert.rejects(request(oldPort, 'GET', '/api/stats'), /ECONNREFUSED/);
  });

  it('shows an error with fixes when a foreign program holds the port, and recovers on Retry', async () => {
    const foreign: Server = createServer((_req, res) => res.end('an OpenTelemetry Collector'));
    const taken = await freePort();
    await new Promise<void>((resolve) => foreign.listen(taken, '127.0.0.1', resolve));
    httpPort = taken;
    await setNumberSetting(first, 'hopscope.receiver.httpPort', taken);
    await waitForStatus(first, new RegExp(`Hopscope: port ${taken} in use`));
    const notification = first.locator('.notification-toast', { hasText: `port ${taken}` });
    await notification.waitFor(WAIT);
    assert.ok(await notification.locator('.monaco-button', { hasText: 'Use Another Port…' }).isVisible());
    assert.match((await statusItem(first).getAttribute('class')) ?? '', /error-kind|has-background-color/);
    await screenshot(first, 'port-in-use');

    await new Promise((resolve) => foreign.close(resolve));
    await notification.locator('.monaco-button', { hasText: 'Retry' }).click();
    await waitForStatus(first, new RegExp(`Hopscope :${taken} · 0 spans`));
  });

  it('a second window follows the first one live, and takes the port over when the first closes', async () => {
    const second = await openWindow(browser, server, process.cwd() + '/src');
    await waitForStatus(second, new RegExp(`Hopscope :${httpPort} \\(shared\\)`));
    const duration = await sendShopTrace(httpPort, 'e2e00000000000000000000000000002');
    const rows = await tracesRows(second);
    await rows.filter({ hasText: duration }).first().waitFor(WAIT);
    const leader = JSON.parse((await request(httpPort, 'GET', '/api/stats')).text) as { pid: number };

    await first.close();
    await waitForStatus(second, new RegExp(`Hopscope :${httpPort} · \\d+ spans`));
    assert.doesNotMatch(await statusText(second), /shared/);
    const successor = JSON.parse((await request(httpPort, 'GET', '/api/stats')).text) as { pid: number };
    assert.notEqual(successor.pid, leader.pid, 'another extension host answers now');
    const next = await sendShopTrace(httpPort, 'e2e00000000000000000000000000003');
    await rows.filter({ hasText: next }).first().waitFor(WAIT);
    await screenshot(second, 'second-window');
  });
});
