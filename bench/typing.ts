/**
 * Typing in a real VS Code while Hopscope shows call sites beside the source:
 * code-server 1.100 with the built .vsix, in headless Chromium, a 320-line
 * `orders.ts` whose 40 call lines carry CodeLenses, end-of-line hints and
 * Problems from 10,000 spans (1,000 traces gateway → orders → db, payments,
 * inventory, email) in the store, while 50 more traces a second keep arriving.
 *
 * Per keystroke, in the page: from the keydown's event time (when the browser
 * received the key, so waiting behind a busy main thread counts) until the
 * frame that follows the key's `keydown` and `input` handling has been produced
 * (requestAnimationFrame, then a task after that frame); beside it the Event
 * Timing entries of 16 ms or more, long tasks (≥ 50 ms) and long animation
 * frames meanwhile, and how many times a lens's text changed on screen.
 *
 * Peer, round by round interleaved on the same kind of window: another
 * code-server with the same file and the same spans arriving, Hopscope's
 * receiver and status bar running, but `hopscope.sourceLines.codeLens`,
 * `hints`, `hovers` and `problems` off (whatever Hopscope still does then, it
 * does in both); and, as a baseline of the editor on
 * this machine, that window with nothing arriving ("idle").
 * The machine's load average is recorded with each round: other work on it
 * shows up in every series as long tasks.
 * Usage: node dist/bench/typing.js [rounds]   (prints JSON; run from the repository root after `node esbuild.mjs`)
 */
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { SpanRecord } from '../src/model/span';
import { launchChromium, openWindow, runCommand, screenshot, startCodeServer, type CodeServer } from '../test/support/code-server';
import { freePort } from '../test/support/free-port';
import { request } from '../test/support/http-client';
import { toOtlpJson } from '../test/support/timeline';

const TRACES = 1_000;
const SPANS_PER_TRACE = 10;
/** Traces a second arriving while typing: 5 requests of 10 traces. */
const LIVE_TRACES_PER_SECOND = 50;
const LIVE_EVERY_MS = 200;
/** A fast typist (~120 words a minute): key down 30 ms, next key 100 ms after the last. */
const KEY_HOLD_MS = 30;
const KEY_EVERY_MS = 100;
const WAIT = { timeout: 120_000 };

/** ~150 characters of code typed into a handler (auto-closed brackets and quotes are typed over). */
const TEXT = 'const discount = order.items.length > 3 ? amount * 0.1 : 0;\nconst net = amount - discount;\nlog(`order ${order.id}: net ${net}, discount ${discount}`);';

/** Surfaces of the window being measured, and of the peer. */
const SURFACES_ON = {};
const SURFACES_OFF = { 'hopscope.sourceLines.codeLens': false, 'hopscope.sourceLines.hints': false, 'hopscope.sourceLines.hovers': false, 'hopscope.sourceLines.problems': false };

/**
 * The file being edited: ten order handlers, each with four calls (a database
 * query, then payments, inventory and email over HTTP). Returns the text, the
 * 1-based lines of the calls (handler by handler) and the line to type after.
 */
function ordersSource(): { text: string; callLines: number[][]; typeAfter: number } {
  const lines = [
    '// The order service\'s handlers (fixture of Hopscope\'s typing bench).',
    'export interface Item { sku: string; price: number; quantity: number }',
    'export interface Order { id: string; customer: string; items: Item[] }',
    '',
    'const PAYMENTS = \'http://payments:8080\';',
    'const INVENTORY = \'http://inventory:8080\';',
    'const EMAIL = \'http://email:8080\';',
    'declare const db: { query(sql: string, args: unknown[]): Promise<unknown[]> };',
    'declare function log(message: string): void;',
    '',
  ];
  const callLines: number[][] = [];
  let typeAfter = 0;
  const call = (text: string, calls: number[]) => {
    lines.push(text);
    calls.push(lines.length);
  };
  for (let h = 0; h < 10; h++) {
    const calls: number[] = [];
    lines.push(`/** Places an order (variant ${h}): checks stock, charges, reserves, then tells the customer. */`);
    lines.push(`export async function placeOrder${h}(order: Order): Promise<string> {`);
    lines.push('  const started = Date.now();');
    lines.push('  log(`placing order ${order.id} for ${order.customer}`);');
    call('  const rows = await db.query(\'select * from stock where sku = any($1)\', [order.items.map((i) => i.sku)]);', calls);
    lines.push('  if (rows.length < order.items.length) {', '    throw new Error(`out of stock: ${order.id}`);', '  }');
    lines.push('  const amount = order.items.reduce((sum, item) => sum + item.price * item.quantity, 0);');
    if (h === 5) typeAfter = lines.length;
    call('  const charge = await fetch(`${PAYMENTS}/charges`, {', calls);
    lines.push('    method: \'POST\',', '    body: JSON.stringify({ order: order.id, amount }),', '  });');
    lines.push('  if (!charge.ok) {', '    throw new Error(`payment failed: ${charge.status}`);', '  }');
    call('  const reserved = await fetch(`${INVENTORY}/reservations`, {', calls);
    lines.push('    method: \'POST\',', '    body: JSON.stringify({ order: order.id, items: order.items }),', '  });');
    lines.push('  if (!reserved.ok) {', '    throw new Error(`reservation failed: ${reserved.status}`);', '  }');
    call('  await fetch(`${EMAIL}/send`, {', calls);
    lines.push('    method: \'POST\',', '    body: JSON.stringify({ to: order.customer, template: \'order-placed\' }),', '  });');
    lines.push('  log(`order ${order.id} placed in ${Date.now() - started} ms`);', '  return order.id;', '}', '');
    callLines.push(calls);
  }
  return { text: lines.join('\n'), callLines, typeAfter };
}

/** A small deterministic generator, so both windows get the same traces. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Trace number `n`: gateway POST /orders → orders POST /orders, which queries
 * the database, then calls payments, inventory and email one after another
 * (email is blocking work it need not wait for; 3% of charges fail). The
 * orders service's CLIENT spans say which line of `file` made them. 10 spans.
 */
function trace(n: number, file: string, callLines: number[][], nowUs: number): SpanRecord[] {
  const rnd = random(n + 1);
  const traceId = (0xb0000000 + n).toString(16).padStart(32, '0');
  let next = 0;
  const id = () => `${n.toString(16).padStart(12, '0')}${(++next).toString(16).padStart(4, '0')}`;
  const spans: SpanRecord[] = [];
  const span = (service: string, name: string, kind: SpanRecord['kind'], parent: string, startUs: number, endUs: number, attributes: SpanRecord['attributes'] = {}, error = false): string => {
    const spanId = id();
    spans.push({
      traceId, spanId, parentSpanId: parent, traceState: '', flags: 1, name, kind, service, startUs, endUs,
      status: error ? { code: 'error', message: 'failed' } : { code: 'unset', message: '' }, attributes, events: [], links: [],
      resource: { attributes: { 'service.name': service }, droppedAttributesCount: 0 }, scope: { name: 'bench', version: '' },
      droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
    });
    return spanId;
  };
  const lines = callLines[n % callLines.length]!;
  const at = (line: number) => ({ 'code.file.path': file, 'code.line.number': line, 'code.function.name': `placeOrder${n % callLines.length}` });
  const ms = (lo: number, hi: number) => Math.round((lo + rnd() * (hi - lo)) * 1000);
  const t0 = nowUs - ms(700, 900);
  let t = t0 + ms(1, 2) + 200;
  const calls: { name: string; callee: string; operation: string; us: number; line: number; attributes: SpanRecord['attributes']; server: boolean; error?: boolean }[] = [
    { name: 'SELECT stock', callee: 'postgres', operation: 'SELECT stock', us: ms(2, 6), line: lines[0]!, attributes: { 'db.system.name': 'postgresql', 'db.operation.name': 'SELECT' }, server: false },
    { name: 'POST', callee: 'payments', operation: 'POST /charges', us: ms(40, 90), line: lines[1]!, attributes: { 'http.request.method': 'POST', 'server.address': 'payments' }, server: true, error: rnd() < 0.03 },
    { name: 'POST', callee: 'inventory', operation: 'POST /reservations', us: ms(10, 30), line: lines[2]!, attributes: { 'http.request.method': 'POST', 'server.address': 'inventory' }, server: true },
    { name: 'POST', callee: 'email', operation: 'POST /send', us: ms(250, 500), line: lines[3]!, attributes: { 'http.request.method': 'POST', 'server.address': 'email' }, server: true },
  ];
  const root = span('gateway', 'POST /orders', 'server', '', t0, 0, { 'http.request.method': 'POST', 'http.route': '/orders' });
  const gwCall = span('gateway', 'POST', 'client', root, t0 + 100, 0, { 'http.request.method': 'POST', 'server.address': 'orders' });
  const handler = span('orders', 'POST /orders', 'server', gwCall, t0 + 300, 0, { 'http.request.method': 'POST', 'http.route': '/orders' });
  for (const c of calls) {
    const client = span('orders', c.name, 'client', handler, t, t + c.us, { ...c.attributes, ...at(c.line) }, c.error);
    if (c.server) span(c.callee, c.operation, 'server', client, t + 300, t + c.us - 300, {}, c.error);
    t += c.us + ms(0.2, 1);
  }
  const end = (spanId: string, endUs: number) => void (spans.find((s) => s.spanId === spanId)!.endUs = endUs);
  end(handler, t + 100);
  end(gwCall, t + 300);
  end(root, t + 500);
  if (spans.length !== SPANS_PER_TRACE) throw new Error(`a trace has ${spans.length} spans, not ${SPANS_PER_TRACE}`);
  return spans;
}

async function send(port: number, spans: SpanRecord[]): Promise<void> {
  const reply = await request(port, 'POST', '/v1/traces', toOtlpJson(spans), { 'content-type': 'application/json' });
  if (reply.status !== 200) throw new Error(`the receiver answered ${reply.status}: ${reply.text.slice(0, 200)}`);
}

interface Instance {
  name: 'ours' | 'peer';
  server: CodeServer;
  page: Page;
  httpPort: number;
  folder: string;
  file: string;
  callLines: number[][];
  typeAfter: number;
  /** Traces sent so far (numbers them). */
  sent: number;
}

/** Temporary workspace folders, removed at the end. */
const folders: string[] = [];

const statusText = (page: Page) => page.evaluate(() => Array.from(document.querySelectorAll('.statusbar-item')).map((i) => i.textContent ?? '').find((t) => t.includes('Hopscope')) ?? '');

/** Starts a code-server with these surfaces, fills its store and opens orders.ts; `instances` gets it as soon as there is something to stop. */
async function open(browser: Browser, instances: Instance[], name: Instance['name'], surfaces: Record<string, boolean>): Promise<Instance> {
  const folder = realpathSync(mkdtempSync(join(tmpdir(), `hopscope-typing-${name}-`)));
  folders.push(folder);
  const { text, callLines, typeAfter } = ordersSource();
  const file = join(folder, 'orders.ts');
  writeFileSync(file, text);
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const server = await startCodeServer({
    'hopscope.receiver.httpPort': httpPort,
    'hopscope.receiver.grpcPort': grpcPort,
    // The store holds 10,000 spans while traces keep arriving (the oldest traces make room).
    'hopscope.store.maxSpans': TRACES * SPANS_PER_TRACE,
    // Typing code opens suggestions: let Enter and `;` always type, never accept one.
    'editor.acceptSuggestionOnEnter': 'off',
    'editor.acceptSuggestionOnCommitCharacter': false,
    // VS Code's desktop default (in a browser it saves a second after typing stops): the file is reverted after each round.
    'files.autoSave': 'off',
    ...surfaces,
  });
  const instance = { name, server, httpPort, folder, file, callLines, typeAfter, sent: 0 } as Instance;
  instances.push(instance);
  const page = (instance.page = await openWindow(browser, server, folder));
  await page.waitForFunction((port) => Array.from(document.querySelectorAll('.statusbar-item')).some((i) => (i.textContent ?? '').includes(`Hopscope :${port}`)), httpPort, WAIT);
  for (let i = 0; i < TRACES; i += 50) await sendTraces(instance, 50);
  await page.waitForFunction((n) => Array.from(document.querySelectorAll('.statusbar-item')).some((i) => (i.textContent ?? '').includes(`· ${n} spans`)), (TRACES * SPANS_PER_TRACE).toLocaleString('en-US'), WAIT);
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').waitFor(WAIT);
  await page.keyboard.type('orders.ts');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'orders.ts' }).first().waitFor(WAIT);
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .view-lines').first().waitFor(WAIT);
  await page.locator('.monaco-editor .view-line', { hasText: 'placeOrder0' }).first().waitFor(WAIT);
  if (name === 'ours') {
    await page.locator('.monaco-editor .codelens-decoration').first().waitFor(WAIT);
    await page.waitForFunction(() => document.querySelectorAll('.monaco-editor .squiggly-warning').length > 0, undefined, WAIT);
  }
  return instance;
}

/**
 * What the editor shows of Hopscope: lenses, end-of-line hints (CSS `::after` text on a line: the advice of a
 * finding worth saying, "could be an event · saves ≈ …") and warning squiggles (TypeScript's are errors).
 */
const surfacesOnScreen = (page: Page) => page.evaluate(() => ({
  lenses: document.querySelectorAll('.monaco-editor .codelens-decoration').length,
  hints: Array.from(document.querySelectorAll('.monaco-editor .view-line span')).filter((e) => /could be|could run|needs a timeout|deep blocking chain|retries multiply|request-reply|failure spreads/.test(getComputedStyle(e, '::after').content)).length,
  warnings: document.querySelectorAll('.monaco-editor .squiggly-warning').length,
}));

function sendTraces(instance: Instance, count: number): Promise<void> {
  const nowUs = Date.now() * 1000;
  const spans: SpanRecord[] = [];
  for (let i = 0; i < count; i++) spans.push(...trace(instance.sent++, instance.file, instance.callLines, nowUs));
  return send(instance.httpPort, spans);
}

/** Keystroke timing, long tasks and lens changes, from now on, into window.__typing (installed once a page, emptied each round). */
const instrument = (page: Page) => page.evaluate(() => {
  interface Key { key: string; t0: number; end: number }
  const state = {
    keys: [] as Key[],
    events: [] as { name: string; start: number; duration: number; delay: number; processing: number }[],
    longTasks: [] as { start: number; duration: number }[],
    frames: [] as { start: number; duration: number; blocking: number; scripts: string[] }[],
    /** When a lens's text changed on screen. */
    lensChanges: [] as number[],
  };
  const w = window as unknown as { __typing?: typeof state };
  if (w.__typing) {
    for (const list of Object.values(w.__typing)) list.length = 0;
    return;
  }
  w.__typing = state;
  let last: Key | undefined;
  // After the frame that follows this event's handlers: a task queued from requestAnimationFrame runs once that frame is done.
  const afterNextFrame = (key: Key) => requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      key.end = Math.max(key.end, performance.now());
      channel.port1.close();
    };
    channel.port2.postMessage(null);
  });
  addEventListener('keydown', (e) => {
    last = { key: e.key, t0: e.timeStamp, end: 0 };
    state.keys.push(last);
    afterNextFrame(last);
  }, true);
  addEventListener('input', () => {
    if (last) afterNextFrame(last);
  }, true);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as PerformanceEventTiming[]) {
      state.events.push({ name: e.name, start: e.startTime, duration: e.duration, delay: e.processingStart - e.startTime, processing: e.processingEnd - e.processingStart });
    }
  }).observe({ type: 'event', durationThreshold: 16 } as PerformanceObserverInit);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) state.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask' });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as { startTime: number; duration: number; blockingDuration: number; scripts: { invoker: string; sourceFunctionName: string; sourceURL: string; duration: number }[] }[]) {
        const scripts = [...e.scripts].sort((a, b) => b.duration - a.duration).slice(0, 3)
          .map((s) => `${s.invoker || '?'} ${s.sourceFunctionName || ''} (${s.sourceURL.split('/').pop() ?? ''}) ${Math.round(s.duration)} ms`);
        state.frames.push({ start: e.startTime, duration: e.duration, blocking: e.blockingDuration, scripts });
      }
    }).observe({ type: 'long-animation-frame' });
  } catch {
    // no Long Animation Frames API: long tasks only
  }
  const widgets = document.querySelector('.monaco-editor .contentWidgets');
  if (widgets) {
    new MutationObserver((records) => {
      if (records.some((r) => (r.target instanceof Element ? r.target : r.target.parentElement)?.closest('.codelens-decoration'))) state.lensChanges.push(performance.now());
    }).observe(widgets, { subtree: true, childList: true, characterData: true });
  }
});

interface Round {
  keys: number;
  /** Keystroke → after the next frame, ms, in the order typed. */
  latenciesMs: number[];
  /** Keystrokes whose frame never came (should be 0). */
  unmeasured: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Longest main-thread task while typing (0: none of 50 ms or more). */
  longestTaskMs: number;
  /** Long tasks while typing: ms after the first key, and how long. */
  longTasks: { atMs: number; durationMs: number }[];
  /** When a lens's text changed on screen, ms after the first key. */
  lensChangesAtMs: number[];
  longestFrame?: { duration: number; blocking: number; scripts: string[] };
  /** Event Timing entries (keydown, keypress, input, keyup …) of 16 ms or more, and the longest. */
  slowEvents: number;
  slowestEventMs: number;
  lensChanges: number;
  lensesOnScreen: number;
  spansBefore: string;
  spansAfter: string;
  /** Traces sent from 2 s before the first key until 0.5 s after the last. */
  tracesSent: number;
  /** First key to last. */
  typedMs: number;
  /** The machine's 1-minute load average after the round (2 CPUs here: above 2, processes wait for a CPU). */
  loadAverage: number;
}

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);

/** Reverts the file to what is on disk (a second try when the command palette missed it). */
async function revert(page: Page): Promise<void> {
  const typed = page.locator('.monaco-editor .view-line', { hasText: 'const net = amount - discount;' }).first();
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await runCommand(page, 'File: Revert File');
    try {
      await typed.waitFor({ state: 'detached', timeout: 10_000 });
      return;
    } catch (error) {
      if (attempt === 3) {
        await screenshot(page, 'typing-bench-not-reverted');
        throw error;
      }
    }
  }
}

/** Types TEXT into the handler in the middle of the file, while traces arrive if `live`; reverts the file afterwards. */
async function typeRound(w: Instance, live: boolean): Promise<Round> {
  const { page } = w;
  await page.keyboard.press('Escape');
  await runCommand(page, 'Go to Line/Column...');
  await page.keyboard.type(String(w.typeAfter));
  await page.keyboard.press('Enter');
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  // The cursor is on the new line in the middle handler (the status bar says where).
  await page.waitForFunction((line) => Array.from(document.querySelectorAll('.statusbar-item')).some((i) => (i.textContent ?? '').startsWith(`Ln ${line},`)), w.typeAfter + 1, { timeout: 10_000 });
  await instrument(page);
  const spansBefore = await statusText(page);
  let sent = 0;
  const sending: Promise<void>[] = [];
  const feed = live ? setInterval(() => {
    sent += LIVE_TRACES_PER_SECOND / (1000 / LIVE_EVERY_MS);
    sending.push(sendTraces(w, LIVE_TRACES_PER_SECOND / (1000 / LIVE_EVERY_MS)));
  }, LIVE_EVERY_MS) : undefined;
  let since = 0;
  let typedMs: number;
  try {
    await page.waitForTimeout(2_000); // live updates are under way before the first key
    since = await page.evaluate(() => performance.now());
    const started = Date.now();
    for (const ch of TEXT) {
      const at = Date.now();
      await page.keyboard.press(ch === '\n' ? 'Enter' : ch, { delay: KEY_HOLD_MS });
      await page.waitForTimeout(Math.max(0, KEY_EVERY_MS - (Date.now() - at)));
    }
    typedMs = Date.now() - started;
    await page.waitForTimeout(500);
  } finally {
    if (feed) clearInterval(feed);
    await Promise.all(sending);
  }
  const spansAfter = await statusText(page);
  const measured = await page.evaluate((t) => {
    const s = (window as unknown as { __typing: { keys: { key: string; t0: number; end: number }[]; events: { name: string; start: number; duration: number }[]; longTasks: { start: number; duration: number }[]; frames: { start: number; duration: number; blocking: number; scripts: string[] }[]; lensChanges: number[] } }).__typing;
    return {
      keys: s.keys.filter((k) => k.t0 >= t),
      events: s.events.filter((e) => e.start >= t),
      longTasks: s.longTasks.filter((e) => e.start >= t),
      frames: s.frames.filter((e) => e.start >= t),
      lensChanges: s.lensChanges.filter((c) => c >= t).map((c) => c - t),
      lensesOnScreen: document.querySelectorAll('.monaco-editor .codelens-decoration').length,
    };
  }, since);
  // The text as typed must be in the editor, else the keys went elsewhere.
  const typedLine = await page.locator('.monaco-editor .view-line', { hasText: 'const net = amount - discount;' }).count();
  if (typedLine === 0) throw new Error(`${w.name}: the typed text is not in the editor`);
  await revert(page);
  const latenciesMs = measured.keys.filter((k) => k.end > 0).map((k) => Math.round((k.end - k.t0) * 10) / 10);
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const longestFrame = [...measured.frames].sort((a, b) => b.blocking - a.blocking || b.duration - a.duration)[0];
  return {
    keys: measured.keys.length,
    latenciesMs,
    unmeasured: measured.keys.length - latenciesMs.length,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    maxMs: sorted[sorted.length - 1] ?? NaN,
    longestTaskMs: Math.max(0, ...measured.longTasks.map((e) => e.duration)),
    longTasks: measured.longTasks.map((e) => ({ atMs: Math.round(e.start - since), durationMs: e.duration })),
    lensChangesAtMs: measured.lensChanges.map(Math.round),
    ...(longestFrame && { longestFrame: { duration: longestFrame.duration, blocking: longestFrame.blocking, scripts: longestFrame.scripts } }),
    slowEvents: measured.events.length,
    slowestEventMs: Math.max(0, ...measured.events.map((e) => e.duration)),
    lensChanges: measured.lensChanges.length,
    lensesOnScreen: measured.lensesOnScreen,
    spansBefore: spansBefore.trim(),
    spansAfter: spansAfter.trim(),
    tracesSent: sent,
    loadAverage: loadavg()[0]!,
    typedMs,
  };
}

function summary(rounds: Round[]) {
  const all = rounds.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  return {
    keys: all.length,
    p50Ms: percentile(all, 50),
    p95Ms: percentile(all, 95),
    maxMs: all[all.length - 1] ?? NaN,
    longestTaskMs: Math.max(0, ...rounds.map((r) => r.longestTaskMs)),
    tasksOver100Ms: rounds.reduce((n, r) => n + r.longTasks.filter((t) => t.durationMs >= 100).length, 0),
    unmeasured: rounds.reduce((n, r) => n + r.unmeasured, 0),
    lensChanges: rounds.reduce((n, r) => n + r.lensChanges, 0),
    lensesOnScreen: Math.min(...rounds.map((r) => r.lensesOnScreen)),
    loadAverages: rounds.map((r) => Math.round(r.loadAverage * 10) / 10),
  };
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 3);
  const browser = await launchChromium();
  const instances: Instance[] = [];
  try {
    await open(browser, instances, 'ours', SURFACES_ON);
    await open(browser, instances, 'peer', SURFACES_OFF);
    const [ours, peer] = instances as [Instance, Instance];
    const surfaces = { ours: await surfacesOnScreen(ours.page), peer: await surfacesOnScreen(peer.page) };
    if (surfaces.ours.hints === 0) throw new Error('the measured window shows no end-of-line hints');
    if (surfaces.peer.lenses + surfaces.peer.hints + surfaces.peer.warnings > 0) throw new Error(`the peer window shows Hopscope's surfaces, which are off: ${JSON.stringify(surfaces.peer)}`);
    // ours: surfaces on, traces arriving; peer: surfaces off, the same traces arriving; idle: the peer's window with nothing arriving.
    const series = [{ name: 'ours', w: ours, live: true }, { name: 'peer', w: peer, live: true }, { name: 'idle', w: peer, live: false }] as const;
    const runs: Record<(typeof series)[number]['name'], Round[]> = { ours: [], peer: [], idle: [] };
    for (let r = 0; r < rounds; r++) {
      // Who goes first rotates, so none always types right after another's load.
      for (let i = 0; i < series.length; i++) {
        const { name, w, live } = series[(r + i) % series.length]!;
        runs[name].push(await typeRound(w, live));
      }
    }
    const callSites = JSON.parse((await request(ours.httpPort, 'GET', '/api/call-sites')).text) as { sites: unknown[]; traces: number };
    process.stdout.write(JSON.stringify({
      spans: TRACES * SPANS_PER_TRACE, traces: TRACES, callLines: ours.callLines.flat().length, fileLines: ordersSource().text.split('\n').length,
      cpus: availableParallelism(), characters: TEXT.length, liveTracesPerSecond: LIVE_TRACES_PER_SECOND, keyEveryMs: KEY_EVERY_MS,
      callSites: { sites: callSites.sites.length, traces: callSites.traces }, surfaces,
      ours: { ...summary(runs.ours), runs: runs.ours },
      peer: { ...summary(runs.peer), runs: runs.peer },
      idle: { ...summary(runs.idle), runs: runs.idle },
    }));
  } finally {
    await browser.close();
    for (const w of instances) await w.server.stop();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
