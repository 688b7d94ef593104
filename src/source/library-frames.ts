/**
 * Frames that are not the application's own code: installed packages, the
 * language runtime, and OpenTelemetry itself (the SDK that recorded the stack
 * is always on top of it). A span's call site is the first frame that is none
 * of these.
 *
 *   at Span.end (/app/node_modules/@opentelemetry/sdk-trace/build/Span.js:9:3)   library
 *   at Module._compile (internal/modules/cjs/loader.js:1085:14)                   (never parsed)
 *   File "/usr/lib/python3.12/asyncio/events.py", line 84, in _run                library
 *   at java.base/java.lang.Thread.run(Thread.java:833)                             library
 *   \t/usr/local/go/src/runtime/panic.go:770 +0x132                                library
 *   at reserve (/app/src/stock.ts:42:7)                                            the call site
 */
import type { StackFrame } from './stack-frames';

const LIBRARY_PATH = new RegExp(
  [
    String.raw`[\\/]node_modules[\\/]`,
    String.raw`[\\/](site|dist)-packages[\\/]`,
    String.raw`[\\/]lib[\\/](python|pypy)[\d.]*[\\/]`, // the Python standard library
    String.raw`[\\/]go[\\/]src[\\/]`, // GOROOT
    String.raw`[\\/]pkg[\\/]mod[\\/]`, // Go module cache
    String.raw`[\\/]@?opentelemetry[\\/]`,
    String.raw`[\\/]\.?(nvm|volta|pyenv|rustup)[\\/]`,
  ].join('|'),
  'i',
);

const LIBRARY_FUNCTION: Record<StackFrame['format'], RegExp | undefined> = {
  node: /^(process\.processTicksAndRejections|processTicksAndRejections|node:)/,
  python: undefined,
  java: /^(java|javax|jdk|sun|com\.sun|kotlin|kotlinx|scala|io\.opentelemetry|org\.springframework|org\.apache|io\.netty|reactor)\./,
  go: /^(runtime|reflect|testing|net\/http|go\.opentelemetry\.io|google\.golang\.org)[./]/,
  dotnet: /^(System|Microsoft|OpenTelemetry)\./,
};

/** True when the frame is a package's, the runtime's or OpenTelemetry's, not the application's. */
export function isLibraryFrame(frame: StackFrame): boolean {
  if (LIBRARY_PATH.test(frame.file)) return true;
  const fn = LIBRARY_FUNCTION[frame.format];
  return fn !== undefined && frame.function !== undefined && fn.test(frame.function);
}
