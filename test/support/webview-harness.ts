/**
 * The webview bundle in Chromium, on the page the panels get: the HTML comes
 * from `webviewHtml()` (CSP, nonce, `worker-src blob:`), served with `dist/`
 * and `media/` by a small local server whose origin stands in for
 * `webview.cspSource`. What VS Code provides around a webview is stubbed:
 *
 *   acquireVsCodeApi()   postMessage → window.__posted, get/setState in memory
 *   host → webview       window.postMessage(message, '*')
 *   theme                body class vscode-dark|light|high-contrast, --vscode-* on <html>
 *
 * Everything that would be a bug in a real panel is collected as a problem:
 * console errors, uncaught exceptions, CSP violations, failed or 404 requests,
 * dialogs (alert from injected markup), `log` messages at error level, and
 * messages the host's `parseWebviewMessage` would reject.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { webviewHtml, type WebviewKind } from '../../src/extension/webview-html';
import { parseWebviewMessage } from '../../src/extension/webview-messages';
import type { HostToWebview, WebviewToHost } from '../../src/protocol/messages';
import { encodeTraceDocument } from '../../src/views/trace-document';
import type { TraceView } from '../../src/protocol/trace-view';
import { ARTIFACTS } from './code-server';
import { BODY_CLASS, themeVariables, VSCODE_DEFAULT_STYLES, type ThemeKind } from './vscode-themes';

export type { ThemeKind } from './vscode-themes';
export { launchChromium } from './code-server';

/** Folders the page may load from (tests and the bench run from the repository root). */
const SERVED = ['dist', 'media', join('node_modules', 'elkjs', 'lib')];
const STYLES = ['dist/codicons/codicon.css', 'media/webview.css', 'media/panels.css'];
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.svg': 'image/svg+xml', '.png': 'image/png', '.map': 'application/json' };

/**
 * The page's size unless a test says otherwise: a trace panel with the whole width of a 1,600 px window,
 * where a graph of a few services fits whole at a readable size (graph-fit.test.ts covers narrower ones).
 */
export const DEFAULT_VIEWPORT = { width: 1600, height: 900 };

export interface HarnessOptions {
  view?: WebviewKind;
  theme?: ThemeKind;
  viewport?: { width: number; height: number };
}

export interface Harness {
  page: Page;
  /** The server's origin, the page's `cspSource`. */
  origin: string;
  /** Delivers a host message the way VS Code does (a `message` event on the window). */
  send(message: HostToWebview): Promise<void>;
  /** Sends a trace and waits until the graph has been laid out and drawn again. */
  /** Draws the view as the host does: its trace document, with `sources` as the lines the host placed. */
  showTrace(view: TraceView, sources?: { spanId: string; label: string }[]): Promise<void>;
  /** Every message the webview posted so far, in order. */
  posted(): Promise<WebviewToHost[]>;
  /** The first posted message of this type that `match` accepts, waiting up to 10 s for it. */
  waitForPosted<T extends WebviewToHost['type']>(type: T, match?: (m: Extract<WebviewToHost, { type: T }>) => boolean): Promise<Extract<WebviewToHost, { type: T }>>;
  /** What went wrong on the page so far (see the file comment). */
  problems(): Promise<string[]>;
  close(): Promise<void>;
}

/** Serves the page and the bundle; one per harness, on an ephemeral port. */
function startServer(kind: WebviewKind): Promise<{ server: Server; origin: string }> {
  const root = process.cwd();
  return new Promise((resolveStart) => {
    const server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (path === '/') {
        const cspSource = origin();
        const html = webviewHtml({ cspSource, script: `${cspSource}/dist/webview.js`, styles: STYLES.map((s) => `${cspSource}/${s}`), title: 'Hopscope test page', kind });
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
        return;
      }
      const file = resolve(root, `.${path}`);
      const allowed = SERVED.some((dir) => file.startsWith(resolve(root, dir) + sep));
      if (!allowed || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      createReadStream(file).pipe(res);
    });
    const origin = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    server.listen(0, '127.0.0.1', () => resolveStart({ server, origin: origin() }));
  });
}

/** Runs in the page before its own scripts: the VS Code API stub, the theme, the CSP listener. */
function vscodeStub({ themes, bodyClass, kind, defaults }: { themes: Record<ThemeKind, Record<string, string>>; bodyClass: Record<ThemeKind, string>; kind: ThemeKind; defaults: string }): void {
  const w = window as unknown as Record<string, unknown>;
  const posted: unknown[] = [];
  const violations: string[] = [];
  w.__posted = posted;
  w.__violations = violations;
  let state: unknown;
  let acquired = false;
  w.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({
      postMessage: (message: unknown) => void posted.push(structuredClone(message)),
      getState: () => state,
      setState: (next: unknown) => ((state = structuredClone(next)), next),
    });
  };
  document.addEventListener('securitypolicyviolation', (e) => violations.push(`CSP ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`));
  let current = kind;
  const apply = () => {
    const html = document.documentElement;
    if (html) {
      const names = Array.from({ length: html.style.length }, (_, i) => html.style.item(i));
      for (const name of names.filter((n) => n.startsWith('--vscode-'))) html.style.removeProperty(name);
      for (const [name, value] of Object.entries(themes[current])) html.style.setProperty(name, value);
      html.style.setProperty('background-color', 'var(--vscode-editor-background)');
    }
    const body = document.body;
    if (!body) return false;
    body.classList.remove(...Object.values(bodyClass));
    body.classList.add(bodyClass[current]);
    body.dataset.vscodeThemeKind = bodyClass[current];
    return true;
  };
  w.__setTheme = (next: ThemeKind) => {
    current = next;
    apply();
  };
  // VS Code's default styles come before the webview's own: a layer loses to every unlayered rule.
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(`@layer vscode-defaults { ${defaults} }`);
  document.adoptedStyleSheets = [sheet];
  // The body exists before the bundle runs (its script is in the body); theme it as soon as it is parsed.
  if (!apply()) {
    const observer = new MutationObserver(() => apply() && observer.disconnect());
    observer.observe(document, { childList: true, subtree: true });
  }
}

/** Switches the page's theme the way VS Code does when the user picks another colour theme. */
export async function setTheme(page: Page, kind: ThemeKind): Promise<void> {
  await page.evaluate((k) => (window as unknown as { __setTheme(k: string): void }).__setTheme(k), kind);
}

/**
 * The text of the trace document the host would forward for `view`, and the labels it would send: each of
 * `sources` becomes a place list of its own, placed at its label.
 */
export function traceDocumentText(view: TraceView, sources: readonly { spanId: string; label: string }[] = []): { text: string; places: string[] } {
  const placeOf = new Map(sources.map((s, i) => [s.spanId, i]));
  const nodes = view.nodes.map((node) => (placeOf.has(node.spanId) ? { ...node, places: [placeOf.get(node.spanId)!] } : node));
  const lists = sources.map((s) => [{ path: s.label, line: 1, from: 'attributes' as const }]);
  return { text: new TextDecoder().decode(encodeTraceDocument({ ...view, nodes }, lists)), places: sources.map((s) => s.label) };
}

/**
 * What one `page.evaluate` carries at most, in characters: the DevTools pipe between Playwright and
 * Chromium holds 100 MiB per message, past which Chromium closes it and the page is lost (a 100,000-deep
 * view's document is ≈ 123 MB, ≈ 140 MB as the JSON of the message).
 */
const PIECE_CHARS = 16_000_000;

/** Posts the trace to the page the way VS Code delivers it: the document as a Uint8Array (sent as text in pieces, then encoded in the page). */
export async function sendTrace(page: Page, view: TraceView, sources: readonly { spanId: string; label: string }[] = []): Promise<void> {
  const { text, places } = traceDocumentText(view, sources);
  await page.evaluate(() => void ((window as unknown as { __traceText: string[] }).__traceText = []));
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + PIECE_CHARS);
    // Never between the two halves of a surrogate pair: a lone half would not survive the trip.
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    const piece = text.slice(start, end);
    await page.evaluate((p) => void (window as unknown as { __traceText: string[] }).__traceText.push(p), piece);
    start = end;
  }
  await page.evaluate((p) => {
    const w = window as unknown as { __traceText?: string[] };
    const document = new TextEncoder().encode(w.__traceText!.join(''));
    delete w.__traceText;
    window.postMessage({ type: 'trace', document, places: p }, '*');
  }, places);
}

export async function openHarness(browser: Browser, options: HarnessOptions = {}): Promise<Harness> {
  const kind = options.view ?? 'trace';
  if (!statSync(resolve('dist', 'webview.js'), { throwIfNoEntry: false })) throw new Error('dist/webview.js is missing: build it with `node esbuild.mjs` first');
  const { server, origin } = await startServer(kind);
  let context: BrowserContext | undefined;
  try {
    context = await browser.newContext({ viewport: options.viewport ?? DEFAULT_VIEWPORT });
    const page = await context.newPage();
    const problems: string[] = [];
    // A 404 also shows as a console error and an aborted request: report it once, with its URL.
    const missing = new Set<string>();
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(`console error: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.stack ?? e.message}`));
    page.on('response', (r) => r.status() >= 400 && (missing.add(r.url()), problems.push(`HTTP ${r.status()} for ${r.url()}`)));
    page.on('requestfailed', (r) => !missing.has(r.url()) && problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('dialog', (d) => {
      problems.push(`dialog (${d.type()}): ${d.message()}`);
      void d.dismiss().catch(() => {});
    });
    const themes = { dark: themeVariables('dark'), light: themeVariables('light'), 'high-contrast': themeVariables('high-contrast') };
    const stubArgs = { themes, bodyClass: BODY_CLASS, kind: options.theme ?? 'dark', defaults: VSCODE_DEFAULT_STYLES };
    // tsx compiles with keepNames: functions sent into the page call `__name`, which the page must have.
    await page.addInitScript({ content: `window.__name = (f) => f;\n(${vscodeStub.toString()})(${JSON.stringify(stubArgs)});` });
    await page.goto(`${origin}/`);
    const posted = () => page.evaluate(() => (window as unknown as { __posted: WebviewToHost[] }).__posted);
    const harness: Harness = {
      page,
      origin,
      send: (message) => page.evaluate((m: unknown) => window.postMessage(m, '*'), message as unknown),
      showTrace: async (view, sources = []) => {
        // The graph is drawn again (data-render-ms is set; data-state goes through layout when the
        // shape changed) and is ready: watch it before sending, so an earlier draw does not count.
        const settled = page.evaluate(() => new Promise<void>((done, fail) => {
          const graph = document.querySelector('#graph');
          if (!graph) return fail(new Error('no #graph in the page'));
          let changed = false;
          const timer = setTimeout(() => fail(new Error(`#graph stayed data-state="${graph.getAttribute('data-state')}" for 20 s`)), 20_000);
          new MutationObserver((records, observer) => {
            changed ||= records.length > 0;
            if (changed && graph.getAttribute('data-state') === 'ready') {
              clearTimeout(timer);
              observer.disconnect();
              done();
            }
          }).observe(graph, { attributes: true, attributeFilter: ['data-state', 'data-render-ms'] });
        }));
        await sendTrace(page, view, sources);
        await settled;
      },
      posted,
      waitForPosted: async (type, match = () => true) => {
        for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
          const found = (await posted()).find((m) => m.type === type && match(m as never));
          if (found) return found as never;
        }
        throw new Error(`the webview posted no matching "${type}" message; it posted ${JSON.stringify((await posted()).map((m) => m.type))}`);
      },
      problems: async () => {
        const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations).catch(() => [] as string[]);
        const fromMessages = (await posted().catch(() => [])).flatMap((m) => {
          try {
            const parsed = parseWebviewMessage(m);
            return parsed.type === 'log' && parsed.level === 'error' ? [`webview logged: ${parsed.message}`] : [];
          } catch (error) {
            return [`the host would reject ${JSON.stringify(m).slice(0, 200)}: ${(error as Error).message}`];
          }
        });
        return [...problems, ...violations, ...fromMessages];
      },
      close: async () => {
        await context?.close();
        await new Promise((r) => server.close(r));
      },
    };
    return harness;
  } catch (error) {
    await context?.close();
    server.close();
    throw error;
  }
}

/**
 * Opens a page, waits for its `ready`, runs `body`, and fails if anything went
 * wrong on the page meanwhile. On failure a screenshot goes to artifacts/.
 */
export async function withHarness(browser: Browser, options: HarnessOptions & { name: string }, body: (h: Harness) => Promise<void>): Promise<void> {
  const h = await openHarness(browser, options);
  try {
    await h.waitForPosted('ready');
    await body(h);
    const problems = await h.problems();
    if (problems.length > 0) throw new Error(`the page had problems:\n  ${summary(problems)}`);
  } catch (error) {
    const file = join(ARTIFACTS, `webview-${options.name.replace(/[^a-z0-9]+/gi, '-')}.png`);
    await h.page.screenshot({ path: file, fullPage: true }).catch(() => {});
    const problems = await h.problems().catch(() => []);
    if (problems.length > 0 && error instanceof Error && !error.message.startsWith('the page had problems')) error.message += `\npage problems:\n  ${summary(problems)}\nscreenshot: ${file}`;
    throw error;
  } finally {
    await h.close();
  }
}

/** Problems once each with a count, the first 15 kinds, so that 100 repeats of one error stay readable. */
function summary(problems: string[]): string {
  const counts = new Map<string, number>();
  for (const p of problems) counts.set(p, (counts.get(p) ?? 0) + 1);
  const lines = [...counts].map(([p, n]) => (n > 1 ? `${n}× ${p}` : p));
  return [...lines.slice(0, 15), ...(lines.length > 15 ? [`… and ${lines.length - 15} more kinds`] : [])].join('\n  ');
}
