/**
 * Records the golden fixtures: starts the real stack, runs the scenarios, and
 * writes test/fixtures/realstack/<scenario>/{export.binpb,truth.json}.
 * Run it with `node scripts/record-realstack.mjs` (after `npm run build`).
 */
import { FIXTURE_DIR, writeFixtures } from './fixtures';
import { runScenarios } from './run';
import { startStack } from './stack';

const PER_SCENARIO = 2;

async function main(): Promise<void> {
  const dir = process.argv[2] ?? FIXTURE_DIR;
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const started = Date.now();
  const stack = await startStack({ log });
  try {
    const runs = await runScenarios(stack, PER_SCENARIO, log);
    if (stack.recorder.failures.length > 0) throw new Error(`Hopscope refused export requests: ${stack.recorder.failures.join('; ')}`);
    const sizes = writeFixtures(dir, runs, stack.recorder.requests);
    for (const [scenario, bytes] of Object.entries(sizes)) log(`${dir}/${scenario}: ${(bytes / 1024).toFixed(1)} KiB`);
  } finally {
    await stack.stop();
  }
  log(`recorded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
