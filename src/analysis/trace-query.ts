/**
 * The trace query language: one line that picks traces, the same in the Traces
 * view, at `GET /api/traces?q=` and in `hopscope analyze --filter`
 * (docs/trace-queries.md is the user's page; keep the two in step).
 *
 *   service:orders duration>500ms -status:ok
 *   endpoint:"POST /orders" or finding:n-plus-one
 *   http.route=/orders/* db.system=postgresql
 *
 *   query   = [ clause { "or" clause } ]          ; empty: every trace
 *   clause  = term { [ "and" ] term }             ; all of its terms hold
 *   term    = [ "not" | "-" ] ( field op value | key op value | text )
 *   field   = service | endpoint | status | duration | finding   (any case)
 *
 * Parsing is one pass over the text with a cursor (no regular expressions, no
 * recursion), and a query is at most MAX_QUERY_LENGTH characters and
 * MAX_TERMS terms, so hostile input at the API costs nothing. A bad query is
 * refused with the column where it goes wrong.
 */
import { GRPC_STATUS_NAMES } from '../model/response-status';
import { RULES } from './rules';

export const MAX_QUERY_LENGTH = 1000;
export const MAX_TERMS = 50;

export const QUERY_FIELDS = ['service', 'endpoint', 'status', 'duration', 'finding'] as const;

export type Comparison = '>' | '>=' | '<' | '<=';

/** A text pattern, lower-cased: `*` stands for any run of characters; without one the whole text must match. */
export interface Glob {
  /** The literal parts between the stars, lower case. */
  parts: string[];
  /** Whether the pattern starts or ends with a star. */
  open: { start: boolean; end: boolean };
}

export type StatusTest =
  /** `ok`: no span failed; `error`: some span failed. */
  | { kind: 'failed'; failed: boolean }
  /** The root's status as summaries carry it: `404`, `UNAVAILABLE`. */
  | { kind: 'code'; code: string }
  /** An HTTP class: `5xx` is 500 to 599. */
  | { kind: 'class'; from: number; to: number }
  /** `status>=500`: the root's HTTP status compared. */
  | { kind: 'compare'; op: Comparison; value: number };

export type QueryTerm = { negate: boolean; at: number } & (
  | { kind: 'service'; pattern: Glob }
  | { kind: 'endpoint'; pattern: Glob }
  | { kind: 'status'; test: StatusTest }
  | { kind: 'duration'; op: Comparison; us: number }
  /** `rule` null: any finding. */
  | { kind: 'finding'; rule: string | null }
  | { kind: 'attribute'; key: string; test: { op: '='; pattern: Glob } | { op: Comparison; value: number } }
  /** Free text: part of the endpoint, a service's name, or the start of the trace id. */
  | { kind: 'text'; needle: string }
);

export type AttributeTerm = Extract<QueryTerm, { kind: 'attribute' }>;

export interface TraceQuery {
  /** The text as given. */
  text: string;
  /** Any clause may hold; every term of a clause must. No clauses: every trace matches. */
  clauses: QueryTerm[][];
  /** Whether some term needs the spans (an attribute), not only the trace's summary. */
  needsSpans: boolean;
}

export interface QueryError {
  message: string;
  /** 0-based offset into the text where the problem starts. */
  offset: number;
  /** 1-based column, as messages say it. */
  column: number;
}

export type ParsedQuery = { ok: true; query: TraceQuery } | { ok: false; error: QueryError };

/** `column 9: unknown field "servce" …`. */
export function queryErrorText(error: QueryError): string {
  return `column ${error.column}: ${error.message}`;
}

/** A query refused, where: thrown out of the parser's depths, caught by `parseTraceQuery` (once per query, so an Error's stack costs nothing that matters). */
class Refusal extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const OPERATORS = ['>=', '<=', '!=', '>', '<', '=', ':'] as const;
type Operator = (typeof OPERATORS)[number];

export function parseTraceQuery(text: string): ParsedQuery {
  try {
    return { ok: true, query: parse(text) };
  } catch (caught) {
    if (!(caught instanceof Refusal)) throw caught;
    return { ok: false, error: { message: caught.message, offset: caught.offset, column: caught.offset + 1 } };
  }
}

function parse(text: string): TraceQuery {
  if (text.length > MAX_QUERY_LENGTH) throw new Refusal(`a query is at most ${MAX_QUERY_LENGTH.toLocaleString('en-US')} characters; this one has ${text.length.toLocaleString('en-US')}`, MAX_QUERY_LENGTH);
  const clauses: QueryTerm[][] = [];
  let clause: QueryTerm[] = [];
  let terms = 0;
  let pendingNot: number | undefined;
  let afterJoin: { word: string; at: number } | undefined = { word: '', at: 0 };
  const cursor = new Cursor(text);
  for (cursor.skipSpace(); !cursor.done; cursor.skipSpace()) {
    const at = cursor.at;
    const word = cursor.peekWord();
    if (word === 'or' || word === 'and') {
      if (pendingNot !== undefined) throw new Refusal(`"not" must be followed by a term, not "${word}"`, at);
      if (afterJoin) throw new Refusal(afterJoin.word === '' ? `a query cannot start with "${word}"` : `"${word}" cannot follow "${afterJoin.word}"`, at);
      cursor.skip(word.length);
      if (word === 'or') {
        clauses.push(clause);
        clause = [];
      }
      afterJoin = { word, at };
      continue;
    }
    if (word === 'not') {
      if (pendingNot !== undefined) throw new Refusal('"not not" says nothing; leave both out', at);
      cursor.skip(3);
      pendingNot = at;
      continue;
    }
    let negate = pendingNot !== undefined;
    const termAt = pendingNot ?? at;
    pendingNot = undefined;
    if (cursor.char === '-') {
      if (negate) throw new Refusal('use "not" or "-", not both', at);
      cursor.skip(1);
      if (cursor.done || isSpace(cursor.char)) throw new Refusal('"-" must be followed by a term, with no space between', at);
      negate = true;
    }
    if (++terms > MAX_TERMS) throw new Refusal(`a query has at most ${MAX_TERMS} terms`, termAt);
    clause.push(readTerm(cursor, negate, termAt));
    afterJoin = undefined;
  }
  if (pendingNot !== undefined) throw new Refusal('"not" must be followed by a term', pendingNot);
  if (afterJoin && afterJoin.word !== '') throw new Refusal(`"${afterJoin.word}" must be followed by a term`, afterJoin.at);
  if (clause.length > 0 || clauses.length > 0) clauses.push(clause);
  // Cheap terms first: a clause stops at its first term that fails, so the spans are read last, if at all.
  for (const c of clauses) c.sort((a, b) => Number(a.kind === 'attribute') - Number(b.kind === 'attribute'));
  return { text, clauses, needsSpans: clauses.some((c) => c.some((t) => t.kind === 'attribute')) };
}

function readTerm(cursor: Cursor, negate: boolean, at: number): QueryTerm {
  const keyAt = cursor.at;
  if (cursor.char === '"') return { kind: 'text', negate, at, needle: cursor.readQuoted().toLowerCase() };
  const key = cursor.readKey();
  const opAt = cursor.at;
  if (key === '' && cursor.char !== '' && ':=<>!'.includes(cursor.char)) throw new Refusal(`"${cursor.char}" needs a field or an attribute name before it`, opAt);
  const op = key === '' ? undefined : cursor.readOperator();
  if (op === undefined) {
    // No operator: free text, up to the next space.
    cursor.moveTo(keyAt);
    const word = cursor.readBare();
    if (word === '') throw new Refusal(`unexpected "${cursor.char}"`, keyAt);
    return { kind: 'text', negate, at, needle: word.toLowerCase() };
  }
  const valueAt = cursor.at;
  if (cursor.done || isSpace(cursor.char)) throw new Refusal(`"${key}${op}" needs a value after "${op}"`, valueAt);
  const quoted = cursor.char === '"';
  const value = quoted ? cursor.readQuoted() : cursor.readBare();
  const field = key.toLowerCase();
  const fieldName = (QUERY_FIELDS as readonly string[]).includes(field) ? (field as (typeof QUERY_FIELDS)[number]) : undefined;
  if (!fieldName) {
    if (op === ':') throw new Refusal(`unknown field "${key}"; fields are ${QUERY_FIELDS.join(', ')} (a span attribute is written key=value)`, keyAt);
    return attributeTerm(key, op, value, quoted, { negate, at, valueAt });
  }
  const equality = op === ':' || op === '=' || op === '!=';
  const not = op === '!=' ? !negate : negate;
  switch (fieldName) {
    case 'service':
    case 'endpoint':
      if (!equality) throw new Refusal(`${fieldName} is compared with ":", "=" or "!=", not "${op}"`, opAt);
      return { kind: fieldName, negate: not, at, pattern: glob(value) };
    case 'finding':
      if (!equality) throw new Refusal(`finding is compared with ":", "=" or "!=", not "${op}"`, opAt);
      return { kind: 'finding', negate: not, at, rule: findingRule(value, valueAt) };
    case 'duration':
      if (equality) throw new Refusal(`duration is compared with >, >=, < or <= (e.g. duration>500ms), not "${op}"`, opAt);
      return { kind: 'duration', negate, at, op, us: durationUs(value, valueAt) };
    case 'status':
      return { kind: 'status', negate: not, at, test: statusTest(equality ? undefined : (op), value, valueAt) };
  }
}

function attributeTerm(key: string, op: Exclude<Operator, ':'>, value: string, quoted: boolean, where: { negate: boolean; at: number; valueAt: number }): QueryTerm {
  const { at, valueAt } = where;
  if (op === '=' || op === '!=') return { kind: 'attribute', negate: op === '!=' ? !where.negate : where.negate, at, key, test: { op: '=', pattern: glob(value) } };
  const number = quoted ? NaN : Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) throw new Refusal(`"${key}${op}" compares numbers; "${value}" is not one`, valueAt);
  return { kind: 'attribute', negate: where.negate, at, key, test: { op, value: number } };
}

function findingRule(value: string, at: number): string | null {
  const rule = value.toLowerCase();
  if (rule === '*') return null;
  if (!(RULES as readonly string[]).includes(rule)) throw new Refusal(`unknown finding rule "${value}"; rules are ${RULES.join(', ')} (or * for any)`, at);
  return rule;
}

const UNITS: Record<string, number> = { us: 1, 'µs': 1, 'μs': 1, ms: 1000, s: 1_000_000 };

function durationUs(value: string, at: number): number {
  let end = 0;
  while (end < value.length && ((value[end]! >= '0' && value[end]! <= '9') || value[end] === '.')) end++;
  const number = Number(value.slice(0, end));
  const unit = value.slice(end).toLowerCase();
  if (end === 0 || !Number.isFinite(number)) throw new Refusal(`"${value}" is not a duration; write a number and a unit, e.g. 500ms, 1.5s, 200µs`, at);
  const scale = UNITS[unit];
  if (scale === undefined) throw new Refusal(unit === '' ? `"${value}" needs a unit: µs (or us), ms or s` : `unknown unit "${value.slice(end)}"; units are µs (or us), ms and s`, at + end);
  return number * scale;
}

function statusTest(op: Comparison | undefined, value: string, at: number): StatusTest {
  const word = value.toLowerCase();
  const number = /^\d{1,3}$/.test(word) ? Number(word) : undefined;
  if (op) {
    if (number === undefined || number < 100) throw new Refusal(`"status${op}" compares HTTP status codes (100 to 599); "${value}" is not one`, at);
    return { kind: 'compare', op, value: number };
  }
  if (word === 'ok' || word === 'error') return { kind: 'failed', failed: word === 'error' };
  if (/^[1-5]xx$/.test(word)) {
    const from = Number(word[0]) * 100;
    return { kind: 'class', from, to: from + 99 };
  }
  if (number !== undefined) {
    if (number <= 16) return { kind: 'code', code: GRPC_STATUS_NAMES[number]! };
    if (number >= 100 && number <= 599) return { kind: 'code', code: String(number) };
  }
  const grpc = GRPC_STATUS_NAMES.find((name) => name.toLowerCase() === word);
  if (grpc) return { kind: 'code', code: grpc };
  throw new Refusal(`unknown status "${value}"; use ok, error, an HTTP code (404) or class (5xx), or a gRPC status (UNAVAILABLE or 14)`, at);
}

/** A pattern from a value: `*` is any run of characters; the rest is matched without regard to case. */
export function glob(value: string): Glob {
  const lower = value.toLowerCase();
  const parts = lower.split('*');
  return { parts: parts.filter((p) => p !== ''), open: { start: lower.startsWith('*'), end: lower.endsWith('*') } };
}

/**
 * Whether the text matches the pattern. Linear in the text for each literal part (leftmost
 * placement of each part is always right for `*`-only patterns), never backtracking.
 */
export function globMatches(pattern: Glob, text: string): boolean {
  const subject = text.toLowerCase();
  const { parts, open } = pattern;
  if (parts.length === 0) return open.start || subject === '';
  if (parts.length === 1 && !open.start && !open.end) return subject === parts[0];
  let from = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const first = i === 0;
    const last = i === parts.length - 1;
    if (first && !open.start) {
      if (!subject.startsWith(part)) return false;
      from = part.length;
    } else if (last && !open.end) {
      return subject.length - part.length >= from && subject.endsWith(part);
    } else {
      const found = subject.indexOf(part, from);
      if (found < 0) return false;
      from = found + part.length;
    }
  }
  return true;
}

function isSpace(char: string): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r';
}

function isKeyChar(char: string): boolean {
  return (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z') || (char >= '0' && char <= '9') || char === '.' || char === '_' || char === '-' || char === '@' || char === '/';
}

/** A position in the query text and the few ways to read at it. */
class Cursor {
  at = 0;
  constructor(private readonly text: string) {}

  get done(): boolean {
    return this.at >= this.text.length;
  }

  get char(): string {
    return this.text[this.at] ?? '';
  }

  skip(n: number): void {
    this.at += n;
  }

  moveTo(at: number): void {
    this.at = at;
  }

  skipSpace(): void {
    while (!this.done && isSpace(this.char)) this.at++;
  }

  /** The bare word here, lower-cased (to recognise `and`, `or`, `not`), without moving. */
  peekWord(): string {
    let end = this.at;
    while (end < this.text.length && !isSpace(this.text[end]!)) end++;
    return this.text.slice(this.at, end).toLowerCase();
  }

  readKey(): string {
    const start = this.at;
    while (!this.done && isKeyChar(this.char)) this.at++;
    return this.text.slice(start, this.at);
  }

  readOperator(): Operator | undefined {
    for (const op of OPERATORS) {
      if (this.text.startsWith(op, this.at)) {
        this.at += op.length;
        return op;
      }
    }
    return undefined;
  }

  /** Up to the next space; a quote inside a bare value is refused (it would mean something else). */
  readBare(): string {
    const start = this.at;
    while (!this.done && !isSpace(this.char)) {
      if (this.char === '"') throw new Refusal('a quote must start a value or a word: put the whole value in quotes', this.at);
      this.at++;
    }
    return this.text.slice(start, this.at);
  }

  /** `"…"` with `\"` and `\\`; the cursor is on the opening quote. */
  readQuoted(): string {
    const start = this.at;
    this.at++;
    let out = '';
    while (!this.done && this.char !== '"') {
      if (this.char === '\\' && this.at + 1 < this.text.length) this.at++;
      out += this.char;
      this.at++;
    }
    if (this.done) throw new Refusal('this quote is never closed', start);
    this.at++;
    if (!this.done && !isSpace(this.char)) throw new Refusal('a closing quote must be followed by a space', this.at);
    return out;
  }
}
