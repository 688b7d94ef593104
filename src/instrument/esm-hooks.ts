/**
 * ES modules are patched by import-in-the-middle's loader hook, registered with
 * `module.register` (Node ≥ 20.6). The hook is told which modules have
 * instrumentations (over a message port) so that it wraps only those, not every
 * module of the app.
 *
 * The hook and the main thread must share one copy of import-in-the-middle's
 * `lib/register.js` (the wrapped modules import it by URL and the main thread's
 * `Hook` adds to it), so the build puts the hook and that file beside this
 * bundle (`dist/instrument/`) and the bundle requires that file instead of its own.
 */
import * as nodeModule from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { say } from './guard';

/** Registers the hook; the promise settles when the hook has taken every module name sent so far. */
export function registerEsmHooks(bundleDir: string): () => Promise<void> {
  const register = (nodeModule as { register?: (specifier: string | URL, options?: object) => void }).register;
  if (typeof register !== 'function') {
    say(`Node ${process.versions.node} cannot hook ES modules (module.register needs Node 20.6): only CommonJS modules are traced`);
    return () => Promise.resolve();
  }
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register(pathToFileURL(join(bundleDir, 'instrument', 'hook.mjs')), registerOptions);
  return waitForAllMessagesAcknowledged;
}
