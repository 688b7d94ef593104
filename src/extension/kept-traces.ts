/**
 * Copies of the traces shown in open panels, kept in the extension's storage
 * folder as the trace documents the panels drew (src/protocol/trace-document.ts).
 * The receiver holds traces only in memory, so after a window reload (or a
 * receiver restart) a restored panel draws its kept copy instead of an empty
 * page. A copy goes when its panel is closed, or after a week. The bytes are
 * written and read as they are: this thread never serialises a trace.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isTraceId } from '../model/ids';
import { readTraceHead } from '../views/trace-document';

/** Bigger traces are not kept (a restored panel then says the trace is gone). */
export const MAX_KEPT_BYTES = 32 * 1024 * 1024;
const MAX_AGE_MS = 7 * 24 * 3600 * 1000;
/** Copies written before trace documents (one JSON object each) are not read any more; they go with `forget` and `prune`. */
const OLD_SUFFIX = '.json';

export class KeptTraces {
  constructor(private readonly dir: string) {}

  async save(traceId: string, document: Uint8Array): Promise<void> {
    if (!isTraceId(traceId)) return;
    if (document.byteLength > MAX_KEPT_BYTES) return this.forget(traceId);
    await mkdir(this.dir, { recursive: true });
    await writeFile(this.file(traceId), document);
  }

  /**
   * The kept document, in a buffer of its own (it may be transferred to the worker), or undefined when there is
   * none, it is too big, or its head does not name the trace.
   */
  async load(traceId: string): Promise<Uint8Array | undefined> {
    if (!isTraceId(traceId)) return undefined;
    try {
      const path = this.file(traceId);
      if ((await stat(path)).size > MAX_KEPT_BYTES) return undefined;
      const bytes = await readFile(path);
      const document = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? new Uint8Array(bytes.buffer, 0, bytes.byteLength) : new Uint8Array(bytes);
      return readTraceHead(document).traceId === traceId ? document : undefined;
    } catch {
      return undefined;
    }
  }

  async forget(traceId: string): Promise<void> {
    if (!isTraceId(traceId)) return;
    await rm(this.file(traceId), { force: true });
    await rm(join(this.dir, `${traceId}${OLD_SUFFIX}`), { force: true });
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
    return join(this.dir, `${traceId}.ndjson`);
  }
}
