/** `hopscope serve` from the built bundle, as a child process, on free ports. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Served {
  child: ChildProcess;
  httpPort: number;
  grpcPort: number;
  stderr: () => string;
  /** Sends SIGINT and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function serve(args: string[] = ['--http-port', '0', '--grpc-port', '0'], env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, ['dist/cli.js', 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l, i, all) => i < all.length - 1 && l.startsWith('Hopscope listening'));
      const match = line && /OTLP\/HTTP http:\/\/[^:]+:(\d+)(?: · OTLP\/gRPC [^ ]+:(\d+))?/.exec(line);
      if (!match) return;
      resolve({
        child,
        httpPort: Number(match[1]),
        grpcPort: Number(match[2] ?? 0),
        stderr: () => stderr,
        stop: (signal = 'SIGINT') => {
          child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`hopscope serve exited with ${code} before listening: ${stderr}`)));
  });
}

/** Runs `hopscope serve` expecting it to fail; resolves with its exit code and output. */
export function serveFailing(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['dist/cli.js', 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}
