/**
 * A real VS Code for end-to-end tests: code-server 4.100.3 (VS Code 1.100)
 * with the freshly built .vsix installed in a throw-away profile, driven by
 * Playwright in Debian's Chromium. Screenshots go to artifacts/ (git-ignored).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, type Dirent } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { freePort } from './free-port';

const run = promisify(execFile);
export const ARTIFACTS = resolve('artifacts');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Scripts are ES modules; import them by URL (tests run from the repository root). */
const script = (name: string) => pathToFileURL(resolve('scripts', name)).href;

let vsix: Promise<string> | undefined;
type CodeServerScripts = typeof import('../../scripts/code-server.mjs', { with: { 'resolution-mode': 'import' } });
let scripts: Promise<CodeServerScripts> | undefined;
const codeServerScripts = () => (scripts ??= import(script('code-server.mjs')) as Promise<CodeServerScripts>);

/** Packages the current build once per test process (the test command built dist/ already). */
export function builtVsix(): Promise<string> {
  vsix ??= (async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const { packageExtension } = (await import(script('package.mjs'))) as typeof import('../../scripts/package.mjs', { with: { 'resolution-mode': 'import' } });
    return packageExtension(join(ARTIFACTS, 'hopscope-under-test.vsix'));
  })();
  return vsix;
}

let codeServerBin: Promise<string> | undefined;
function codeServer(): Promise<string> {
  codeServerBin ??= codeServerScripts().then((m) => m.ensureCodeServer({ quiet: true }));
  return codeServerBin;
}

export interface CodeServer {
  url: string;
  port: number;
  userDataDir: string;
  stop(): Promise<void>;
}

/** The isolated profile's settings, plus what the tests need: header actions always visible, a fixed theme. */
const testSettings = (scripts: CodeServerScripts) => ({
  ...scripts.PROFILE_SETTINGS,
  'git.enabled': false,
  'workbench.view.alwaysShowHeaderActions': true,
  'workbench.colorTheme': 'Default Dark Modern',
});

/** The settings `npm start` gives its isolated profile. */
export const profileSettings = async (): Promise<Record<string, unknown>> => (await codeServerScripts()).PROFILE_SETTINGS;

/** Starts code-server with Hopscope installed and these user settings. */
export async function startCodeServer(settings: Record<string, unknown>): Promise<CodeServer> {
  const [bin, extension, scripts] = await Promise.all([codeServer(), builtVsix(), codeServerScripts()]);
  const home = mkdtempSync(join(tmpdir(), 'hopscope-code-server-'));
  const userDataDir = join(home, 'user-data');
  const extensionsDir = join(home, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  const writeSettings = (values: Record<string, unknown>) => writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...testSettings(scripts), ...values }, null, 2));
  writeSettings(settings);
  await run(bin, scripts.installArgs(extension, { userDataDir, extensionsDir }));
  const port = await freePort();
  const args = scripts.serveArgs(port, { userDataDir, extensionsDir });
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: home }, detached: true });
  let output = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  await new Promise<void>((ready, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('HTTP server listening')) ready();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => fail(new Error(`code-server exited before listening:\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    userDataDir,
    stop: async () => {
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          // already gone
        }
        await exited;
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * The last `lines` lines of Hopscope's log in this code-server (its output channel, which code-server writes
 * under the profile's logs folder): for the message of a failed assertion.
 */
export function hopscopeLog(server: CodeServer, lines = 40): string {
  const found: string[] = [];
  const pending = [join(server.userDataDir, 'logs')];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (/Hopscope\.log$/.test(entry.name)) found.push(path);
    }
  }
  if (found.length === 0) return '(no Hopscope log found)';
  return found.map((path) => `${path}:\n${readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n')}`).join('\n');
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/** Opens a workbench window on `folder` and waits until it is on screen. */
export async function openWindow(browser: Browser, server: CodeServer, folder: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 }, permissions: ['clipboard-read', 'clipboard-write'] });
  await page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  return page;
}

/** Runs a command from the command palette by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await input.press('Enter');
}

/**
 * Changes a number setting the way a user does, in the Settings editor (code-server
 * does not notice settings.json being rewritten behind its back).
 */
export async function setNumberSetting(page: Page, key: string, value: number): Promise<void> {
  if (!(await page.locator('.settings-editor').isVisible())) await runCommand(page, 'Preferences: Open User Settings');
  const search = page.locator('.settings-editor .suggest-input-container textarea, .settings-editor .suggest-input-container input').first();
  await search.waitFor();
  await search.focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(key);
  // The row of this setting (its title is the key's last part in words: httpPort → "Http Port").
  const title = key.split('.').pop()!.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
  const input = page.locator('.setting-item-number', { has: page.locator('.setting-item-label', { hasText: new RegExp(`^${title}$`) }) }).locator('input').first();
  await input.waitFor();
  await input.fill(String(value));
  await input.press('Enter');
}

/**
 * Opens a file through Quick Open (`query` is typed, the row showing `name` is taken) and puts the cursor on a
 * 1-based line with Go to Line; `editor` is the editor it opens in, clicked to focus it first.
 */
export async function openFileAt(page: Page, query: string, name: string, line: number, editor: Locator, timeout = 90_000): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout });
  await input.fill(query);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout });
  await input.press('Enter');
  await editor.waitFor({ timeout });
  await editor.click({ position: { x: 200, y: 40 } });
  await page.keyboard.press('Control+G');
  await input.waitFor({ timeout });
  await input.fill(`:${line}`);
  await input.press('Enter');
}

/** The Hopscope status bar entry. */
export const statusItem = (page: Page) => page.locator('.statusbar-item', { hasText: 'Hopscope' }).first();

/** Shows the Hopscope container and returns the Traces tree's rows. */
export async function tracesRows(page: Page) {
  const tree = page.locator('.monaco-list[aria-label="Traces"]');
  if (!(await tree.isVisible())) await page.locator('.activitybar [aria-label^="Hopscope"]').first().click();
  return tree.locator('.monaco-list-row');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
