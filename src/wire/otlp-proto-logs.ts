/**
 * OTLP/protobuf `ExportLogsServiceRequest` → the log records that name a trace
 * (field numbers from opentelemetry/proto/logs/v1/logs.proto). Records without
 * a trace id are accepted and not kept: Hopscope shows logs beside spans.
 * The request's envelope is otlp-proto-envelope.ts's; this file reads the records.
 */
import type { AttrValue, Attributes, DecodedLogs, LogRecord, Resource, Scope } from '../model/span';
import type { ProtoReader } from './protobuf-reader';
import { readAnyValue, readAttribute, readId, readMicros, readSubmessage } from './otlp-proto-common';
import { type ProtoSignal, walkProtoEnvelope } from './otlp-proto-envelope';
import { ALL_ZERO_TRACE, logIdProblem } from './span-fields';
import { hexString } from './ascii-strings';

const LOGS: ProtoSignal<LogRecord> = {
  resources: 'resource_logs', scopes: 'scope_logs', items: 'log_records',
  read: readLogRecord,
  idProblem: (log) => logIdProblem(log.traceId, log.spanId),
  keep: (log) => log.traceId !== '',
};

export function decodeLogsProto(bytes: Uint8Array): DecodedLogs {
  const out: DecodedLogs = { logs: [], rejected: 0, rejectReason: '' };
  walkProtoEnvelope(bytes, LOGS, out.logs, out);
  return out;
}

function readLogRecord(r: ProtoReader, end: number, resource: Resource, service: string, scope: Scope): LogRecord {
  let timeUs = 0;
  let observedTimeUs = 0;
  let severityNumber = 0;
  let severityText = '';
  let body: AttrValue = null;
  const attributes: Attributes = {};
  let attributeIndex = 0;
  let droppedAttributesCount = 0;
  let flags = 0;
  let traceId = '';
  let spanId = '';
  let eventName = '';
  while (r.pos < end) {
    r.tag(end);
    switch (r.field) {
      case 1: timeUs = readMicros(r, end, 'time_unix_nano'); break;
      case 2: severityNumber = r.int32Field(end, 'severity_number'); break;
      case 3: severityText = r.stringField(end, 'severity_text'); break;
      case 5: body = readSubmessage(r, end, 'body', -1, readBody); break;
      case 6: readAttribute(r, end, attributes, 'attributes', attributeIndex++); break;
      case 7: droppedAttributesCount = r.uint32Field(end, 'dropped_attributes_count'); break;
      case 8: flags = r.fixed32Field(end, 'flags'); break;
      case 9: traceId = readId(r, end, 'trace_id', hexString); break;
      case 10: spanId = readId(r, end, 'span_id', hexString); break;
      case 11: observedTimeUs = readMicros(r, end, 'observed_time_unix_nano'); break;
      case 12: eventName = r.stringField(end, 'event_name'); break;
      default: r.skip(end);
    }
  }
  if (traceId === ALL_ZERO_TRACE) traceId = '';
  return {
    traceId, spanId, timeUs, observedTimeUs, severityNumber, severityText, eventName, body, attributes,
    service, resource, scope, flags, droppedAttributesCount,
  };
}

function readBody(r: ProtoReader, end: number): AttrValue {
  return readAnyValue(r, end, 0);
}
