// `npm start`: the main job. Builds Hopscope, packages it, installs code-server
// (once, into .hopscope-cache), installs the fresh .vsix into an isolated
// profile, opens the demo/ folder in it, and runs the demo shop sending orders
// as soon as Hopscope listens. Prints the address to open. Ctrl-C stops it all.
//
// Options: --port <n>  code-server's port (default 8080, or a free one)
//          --profile <dir>  the isolated VS Code profile (default .hopscope-cache/profile)
//          --mode sync|events|both, --rate <n>, --payments …, --email …  (passed to demo/run.ts)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const say = (line) => console.log(`hopscope: ${line}`);

function die(message) {
  console.error(`\nhopscope: ${message}`);
  process.exit(1);
}

/** Takes `--name value` out of the arguments; the rest go to the demo. */
const args = process.argv.slice(2);
function option(name) {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const [, value] = args.splice(at, 2);
  if (value === undefined) die(`${name} needs a value`);
  return value;
}
const wantedPort = Number(option('--port') ?? 8080);
if (!Number.isInteger(wantedPort) || wantedPort < 0 || wantedPort > 65535) die(`--port must be a port number from 0 to 65535`);
const profileOption = option('--profile');
const demoArgs = args;

function step(what, run) {
  say(what);
  try {
    return run();
  } catch (error) {
    die(`${what.replace(/…$/, '')} failed: ${error.message}`);
  }
}

step('checking dependencies…', () => execFileSync(process.execPath, ['scripts/ensure-deps.mjs'], { stdio: 'inherit' }));
step('building…', () => execFileSync(process.execPath, ['esbuild.mjs', '--production'], { stdio: ['ignore', 'ignore', 'inherit'] }));
const { packageExtension } = await import('./package.mjs');
const { ensureCodeServer, installArgs, serveArgs, CODE_SERVER_VERSION, PROFILE_SETTINGS } = await import('./code-server.mjs');
const cache = join(root, '.hopscope-cache');
mkdirSync(cache, { recursive: true });
const vsix = step('packaging the extension…', () => packageExtension(join(cache, 'hopscope-dev.vsix')));
const codeServer = step(`preparing code-server ${CODE_SERVER_VERSION}…`, () => ensureCodeServer());

// An isolated profile: nothing of the user's own VS Code is touched or used.
const profile = profileOption ? resolve(profileOption) : join(cache, 'profile');
const userDataDir = join(profile, 'user-data');
const extensionsDir = join(profile, 'extensions');
mkdirSync(join(userDataDir, 'User'), { recursive: true });
const settingsFile = join(userDataDir, 'User', 'settings.json');
if (!existsSync(settingsFile)) {
  writeFileSync(settingsFile, JSON.stringify(PROFILE_SETTINGS, null, 2));
}
const RECEIVER_PORT = receiverPort(settingsFile);
step('installing the .vsix into the isolated profile…', () =>
  execFileSync(codeServer, installArgs(vsix, { userDataDir, extensionsDir }), { stdio: 'ignore' }),
);

const port = (await isFree(wantedPort)) ? wantedPort : await freePort();
if (port !== wantedPort) say(`port ${wantedPort} is taken; code-server uses ${port}`);
const children = [];
const editor = spawn(codeServer, [...serveArgs(port, { userDataDir, extensionsDir }), join(root, 'demo')], {
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
});
children.push(editor);
let editorOutput = '';
editor.stdout.on('data', (chunk) => (editorOutput += chunk));
editor.stderr.on('data', (chunk) => (editorOutput += chunk));
editor.on('exit', (code) => {
  if (!stopping) die(`code-server exited (code ${code}):\n${editorOutput.slice(-2000)}`);
});

let stopping = false;
async function stopAll() {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGINT');
    } catch {
      // already gone
    }
  }
  await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((done) => child.once('exit', done)) : undefined)));
  process.exit(0);
}
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);

const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(join(root, 'demo'))}`;
await until(() => editorOutput.includes('HTTP server listening'));
console.log(`\n  Hopscope is ready in VS Code (code-server ${CODE_SERVER_VERSION}). Open:\n\n    ${url}\n`);
say(`the demo shop starts sending orders once Hopscope listens on 127.0.0.1:${RECEIVER_PORT} (when the window is open). Ctrl-C stops everything.`);

const receiver = await until(() => hopscopeAt(RECEIVER_PORT));
say(`Hopscope is listening (${receiver.runner}); starting the demo shop`);
const demo = spawn(process.execPath, ['--import', 'tsx', 'demo/run.ts', '--endpoint', `http://127.0.0.1:${RECEIVER_PORT}`, '--base-port', '0', ...demoArgs], { stdio: 'inherit', detached: true });
children.push(demo);
demo.on('exit', (code) => {
  if (!stopping) {
    say(`the demo shop stopped (code ${code}); VS Code keeps running until Ctrl-C. Start the shop again in another terminal with:\n  node --import tsx demo/run.ts --endpoint http://127.0.0.1:${RECEIVER_PORT} --base-port 0 ${demoArgs.join(' ')}`.trimEnd());
  }
});

/** The OTLP/HTTP port the profile's settings give Hopscope (settings.json may hold comments: then the default). */
function receiverPort(file) {
  try {
    const port = JSON.parse(readFileSync(file, 'utf8'))['hopscope.receiver.httpPort'];
    return Number.isInteger(port) && port > 0 ? port : 4318;
  } catch {
    return 4318;
  }
}

async function until(check) {
  for (;;) {
    const value = await check();
    if (value) return value;
    await new Promise((done) => setTimeout(done, 250));
  }
}

function hopscopeAt(port) {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/stats', timeout: 1000 }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => {
        try {
          const stats = JSON.parse(body);
          done(stats.program === 'hopscope' ? stats : undefined);
        } catch {
          done(undefined);
        }
      });
    });
    req.on('error', () => done(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

function isFree(port) {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

function freePort() {
  return new Promise((done) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}
