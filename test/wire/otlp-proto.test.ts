import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ProtobufTraceSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { decodeTracesProto } from '../../src/wire/otlp-proto-traces';
import { decodeLogsProto } from '../../src/wire/otlp-proto-logs';
import { WireError } from '../../src/wire/wire-error';
import { shopTrace } from '../support/otel-trace';
import { inSpan, sdkLogRecords } from '../support/otel-logs';
import { expectedSpan, withTraceFlags } from '../support/expected-span';
import { bytes, concat, double, fixed32, fixed64, group, hex, kv, message, string, varint } from '../support/proto-writer';

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

/** One ExportTraceServiceRequest holding one span built from `spanFields`. */
function request(...spanFields: Uint8Array[]): Uint8Array {
  return message(1, message(1, kv(1, 'service.name', string(1, 'orders'))), message(2, message(1, string(1, 'lib')), message(2, ...spanFields)));
}
const ids = (trace = TRACE, span = SPAN) => [bytes(1, hex(trace)), bytes(2, hex(span))];

describe('the OTLP protobuf trace decoder', () => {
  it('decodes a multi-service SDK trace into exactly the spans the SDK recorded', async () => {
    const spans = await shopTrace();
    const decoded = decodeTracesProto(ProtobufTraceSerializer.serializeRequest(spans)!);
    assert.equal(decoded.rejected, 0);
    assert.deepEqual(decoded.spans.map(withTraceFlags), spans.map(expectedSpan));
  });

  it('keeps the exporter flag bits above the W3C trace flags (two-byte tag of field 16)', () => {
    const [span] = decodeTracesProto(request(...ids(), fixed32(16, 0x301))).spans;
    assert.equal(span!.flags, 0x301);
  });

  it('reads fixed64 nanosecond timestamps into exact whole microseconds', () => {
    const [span] = decodeTracesProto(request(...ids(), fixed64(7, 1763900000123456789n), fixed64(8, 18446744073709551615n))).spans;
    assert.equal(span!.startUs, 1763900000123456);
    assert.equal(span!.endUs, Number(18446744073709551n)); // the largest fixed64, as near as a double gets
  });

  it('reads negative int64 attributes from 10-byte varints and keeps unsafe integers as exact strings', () => {
    const [span] = decodeTracesProto(request(
      ...ids(),
      kv(9, 'minus.one', varint(3, -1n)),
      kv(9, 'min', varint(3, -9223372036854775808n)),
      kv(9, 'big', varint(3, 9007199254740993n)),
      kv(9, 'small', varint(3, 5)),
      varint(6, -1n),
    )).spans;
    assert.deepEqual(span!.attributes, { 'minus.one': -1, min: '-9223372036854775808', big: '9007199254740993', small: 5 });
    assert.equal(span!.kind, 'internal', 'a negative kind is read as INTERNAL');
  });

  it('decodes every AnyValue type, with bytes as base64 and an empty value as null', () => {
    const [span] = decodeTracesProto(request(
      ...ids(),
      kv(9, 's', string(1, 'text')),
      kv(9, 'b', varint(2, 1)),
      kv(9, 'd', double(4, -2.5)),
      kv(9, 'raw', bytes(7, Uint8Array.from([0, 255, 16, 1]))),
      kv(9, 'list', message(5, message(1, string(1, 'x')), message(1, varint(3, 7)))),
      kv(9, 'map', message(6, kv(1, 'inner', message(6, kv(1, 'deep', varint(2, 0)))))),
      kv(9, 'nothing'),
    )).spans;
    assert.deepEqual(span!.attributes, { s: 'text', b: true, d: -2.5, raw: 'AP8QAQ==', list: ['x', 7], map: { inner: { deep: false } }, nothing: null });
  });

  it('skips unknown fields of every wire type, groups included', () => {
    const unknown = [varint(90, 5), fixed64(91, 1n), string(92, 'x'), fixed32(93, 1), group(94, varint(1, 1), group(2, string(3, 'y')))];
    const payload = concat(message(1, message(1, kv(1, 'service.name', string(1, 'a')), ...unknown), message(2, message(2, ...ids(), string(5, 'op'), ...unknown), ...unknown), ...unknown), ...unknown);
    const decoded = decodeTracesProto(payload);
    assert.equal(decoded.spans.length, 1);
    assert.equal(decoded.spans[0]!.name, 'op');
    assert.equal(decoded.spans[0]!.service, 'a');
  });

  it('finds the resource and scope even when they come after the spans', () => {
    const payload = message(1, message(2, message(2, ...ids()), message(1, string(1, 'late-lib'), string(2, '3'))), message(1, kv(1, 'service.name', string(1, 'late'))));
    const [span] = decodeTracesProto(payload).spans;
    assert.equal(span!.service, 'late');
    assert.deepEqual(span!.scope, { name: 'late-lib', version: '3' });
  });

  it('keeps an attribute named __proto__ as data without touching the prototype', () => {
    const [span] = decodeTracesProto(request(...ids(), kv(9, '__proto__', string(1, 'polluted')))).spans;
    assert.equal(Object.getPrototypeOf(span!.attributes), Object.prototype);
    assert.deepEqual(Object.keys(span!.attributes), ['__proto__']);
    assert.equal(Object.getOwnPropertyDescriptor(span!.attributes, '__proto__')!.value, 'polluted');
  });

  it('rejects spans whose ids cannot place them, keeps the rest, and says why', () => {
    const payload = message(1, message(2,
      message(2, ...ids()),
      message(2, bytes(1, hex(TRACE.slice(2))), bytes(2, hex(SPAN))),
      message(2, bytes(1, new Uint8Array(16)), bytes(2, hex(SPAN))),
      message(2, bytes(1, hex(TRACE)), bytes(2, new Uint8Array(8))),
      message(2, ...ids(TRACE, 'aaaaaaaaaaaaaaaa'), bytes(4, new Uint8Array(8))),
    ));
    const decoded = decodeTracesProto(payload);
    assert.equal(decoded.rejected, 3);
    assert.equal(decoded.rejectReason, 'resource_spans[0].scope_spans[0].spans[1]: traceId is 15 bytes, expected 16');
    assert.deepEqual(decoded.spans.map((s) => [s.spanId, s.parentSpanId]), [[SPAN, ''], ['aaaaaaaaaaaaaaaa', '']]);
  });

  it('names the field path and byte offset of a length that runs past the end', () => {
    const good = request(...ids(), string(5, 'name'));
    const cut = good.subarray(0, good.length - 2);
    assert.throws(() => decodeTracesProto(cut), (error: unknown) => {
      assert.ok(error instanceof WireError);
      assert.match(error.message, /^resource_spans\[0\]/);
      assert.match(error.message, /byte \d+/);
      return true;
    });
  });

  it('names the field whose wire type is wrong', () => {
    assert.throws(() => decodeTracesProto(request(...ids(), varint(5, 3))), /resource_spans\[0\]\.scope_spans\[0\]\.spans\[0\]: name has wire type varint, expected length-delimited/);
  });

  it('refuses a varint longer than ten bytes and a tag with field number 0', () => {
    assert.throws(() => decodeTracesProto(Uint8Array.from([16, ...new Array<number>(11).fill(0xff), 1])), /varint longer than 10 bytes at byte 1/);
    assert.throws(() => decodeTracesProto(Uint8Array.from([0, 0])), /field number 0/);
  });

  it('refuses values nested deeper than the bound without overflowing the stack', () => {
    let value = string(1, 'bottom');
    for (let i = 0; i < 100; i++) value = message(5, message(1, value));
    assert.throws(() => decodeTracesProto(request(...ids(), kv(9, 'deep', value))), /nested deeper than 64 levels/);
    let hostile = string(1, 'bottom');
    for (let i = 0; i < 300; i++) hostile = message(6, message(1, string(1, 'k'), message(2, hostile)));
    assert.throws(() => decodeTracesProto(request(...ids(), kv(9, 'hostile', hostile))), WireError);
  });

  it('treats an empty body as a request with no spans', () => {
    assert.deepEqual(decodeTracesProto(new Uint8Array(0)), { spans: [], rejected: 0, rejectReason: '' });
  });

  it('refuses an id of half a megabyte naming the field, from a Buffer or a plain array, without overflowing the stack', () => {
    const huge = new Uint8Array(512 * 1024).fill(0xab);
    const payload = request(bytes(1, huge), bytes(2, hex('00000000000000d1')));
    for (const body of [payload, Buffer.from(payload)]) {
      assert.throws(() => decodeTracesProto(body), (error: unknown) => {
        assert.ok(error instanceof WireError);
        assert.match(error.message, /^resource_spans\[0\]\.scope_spans\[0\]\.spans\[0\]: trace_id is 524288 bytes at byte \d+; an id is 16 bytes/);
        return true;
      });
    }
    const log = message(1, message(2, message(2, bytes(9, hex(TRACE)), bytes(10, huge))));
    assert.throws(() => decodeLogsProto(log), /span_id is 524288 bytes/);
  });
});

describe('the OTLP protobuf logs decoder', () => {
  it('keeps only the records that name a trace, with their span and body', () => {
    const payload = message(1, message(1, kv(1, 'service.name', string(1, 'orders'))), message(2,
      message(2, fixed64(1, 1763900000000001000n), varint(2, 9), string(3, 'INFO'), message(5, string(1, 'order placed')), bytes(9, hex(TRACE)), bytes(10, hex(SPAN)), string(12, 'order.placed')),
      message(2, message(5, string(1, 'no trace here'))),
      message(2, bytes(9, hex(TRACE).subarray(1)), message(5, string(1, 'bad id'))),
    ));
    const decoded = decodeLogsProto(payload);
    assert.equal(decoded.rejected, 1);
    assert.equal(decoded.logs.length, 1);
    const [log] = decoded.logs;
    assert.deepEqual({ traceId: log!.traceId, spanId: log!.spanId, timeUs: log!.timeUs, severityText: log!.severityText, body: log!.body, service: log!.service, eventName: log!.eventName },
      { traceId: TRACE, spanId: SPAN, timeUs: 1763900000000001, severityText: 'INFO', body: 'order placed', service: 'orders', eventName: 'order.placed' });
  });

  it('decodes what the SDK logs serializer writes', async () => {
    const records = await sdkLogRecords((logger) => logger.emit({ body: 'sent', severityText: 'WARN', severityNumber: SeverityNumber.WARN, attributes: { to: 'a@example.com' }, context: inSpan(TRACE, SPAN) }));
    const decoded = decodeLogsProto(ProtobufLogsSerializer.serializeRequest(records)!);
    assert.equal(decoded.logs.length, 1);
    assert.equal(decoded.logs[0]!.body, 'sent');
    assert.equal(decoded.logs[0]!.spanId, SPAN);
    assert.deepEqual(decoded.logs[0]!.attributes, { to: 'a@example.com' });
  });
});
