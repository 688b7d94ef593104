/**
 * Copies of the traces shown in open panels, kept in the extension's storage
 * folder. The receiver holds traces only in memory, so after a window reload
 * (or a receiver restart) a restored panel draws its kept copy instead of an
 * empty page. A copy goes when its panel is closed, or after a week.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredTrace } from '../ingest/trace-store';

/** Bigger traces are not kept (a restored panel then says the trace is gone). */
export const MAX_KEPT_BYTES = 32 * 1024 * 1024;
const MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const TRACE_ID = /^[0-9a-f]{32}$/;

export class KeptTraces {
  constructor(private readonly dir: string) {}

  async save(trace: StoredTrace): Promise<void> {
    if (!TRACE_ID.test(trace.traceId)) return;
    const text = JSON.stringify(trace);
    if (text.length > MAX_KEPT_BYTES) return this.forget(trace.traceId);
    await mkdir(this.dir, { recursive: true });
    await writeFile(this.file(trace.traceId), text);
  }

  /** The kept copy, or undefined when there is none or it cannot be read. */
  async load(traceId: string): Promise<StoredTrace | undefined> {
    if (!TRACE_ID.test(traceId)) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.file(traceId), 'utf8'));
    } catch {
      return undefined;
    }
    const trace = parsed as Partial<StoredTrace> | null;
    if (!trace || trace.traceId !== traceId || !Array.isArray(trace.spans) || !Array.isArray(trace.logs)) return undefined;
    return trace as StoredTrace;
  }

  async forget(traceId: string): Promise<void> {
    if (TRACE_ID.test(traceId)) await rm(this.file(traceId), { force: true });
  }

  /** Removes copies older than a week (their panels were lost with a crash, say). */
  async prune(now = Date.now()): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      const path = join(this.dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && now - info.mtimeMs > MAX_AGE_MS) await rm(path, { force: true });
    }
  }

  private file(traceId: string): string {
    return join(this.dir, `${traceId}.json`);
  }
}
