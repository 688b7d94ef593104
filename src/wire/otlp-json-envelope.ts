/**
 * The envelope of OTLP/JSON export requests, walked once for all signals (as
 * the OpenTelemetry Collector's pdata does): `resource<Items>[]`, each with a
 * `resource` and `scope<Items>[]`, each with a `scope` and the items (spans,
 * log records). The signal brings the spellings of its fields and the reader
 * of one item; see otlp-json-traces.ts for how leniently everything is read.
 *
 * Errors are WireErrors whose message starts with the JSON path, spelled as the
 * request spelled it (`resource_spans[0]...` for snake_case input). An item
 * whose ids are unusable is not an error: it is counted in `rejected`.
 */
import type { Resource, Scope } from '../model/span';
import { arrayField, type Json, keyIn, type Names, objectAt, parseRequest, RESOURCE, SCOPE } from './otlp-json-read';
import { readResource, readScope } from './otlp-json-values';
import { beginRecord, forgetTraceId, idProblem } from './otlp-json-ids';
import { type Rejections, serviceNameOf } from './span-fields';
import { rethrowWithin } from './wire-error';

export interface JsonSignal<T> {
  /** The request's message name, for the error when the body is not an object. */
  readonly request: string;
  /** The repeated fields' spellings, and what one element is, for error messages. */
  readonly resources: Names;
  readonly resource: string;
  readonly scopes: Names;
  readonly scope: string;
  readonly items: Names;
  readonly item: string;
  /** Reads one item; its ids go through otlp-json-ids.ts, which notes the first unusable one. */
  readonly read: (o: Json, resource: Resource, service: string, scope: Scope) => T;
  /** Why an item's ids (usable as hex) still leave it out, or ''. */
  readonly idProblem: (item: T) => string;
  /** Whether an item that is not rejected is kept (logs keep only those that name a trace). */
  readonly keep: (item: T) => boolean;
}

/** Decodes a whole request into `items`. Throws WireError (with its JSON path) when it is malformed. */
export function walkJsonEnvelope<T>(text: string, signal: JsonSignal<T>, items: T[], out: Rejections): void {
  const root = parseRequest(text, signal.request);
  const list = arrayField(fieldOf(root, signal.resources), root, signal.resources);
  let i = 0;
  try {
    for (; i < list.length; i++) {
      const path = `${keyIn(root, signal.resources)}[${i}]`;
      readResourceItems(objectAt(list[i], signal.resource), signal, items, out, path);
    }
  } catch (error) {
    rethrowWithin(error, `${keyIn(root, signal.resources)}[${i}]`);
  } finally {
    forgetTraceId();
  }
}

function readResourceItems<T>(o: Json, signal: JsonSignal<T>, items: T[], out: Rejections, path: string): void {
  const resource = readResource(fieldOf(o, RESOURCE), o);
  const service = serviceNameOf(resource.attributes);
  const list = arrayField(fieldOf(o, signal.scopes), o, signal.scopes);
  let j = 0;
  try {
    for (; j < list.length; j++) {
      readScopeItems(objectAt(list[j], signal.scope), signal, items, out, resource, service, `${path}.${keyIn(o, signal.scopes)}[${j}]`);
    }
  } catch (error) {
    rethrowWithin(error, `${keyIn(o, signal.scopes)}[${j}]`);
  }
}

function readScopeItems<T>(o: Json, signal: JsonSignal<T>, items: T[], out: Rejections, resource: Resource, service: string, path: string): void {
  const scope = readScope(fieldOf(o, SCOPE), o);
  const list = arrayField(fieldOf(o, signal.items), o, signal.items);
  const read = signal.read;
  let k = 0;
  try {
    for (; k < list.length; k++) {
      beginRecord();
      const item = read(objectAt(list[k], signal.item), resource, service, scope);
      const problem = idProblem !== '' ? idProblem : signal.idProblem(item);
      if (problem !== '') {
        if (out.rejected === 0) out.rejectReason = `${path}.${keyIn(o, signal.items)}[${k}]: ${problem}`;
        out.rejected++;
      } else if (signal.keep(item)) items.push(item);
    }
  } catch (error) {
    rethrowWithin(error, `${keyIn(o, signal.items)}[${k}]`);
  }
}

/** The first of a field's spellings that `o` has (not null), as `a ?? b ?? …` reads it. */
function fieldOf(o: Json, names: Names): unknown {
  for (const name of names) {
    const v = o[name];
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}
