/**
 * Spans to workspace lines, for the trace view's source links and CodeLens:
 * span-source.ts picks what a span names, resolve-path.ts finds the file.
 * Make one per workspace state (folders, mappings, file list) and replace it
 * when that changes: it remembers every path it resolved, every source map it
 * read and every span it looked at.
 *
 *   const locator = new SourceLocator([{ name: 'orders', path: '/ws/orders' }], {
 *     mappings: [{ from: '/app', to: '/ws/orders' }],
 *     listFiles: async () => (await workspace.findFiles('**')).map((uri) => uri.fsPath),
 *   });
 *   await locator.locate(span)   // span: code.file.path=/app/dist/orders.js, code.line.number=10, code.column.number=5
 *   ─► { spanId, file: '/ws/orders/src/orders.ts', line: 7, column: 3, label: 'src/orders.ts:7', from: 'attributes',
 *        generated: { file: '/ws/orders/dist/orders.js', label: 'dist/orders.js', line: 10, column: 5 } }
 *
 * Lines are 1-based as OTel counts; the editor's come from positions.ts.
 */
import type { SpanRecord } from '../model/span';
import { validatePathMappings, type PathMapping } from './path-mappings';
import { PathResolver, type CodeReference, type InsidePosition, type Outside } from './resolve-path';
import { frameSkipper, type SkipFrame } from './skip-frames';
import type { PlaceCandidate } from '../model/code-place';
import { firstInside, type FoundSource, type SourceOrigin } from './span-source';
import { tracePlaces } from './trace-places';
import type { PlacedFile, WorkspaceFolderPath } from './workspace-paths';

export interface SourceLocation {
  spanId: string;
  /** The file's real path, inside a workspace folder. */
  file: string;
  /** 1-based, as OTel counts. */
  line: number;
  /** 1-based. */
  column?: number;
  functionName?: string;
  /** Workspace-relative with the line, e.g. `src/orders.ts:42` (`orders/src/orders.ts:42` in a multi-root workspace). */
  label: string;
  from: SourceOrigin;
  /** For `from: 'parent'`: the ancestor whose location this is. */
  fromSpanId?: string;
  /** When a source map moved the location: where the compiled code was. */
  generated?: PlacedFile & { line: number; column?: number };
}

/** A place list's line in the workspace, before it is any one span's. */
export type PlacedLine = Omit<SourceLocation, 'spanId' | 'fromSpanId'>;

/** A place a span names that is not in the workspace: text to show, never a file to open. */
export interface OutsideLocation {
  spanId: string;
  outside: true;
  text: string;
  from: SourceOrigin;
}

export interface SourceLocatorOptions {
  /** `hopscope.pathMappings` with `${workspaceFolder}` expanded; bad entries are left out and named in `mappingErrors`. */
  mappings?: readonly PathMapping[] | Readonly<Record<string, string>>;
  /** Every workspace file as an absolute path, for suffix matching; asked at most once. */
  listFiles?: () => Promise<readonly string[]> | readonly string[];
  /** `hopscope.sourceLines.skipFrames` as `readSkipFrames` kept it: stack frames that are never a span's place. */
  skipFrames?: readonly string[];
}

/** A span's parent, looked up by the span's id. */
export type ParentOf = (spanId: string) => SpanRecord | undefined;

export class SourceLocator {
  /** One sentence per path mapping that was left out. */
  readonly mappingErrors: readonly string[];
  private readonly resolver: PathResolver;
  private readonly skip: SkipFrame | undefined;

  constructor(folders: readonly WorkspaceFolderPath[], options: SourceLocatorOptions = {}) {
    const { mappings, errors } = validatePathMappings(options.mappings);
    this.mappingErrors = errors;
    this.resolver = new PathResolver({ folders, mappings, ...(options.listFiles && { listFiles: options.listFiles }) });
    this.skip = frameSkipper(options.skipFrames);
  }

  /** Where the span's code is in the workspace, if anywhere (its parent's, when `parentOf` is given and it names none). */
  async locate(span: SpanRecord, parentOf?: ParentOf): Promise<SourceLocation | undefined> {
    const found = await this.lookup(span, parentOf);
    return found && !('outside' in found) ? found : undefined;
  }

  /**
   * Like `locate`, but a place outside the workspace comes back as text. The span and its ancestors (by
   * `parentOf`, up to a repeat) go through the same walk and resolve rule as a whole trace's (`locateAll`).
   */
  async lookup(span: SpanRecord, parentOf?: ParentOf): Promise<SourceLocation | OutsideLocation | undefined> {
    try {
      const chain = [span];
      const seen = new Set([span.spanId]);
      for (let up = parentOf?.(span.spanId); up && !seen.has(up.spanId); up = parentOf?.(up.spanId)) {
        seen.add(up.spanId);
        chain.push(up);
      }
      const nodes = chain.map((s, i) => ({ spanId: s.spanId, parentSpanId: chain[i + 1]?.spanId ?? '', kind: s.kind, service: s.service }));
      const byId = new Map(chain.map((s) => [s.spanId, s]));
      const { lists, tries } = tracePlaces(nodes, (id) => byId.get(id), this.skip);
      let outside: OutsideLocation | undefined;
      for (const { list, node } of tries[0] ?? []) {
        const found = await firstInside(lists[list]!, (ref) => this.resolver.resolvePosition(ref));
        if (found && !found.outside) return toLocation(span.spanId, node === 0 ? { ...found, spanId: span.spanId } : { ...found, from: 'parent', spanId: chain[node]!.spanId });
        if (found && node === 0) outside = { spanId: span.spanId, outside: true, text: found.text, from: found.from };
      }
      return outside;
    } catch {
      return undefined;
    }
  }

  /**
   * Every span of a trace that has a location, in span order. Parents come
   * from `tree` (e.g. the TraceView's repaired nodes) or else from the spans'
   * own `parentSpanId`. The same rule as the trace panel's (`tracePlaces`, then `placeOf` per list).
   */
  async locateAll(spans: readonly SpanRecord[], tree?: readonly { spanId: string; parentSpanId: string }[]): Promise<SourceLocation[]> {
    const parentIds = new Map((tree ?? spans).map((node) => [node.spanId, node.parentSpanId]));
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const nodes = spans.map((span) => ({ spanId: span.spanId, parentSpanId: parentIds.get(span.spanId) ?? '', kind: span.kind, service: span.service }));
    const { lists, tries } = tracePlaces(nodes, (id) => byId.get(id), this.skip);
    const placed = await this.placesOf(lists);
    return spans.flatMap((span, i) => {
      const hit = tries[i]?.find((t) => placed[t.list]);
      if (!hit) return [];
      const location = { ...placed[hit.list]!, spanId: span.spanId };
      if (hit.node !== i) Object.assign(location, { from: 'parent', fromSpanId: spans[hit.node]!.spanId });
      return [location];
    });
  }

  /** `placeOf` for each of a trace document's place lists, in order. */
  placesOf(lists: readonly (readonly PlaceCandidate[])[]): Promise<(PlacedLine | undefined)[]> {
    return Promise.all(lists.map((list) => this.placeOf(list)));
  }

  /** The first of a place list's candidates that is inside the workspace (see trace-places.ts), or undefined. */
  async placeOf(candidates: readonly PlaceCandidate[]): Promise<PlacedLine | undefined> {
    try {
      const found = await firstInside(candidates, (ref) => this.resolver.resolvePosition(ref));
      if (!found || found.outside) return undefined;
      const { spanId: _, ...line } = toLocation('', { ...found, spanId: '' });
      return line;
    } catch {
      return undefined;
    }
  }

  /** A path and line from anywhere (a stack frame in the details pane, say) as a workspace position. */
  resolvePosition(ref: CodeReference): Promise<InsidePosition | Outside> {
    return this.resolver.resolvePosition(ref);
  }
}

/** Parents by span id, from a tree's nodes when given, else from the spans' `parentSpanId`. */
export function parentLookup(spans: readonly SpanRecord[], tree?: readonly { spanId: string; parentSpanId: string }[]): ParentOf {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const parentIds = new Map((tree ?? spans).map((node) => [node.spanId, node.parentSpanId]));
  return (spanId) => {
    const parentId = parentIds.get(spanId);
    return parentId ? byId.get(parentId) : undefined;
  };
}

function toLocation(spanId: string, found: FoundSource): SourceLocation {
  const { position } = found;
  const location: SourceLocation = { spanId, file: position.file, line: position.line, label: `${position.label}:${position.line}`, from: found.from };
  if (position.column !== undefined) location.column = position.column;
  if (found.functionName !== undefined) location.functionName = found.functionName;
  if (found.from === 'parent') location.fromSpanId = found.spanId;
  if (position.generated) location.generated = position.generated;
  return location;
}
