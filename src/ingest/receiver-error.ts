import { GrpcCode } from '../wire/otlp-responses';

/** A request the receiver refuses, with the HTTP status and gRPC code to answer it with. */
export class ReceiverError extends Error {
  override readonly name = 'ReceiverError';
  constructor(readonly httpStatus: number, readonly grpcCode: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export const badRequest = (message: string) => new ReceiverError(400, GrpcCode.INVALID_ARGUMENT, message);
export const tooLarge = (limit: number) =>
  new ReceiverError(413, GrpcCode.RESOURCE_EXHAUSTED, `request body is larger than the limit of ${limit} bytes after decompression (raise it with --max-body-mb or hopscope.receiver.maxBodyMb)`);
export const busy = (retryAfterSeconds: number) =>
  new ReceiverError(503, GrpcCode.UNAVAILABLE, `receiver is busy: its queue is full; retry after ${retryAfterSeconds} s`, { 'Retry-After': String(retryAfterSeconds) });
export const overBudget = (retryAfterSeconds: number, limit: number) =>
  new ReceiverError(503, GrpcCode.UNAVAILABLE, `receiver is busy: requests in flight already hold its budget of ${limit} bytes; retry after ${retryAfterSeconds} s`, { 'Retry-After': String(retryAfterSeconds) });
export const bodyTimeout = (message: string) => new ReceiverError(408, GrpcCode.DEADLINE_EXCEEDED, message);
