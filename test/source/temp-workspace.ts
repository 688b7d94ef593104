/**
 * A real workspace on disk for the source-mapping tests, and spans to point
 * into it. Paths in `files` are relative to the temp root; the workspace
 * folder is `<root>/ws`, everything else is outside it.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Attributes, SpanEvent, SpanRecord } from '../../src/model/span';
import type { WorkspaceFolderPath } from '../../src/source/workspace-paths';

export interface TempWorkspace {
  /** The temp root (real path): `ws/` is the workspace folder, the rest is outside. */
  root: string;
  folder: WorkspaceFolderPath;
  /** The real path of a file under the root. */
  at(relative: string): string;
  /** Every file written under `ws/`, as the extension's `workspace.findFiles` would list them. */
  files(): string[];
  dispose(): void;
}

/** Writes `files` (text, or `{ link }` for a symbolic link to another root-relative path). */
export function tempWorkspace(files: Record<string, string | { link: string }>): TempWorkspace {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'hopscope-source-')));
  const listed: string[] = [];
  for (const [relative, content] of Object.entries(files)) {
    const path = join(root, relative);
    mkdirSync(dirname(path), { recursive: true });
    if (typeof content === 'string') writeFileSync(path, content);
    else symlinkSync(join(root, content.link), path);
    if (relative.startsWith('ws/')) listed.push(path);
  }
  mkdirSync(join(root, 'ws'), { recursive: true });
  return {
    root,
    folder: { name: 'shop', path: join(root, 'ws') },
    at: (relative) => join(root, relative),
    files: () => [...listed],
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A file of `n` numbered lines, so that any line a test names exists. */
export function lines(n: number): string {
  return Array.from({ length: n }, (_, i) => `// line ${i + 1}`).join('\n') + '\n';
}

let counter = 0;

/** A span with just what source mapping reads. */
export function span(attributes: Attributes, more: { spanId?: string; parentSpanId?: string; events?: SpanEvent[]; kind?: SpanRecord['kind']; service?: string } = {}): SpanRecord {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: more.spanId ?? (++counter).toString(16).padStart(16, '0'),
    parentSpanId: more.parentSpanId ?? '',
    traceState: '',
    flags: 1,
    name: 'POST /orders',
    kind: more.kind ?? 'server',
    service: more.service ?? 'orders',
    startUs: 1_700_000_000_000_000,
    endUs: 1_700_000_000_100_000,
    status: { code: 'unset', message: '' },
    attributes,
    events: more.events ?? [],
    links: [],
    resource: { attributes: {}, droppedAttributesCount: 0 },
    scope: { name: 'test', version: '' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** An `exception` event as the SDKs record one. */
export function exceptionEvent(stacktrace: string): SpanEvent {
  return { name: 'exception', timeUs: 1_700_000_000_050_000, attributes: { 'exception.type': 'Error', 'exception.message': 'out of stock', 'exception.stacktrace': stacktrace }, droppedAttributesCount: 0 };
}
