/**
 * A code-server window on the demo folder with the demo shop sending orders of
 * both modes at ten a second, as the tests of views under streaming traffic use
 * it. Registers its own `before` (the shop starts while code-server does: both
 * take a while on a busy machine) and `after` (the load, the shop, the browser
 * and code-server stop, whatever got started).
 *
 *   const streaming = useStreamingWindow();     // in the describe, before its own hooks
 *   before(() => ({ page } = streaming));       // or read streaming.page in the tests
 */
import { resolve } from 'node:path';
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { runLoad } from '../../demo/load';
import { startDemo, type Demo, type OrderResult } from '../../demo/shop';
import { launchChromium, openWindow, startCodeServer, type CodeServer } from './code-server';
import { freePort } from './free-port';

export interface StreamingWindow {
  server: CodeServer;
  browser: Browser;
  page: Page;
  demo: Demo;
  httpPort: number;
}

export function useStreamingWindow(options: { onOrder?: (order: OrderResult) => void; waitMs?: number } = {}): StreamingWindow {
  const window = {} as StreamingWindow;
  const load = new AbortController();
  let starting: Promise<Demo> | undefined;
  let loaded: Promise<unknown> | undefined;
  before(async () => {
    window.httpPort = await freePort();
    starting = startDemo({ endpoint: `http://127.0.0.1:${window.httpPort}`, startTimeoutMs: 120_000 });
    starting.catch(() => undefined);
    window.server = await startCodeServer({ 'hopscope.receiver.httpPort': window.httpPort, 'hopscope.receiver.grpcPort': await freePort() });
    window.browser = await launchChromium();
    window.page = await openWindow(window.browser, window.server, resolve('demo'));
    await window.page.locator('.statusbar-item', { hasText: `Hopscope :${window.httpPort}` }).waitFor({ timeout: options.waitMs ?? 90_000 });
    window.demo = await starting;
    loaded = runLoad(window.demo, { mode: 'both', rate: 10, signal: load.signal, ...(options.onOrder ? { onOrder: options.onOrder } : {}) });
  });
  after(async () => {
    load.abort();
    await loaded?.catch(() => undefined);
    await (window.demo ?? (await starting?.catch(() => undefined)))?.stop();
    await window.browser?.close();
    await window.server?.stop();
  });
  return window;
}
