/**
 * One orderly shutdown per service process. Steps run last-registered first, so
 * the servers stop taking work before telemetry (registered first, at import)
 * flushes the spans that work produced.
 */
type Step = () => Promise<void> | void;

const steps: Step[] = [];
let stopping: Promise<void> | undefined;

export function atShutdown(step: Step): void {
  steps.push(step);
}

export function shutdown(code = 0): Promise<void> {
  stopping ??= (async () => {
    for (const step of [...steps].reverse()) {
      try {
        await step();
      } catch (error) {
        process.stderr.write(`shutdown step failed: ${String(error)}\n`);
      }
    }
    process.exit(code);
  })();
  return stopping;
}

process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
// Started by the launcher with an IPC channel: when the launcher dies, even by
// SIGKILL, the channel closes, and the service must not outlive it.
if (process.send) process.once('disconnect', () => void shutdown());
