/**
 * A payload that cannot be decoded. The message names what was wrong and where:
 * a field path such as `resource_spans[0].scope_spans[1].spans[3].trace_id`,
 * and for protobuf the byte offset. Receivers answer it with 400 / INVALID_ARGUMENT.
 */
export class WireError extends Error {
  override readonly name = 'WireError';
  private readonly path: string[] = [];

  constructor(readonly detail: string) {
    super(detail);
  }

  /** Prepends the field the error happened inside; decoders call it while unwinding. */
  within(segment: string): WireError {
    this.path.unshift(segment);
    this.message = `${this.path.join('.')}: ${this.detail}`;
    return this;
  }
}

/** Adds `segment` to a WireError's path; anything else passes through unchanged. */
export function rethrowWithin(error: unknown, segment: string): never {
  if (error instanceof WireError) throw error.within(segment);
  throw error;
}

/** How deep an AnyValue may nest (arrays and key-value lists) before the payload is refused. */
export const MAX_VALUE_DEPTH = 64;
