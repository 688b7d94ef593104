/** Plain helpers the services share (no telemetry here: the instrumentations do all of it). */
import type { IncomingMessage, Server } from 'node:http';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${process.env.OTEL_SERVICE_NAME ?? 'service'}: ${name} is not set`);
  return value;
}

export const port = () => Number(env('PORT'));

/** Listens on 127.0.0.1:PORT. */
export function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port(), '127.0.0.1', () => resolve());
  });
}

/** Tells the test harness the service is ready (it waits for this line). */
export function ready(): void {
  process.stdout.write('ready\n');
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** Exits on an unexpected error, loudly, instead of answering requests half-broken. */
export function fatal(error: unknown): never {
  process.stderr.write(`${process.env.OTEL_SERVICE_NAME ?? 'service'}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
