/**
 * OTLP/protobuf `ExportLogsServiceRequest` → the log records that name a trace
 * (field numbers from opentelemetry/proto/logs/v1/logs.proto). Records without
 * a trace id are accepted and not kept: Hopscope shows logs beside spans.
 */
import type { AttrValue, Attributes, DecodedLogs, LogRecord, Resource, Scope } from '../model/span';
import { FIXED32, FIXED64, LENGTH_DELIMITED, ProtoReader, VARINT } from './protobuf-reader';
import { findMessageField, readAnyValue, readAttribute, readId, readResource, readScope } from './otlp-proto-common';
import { ALL_ZERO_TRACE, logIdProblem, microsFromNanoHalves, serviceNameOf } from './span-fields';
import { hexString } from './ascii-strings';
import { rethrowWithin } from './wire-error';

export function decodeLogsProto(bytes: Uint8Array): DecodedLogs {
  const out: DecodedLogs = { logs: [], rejected: 0, rejectReason: '' };
  const r = new ProtoReader(bytes);
  const end = bytes.length;
  let index = 0;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 1) {
      r.expect(LENGTH_DELIMITED, 'resource_logs');
      try {
        const stop = r.delimited(end);
        readResourceLogs(r, stop, out, index);
      } catch (error) {
        rethrowWithin(error, `resource_logs[${index}]`);
      }
      index++;
    } else r.skip(end);
  }
  return out;
}

function readResourceLogs(r: ProtoReader, end: number, out: DecodedLogs, resourceIndex: number): void {
  const start = r.pos;
  const at = findMessageField(r, start, end, 1);
  let resource: Resource = { attributes: {}, droppedAttributesCount: 0 };
  if (at) {
    r.pos = at[0];
    try {
      resource = readResource(r, at[1]);
    } catch (error) {
      rethrowWithin(error, 'resource');
    }
    r.pos = start;
  }
  let index = 0;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 2) {
      r.expect(LENGTH_DELIMITED, 'scope_logs');
      try {
        const stop = r.delimited(end);
        readScopeLogs(r, stop, out, resource, `resource_logs[${resourceIndex}].scope_logs[${index}]`);
      } catch (error) {
        rethrowWithin(error, `scope_logs[${index}]`);
      }
      index++;
    } else r.skip(end);
  }
}

function readScopeLogs(r: ProtoReader, end: number, out: DecodedLogs, resource: Resource, path: string): void {
  const start = r.pos;
  const at = findMessageField(r, start, end, 1);
  let scope: Scope = { name: '', version: '' };
  if (at) {
    r.pos = at[0];
    try {
      scope = readScope(r, at[1]);
    } catch (error) {
      rethrowWithin(error, 'scope');
    }
    r.pos = start;
  }
  const service = serviceNameOf(resource.attributes);
  let index = 0;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 2) {
      r.expect(LENGTH_DELIMITED, 'log_records');
      let log: LogRecord;
      try {
        const stop = r.delimited(end);
        log = readLogRecord(r, stop, resource, service, scope);
      } catch (error) {
        rethrowWithin(error, `log_records[${index}]`);
      }
      const problem = logIdProblem(log.traceId, log.spanId);
      if (problem !== '') {
        if (out.rejected === 0) out.rejectReason = `${path}.log_records[${index}]: ${problem}`;
        out.rejected++;
      } else if (log.traceId !== '') out.logs.push(log);
      index++;
    } else r.skip(end);
  }
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
      case 1:
        r.expect(FIXED64, 'time_unix_nano');
        r.fixed64(end);
        timeUs = microsFromNanoHalves(r.lo, r.hi);
        break;
      case 2:
        r.expect(VARINT, 'severity_number');
        severityNumber = r.varint32(end) | 0;
        break;
      case 3:
        r.expect(LENGTH_DELIMITED, 'severity_text');
        severityText = r.string(end);
        break;
      case 5: {
        r.expect(LENGTH_DELIMITED, 'body');
        try {
          const stop = r.delimited(end);
          body = readAnyValue(r, stop, 0);
        } catch (error) {
          rethrowWithin(error, 'body');
        }
        break;
      }
      case 6:
        readAttribute(r, end, attributes, 'attributes', attributeIndex++);
        break;
      case 7:
        r.expect(VARINT, 'dropped_attributes_count');
        droppedAttributesCount = r.varint32(end);
        break;
      case 8:
        r.expect(FIXED32, 'flags');
        flags = r.fixed32(end);
        break;
      case 9:
        traceId = readId(r, end, 'trace_id', hexString);
        break;
      case 10:
        spanId = readId(r, end, 'span_id', hexString);
        break;
      case 11:
        r.expect(FIXED64, 'observed_time_unix_nano');
        r.fixed64(end);
        observedTimeUs = microsFromNanoHalves(r.lo, r.hi);
        break;
      case 12:
        r.expect(LENGTH_DELIMITED, 'event_name');
        eventName = r.string(end);
        break;
      default:
        r.skip(end);
    }
  }
  if (traceId === ALL_ZERO_TRACE) traceId = '';
  return {
    traceId, spanId, timeUs, observedTimeUs, severityNumber, severityText, eventName, body, attributes,
    service, resource, scope, flags, droppedAttributesCount,
  };
}
