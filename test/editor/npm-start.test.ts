/**
 * `npm start`, the main job, as a new user runs it: it prints an address; that
 * address is VS Code with Hopscope and the demo folder, and the demo shop's
 * orders arrive in the Traces view. Ctrl-C stops everything.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { eventually, freePort } from '../support/free-port';
import { request } from '../support/http-client';
import { launchChromium, profileSettings, screenshot, tracesRows } from '../support/code-server';

const WAIT = { timeout: 120_000 };

/** `POST /orders, gateway, 652 ms, 6 services` → 652 (ms). */
function latencyMs(label: string): number {
  const match = /, ([\d.]+) (ms|s),/.exec(label);
  assert.ok(match, `no latency in ${JSON.stringify(label)}`);
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}

/** Drags the side bar's edge so whole descriptions show (for the picture in the README). */
async function widenSideBar(page: Page, width: number): Promise<void> {
  const edge = await page.locator('.part.sidebar').boundingBox();
  if (!edge) return;
  const right = edge.x + edge.width;
  const boxes = await page.locator('.monaco-sash.vertical').evaluateAll((sashes) => sashes.map((s) => s.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, width: r.width, height: r.height })));
  const box = boxes.find((b) => Math.abs(b.x + b.width / 2 - right) < 6 && b.height > 100);
  if (!box) return;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(width, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
}

describe('npm start', () => {
  const profile = mkdtempSync(join(tmpdir(), 'hopscope-start-'));
  let editorPort: number;
  let httpPort: number;
  let output = '';
  let exited: Promise<number | null>;
  let child: ReturnType<typeof spawn>;
  let browser: Browser;
  let page: Page;

  before(async () => {
    [editorPort, httpPort] = [await freePort(), await freePort()];
    mkdirSync(join(profile, 'user-data', 'User'), { recursive: true });
    const settings = { ...(await profileSettings()), 'hopscope.receiver.httpPort': httpPort, 'hopscope.receiver.grpcPort': await freePort() };
    writeFileSync(join(profile, 'user-data', 'User', 'settings.json'), JSON.stringify(settings));
    child = spawn(process.execPath, ['scripts/start.mjs', '--port', String(editorPort), '--profile', profile, '--rate', '2'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    browser = await launchChromium();
  });
  after(async () => {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('prints the address of a VS Code with Hopscope and the demo folder', async () => {
    const url = await eventually(() => /http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+/.exec(output)?.[0], 200);
    assert.ok(url.startsWith(`http://127.0.0.1:${editorPort}/`), url);
    assert.match(decodeURIComponent(url), /folder=.*\/demo$/);
    page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor(WAIT);
    await page.locator('.explorer-folders-view, .monaco-workbench').first().waitFor(WAIT);
  });

  it('shows the demo shop orders arriving live: sync orders blocked on email, events orders not', async () => {
    const rows = await tracesRows(page);
    const orders = rows.filter({ has: page.locator('.label-name', { hasText: /^POST \/orders$/ }) });
    // Complete orders: settled (marked fine or worth a look, no longer spinning while spans arrive).
    const settled = orders.filter({ has: page.locator('.codicon-pass, .codicon-warning') });
    await eventually(async () => ((await settled.count()) >= 2 ? true : undefined), 250);
    const labels = await settled.evaluateAll((elements) => elements.map((e) => e.getAttribute('aria-label') ?? ''));
    const latencies = labels.map(latencyMs).sort((a, b) => a - b);
    assert.ok(latencies.length >= 2, `complete orders: ${labels.join(' | ')}`);
    assert.ok(latencies.at(-1)! >= 600, `a sync order waits for payments, inventory, email and analytics: ${latencies.join(', ')}`);
    assert.ok(latencies[0]! < latencies.at(-1)! / 2, `an events order does not wait for email: ${latencies.join(', ')}`);
    assert.match(output, /Hopscope is listening/);
    // Settled orders: the analysis marks the blocking (sync) ones worth a look, the event-driven ones fine.
    await rows.locator('.codicon-warning').nth(1).waitFor(WAIT);
    await rows.locator('.codicon-pass').nth(1).waitFor(WAIT);
    const latenciesWith = async (icon: string) =>
      (await rows.filter({ has: page.locator(`.codicon-${icon}`) }).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''))).map(latencyMs);
    const flagged = await latenciesWith('warning');
    const fine = await latenciesWith('pass');
    assert.ok(Math.min(...flagged) > Math.max(...fine), `the blocking orders are the flagged ones: flagged ${flagged.join(', ')}; fine ${fine.join(', ')}`);
    await widenSideBar(page, 620);
    await screenshot(page, 'npm-start');
  });

  it('stops everything on Ctrl-C', async () => {
    process.kill(-child.pid!, 'SIGINT');
    assert.equal(await exited, 0, output.slice(-2000));
    await assert.rejects(request(editorPort, 'GET', '/'), /ECONNREFUSED/);
    await page.close();
    await eventually(async () => {
      try {
        await request(httpPort, 'GET', '/api/stats');
        return undefined;
      } catch {
        return true;
      }
    }, 250);
  });
});
