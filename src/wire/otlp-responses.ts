/**
 * What receivers answer: OTLP `Export*ServiceResponse` (with `partial_success`
 * when some items were rejected) and `google.rpc.Status` for errors, each in
 * protobuf or JSON, whichever the request used.
 */

export type Signal = 'traces' | 'logs' | 'metrics';
export type Encoding = 'protobuf' | 'json';

const REJECTED_FIELD: Record<Signal, string> = { traces: 'rejectedSpans', logs: 'rejectedLogRecords', metrics: 'rejectedDataPoints' };

/** `Export{Trace,Logs,Metrics}ServiceResponse`; empty when nothing was rejected. */
export function exportResponse(signal: Signal, encoding: Encoding, rejected: number, errorMessage: string): Uint8Array {
  if (rejected === 0 && errorMessage === '') return encoding === 'json' ? utf8('{}') : new Uint8Array(0);
  if (encoding === 'json') {
    return utf8(JSON.stringify({ partialSuccess: { [REJECTED_FIELD[signal]]: String(rejected), errorMessage } }));
  }
  // partial_success (1) { rejected_* (1) int64, error_message (2) string }; the field numbers are the same for all three signals.
  const inner = new ProtoWriter();
  if (rejected !== 0) inner.varintField(1, rejected);
  if (errorMessage !== '') inner.bytesField(2, utf8(errorMessage));
  const outer = new ProtoWriter();
  outer.bytesField(1, inner.finish());
  return outer.finish();
}

/** `google.rpc.Status { code (1), message (2) }` with a gRPC status code. */
export function statusBody(encoding: Encoding, grpcCode: number, message: string): Uint8Array {
  if (encoding === 'json') return utf8(JSON.stringify({ code: grpcCode, message }));
  const writer = new ProtoWriter();
  if (grpcCode !== 0) writer.varintField(1, grpcCode);
  writer.bytesField(2, utf8(message));
  return writer.finish();
}

/**
 * `google.rpc.Status` with one `google.rpc.RetryInfo` detail, for gRPC's
 * `grpc-status-details-bin` trailer: how an OTLP/gRPC server says that a
 * RESOURCE_EXHAUSTED is temporary and when to retry (the OTLP spec's rule).
 */
export function retryStatusDetails(grpcCode: number, message: string, retryAfterSeconds: number): Uint8Array {
  const duration = new ProtoWriter();
  duration.varintField(1, retryAfterSeconds);
  const retryInfo = new ProtoWriter();
  retryInfo.bytesField(1, duration.finish());
  const any = new ProtoWriter();
  any.bytesField(1, utf8('type.googleapis.com/google.rpc.RetryInfo'));
  any.bytesField(2, retryInfo.finish());
  const status = new ProtoWriter();
  status.varintField(1, grpcCode);
  status.bytesField(2, utf8(message));
  status.bytesField(3, any.finish());
  return status.finish();
}

/** gRPC status codes used by the receivers (google.rpc.Code). */
export const GrpcCode = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNIMPLEMENTED: 12,
} as const;

const encoder = new TextEncoder();
function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Just enough protobuf writing for the small responses above. */
class ProtoWriter {
  private readonly bytes: number[] = [];

  varintField(field: number, value: number): void {
    this.varint(field << 3);
    this.varint(value);
  }

  bytesField(field: number, value: Uint8Array): void {
    this.varint((field << 3) | 2);
    this.varint(value.length);
    for (const b of value) this.bytes.push(b);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }

  private varint(value: number): void {
    let rest = value;
    while (rest >= 128) {
      this.bytes.push((rest % 128) | 128);
      rest = Math.floor(rest / 128);
    }
    this.bytes.push(rest);
  }
}
