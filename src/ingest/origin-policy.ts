/**
 * Which browser origins may talk to the receiver, and which Host names the
 * read-only API answers. Requests without an Origin header (SDKs, curl) are
 * not browsers and pass; a page on any other site is refused, so a web page
 * cannot read local traces or flood the receiver.
 */
import { errorText } from '../common/errors';

/** `http(s)://localhost:*`, `http(s)://127.0.0.1:*`, `http(s)://[::1]:*`. */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = [
  'http://localhost:*', 'https://localhost:*',
  'http://127.0.0.1:*', 'https://127.0.0.1:*',
  'http://[::1]:*', 'https://[::1]:*',
];

export interface OriginPolicy {
  allows(origin: string): boolean;
}

/**
 * Patterns are `scheme://host:port` where port may be `*` (any port, or none),
 * or `*` alone for every origin. Throws naming the pattern that is malformed.
 */
export function originPolicy(patterns: readonly string[]): OriginPolicy {
  const compiled = patterns.map(compile);
  return { allows: (origin) => compiled.some((match) => match(origin.toLowerCase())) };
}

/** What is wrong with an allowed-origin pattern, or undefined when it is one. */
export function originProblem(pattern: string): string | undefined {
  try {
    compile(pattern);
    return undefined;
  } catch (error) {
    return errorText(error);
  }
}

function compile(pattern: string): (origin: string) => boolean {
  const text = pattern.trim().toLowerCase().replace(/\/+$/, '');
  if (text === '*') return () => true;
  const parsed = /^(https?):\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\*|\d{1,5}))?$/.exec(text);
  if (!parsed) throw new Error(`allowed origin "${pattern}" is not of the form http(s)://host[:port|:*]`);
  const [, scheme, host, port] = parsed;
  const base = `${scheme}://${host}`;
  if (port === '*') return (origin) => origin === base || (origin.startsWith(`${base}:`) && /^\d{1,5}$/.test(origin.slice(base.length + 1)));
  const exact = port === undefined ? base : `${base}:${port}`;
  return (origin) => origin === exact;
}

/** Whether a Host header names this machine's loopback (any port): guards the API against DNS rebinding. */
export function isLoopbackHost(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.toLowerCase().replace(/:\d{1,5}$/, '');
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
