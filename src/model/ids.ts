/**
 * Trace and span ids as Hopscope holds them everywhere past the decoders:
 * lower-case hex, 32 digits for a trace, 16 for a span (W3C Trace Context).
 * Text from outside (a command argument, a file name, a URL) is lower-cased
 * by its reader first.
 */
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

export const isTraceId = (value: unknown): value is string => typeof value === 'string' && TRACE_ID.test(value);
export const isSpanId = (value: unknown): value is string => typeof value === 'string' && SPAN_ID.test(value);
