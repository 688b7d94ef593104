// Installs code-server (a real VS Code, 1.100) into .hopscope-cache/code-server,
// outside the extension's own dependencies, for editor tests and `npm start`.
// Idempotent. Run directly (`node scripts/code-server.mjs`) or import
// `ensureCodeServer()`, which returns the path of its executable.
//
// What its install needs on this kind of machine (verified: ~1.5 min):
// - Debian packages libkrb5-dev (its kerberos module builds against it) and ripgrep;
// - its dependency @vscode/ripgrep downloads a binary at install time, which
//   cannot work here: a tar.gz of /usr/bin/rg is seeded where it looks first,
//   $TMPDIR/vscode-ripgrep-cache-<version>/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz;
// - npm_config_yes=true and --unsafe-perm (its postinstall refuses to run as root without it).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
/** The @vscode/ripgrep version code-server 4.100.3's bundled VS Code pins (lib/vscode/npm-shrinkwrap.json). */
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const prefix = join(root, '.hopscope-cache', 'code-server');
const bin = join(prefix, 'node_modules', '.bin', 'code-server');

function missingDebianPackages() {
  const missing = [];
  if (!existsSync('/usr/bin/rg')) missing.push('ripgrep');
  if (!existsSync('/usr/include/krb5.h') && !existsSync('/usr/include/krb5/krb5.h')) missing.push('libkrb5-dev');
  return missing;
}

function seedRipgrepCache() {
  const cache = join(process.env.TMPDIR ?? tmpdir(), `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  const asset = join(cache, RIPGREP_ASSET);
  if (existsSync(asset)) return;
  mkdirSync(cache, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'hopscope-rg-'));
  cpSync('/usr/bin/rg', join(staging, 'rg'));
  execFileSync('tar', ['-czf', asset, '-C', staging, 'rg']);
}

/** User settings for an isolated profile: no tips, telemetry, updates or prompts in the way. */
export const PROFILE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'git.openRepositoryInParentFolders': 'never',
};

/** Arguments that install a .vsix into a profile. */
export function installArgs(vsix, { userDataDir, extensionsDir }) {
  return ['--install-extension', vsix, '--force', '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir];
}

/** Arguments that serve a profile on 127.0.0.1:port without a password (loopback only). */
export function serveArgs(port, { userDataDir, extensionsDir }) {
  return ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
}

/** Installs code-server if it is not there yet; returns its executable. Throws saying what is missing. */
export function ensureCodeServer({ quiet = false } = {}) {
  if (existsSync(bin)) return bin;
  const missing = missingDebianPackages();
  if (missing.length > 0) {
    throw new Error(`code-server needs the Debian packages ${missing.join(' and ')}: run apt-get install -y ${missing.join(' ')}`);
  }
  seedRipgrepCache();
  mkdirSync(prefix, { recursive: true });
  if (!existsSync(join(prefix, 'package.json'))) writeFileSync(join(prefix, 'package.json'), '{ "private": true }\n');
  if (!quiet) console.log(`hopscope: installing code-server ${CODE_SERVER_VERSION} into .hopscope-cache (about two minutes, once)…`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--unsafe-perm', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: prefix,
    stdio: quiet ? 'ignore' : 'inherit',
    env: { ...process.env, npm_config_yes: 'true' },
  });
  if (!existsSync(bin)) throw new Error(`code-server's install finished but ${bin} is missing`);
  return bin;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(ensureCodeServer());
}
