/**
 * The demo shop from the command line:
 *   node --import tsx demo/run.ts [--mode sync|events|both] [--rate 1] [--orders n]
 *     [--payments ok|fail|slow] [--email ok|slow|down] [--endpoint http://127.0.0.1:4318]
 *     [--base-port 7300] [--no-load]
 * Ctrl-C stops the load and the services; they flush their spans first.
 */
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { formatOrder, runLoad } from './load';
import { startDemo, type DemoOptions, type Mode } from './shop';

const USAGE = `usage: node --import tsx demo/run.ts [options]
  --mode sync|events|both   which orders to send (default both: alternating)
  --rate <n>                orders per second (default 1)
  --orders <n>              stop after n orders (default: until Ctrl-C)
  --payments ok|fail|slow   fail: payments answers 500; slow: 2 s, past orders' 300 ms timeout
  --email ok|slow|down      slow: 3 s; down: answers 503
  --endpoint <url>          OTLP/HTTP endpoint (default $OTEL_EXPORTER_OTLP_ENDPOINT or http://127.0.0.1:4318)
  --base-port <n>           gateway on n, then orders, payments, inventory, email, analytics, queue (default 7300; 0: free ports)
  --no-load                 start the services only`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) fail(`--${flag} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`);
  return value as T;
}

function positive(flag: string, value: string | undefined, allowZero = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !allowZero)) fail(`--${flag} must be a ${allowZero ? 'non-negative' : 'positive'} number, not ${JSON.stringify(value)}`);
  return n;
}

/** A hint when nothing listens at the endpoint; spans would be dropped silently. */
function checkEndpoint(endpoint: string): Promise<void> {
  const url = new URL(endpoint);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port || 80), url.hostname);
    socket.setTimeout(1_000);
    const warn = () => {
      process.stderr.write(`note: nothing answers at ${endpoint}; spans are dropped until a receiver listens there (Hopscope in VS Code, or \`node dist/cli.js serve\`)\n`);
      socket.destroy();
      resolve();
    };
    socket.once('error', warn).once('timeout', warn).once('connect', () => (socket.destroy(), resolve()));
  });
}

/** Starts of the whole shop before the demo gives up. */
const START_ATTEMPTS = 3;

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        mode: { type: 'string' }, rate: { type: 'string' }, orders: { type: 'string' },
        payments: { type: 'string' }, email: { type: 'string' }, endpoint: { type: 'string' },
        'base-port': { type: 'string' }, 'no-load': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (parsed.help) return void process.stdout.write(`${USAGE}\n`);
  const mode = oneOf<Mode | 'both'>('mode', parsed.mode, ['sync', 'events', 'both'], 'both');
  const rate = positive('rate', parsed.rate) ?? 1;
  const orders = parsed.orders === undefined ? undefined : Math.floor(positive('orders', parsed.orders)!);
  const endpoint = parsed.endpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318';
  const options: DemoOptions = {
    endpoint,
    basePort: positive('base-port', parsed['base-port'], true) ?? 7300,
    payments: oneOf('payments', parsed.payments, ['ok', 'fail', 'slow'] as const, 'ok'),
    email: oneOf('email', parsed.email, ['ok', 'slow', 'down'] as const, 'ok'),
  };
  await checkEndpoint(endpoint);

  process.stdout.write('starting queue, gateway, orders, payments, inventory, email, analytics ...\n');
  let demo: Awaited<ReturnType<typeof startDemo>> | undefined;
  // A busy machine can take long to start seven services that compile TypeScript: try again, waiting longer.
  for (let attempt = 1; !demo; attempt++) {
    const startTimeoutMs = 30_000 * attempt;
    try {
      demo = await startDemo({ ...options, startTimeoutMs });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      if (attempt < START_ATTEMPTS) {
        process.stderr.write(`the demo did not start: ${why}\ntrying again (attempt ${attempt + 1} of ${START_ATTEMPTS}, waiting up to ${startTimeoutMs / 1000 + 30} s per service) ...\n`);
        continue;
      }
      process.stderr.write(`the demo could not start after ${START_ATTEMPTS} attempts: ${why}\nstart it again with:  node --import tsx demo/run.ts --endpoint ${endpoint}\n`);
      process.exit(1);
    }
  }
  process.stdout.write(`gateway ${demo.gatewayUrl} · spans to ${endpoint} · switches: POST <service>/_demo/switches\n`);
  for (const [name, url] of Object.entries(demo.urls)) process.stdout.write(`  ${name.padEnd(10)} ${url}\n`);

  const stopping = new AbortController();
  const stop = async () => {
    if (stopping.signal.aborted) return;
    stopping.abort();
    process.stdout.write('stopping the services (they flush their spans) ...\n');
    await demo.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  if (parsed['no-load']) return void process.stdout.write('no load: send orders with  curl -X POST -d \'{"mode":"events"}\' ' + `${demo.gatewayUrl}/orders\n`);
  await runLoad(demo, { mode, rate, ...(orders === undefined ? {} : { orders }), signal: stopping.signal, onOrder: (result, i) => process.stdout.write(`${formatOrder(result, i)}\n`) });
  // The last events order was answered, but its consumers may have only just
  // received it; stopping them now would leave their spans out of the trace.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await stop();
}

void main();
