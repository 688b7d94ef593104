/**
 * What the Jaeger and Zipkin JSON decoders share. Neither format has fields for
 * OTLP's status, instrumentation scope or trace state, so OpenTelemetry's
 * exporters write those as tags (opentelemetry-specification,
 * common/mapping-to-non-otlp.md, and the Jaeger/Zipkin exporter specs);
 * `Conventions` takes them back out so the same span reads the same way
 * whether it came as OTLP, Jaeger or Zipkin.
 */
import type { AttrValue, Scope, SpanKind, SpanStatus } from '../model/span';
import { EMPTY_SCOPE, UNSET_STATUS } from './span-fields';
import { WireError } from './wire-error';

export type Json = { [key: string]: unknown };

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A WireError whose message is `path: detail, got <value>`. */
export function wireError(path: string, detail: string, got: unknown): WireError {
  return new WireError(`${detail}, got ${show(got)}`).within(path);
}

/** A short description of a JSON value for an error message. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 64 ? `${v.slice(0, 64)}…` : v);
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** A list field: an array, or none when it is missing or null. */
export function listAt(v: unknown, path: string, what: string): readonly unknown[] {
  if (Array.isArray(v)) return v;
  if (v === undefined || v === null) return [];
  throw wireError(path, `expected an array of ${what}`, v);
}

export function stringAt(v: unknown, path: string): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  throw wireError(path, 'expected a string', v);
}

/**
 * Microseconds since the epoch (both formats' unit) from a number or a digit
 * string; fractions are dropped. Missing is 0 unless `required`.
 */
export function microsAt(v: unknown, path: string, required: boolean): number {
  if (typeof v === 'number') {
    if (v >= 0 && Number.isFinite(v)) return Math.floor(v);
  } else if (typeof v === 'string') {
    if (/^\d+$/.test(v)) return Number(v);
  } else if ((v === undefined || v === null) && !required) {
    return 0;
  }
  throw wireError(path, 'expected a number (microseconds since the epoch)', v);
}

/**
 * Jaeger and Zipkin drop an id's leading zeros and allow 64-bit trace ids; the
 * model wants exactly `width` lower-case hex digits, so the id is left-padded.
 * Missing is ''; undefined when it is not hex or longer than `width` (the span
 * is then rejected, as the OTLP decoders reject spans with unusable ids).
 */
export function paddedId(v: unknown, width: 16 | 32, path: string): string | undefined {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw wireError(path, 'expected a hex string', v);
  if (v.length === 0) return '';
  if (v.length > width || !/^[0-9a-fA-F]+$/.test(v)) return undefined;
  return v.length === width ? v.toLowerCase() : v.toLowerCase().padStart(width, '0');
}

const KINDS: Record<string, SpanKind> = { server: 'server', client: 'client', producer: 'producer', consumer: 'consumer', internal: 'internal' };

/** `server`, `CLIENT` … as a SpanKind, or undefined when it is none. */
export function kindFromName(name: unknown): SpanKind | undefined {
  return typeof name === 'string' ? KINDS[name.toLowerCase()] : undefined;
}

/**
 * Collects the convention tags of one span while its tags are read: `take`
 * says whether a tag was one of them (and so is not an attribute). One
 * instance is reused span after span (decoding is synchronous), after `reset`.
 */
export class Conventions {
  kind: SpanKind | undefined;
  traceState = '';
  private statusCode: string | undefined;
  private statusDescription: string | undefined;
  /** undefined: no `error` tag marking an error; else its message ('' for `true`). */
  private errorMessage: string | undefined;
  private scopeName = '';
  private scopeVersion = '';
  private readonly scopes = new Map<string, Scope>();

  reset(): void {
    this.kind = undefined;
    this.traceState = '';
    this.statusCode = this.statusDescription = this.errorMessage = undefined;
    this.scopeName = this.scopeVersion = '';
  }

  take(key: string, value: AttrValue): boolean {
    switch (key) {
      case 'span.kind':
        this.kind = kindFromName(value);
        return this.kind !== undefined;
      case 'otel.status_code':
        this.statusCode = String(value).toUpperCase();
        return true;
      case 'otel.status_description':
        this.statusDescription = String(value);
        return true;
      case 'error':
        // Jaeger: `error=true`; Zipkin: the error message (possibly ''). `false` stays an attribute.
        if (value === true || value === 'true') this.errorMessage = '';
        else if (typeof value === 'string' && value !== 'false') this.errorMessage = value;
        else return false;
        return true;
      case 'otel.scope.name':
      case 'otel.library.name':
        this.scopeName = String(value);
        return true;
      case 'otel.scope.version':
      case 'otel.library.version':
        this.scopeVersion = String(value);
        return true;
      case 'w3c.tracestate':
        this.traceState = String(value);
        return true;
      default:
        return false;
    }
  }

  /** `otel.status_code` wins; without it an `error` tag makes the status an error. */
  status(): SpanStatus {
    const message = this.statusDescription ?? this.errorMessage ?? '';
    if (this.statusCode === 'ERROR') return { code: 'error', message };
    if (this.statusCode === 'OK') return { code: 'ok', message: '' };
    if (this.errorMessage !== undefined) return { code: 'error', message };
    return UNSET_STATUS;
  }

  /** The scope, one object per name and version for the whole decode. */
  scope(): Scope {
    if (this.scopeName === '' && this.scopeVersion === '') return EMPTY_SCOPE;
    const key = `${this.scopeName}\u0000${this.scopeVersion}`;
    let scope = this.scopes.get(key);
    if (scope === undefined) this.scopes.set(key, (scope = { name: this.scopeName, version: this.scopeVersion }));
    return scope;
  }
}

/** Reads a span's ids, remembering the first unusable one: that span is rejected, not the file. */
export function idReader(path: string): { id(value: unknown, width: 16 | 32, field: string): string; problem(): string } {
  let problem = '';
  return {
    id(value, width, field) {
      const hex = paddedId(value, width, `${path}.${field}`);
      if (hex !== undefined) return hex;
      if (problem === '') problem = `${field} is not an id of at most ${width} hex digits: ${show(value)}`;
      return String(value).toLowerCase();
    },
    problem: () => problem,
  };
}
