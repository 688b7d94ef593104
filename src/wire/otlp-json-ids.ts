/**
 * Ids in OTLP/JSON: hex of any case, read into lower case. An id that is not
 * hex does not make the request malformed: the first one of a record is noted
 * in `idProblem` and the envelope walk (otlp-json-envelope.ts) rejects the
 * record with it.
 *
 * Per-call state (decoding is synchronous, so module variables are safe): that
 * problem, and the last trace id seen, so that the records of one trace share
 * one id string.
 */
import { fieldError, type Json, keyIn, type Names, show, TRACE_ID } from './otlp-json-read';

/** The first unusable id of the record being read, or ''. */
export let idProblem = '';
let lastRawTraceId: unknown = undefined;
let lastTraceId = '';

/** Before each record. */
export function beginRecord(): void {
  idProblem = '';
}

/** At the end of a request. */
export function forgetTraceId(): void {
  lastRawTraceId = undefined;
  lastTraceId = '';
  idProblem = '';
}

/** A span's or log's trace id; the previous one's string when the text is the same. */
export function traceIdOf(v: unknown, o: Json): string {
  if (v === lastRawTraceId) return lastTraceId;
  const id = idOf(v, o, TRACE_ID);
  if (idProblem === '') {
    lastRawTraceId = v;
    lastTraceId = id;
  }
  return id;
}

/** A span's or log's id as lower-case hex; an id that is not hex is noted in `idProblem` (the record is rejected). */
export function idOf(v: unknown, o: Json, names: Names): string {
  if (typeof v === 'string') {
    const hex = lowerHex(v);
    if (hex !== undefined) return hex;
    if (idProblem === '') idProblem = notHex(v, keyIn(o, names));
    return v.toLowerCase();
  }
  if (v === undefined || v === null) return '';
  throw fieldError(o, names, 'expected a hex string', v);
}

/** A link's id: lower-cased, and kept even when it is not hex (a bad link does not reject its span). */
export function linkIdOf(v: unknown, o: Json, names: Names): string {
  if (typeof v === 'string') return lowerHex(v) ?? v.toLowerCase();
  if (v === undefined || v === null) return '';
  throw fieldError(o, names, 'expected a hex string', v);
}

/** `text` as lower-case hex, or undefined when it is not an even number of hex digits. */
function lowerHex(text: string): string | undefined {
  const n = text.length;
  if ((n & 1) !== 0) return undefined;
  let upper = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c <= 57) {
      if (c < 48) return undefined; // below '0'
    } else if (c >= 97) {
      if (c > 102) return undefined; // past 'f'
    } else if (c >= 65 && c <= 70) {
      upper = true; // 'A'..'F'
    } else return undefined;
  }
  return upper ? text.toLowerCase() : text;
}

function notHex(text: string, field: string): string {
  if ((text.length & 1) !== 0 && lowerHex(`${text}0`) !== undefined) {
    return `${field} has an odd number of hex digits (${text.length})`;
  }
  return `${field} is not hex: ${show(text)}`;
}
