/**
 * OTLP/JSON `ExportLogsServiceRequest` → the log records that name a trace, read
 * as leniently as traces are (see otlp-json-traces.ts). The envelope (resources
 * → scopes → log records) is otlp-json-envelope.ts's; this file reads a record.
 */
import type { AttrValue, DecodedLogs, LogRecord, Resource, Scope } from '../model/span';
import { ALL_ZERO_TRACE, logIdProblem } from './span-fields';
import { rethrowWithin } from './wire-error';
import { ATTRIBUTES, BODY, DROPPED_ATTRIBUTES, EVENT_NAME, fieldError, FLAGS, type Json, keyIn, LOG_RECORDS, microsOf, OBSERVED_TIME, RESOURCE_LOGS, SCOPE_LOGS, SEVERITY_NUMBER, SEVERITY_TEXT, SPAN_ID, stringOf, TIME, uint32Of } from './otlp-json-read';
import { anyValue, attributesOf } from './otlp-json-values';
import { idOf, traceIdOf } from './otlp-json-ids';
import { type JsonSignal, walkJsonEnvelope } from './otlp-json-envelope';

/** OTLP's SeverityNumber names (logs.proto), looked up in upper case. */
const SEVERITY_NAMES = new Map<string, number>([['SEVERITY_NUMBER_UNSPECIFIED', 0]]);
['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].forEach((level, i) => {
  for (let n = 1; n <= 4; n++) SEVERITY_NAMES.set(`SEVERITY_NUMBER_${level}${n === 1 ? '' : n}`, i * 4 + n);
});

const LOGS: JsonSignal<LogRecord> = {
  request: 'ExportLogsServiceRequest',
  resources: RESOURCE_LOGS, resource: 'a ResourceLogs object',
  scopes: SCOPE_LOGS, scope: 'a ScopeLogs object',
  items: LOG_RECORDS, item: 'a LogRecord object',
  read: readLogRecord,
  idProblem: (log) => logIdProblem(log.traceId, log.spanId),
  keep: (log) => log.traceId !== '',
};

/** Decodes a whole OTLP/JSON logs request; keeps only the records that name a trace. */
export function decodeLogsJson(text: string): DecodedLogs {
  const out: DecodedLogs = { logs: [], rejected: 0, rejectReason: '' };
  walkJsonEnvelope(text, LOGS, out.logs, out);
  return out;
}

function readLogRecord(o: Json, resource: Resource, service: string, scope: Scope): LogRecord {
  let traceId = traceIdOf(o.traceId ?? o.trace_id, o);
  if (traceId === ALL_ZERO_TRACE) traceId = '';
  const spanId = idOf(o.spanId ?? o.span_id, o, SPAN_ID);
  const timeUs = microsOf(o.timeUnixNano ?? o.time_unix_nano, o, TIME);
  const observedTimeUs = microsOf(o.observedTimeUnixNano ?? o.observed_time_unix_nano, o, OBSERVED_TIME);
  const severityNumber = severityOf(o.severityNumber ?? o.severity_number, o);
  const severityText = stringOf(o.severityText ?? o.severity_text, o, SEVERITY_TEXT);
  const eventName = stringOf(o.eventName ?? o.event_name, o, EVENT_NAME);
  let body: AttrValue = null;
  const b = o.body;
  if (b !== undefined && b !== null) {
    try {
      body = anyValue(b, 0);
    } catch (error) {
      rethrowWithin(error, keyIn(o, BODY));
    }
  }
  const attributes = attributesOf(o.attributes, o, ATTRIBUTES);
  const flags = uint32Of(o.flags, o, FLAGS);
  const droppedAttributesCount = uint32Of(o.droppedAttributesCount ?? o.dropped_attributes_count, o, DROPPED_ATTRIBUTES);
  return {
    traceId, spanId, timeUs, observedTimeUs, severityNumber, severityText, eventName, body, attributes,
    service, resource, scope, flags, droppedAttributesCount,
  };
}

function severityOf(v: unknown, o: Json): number {
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return v | 0;
  } else if (v === undefined || v === null) {
    return 0;
  } else if (typeof v === 'string') {
    const n = SEVERITY_NAMES.get(v.toUpperCase());
    if (n !== undefined) return n;
  }
  throw fieldError(o, SEVERITY_NUMBER, 'expected a SeverityNumber integer or name such as "SEVERITY_NUMBER_INFO"', v);
}
