// Builds Hopscope's separate bundles. `--watch` rebuilds on change, `--production` minifies.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  legalComments: 'linked',
};

/** Points import-in-the-middle's `./lib/register` at the one file the loader hook imports too (see src/instrument/esm-hooks.ts). */
const sharedIitmRegister = {
  name: 'shared-iitm-register',
  setup(build) {
    build.onResolve({ filter: /^\.\/lib\/register(\.js)?$/ }, (args) =>
      args.importer.includes('import-in-the-middle') ? { path: './instrument/lib/register.js', external: true } : undefined);
  },
};

/** @type {import('esbuild').BuildOptions[]} */
const bundles = [
  // The extension host side: node, CommonJS, `vscode` provided by the editor.
  { ...common, entryPoints: { extension: 'src/extension/extension.ts' }, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], outdir: 'dist' },
  // The ingest worker: servers, decoders and the store, in a worker_thread.
  { ...common, entryPoints: { worker: 'src/ingest/worker.ts' }, platform: 'node', format: 'cjs', target: 'node20', outdir: 'dist' },
  // The ingest worker's analysis thread, started by it from beside its bundle: every computation over a trace.
  { ...common, entryPoints: { analysis: 'src/ingest/analysis-worker.ts' }, platform: 'node', format: 'cjs', target: 'node20', outdir: 'dist' },
  // The headless CLI (`hopscope serve`), which starts the same worker.
  { ...common, entryPoints: { cli: 'src/cli/main.ts' }, platform: 'node', format: 'cjs', target: 'node20', outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  // The webview: a browser bundle with no Node or VS Code APIs.
  // The call-site span processor, for users' own Node services: needs only Node (OpenTelemetry is the service's, types only here).
  { ...common, entryPoints: { 'call-site': 'src/processor/call-site-processor.ts' }, platform: 'node', format: 'cjs', target: 'node20', outdir: 'dist', external: ['@opentelemetry/*'] },
  // The register module for Node apps with no OpenTelemetry of their own (src/instrument/register.ts):
  // the SDK and its instrumentations, bundled. import-in-the-middle's lib/register.js is shared with the
  // ESM loader hook below, so it stays a file of its own beside the bundle.
  { ...common, entryPoints: { instrument: 'src/instrument/register.ts' }, platform: 'node', format: 'cjs', target: 'node20', outdir: 'dist', plugins: [sharedIitmRegister] },
  // import-in-the-middle's loader hook, for ES modules: ESM, in dist/instrument/ next to lib/register.js.
  { ...common, sourcemap: false, entryPoints: { hook: 'node_modules/import-in-the-middle/hook.mjs' }, platform: 'node', format: 'esm', target: 'node20', outdir: 'dist/instrument', outExtension: { '.js': '.mjs' } },
  // ELK's layout worker is carried as text and started from a blob: URL (a webview cannot load a worker from its resource origin).
  { ...common, entryPoints: { webview: 'webview/main.ts' }, platform: 'browser', format: 'iife', target: 'es2022', outdir: 'dist', loader: { '.min.js': 'text' } },
];

// The register module's ESM entry (what NODE_OPTIONS --import loads): waits until the loader hook knows
// which modules to patch before the app's own modules load; and the shared file of import-in-the-middle.
mkdirSync('dist/instrument/lib', { recursive: true });
copyFileSync('node_modules/import-in-the-middle/lib/register.js', 'dist/instrument/lib/register.js');
writeFileSync('dist/instrument.mjs', "import hopscope from './instrument.js';\nawait hopscope.started.ready;\n");

// Codicons for the webviews: the stylesheet and its font, next to the bundles (the .vsix carries no node_modules).
mkdirSync('dist/codicons', { recursive: true });
for (const file of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${file}`, `dist/codicons/${file}`);

if (watch) {
  const contexts = await Promise.all(bundles.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  await Promise.all(bundles.map((options) => esbuild.build(options)));
}
