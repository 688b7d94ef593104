// Re-records the golden fixtures of the real stack (test/fixtures/realstack/):
// PostgreSQL, Redis and RabbitMQ from the Debian packages, `hopscope serve` from
// dist/ (run `npm run build` first), seven services instrumented only by the
// official OpenTelemetry packages. About a minute.
// Usage: node scripts/record-realstack.mjs [output dir]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('dist/cli.js')) {
  console.error('dist/cli.js is missing: run `npm run build` first');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', 'test/realstack/record.ts', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
