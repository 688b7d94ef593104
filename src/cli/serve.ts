/**
 * `hopscope serve`: the same ingest worker the extension runs, headless.
 * Prints one line when listening; stops cleanly on SIGINT / SIGTERM. A worker
 * that dies is started again on the same ports (restart-backoff.ts), its
 * counters carried on; serve exits 1 only when no worker could listen again
 * for the backoff's limit of starts in a row.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { errorText } from '../common/errors';
import { Throttle } from '../common/throttle';
import { carriedStats, type CarriedStats, type IngestStats } from '../ingest/ingest-core';
import { DEFAULT_INGEST_CONFIG, DEFAULT_JOURNAL_LIMITS, configProblems, type IngestConfig, type JournalConfig } from '../ingest/ingest-config';
import { IngestStartError, IngestWorker } from '../ingest/ingest-worker';
import { gaveUpText, lostText, RestartBackoff, type BackoffLimits } from '../ingest/restart-backoff';
import { version } from './version';

/** How often `hopscope serve` writes its span count into a log file or pipe. */
const COUNT_LOG_INTERVAL_MS = 10_000;

export const SERVE_USAGE = `Options for serve:
  --host <address>          interface to bind (default 127.0.0.1; 0.0.0.0 exposes your traces to the network)
  --http-port <port>        OTLP/HTTP and API port (default 4318; 0 picks a free one)
  --grpc-port <port>        OTLP/gRPC port (default 4317; 0 picks a free one)
  --no-grpc                 do not start the gRPC receiver
  --max-spans <n>           spans kept before the oldest traces are evicted (default 200000)
  --max-traces <n>          traces kept (default 2000)
  --max-store-mb <n>        the store's memory budget, MiB (estimated; default 256)
  --max-attribute-kb <n>    longest attribute value or log body kept, KiB; longer ones are cut and marked (default 64)
  --max-body-mb <n>         largest request body after decompression, MiB (default 20)
  --max-inflight-mb <n>     request bytes held at once across all uploads, MiB; past it requests are refused
                            with a retry delay before more is read (default 64; never less than --max-body-mb)
  --allow-origin <origin>   a browser origin allowed to send spans, e.g. http://localhost:5173 (repeatable;
                            default: any port on localhost, 127.0.0.1 and [::1])
  --data-dir <dir>          keep every accepted request in a journal there and restore it on start
                            (default: none, traces live in memory only)
  --disk-limit-mb <n>       the journal's disk budget, MiB; oldest segments are deleted past it (default 512)
  --retention-hours <n>     segments older than this are deleted (default 72)
  --quiet                   print only the listening line and errors`;

/** Parses serve's flags into a config; throws with a message naming the flag that is wrong. */
export function serveConfig(args: string[]): { config: IngestConfig; quiet: boolean } {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: 'string' },
      'http-port': { type: 'string' },
      'grpc-port': { type: 'string' },
      'no-grpc': { type: 'boolean' },
      'max-spans': { type: 'string' },
      'max-traces': { type: 'string' },
      'max-store-mb': { type: 'string' },
      'max-attribute-kb': { type: 'string' },
      'max-body-mb': { type: 'string' },
      'max-inflight-mb': { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      'data-dir': { type: 'string' },
      'disk-limit-mb': { type: 'string' },
      'retention-hours': { type: 'string' },
      quiet: { type: 'boolean' },
    },
  });
  const number = (flag: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text.trim())) throw new Error(`--${flag} must be a whole number, not "${text}"`);
    return Number(text);
  };
  /** A size flag in `unit` bytes (MiB, KiB): a whole number of at least 1. */
  const size = (flag: 'max-store-mb' | 'max-attribute-kb' | 'max-body-mb' | 'max-inflight-mb' | 'disk-limit-mb' | 'retention-hours', unit: number, fallbackBytes: number): number => {
    const value = number(flag, values[flag], fallbackBytes / unit);
    if (value < 1) throw new Error(`--${flag} must be at least 1, not ${value}`);
    return value * unit;
  };
  const config: IngestConfig = {
    ...DEFAULT_INGEST_CONFIG,
    host: values.host ?? DEFAULT_INGEST_CONFIG.host,
    httpPort: number('http-port', values['http-port'], DEFAULT_INGEST_CONFIG.httpPort),
    grpcPort: number('grpc-port', values['grpc-port'], DEFAULT_INGEST_CONFIG.grpcPort),
    grpcEnabled: !values['no-grpc'],
    maxSpans: number('max-spans', values['max-spans'], DEFAULT_INGEST_CONFIG.maxSpans),
    maxTraces: number('max-traces', values['max-traces'], DEFAULT_INGEST_CONFIG.maxTraces),
    maxStoreBytes: size('max-store-mb', 1048576, DEFAULT_INGEST_CONFIG.maxStoreBytes),
    maxAttributeBytes: size('max-attribute-kb', 1024, DEFAULT_INGEST_CONFIG.maxAttributeBytes),
    maxBodyBytes: size('max-body-mb', 1048576, DEFAULT_INGEST_CONFIG.maxBodyBytes),
    maxInflightBytes: size('max-inflight-mb', 1048576, DEFAULT_INGEST_CONFIG.maxInflightBytes),
    allowedOrigins: values['allow-origin'] ?? DEFAULT_INGEST_CONFIG.allowedOrigins,
    portHints: { http: '--http-port', grpc: '--grpc-port' },
    program: 'hopscope serve',
    journal: journalConfig(values['data-dir'], () => size('disk-limit-mb', 1048576, DEFAULT_JOURNAL_LIMITS.diskLimitBytes), () => size('retention-hours', 3600_000, DEFAULT_JOURNAL_LIMITS.retentionMs)),
  };
  const problems = configProblems(config);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return { config, quiet: values.quiet ?? false };
}

/** The journal `--data-dir` asks for (resolved to an absolute folder), or none. */
function journalConfig(dir: string | undefined, diskLimitBytes: () => number, retentionMs: () => number): JournalConfig | null {
  if (dir === undefined) return null;
  if (dir.trim() === '') throw new Error('--data-dir must name a folder');
  return { ...DEFAULT_JOURNAL_LIMITS, dir: resolve(dir), diskLimitBytes: diskLimitBytes(), retentionMs: retentionMs() };
}

export async function runServe(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof serveConfig>;
  try {
    parsed = serveConfig(args);
  } catch (error) {
    process.stderr.write(`hopscope serve: ${errorText(error)}\n\n${SERVE_USAGE}\n`);
    return 2;
  }
  const { config, quiet } = parsed;
  // Listen for signals before anything starts, so that a signal at any moment stops cleanly.
  const signalled = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const log: Log = (level, message) => {
    if (level !== 'info' || !quiet) process.stderr.write(`[${level}] ${message}\n`);
  };
  const supervisor = new Supervisor(config, signalled, (at, carried) => launch(at, carried, quiet, log));
  // Supervision tests only: with HOPSCOPE_TEST_HOOKS=1, SIGUSR2 makes the worker throw.
  if (process.env.HOPSCOPE_TEST_HOOKS === '1') process.on('SIGUSR2', () => supervisor.worker.crashForTest());
  return supervisor.run();
}

type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

/** A worker on `at`, its log lines and (unless quiet) its running span count to stderr. */
function launch(at: IngestConfig, carried: CarriedStats | undefined, quiet: boolean, log: Log): IngestWorker {
  const started = new IngestWorker(at, { runner: 'hopscope serve', version, ...(carried ? { carried } : {}), ...testWorker() });
  started.onLog(({ level, message }) => log(level, message));
  if (!quiet) {
    // A terminal gets a running count on one line; a file or a pipe gets it as a log line at most every 10 s
    // (never a `\r` per update), the first change at once.
    const count = (stats: IngestStats) => `${stats.spansStored.toLocaleString('en-US')} spans in ${stats.tracesStored.toLocaleString('en-US')} traces`;
    let latest: IngestStats | undefined;
    let logged = '';
    const logCount = new Throttle(COUNT_LOG_INTERVAL_MS, () => {
      const line = latest && count(latest);
      if (line && line !== logged) log('info', (logged = line));
    });
    started.onUpdate(({ stats }) => {
      if (process.stderr.isTTY) return void process.stderr.write(`\r${count(stats)}`);
      latest = stats;
      logCount.request();
    });
    started.onExit(() => logCount.dispose());
  }
  return started;
}

/**
 * The worker's life: the first start, then, when a worker dies, another on the same ports with backoff,
 * continuing the counters; serve itself does not exit for it, unless a worker cannot listen again for the
 * backoff's limit of starts in a row. `run` answers serve's exit code.
 */
class Supervisor {
  worker: IngestWorker;
  private readonly backoff = new RestartBackoff(testBackoff());
  private restarts = 0;
  private carried: CarriedStats | undefined;
  private upSince = 0;

  constructor(
    private readonly config: IngestConfig,
    private readonly signalled: Promise<string>,
    private readonly launch: (at: IngestConfig, carried: CarriedStats | undefined) => IngestWorker,
  ) {
    this.worker = launch(config, undefined);
  }

  async run(): Promise<number> {
    const { config, signalled } = this;
    let endpoints;
    try {
      endpoints = await Promise.race([this.worker.ready, signalled.then(() => undefined)]);
      if (!endpoints) {
        await this.worker.stop();
        return 0;
      }
    } catch (error) {
      process.stderr.write(`hopscope serve: ${error instanceof IngestStartError ? error.message : String(error)}\n`);
      await this.worker.stop();
      return 1;
    }
    const http = `http://${bracket(endpoints.http.host)}:${endpoints.http.port}`;
    const grpc = endpoints.grpc ? ` · OTLP/gRPC ${bracket(endpoints.grpc.host)}:${endpoints.grpc.port}` : '';
    const kept = config.journal ? `journal ${config.journal.dir}` : 'in memory only (no --data-dir)';
    process.stdout.write(`Hopscope listening · OTLP/HTTP ${http}${grpc} · API ${http}/api/traces · traces ${kept}\n`);
    const bound = { ...config, httpPort: endpoints.http.port, grpcPort: endpoints.grpc?.port ?? config.grpcPort };
    this.upSince = performance.now();
    for (;;) {
      const current = this.worker;
      const crashed = new Promise<Error>((resolve) => current.onExit((failure) => resolve(failure ?? new Error('the ingest worker stopped'))));
      const ending = await Promise.race([signalled, crashed]);
      if (!(ending instanceof Error)) {
        process.stderr.write(`\nhopscope serve: ${ending}, stopping\n`);
        await this.worker.stop();
        return 0;
      }
      const exit = await this.restart(ending, bound);
      if (exit !== undefined) return exit;
    }
  }

  /** Another worker on the ports the first one bound, after the backoff's delay; an exit code when serve ends instead. */
  private async restart(ending: Error, bound: IngestConfig): Promise<number | undefined> {
    const { config, signalled, backoff } = this;
    let delay = backoff.next(performance.now() - this.upSince);
    let why = `${ending.message}; ${config.journal ? 'what it accepted is in the journal' : lostText(this.worker.lastStats)}`;
    for (;;) {
      this.carried = carriedStats(this.worker.lastStats, this.carried, ++this.restarts);
      process.stderr.write(`\n[error] ${why}. Restarting it in ${(delay / 1000).toFixed(1)} s (restart ${this.restarts})\n`);
      const woken = await Promise.race([sleep(delay).then(() => undefined), signalled]);
      if (woken !== undefined) {
        process.stderr.write(`hopscope serve: ${woken}, stopping\n`);
        return 0;
      }
      this.worker = this.launch(bound, this.carried);
      try {
        const back = await Promise.race([this.worker.ready, signalled]);
        if (typeof back === 'string') {
          await this.worker.stop();
          return 0;
        }
        this.upSince = performance.now();
        process.stderr.write(`[warn] the ingest worker is back on OTLP/HTTP ${bracket(back.http.host)}:${back.http.port}${back.grpc ? `, OTLP/gRPC ${bracket(back.grpc.host)}:${back.grpc.port}` : ''} (restart ${this.restarts}); ${config.journal ? 'the traces come back from the journal' : 'the traces start again from none'}, the counters go on\n`);
        return undefined;
      } catch (error) {
        await this.worker.stop();
        const reason = errorText(error);
        const again = backoff.afterFailedStart();
        if (again === undefined) {
          process.stderr.write(`hopscope serve: ${gaveUpText(backoff.failedInARow, reason)}\n`);
          return 1;
        }
        delay = again;
        why = `the ingest worker could not start again (${backoff.failedInARow} failed in a row): ${reason}`;
      }
    }
  }
}

/** Supervision tests only (HOPSCOPE_TEST_HOOKS=1): another worker bundle, from HOPSCOPE_TEST_WORKER. */
function testWorker(): { workerPath?: string } {
  return process.env.HOPSCOPE_TEST_HOOKS === '1' && process.env.HOPSCOPE_TEST_WORKER ? { workerPath: process.env.HOPSCOPE_TEST_WORKER } : {};
}

/** Supervision tests only (HOPSCOPE_TEST_HOOKS=1): the backoff's limits from HOPSCOPE_TEST_BACKOFF, as JSON. */
function testBackoff(): Partial<BackoffLimits> {
  if (process.env.HOPSCOPE_TEST_HOOKS !== '1' || !process.env.HOPSCOPE_TEST_BACKOFF) return {};
  return JSON.parse(process.env.HOPSCOPE_TEST_BACKOFF) as Partial<BackoffLimits>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function bracket(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
