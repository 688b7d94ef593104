/**
 * Real PostgreSQL, Redis and RabbitMQ for tests, each started from the Debian
 * binaries into a fresh temporary directory, listening on a free loopback port
 * only, and removed again by `stop()` (which never throws and may be called
 * twice). A binary that is missing fails with the Debian package to install;
 * a server that does not come up fails naming it, with its log's tail.
 *
 *   const pg = await startPostgres({ database: 'shop', setupSql: 'CREATE TABLE …' });
 *   pg.port; await pg.stop();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

export interface RunningServer {
  /** The loopback port it listens on. */
  port: number;
  /** Stops every process it started and removes its files; resolves once they are gone. */
  stop(): Promise<void>;
}

export interface Postgres extends RunningServer {
  /** Connection settings for `pg` (trust authentication: no password). */
  connection: { host: string; port: number; user: string; database: string };
}

/** A child process whose output is kept (bounded) for error messages. */
interface Logged {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  running(): boolean;
  /** Stops guarding the process group at exit (once it is stopped). */
  forget(): void;
}

const LOG_KEEP = 64 * 1024;

/** Process groups (negative) and processes still running, and directories still there, for the exit hook. */
const leftovers = new Set<number>();
const leftoverDirs = new Set<string>();
let exitHook = false;

/**
 * Should this process exit while they are still there (an uncaught error, a test runner that sends
 * SIGTERM or SIGINT mid-run), the processes are killed with SIGKILL and the directories removed.
 * A signal then exits this process (128 + signal), as it would have without the hook.
 */
function installExitHook(): void {
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const pid of leftovers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    for (const dir of leftoverDirs) rmSync(dir, { recursive: true, force: true });
  });
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.once(signal, () => process.exit(code));
  }
}

/** Kills `pid` (negative: its process group) at exit unless `forget` was called once it was stopped. */
export function killOnExit(pid: number): { forget(): void } {
  installExitHook();
  leftovers.add(pid);
  return { forget: () => leftovers.delete(pid) };
}

/** A temporary directory, removed at exit unless it was removed (and forgotten) before. */
function tempDir(prefix: string): { path: string; remove(): void } {
  installExitHook();
  const path = mkdtempSync(join(tmpdir(), prefix));
  leftoverDirs.add(path);
  return {
    path,
    remove: () => {
      rmSync(path, { recursive: true, force: true });
      leftoverDirs.delete(path);
    },
  };
}

function spawnLogged(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Logged {
  // Its own process group, so that stop() reaches the helpers it forks (Erlang's erl_child_setup, …).
  const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const guard = child.pid === undefined ? undefined : killOnExit(-child.pid);
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > LOG_KEEP * 2) output = output.slice(-LOG_KEEP);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let alive = true;
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      keep(Buffer.from(`\n${command}: ${error.message}\n`));
      alive = false;
      resolve(null);
    });
    child.once('exit', (code) => {
      alive = false;
      resolve(code);
    });
  });
  return { child, output: () => output, exited, running: () => alive, forget: () => guard?.forget() };
}

/** SIGTERM to the process, then SIGKILL to its whole group if it has not gone within `graceMs`. */
async function terminate(proc: Logged, graceMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const pid = proc.child.pid;
  if (pid === undefined) return;
  if (proc.running()) {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
    const timer = new Promise<'late'>((resolve) => setTimeout(resolve, graceMs, 'late').unref());
    await Promise.race([proc.exited, timer]);
  }
  // Whatever is left in its group (the process itself when it ignored the signal, or helpers).
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* no such group: everything exited */
  }
  await Promise.race([proc.exited, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  proc.forget();
}

const tail = (text: string, lines = 30): string => text.trimEnd().split('\n').slice(-lines).join('\n');

function fileTail(path: string, lines = 30): string {
  try {
    return tail(readFileSync(path, 'utf8'), lines);
  } catch {
    return '(no log file)';
  }
}

function missingBinary(what: string, path: string, debianPackage: string): Error {
  return new Error(`${what} is not installed: ${path} is missing. Install the Debian package: apt-get install ${debianPackage}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `ready` until it resolves true, the process exits, or `timeoutMs` passes; then fails naming `what`. */
async function waitUntil(what: string, proc: Logged | undefined, timeoutMs: number, ready: () => Promise<boolean>, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      if (await ready()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (proc && !proc.running()) {
      const code = await proc.exited;
      throw new Error(`${what} exited (code ${code}) before it accepted connections.\n--- log tail ---\n${logs()}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} did not come up within ${timeoutMs / 1000} s${lastError ? ` (last attempt: ${lastError})` : ''}.\n--- log tail ---\n${logs()}`);
    }
    await sleep(250);
  }
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function userIds(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) return undefined;
  const fields = line.split(':');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

// ───────────────────────────── PostgreSQL ─────────────────────────────

/** The newest /usr/lib/postgresql/<version>/bin, where Debian puts initdb and postgres. */
function postgresBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw missingBinary('PostgreSQL', `${base}/<version>/bin/initdb`, 'postgresql');
  return join(base, versions[0]!, 'bin');
}

export interface PostgresOptions {
  /** Created after start; default `postgres` (which always exists). */
  database?: string;
  /** Run in `database` once it is up (several statements are fine). */
  setupSql?: string;
  startTimeoutMs?: number;
}

/**
 * `initdb` into a temporary directory and `postgres` on a free 127.0.0.1 port,
 * trust authentication for user `postgres`, fsync off. When this process runs
 * as root, the server runs as the `postgres` user (it refuses to run as root).
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<Postgres> {
  const bin = postgresBin();
  const database = options.database ?? 'postgres';
  const temp = tempDir('hs-pg-');
  const dir = temp.path;
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'sock');
  mkdirSync(socketDir);
  // As root, postgres runs as the postgres user: it must own the directory. setpriv (util-linux, like
  // runuser) execs the server in place, so the pid we hold is the server's own.
  let asUser: string[] = [];
  if (isRoot()) {
    const ids = userIds('postgres');
    if (!ids) throw new Error('the postgres user does not exist; install the Debian package postgresql (it creates the user)');
    for (const path of [dir, socketDir]) chownSync(path, ids.uid, ids.gid);
    asUser = existsSync('/usr/bin/setpriv') ? ['/usr/bin/setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--'] : ['/usr/sbin/runuser', '-u', 'postgres', '--'];
  }
  const run = (args: string[]) => (asUser.length > 0 ? { command: asUser[0]!, args: [...asUser.slice(1), ...args] } : { command: args[0]!, args: args.slice(1) });
  const removeDir = () => temp.remove();

  const init = run([join(bin, 'initdb'), '-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--locale=C']);
  const initResult = spawnSync(init.command, init.args, { encoding: 'utf8', timeout: 120_000 });
  if (initResult.status !== 0) {
    removeDir();
    throw new Error(`PostgreSQL initdb failed (${initResult.error?.message ?? `exit ${initResult.status}`}):\n${tail(`${initResult.stdout ?? ''}${initResult.stderr ?? ''}`)}`);
  }

  const port = await freePort();
  const start = run([join(bin, 'postgres'), '-D', dataDir, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=40']);
  const server = spawnLogged(start.command, start.args);
  const stop = once(async () => {
    // SIGINT: PostgreSQL's "fast" shutdown (disconnect clients, stop now).
    await terminate(server, 10_000, 'SIGINT');
    removeDir();
  });
  const connection = { host: '127.0.0.1', port, user: 'postgres', database };
  try {
    await waitUntil(`PostgreSQL on 127.0.0.1:${port}`, server, options.startTimeoutMs ?? 60_000, () => pgReady(port), () => tail(server.output()));
    const { Client } = await import('pg');
    const admin = new Client({ ...connection, database: 'postgres' });
    await admin.connect();
    try {
      if (database !== 'postgres') await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    } finally {
      await admin.end();
    }
    if (options.setupSql) {
      const client = new Client(connection);
      await client.connect();
      try {
        await client.query(options.setupSql);
      } finally {
        await client.end();
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, connection, stop };
}

async function pgReady(port: number): Promise<boolean> {
  const { Client } = await import('pg');
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

// ───────────────────────────── Redis ─────────────────────────────

export interface RedisOptions {
  startTimeoutMs?: number;
}

/** `redis-server` on a free 127.0.0.1 port, nothing saved to disk. */
export async function startRedis(options: RedisOptions = {}): Promise<RunningServer> {
  const binary = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
  if (!binary) throw missingBinary('Redis', '/usr/bin/redis-server', 'redis-server');
  const temp = tempDir('hs-redis-');
  const dir = temp.path;
  const port = await freePort();
  const server = spawnLogged(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'notice']);
  const stop = once(async () => {
    await terminate(server, 5_000);
    temp.remove();
  });
  try {
    await waitUntil(`Redis on 127.0.0.1:${port}`, server, options.startTimeoutMs ?? 30_000, () => redisPing(port), () => tail(server.output()));
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, stop };
}

function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(2_000, () => socket.destroy(new Error('no answer to PING within 2 s')));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) {
        socket.end();
        resolve(reply.startsWith('+PONG'));
      }
    });
    socket.on('error', reject);
  });
}

// ───────────────────────────── RabbitMQ ─────────────────────────────

export interface RabbitOptions {
  startTimeoutMs?: number;
}

/**
 * `rabbitmq-server` as a throwaway node (hs<random>@localhost) with its own
 * mnesia and log directories, no plugins, AMQP on a free 127.0.0.1 port, and
 * its own `epmd` on a free loopback port (so it neither meets nor leaves
 * behind the machine's epmd on 4369). Ready once an AMQP connection opens;
 * the broker takes ~10 s, more on a busy machine.
 */
export async function startRabbitMQ(options: RabbitOptions = {}): Promise<RunningServer> {
  const server = ['/usr/lib/rabbitmq/bin/rabbitmq-server'].find((p) => existsSync(p));
  if (!server) throw missingBinary('RabbitMQ', '/usr/lib/rabbitmq/bin/rabbitmq-server', 'rabbitmq-server');
  const epmdBinary = ['/usr/bin/epmd', ...erlangEpmds()].find((p) => existsSync(p));
  if (!epmdBinary) throw missingBinary('Erlang epmd', '/usr/bin/epmd', 'erlang-base (a dependency of rabbitmq-server)');

  const temp = tempDir('hs-rabbit-');
  const dir = temp.path;
  for (const sub of ['mnesia', 'log', 'home']) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  const [port, distPort, epmdPort] = (await distinctFreePorts(3)) as [number, number, number];
  const node = `hs${randomBytes(4).toString('hex')}@localhost`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    LANG: 'C.UTF-8',
    // The Erlang cookie is written to $HOME: keep it in the temporary directory.
    HOME: join(dir, 'home'),
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_PLUGINS_EXPAND_DIR: join(dir, 'plugins-expand'),
    // Not the machine's /etc/rabbitmq/rabbitmq-env.conf, rabbitmq.conf or advanced.config.
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_PID_FILE: join(dir, 'rabbit.pid'),
    // Erlang distribution on loopback only.
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };
  const epmd = spawnLogged(epmdBinary, ['-port', String(epmdPort), '-address', '127.0.0.1'], { env });
  const broker = spawnLogged(server, [], { env, cwd: dir });
  const logs = () => `${tail(broker.output(), 20)}\n--- ${node}.log ---\n${fileTail(join(dir, 'log', `${node}.log`))}\n--- epmd ---\n${tail(epmd.output(), 5)}`;
  const stop = once(async () => {
    // The start script turns SIGTERM into an orderly stop of the VM and waits for it.
    await terminate(broker, 20_000);
    await terminate(epmd, 2_000);
    temp.remove();
  });
  try {
    await waitUntil(`RabbitMQ (${node}) on 127.0.0.1:${port}`, broker, options.startTimeoutMs ?? 90_000, () => amqpReady(port), logs);
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, stop };
}

function erlangEpmds(): string[] {
  const base = '/usr/lib/erlang';
  if (!existsSync(base)) return [];
  return readdirSync(base).filter((d) => d.startsWith('erts-')).map((d) => join(base, d, 'bin', 'epmd'));
}

async function amqpReady(port: number): Promise<boolean> {
  const amqp = await import('amqplib');
  const connection = await amqp.connect({ hostname: '127.0.0.1', port, username: 'guest', password: 'guest' }, { timeout: 3_000 });
  await connection.close();
  return true;
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** The function runs once; later calls get the first call's promise. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn().catch(() => undefined));
}
