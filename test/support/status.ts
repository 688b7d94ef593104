import { ProtoReader } from '../../src/wire/protobuf-reader';

/** Reads `google.rpc.Status { code (1), message (2) }` from protobuf bytes. */
export function decodeStatus(bytes: Uint8Array): { code: number; message: string } {
  const r = new ProtoReader(bytes);
  let code = 0;
  let message = '';
  while (r.pos < bytes.length) {
    r.tag(bytes.length);
    if (r.field === 1) code = r.varint32(bytes.length);
    else if (r.field === 2) message = r.string(bytes.length);
    else r.skip(bytes.length);
  }
  return { code, message };
}

/** Reads `Export*ServiceResponse.partial_success` from protobuf bytes. */
export function decodePartialSuccess(bytes: Uint8Array): { rejected: number; errorMessage: string } | undefined {
  const r = new ProtoReader(bytes);
  let found: { rejected: number; errorMessage: string } | undefined;
  while (r.pos < bytes.length) {
    r.tag(bytes.length);
    if (r.field !== 1) {
      r.skip(bytes.length);
      continue;
    }
    const end = r.delimited(bytes.length);
    found = { rejected: 0, errorMessage: '' };
    while (r.pos < end) {
      r.tag(end);
      if (r.field === 1) found.rejected = r.varint32(end);
      else if (r.field === 2) found.errorMessage = r.string(end);
      else r.skip(end);
    }
  }
  return found;
}
