/**
 * The register module must never break the app it loads into: an
 * instrumentation whose patch throws leaves that module unpatched, and
 * OpenTelemetry's own errors are written to the process's stderr (the debug
 * console), a bounded number of them, instead of going unseen or throwing.
 */
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';

/** Lines written at most, so that a failing exporter cannot flood the debug console. */
const MAX_LINES = 20;
let written = 0;

/** One line on stderr, prefixed, while under the bound. */
export function say(text: string): void {
  if (written > MAX_LINES) return;
  written++;
  const line = written > MAX_LINES ? 'further messages are not shown' : text;
  try {
    process.stderr.write(`[hopscope] ${line}\n`);
  } catch {
    // A closed stderr is no reason to stop the app.
  }
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** OpenTelemetry's warnings and errors, on stderr. */
export function reportDiagnostics(): void {
  const write = (...args: unknown[]): void => say(args.map((arg) => (typeof arg === 'string' ? arg : errorText(arg))).join(' '));
  const logger: DiagLogger = { error: write, warn: write, info: () => {}, debug: () => {}, verbose: () => {} };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
}

/** The part of InstrumentationBase (node) that patches a module when it is loaded. */
interface Patching {
  _onRequire?: (module: unknown, exports: unknown, name: string, baseDir?: string) => unknown;
}

/** Each instrumentation's patch step made unable to throw into the app's `require`/`import`. */
export function guardPatches(instrumentations: readonly Instrumentation[]): void {
  for (const instrumentation of instrumentations) {
    const patching = instrumentation as unknown as Patching;
    const onRequire = patching._onRequire;
    if (typeof onRequire !== 'function') continue;
    patching._onRequire = function guarded(this: unknown, module, exports, name, baseDir) {
      try {
        return onRequire.call(this, module, exports, name, baseDir);
      } catch (error) {
        say(`${instrumentation.instrumentationName} could not patch ${name}, which runs untraced: ${errorText(error)}`);
        return exports;
      }
    };
  }
}
