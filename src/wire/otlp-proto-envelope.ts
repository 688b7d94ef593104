/**
 * The envelope every OTLP/protobuf export request shares, walked once for all
 * signals (as the OpenTelemetry Collector's pdata does): field 1 of the
 * request is repeated `Resource<Items>`, whose field 1 is the `Resource` and
 * field 2 repeated `Scope<Items>`, whose field 1 is the `InstrumentationScope`
 * and field 2 the repeated items (spans, log records). The signal brings the
 * field names for error paths and the decoder of one item.
 */
import type { Resource, Scope } from '../model/span';
import { LENGTH_DELIMITED, ProtoReader } from './protobuf-reader';
import { findMessageField, readResource, readScope } from './otlp-proto-common';
import { EMPTY_RESOURCE, EMPTY_SCOPE, type Rejections, serviceNameOf } from './span-fields';
import { rethrowWithin } from './wire-error';

export interface ProtoSignal<T> {
  /** The repeated fields' names, for error paths: `resource_spans`, `scope_spans`, `spans`. */
  readonly resources: string;
  readonly scopes: string;
  readonly items: string;
  /** Decodes one item; the reader is after its length prefix, `end` where it ends. */
  readonly read: (r: ProtoReader, end: number, resource: Resource, service: string, scope: Scope) => T;
  /** Why an item's ids leave it out (counted in `rejected`), or ''. */
  readonly idProblem: (item: T) => string;
  /** Whether an item that is not rejected is kept (logs keep only those that name a trace). */
  readonly keep: (item: T) => boolean;
}

/** Decodes a whole request into `items`. Throws WireError (with field path and byte offset) when it is malformed. */
export function walkProtoEnvelope<T>(bytes: Uint8Array, signal: ProtoSignal<T>, items: T[], out: Rejections): void {
  const r = new ProtoReader(bytes);
  const end = bytes.length;
  let index = 0;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 1) {
      r.expect(LENGTH_DELIMITED, signal.resources);
      try {
        const stop = r.delimited(end);
        readResourceItems(r, stop, signal, items, out, index);
      } catch (error) {
        rethrowWithin(error, `${signal.resources}[${index}]`);
      }
      index++;
    } else r.skip(end);
  }
}

function readResourceItems<T>(r: ProtoReader, end: number, signal: ProtoSignal<T>, items: T[], out: Rejections, resourceIndex: number): void {
  const resource = readFirst(r, end, 'resource', readResource, EMPTY_RESOURCE);
  const service = serviceNameOf(resource.attributes);
  let index = 0;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 2) {
      r.expect(LENGTH_DELIMITED, signal.scopes);
      try {
        const stop = r.delimited(end);
        const path = `${signal.resources}[${resourceIndex}].${signal.scopes}[${index}]`;
        readScopeItems(r, stop, signal, items, out, resource, service, path);
      } catch (error) {
        rethrowWithin(error, `${signal.scopes}[${index}]`);
      }
      index++;
    } else r.skip(end);
  }
}

function readScopeItems<T>(
  r: ProtoReader, end: number, signal: ProtoSignal<T>, items: T[], out: Rejections, resource: Resource, service: string, path: string,
): void {
  const scope = readFirst(r, end, 'scope', readScope, EMPTY_SCOPE);
  const read = signal.read;
  let index = 0;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 2) {
      r.expect(LENGTH_DELIMITED, signal.items);
      let item: T;
      try {
        const stop = r.delimited(end);
        item = read(r, stop, resource, service, scope);
      } catch (error) {
        rethrowWithin(error, `${signal.items}[${index}]`);
      }
      const problem = signal.idProblem(item);
      if (problem !== '') {
        if (out.rejected === 0) out.rejectReason = `${path}.${signal.items}[${index}]: ${problem}`;
        out.rejected++;
      } else if (signal.keep(item)) items.push(item);
      index++;
    } else r.skip(end);
  }
}

/**
 * Field 1 of the message from the reader's position to `end`, decoded by `read` (`absent` when there is none),
 * before the rest: protobuf allows fields in any order, and items need their resource and scope.
 * The reader is left where it was.
 */
function readFirst<M>(r: ProtoReader, end: number, name: string, read: (r: ProtoReader, end: number) => M, absent: M): M {
  const start = r.pos;
  const at = findMessageField(r, start, end, 1);
  if (at === undefined) return absent;
  r.pos = at[0];
  try {
    return read(r, at[1]);
  } catch (error) {
    rethrowWithin(error, name);
  } finally {
    r.pos = start;
  }
}
