/**
 * Which frame of a stack is the service's own: the first, innermost first, that
 * is not in a dependency, in OpenTelemetry, in Node, in the processor itself or
 * in a file the service asked to skip. A file is judged both as it runs and
 * where its source map says it was written, so a bundled dependency is still one.
 */
import { column1, line1 } from '../common/positions';
import { SourcePositions, type SourcePosition } from './source-position';

export interface ServiceFrame extends SourcePosition {
  /** Its index in the frames searched. */
  index: number;
  functionName: string | undefined;
}

/** Dependencies, OpenTelemetry (also bundled or checked out: the mapped path
 * says so) and Node's own modules never made the call you are looking for. */
const LIBRARY = /\/node_modules\/|\/@opentelemetry\/|^node:|^internal\//;

/** Files seen by a long-lived service are few; code evaluated under ever new
 * names could make them many, so past this the verdicts start over. */
const MAX_FILES = 10_000;

export type IsOwnFrame = (file: string, line: number, column: number) => boolean;

export class ServiceFrames {
  private readonly ignore: ((path: string) => boolean)[];
  private readonly positions = new SourcePositions();
  /** Per file, as V8 or a source map names it: skip it? */
  private readonly skipped = new Map<string, boolean>();

  constructor(ignore: readonly (RegExp | string)[], private readonly isOwn: IsOwnFrame) {
    this.ignore = ignore.map((p) => (typeof p === 'string' ? (path: string) => path.includes(p) : (path: string) => p.test(path)));
  }

  /** The first of `callSites` from index `from` on that the service wrote. */
  first(callSites: NodeJS.CallSite[], from: number): ServiceFrame | undefined {
    for (let index = from; index < callSites.length; index++) {
      const callSite = callSites[index]!;
      // Each of these asks V8 to work the position out: the file first, which settles most frames.
      const file = callSite.getFileName();
      if (!file || this.skips(file)) continue;
      const line = callSite.getLineNumber();
      const column = callSite.getColumnNumber();
      if (line === null || column === null || this.isOwn(file, line, column)) continue;
      const position = this.positions.resolve(file, line1(line), column1(column));
      if (position.path !== file && this.skips(position.path)) continue;
      // Spelled out: a spread costs V8 more here than everything else in this loop.
      return { path: position.path, line: position.line, column: position.column, index, functionName: functionName(callSite) };
    }
    return undefined;
  }

  private skips(file: string): boolean {
    let skip = this.skipped.get(file);
    if (skip === undefined) {
      const path = file.includes('\\') ? file.replaceAll('\\', '/') : file;
      skip = LIBRARY.test(path) || this.ignore.some((matches) => matches(path));
      if (this.skipped.size >= MAX_FILES) this.skipped.clear();
      this.skipped.set(file, skip);
    }
    return skip;
  }
}

/** As V8 prints it: `Type.method` for a method call, else the function's name. */
function functionName(callSite: NodeJS.CallSite): string | undefined {
  const name = callSite.getFunctionName() ?? callSite.getMethodName();
  if (!name) return undefined;
  if (callSite.isToplevel() || callSite.isConstructor()) return name;
  const type = callSite.getTypeName();
  return type && type !== 'Object' && !name.startsWith(`${type}.`) ? `${type}.${name}` : name;
}
