import type { Attributes } from './span';

/** gRPC status names by code (grpc/status.proto). */
export const GRPC_STATUS_NAMES: readonly string[] = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];

/**
 * A span's response status as a developer reads it: the HTTP status code (`404`, from
 * `http.response.status_code` or the older `http.status_code`), else the gRPC status by name
 * (`UNAVAILABLE`, from `rpc.grpc.status_code` or `rpc.response.status_code`); '' when it has neither.
 */
export function responseStatus(attributes: Attributes): string {
  const http = wholeNumber(attributes['http.response.status_code'] ?? attributes['http.status_code']);
  if (http !== undefined && http >= 100 && http <= 999) return String(http);
  const grpc = attributes['rpc.grpc.status_code'] ?? attributes['rpc.response.status_code'];
  const code = wholeNumber(grpc);
  if (code !== undefined) return GRPC_STATUS_NAMES[code] ?? String(code);
  if (typeof grpc === 'string' && grpc !== '') {
    const name = grpc.toUpperCase();
    return GRPC_STATUS_NAMES.includes(name) ? name : name.slice(0, 32);
  }
  return '';
}

function wholeNumber(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
