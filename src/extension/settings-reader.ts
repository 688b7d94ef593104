/**
 * Reads settings against their contract (settings-contract.ts). Values come
 * from hand-edited JSON: a bad one is replaced by its contributed default and
 * named in one sentence that says which setting, what was wrong and what was
 * used instead:
 *
 *   hopscope.store.maxMB must be a whole number from 16 to 16,384, not 8; using 256.
 *
 * Every settings reader returns the same shape, a `Read`.
 */
import { contribution, type Contribution, type SettingKey } from './settings-contract';

export interface Read<T> {
  value: T;
  /** One sentence per bad setting, naming it and saying what was used instead. */
  problems: string[];
}

/** `get` returns the configured value of `hopscope.<key>` (undefined when there is none). */
export type SettingGetter = (key: SettingKey) => unknown;

export class SettingsReader {
  readonly problems: string[] = [];

  /** `contract` is package.json's; a test may give its own. */
  constructor(
    private readonly get: SettingGetter,
    private readonly contract: (key: SettingKey) => Contribution = contribution,
  ) {}

  /** The contributed default, copied: a list or object default is never shared with the caller's callers. */
  defaultOf(key: SettingKey): unknown {
    return structuredClone(this.contract(key).default);
  }

  /** The value as written, or the default: for a setting another module checks (it names its own problems). */
  raw(key: SettingKey): unknown {
    const value = this.get(key);
    return value === undefined ? this.defaultOf(key) : value;
  }

  boolean(key: SettingKey): boolean {
    const value = this.get(key);
    if (typeof value === 'boolean') return value;
    return this.fallback(key, value, 'true or false') as boolean;
  }

  /** An `integer` or `number` setting within its contributed minimum and maximum. */
  number(key: SettingKey): number {
    const { type, minimum = -Infinity, maximum = Infinity } = this.contract(key);
    const value = this.get(key);
    const whole = type === 'integer';
    if (typeof value === 'number' && Number.isFinite(value) && (!whole || Number.isInteger(value)) && value >= minimum && value <= maximum) return value;
    return this.fallback(key, value, [whole ? 'a whole number' : 'a number', range(minimum, maximum)].filter(Boolean).join(' ')) as number;
  }

  /** A string setting; `parse` gives the value to use, or undefined when the text is not one. An `enum` bounds it too. */
  string(key: SettingKey, expected: string, parse: (text: string) => string | undefined = (text) => text): string {
    const allowed = this.contract(key).enum;
    const value = this.get(key);
    const parsed = typeof value === 'string' && (!allowed || allowed.includes(value)) ? parse(value) : undefined;
    if (parsed !== undefined) return parsed;
    return this.fallback(key, value, allowed ? `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}` : expected) as string;
  }

  /**
   * A list of strings, each checked by `entryProblem` (a phrase, or undefined when it is fine). A list
   * with a bad entry is not used at all: `instead` says what is used in its place.
   */
  stringList(key: SettingKey, expected: string, entryProblem: (entry: string) => string | undefined, instead: string): string[] {
    const value = this.get(key);
    if (value === undefined) return this.defaultOf(key) as string[];
    const bad = !Array.isArray(value) ? 'it is not a list' : value.map((entry: unknown) => (typeof entry !== 'string' ? `${JSON.stringify(entry)} is not a string` : entryProblem(entry))).find((p) => p !== undefined);
    if (bad === undefined) return value as string[];
    this.problems.push(`hopscope.${key} must be ${expected}: ${bad}; ${instead}.`);
    return this.defaultOf(key) as string[];
  }

  /** Names a problem that is about more than one setting's value (the sentence is the caller's). */
  report(problem: string): void {
    this.problems.push(problem);
  }

  /** The default for a bad (or missing) value; a bad one is named. */
  private fallback(key: SettingKey, value: unknown, expected: string): unknown {
    const fallback = this.defaultOf(key);
    if (value !== undefined) this.problems.push(`hopscope.${key} must be ${expected}, not ${JSON.stringify(value)}; using ${typeof fallback === 'string' ? fallback : JSON.stringify(fallback)}.`);
    return fallback;
  }
}

function range(minimum: number, maximum: number): string {
  const n = (x: number) => x.toLocaleString('en-US');
  if (Number.isFinite(minimum) && Number.isFinite(maximum)) return `from ${n(minimum)} to ${n(maximum)}`;
  if (Number.isFinite(minimum)) return `of at least ${n(minimum)}`;
  return Number.isFinite(maximum) ? `of at most ${n(maximum)}` : '';
}
