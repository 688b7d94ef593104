/**
 * JSON text → value, with syntax errors that say where: `line 3, column 12:
 * expected ',' or '}', got the end of the input`.
 *
 * Why not just JSON.parse's message: Node 20's V8 gives a position for some
 * errors ("… in JSON at position 6") and none for others ("Unexpected token '}',
 * … is not valid JSON"). So JSON.parse does the work, and only when it fails
 * does a small validating scanner run over the text to find the first error.
 * The scanner is iterative (no recursion limit) and linear.
 */
import { WireError } from './wire-error';

export interface JsonSyntaxError {
  /** UTF-16 offset into the text of the first character that is wrong. */
  offset: number;
  /** What was expected there and what was found, e.g. `expected a value, got '}'`. */
  detail: string;
}

/** Parses JSON text; throws a WireError whose message starts with `line L, column C:`. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new WireError(describeJsonError(text, error));
  }
}

/** `line L, column C: detail` for text JSON.parse refused (the scanner's finding, else JSON.parse's own words). */
export function describeJsonError(text: string, parseError: unknown): string {
  const found = jsonSyntaxError(text);
  if (found === undefined) return `not valid JSON: ${parseError instanceof Error ? parseError.message : String(parseError)}`;
  const { line, column } = lineColumn(text, found.offset);
  return `line ${line}, column ${column}: ${found.detail}`;
}

/** 1-based line and column of a UTF-16 offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
const ESCAPES = '"\\/bfnrt';
const HEX4 = /[0-9a-fA-F]{4}/y;

const enum Expect { Value, Key, After }

/** The first syntax error in `text` (RFC 8259), or undefined when it is valid JSON. */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const n = text.length;
  const open: string[] = []; // the closers of the arrays and objects we are inside
  let i = 0;
  let state = Expect.Value;
  const fail = (expected: string): JsonSyntaxError => ({ offset: i, detail: `expected ${expected}, got ${describe(text, i)}` });
  const space = (): void => {
    for (let c = text.charCodeAt(i); c === 32 || c === 10 || c === 13 || c === 9; c = text.charCodeAt(++i));
  };
  /** Moves `i` past a string starting at `i`; returns an error or undefined. */
  const string = (): JsonSyntaxError | undefined => {
    for (i++; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 34) { i++; return undefined; } // '"'
      if (c < 0x20) return fail('a printable character or an escape in the string');
      if (c === 92) { // '\'
        i++;
        if (text[i] === 'u') {
          HEX4.lastIndex = i + 1;
          if (!HEX4.test(text)) return fail('four hex digits after \\u');
          i += 4;
        } else if (i >= n || !ESCAPES.includes(text[i]!)) return fail('an escape such as \\n or \\"');
      }
    }
    return fail(`'"' to close the string`);
  };
  for (;;) {
    space();
    const c = text[i];
    if (state === Expect.Value) {
      if (c === '{' || c === '[') {
        open.push(c === '{' ? '}' : ']');
        state = c === '{' ? Expect.Key : Expect.Value;
        i++;
        space();
        if (text[i] === open[open.length - 1]) { open.pop(); i++; state = Expect.After; }
        continue;
      }
      if (c === '"') {
        const error = string();
        if (error) return error;
      } else if (c === 't' || c === 'f' || c === 'n') {
        const word = c === 't' ? 'true' : c === 'f' ? 'false' : 'null';
        if (!text.startsWith(word, i)) return fail('a value');
        i += word.length;
      } else {
        NUMBER.lastIndex = i;
        if (!NUMBER.test(text)) return fail('a value');
        i = NUMBER.lastIndex;
      }
      state = Expect.After;
    } else if (state === Expect.Key) {
      if (c !== '"') return fail('a property name in double quotes');
      const error = string();
      if (error) return error;
      space();
      if (text[i] !== ':') return fail("':' after the property name");
      i++;
      state = Expect.Value;
    } else {
      const closer = open[open.length - 1];
      if (closer === undefined) return i < n ? fail('the end of the input after the JSON value') : undefined;
      if (c === ',') {
        i++;
        state = closer === '}' ? Expect.Key : Expect.Value;
      } else if (c === closer) {
        i++;
        open.pop();
      } else return fail(`',' or '${closer}'`);
    }
  }
}

function describe(text: string, i: number): string {
  if (i >= text.length) return 'the end of the input';
  const c = text.codePointAt(i)!;
  return c < 0x20 ? `character U+${c.toString(16).padStart(4, '0').toUpperCase()}` : `'${String.fromCodePoint(c)}'`;
}
