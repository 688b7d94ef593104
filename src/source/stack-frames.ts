/**
 * Stack traces as frames, whichever runtime wrote them. Each line is read on
 * its own, so a trace that mixes runtimes (a Python service quoting a Node
 * error) or carries log noise between frames still yields its frames.
 *
 *   Error: out of stock                                        (not a frame)
 *       at reserve (/app/src/stock.ts:42:7)                    ─► { file: '/app/src/stock.ts', line: 42, column: 7, function: 'reserve' }
 *       at node:internal/process/task_queues:95:5              (runtime: skipped)
 *     File "/app/orders.py", line 12, in create_order           ─► { file: '/app/orders.py', line: 12, function: 'create_order' }
 *   \tat com.shop.Orders.create(Orders.java:42)                 ─► { file: 'Orders.java', line: 42, suffixOnly: true, … }
 *   main.createOrder(...)                                       ┐
 *   \t/app/orders.go:42 +0x1d                                   ┘► { file: '/app/orders.go', line: 42, function: 'main.createOrder' }
 *      at Shop.Orders.Create() in /app/Orders.cs:line 42        ─► { file: '/app/Orders.cs', line: 42, function: 'Shop.Orders.Create()' }
 *
 * Lines and columns are kept as written (1-based). The text comes from the
 * network: input, lines and frames are capped, and nothing here throws.
 */
import { fileURLToPath } from 'node:url';

export type StackFormat = 'node' | 'python' | 'java' | 'go' | 'dotnet';

export interface StackFrame {
  /** As written; a `file://` URL becomes a path. For Java only the base name. */
  file: string;
  /** 1-based, as written. */
  line: number;
  /** 1-based, as written (V8 only). */
  column?: number;
  function?: string;
  format: StackFormat;
  /** The runtime names only the file's base name (Java): find it by path suffix, never as a path. */
  suffixOnly?: true;
}

export interface StackLimits {
  /** Characters read from the start of the text (the top frames matter most). */
  maxChars: number;
  maxFrames: number;
}

export const DEFAULT_STACK_LIMITS: StackLimits = { maxChars: 64 * 1024, maxFrames: 200 };

/** Longer lines are not frames (and would make the patterns slow). */
const MAX_LINE = 2048;
const MAX_NUMBER = 1e9;

const DOTNET = /^\s*at (.+?) in (.+?):line (\d+)\s*$/;
const V8_CALL = /^\s*at (?:async )?(?:new )?(.+?) \((.+):(\d+):(\d+)\)\s*$/;
const V8_BARE = /^\s*at (?:async )?([^\s()][^()]*?):(\d+):(\d+)\s*$/;
const PYTHON = /^\s*File "(.+)", line (\d+)(?:, in (.+?))?\s*$/;
const JAVA = /^\s*at ([^\s()]+)\(([^\s():]+):(\d+)\)(?:\s+~?\[[^\]]*\])?\s*$/;
const GO_LOCATION = /^\s+(.+\.go):(\d+)(?: \+0x[0-9a-f]+)?\s*$/;

/** The frames of a stack trace, top first; [] for anything that is not one. */
export function parseStackTrace(text: unknown, limits: StackLimits = DEFAULT_STACK_LIMITS): StackFrame[] {
  if (typeof text !== 'string' || text === '') return [];
  const frames: StackFrame[] = [];
  try {
    let goFunction: string | undefined;
    for (const line of text.slice(0, limits.maxChars).split(/\r\n|\r|\n/)) {
      if (frames.length >= limits.maxFrames) break;
      if (line.length > MAX_LINE || line.includes('\0')) {
        goFunction = undefined;
        continue;
      }
      // A Go location line belongs to the function line just before it.
      const found = (goFunction !== undefined ? goFrame(line, goFunction) : undefined) ?? parseFrameLine(line);
      if (found) frames.push(found);
      goFunction = found ? undefined : goFunctionName(line);
    }
  } catch {
    // A pattern that failed on strange text: the frames found so far stand.
  }
  return frames;
}

/** One line that is a whole frame by itself (every format but Go), if it is one worth keeping. */
export function parseFrameLine(line: string): StackFrame | undefined {
  let m = DOTNET.exec(line);
  if (m) return frame('dotnet', m[2]!, m[3]!, undefined, m[1]);
  m = V8_CALL.exec(line);
  if (m) return v8Frame(m[2]!, m[3]!, m[4]!, m[1]);
  m = V8_BARE.exec(line);
  if (m) return v8Frame(m[1]!, m[2]!, m[3]!, undefined);
  m = PYTHON.exec(line);
  if (m) return /^<.*>$/.test(m[1]!) ? undefined : frame('python', m[1]!, m[2]!, undefined, m[3]);
  m = JAVA.exec(line);
  if (m) {
    const found = frame('java', m[2]!, m[3]!, undefined, m[1]!.replace(/^.*\//, ''));
    return found && { ...found, suffixOnly: true };
  }
  return undefined;
}

/**
 * Where a suffix-only frame's file probably lives: Java keeps a class in the
 * folder of its package, so `com.shop.Orders.create` in `Orders.java` is
 * `com/shop/Orders.java` (the suffix match shortens it when that is not so).
 */
export function suffixPath(frame: StackFrame): string {
  if (frame.format !== 'java' || !frame.function) return frame.file;
  const parts = frame.function.split('.');
  const packageParts = parts.slice(0, -2).filter((p) => /^[a-z_][\w]*$/i.test(p));
  return packageParts.length === parts.length - 2 ? [...packageParts, frame.file].join('/') : frame.file;
}

function v8Frame(location: string, line: string, column: string, fn: string | undefined): StackFrame | undefined {
  // Eval'd code and the runtime's own frames name no file of the application.
  if (/^(node:|internal\/|<anonymous>|native$|evalmachine\.)/.test(location) || location.startsWith('eval at ')) return undefined;
  let file = location;
  if (file.startsWith('file://')) {
    try {
      file = fileURLToPath(file);
    } catch {
      return undefined;
    }
  }
  return frame('node', file, line, column, fn);
}

/**
 * The function a Go frame's first line names, without its arguments:
 * `github.com/shop/orders.(*Service).Create(0xc0000, {0x1, 0x2})` ─► `github.com/shop/orders.(*Service).Create`.
 */
function goFunctionName(line: string): string | undefined {
  if (/^\s|^goroutine /.test(line)) return undefined;
  let name = line.trimEnd().replace(/^created by /, '').replace(/ in goroutine \d+$/, '');
  if (name.endsWith(')')) name = name.slice(0, name.lastIndexOf('('));
  return /^[^\s()]+(?:\([^\s()]*\)[^\s()]*)*$/.test(name) && !name.endsWith(':') ? name : undefined;
}

function goFrame(line: string, fn: string): StackFrame | undefined {
  const m = GO_LOCATION.exec(line);
  return m ? frame('go', m[1]!, m[2]!, undefined, fn) : undefined;
}

function frame(format: StackFormat, file: string, line: string, column: string | undefined, fn: string | undefined): StackFrame | undefined {
  const lineNumber = Number(line);
  if (file.trim() === '' || !(lineNumber >= 1 && lineNumber < MAX_NUMBER)) return undefined;
  const out: StackFrame = { file: file.trim(), line: lineNumber, format };
  const columnNumber = column === undefined ? NaN : Number(column);
  if (columnNumber >= 1 && columnNumber < MAX_NUMBER) out.column = columnNumber;
  const name = fn?.trim();
  if (name) out.function = name;
  return out;
}
