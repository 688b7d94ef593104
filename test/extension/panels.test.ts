/**
 * The panels' logic that needs no editor: what a restored panel may trust,
 * which trace a command means, tab titles, why a trace is missing, and the
 * file an export becomes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTimeOfDay } from '../../src/common/format';
import { exportFile } from '../../src/extension/export-file';
import { restoredTrace, traceIdArgument } from '../../src/extension/panel-inputs';
import { missingTraceMessage, summaryRoot, traceTitle, undrawableTraceMessage, viewRoot } from '../../src/extension/panel-text';
import { toTraceView } from '../../src/views/trace-view';
import { sync } from '../support/shop-drawings';
import { TRACE_ID } from '../support/timeline';

const SPAN = '00f067aa0ba902b7';

describe('a trace panel restored after a window reload', () => {
  it('reopens the trace its page saved, with the selection', () => {
    assert.deepEqual(restoredTrace({ kind: 'trace', traceId: TRACE_ID, selected: SPAN, transform: { x: 1, y: 2, k: 1 } }), { traceId: TRACE_ID, selected: SPAN });
    assert.deepEqual(restoredTrace({ kind: 'trace', traceId: TRACE_ID.toUpperCase() }), { traceId: TRACE_ID, selected: null });
  });

  it('drops a selection that is not a span id, but keeps the trace', () => {
    assert.deepEqual(restoredTrace({ kind: 'trace', traceId: TRACE_ID, selected: '<img src=x>' }), { traceId: TRACE_ID, selected: null });
  });

  it('refuses a state without a valid trace id, saying why', () => {
    const problems = [undefined, null, 'trace', { kind: 'serviceMap' }, { kind: 'trace' }, { kind: 'trace', traceId: '../../etc' }, { kind: 'trace', traceId: TRACE_ID + '0' }, { kind: 'trace', traceId: 42 }];
    for (const state of problems) {
      const result = restoredTrace(state);
      assert.ok('problem' in result && result.problem.length > 0, JSON.stringify(state));
    }
    assert.match((restoredTrace({ kind: 'trace', traceId: 'x' }) as { problem: string }).problem, /trace id/);
  });
});

describe('the Open Trace command argument', () => {
  it('is a trace id, or a row of the Traces view', () => {
    assert.equal(traceIdArgument(TRACE_ID), TRACE_ID);
    assert.equal(traceIdArgument(` ${TRACE_ID.toUpperCase()} `), TRACE_ID);
    assert.equal(traceIdArgument({ kind: 'trace', trace: { traceId: TRACE_ID } }), TRACE_ID);
  });

  it('is nothing usable otherwise', () => {
    for (const arg of ['', 'abc', SPAN, 42, null, { kind: 'endpoint', group: {} }, { kind: 'trace' }, { kind: 'trace', trace: { traceId: 'nope' } }]) assert.equal(traceIdArgument(arg), undefined, JSON.stringify(arg));
  });
});

describe('a trace panel title', () => {
  it('is the root operation, its duration and when it started (local time), so that two tabs of one endpoint differ', () => {
    const view = toTraceView(TRACE_ID, sync.spans, [])!;
    assert.equal(traceTitle(TRACE_ID, viewRoot(view)), `POST /orders · 680 ms · ${formatTimeOfDay(view.nodes[0]!.startUs)}`);
    const at = new Date(2025, 5, 2, 14, 3, 21, 885).getTime() * 1000;
    assert.equal(traceTitle(TRACE_ID, summaryRoot({ traceId: TRACE_ID, rootService: 'gateway', rootName: 'GET /cart', spanCount: 1, startUs: at, durationUs: 1, rootDurationUs: 1_250_000, errorCount: 0, services: [], settled: true, logCount: 0 })), 'GET /cart · 1.25 s · 14:03:21.885');
    assert.equal(traceTitle(TRACE_ID, { name: 'GET /cart', durationUs: 1_250_000 }), 'GET /cart · 1.25 s', 'a document kept before start times were written');
  });

  it('is the short trace id while the root is unknown or missing', () => {
    assert.equal(traceTitle(TRACE_ID, undefined), 'Trace 0af76519');
    assert.equal(traceTitle(TRACE_ID, { name: '  ', durationUs: 5 }), 'Trace 0af76519');
    const view = toTraceView(TRACE_ID, sync.spans, [])!;
    const standIn = { ...view, nodes: [{ ...view.nodes[0]!, placeholder: true }] };
    assert.equal(traceTitle(TRACE_ID, viewRoot(standIn)), 'Trace 0af76519', 'a placeholder is no operation');
  });

  it('shortens a very long operation name', () => {
    const title = traceTitle(TRACE_ID, { name: 'x'.repeat(500), durationUs: 1000 });
    assert.ok(title.length < 100 && title.endsWith('… · 1 ms'));
  });
});

describe('why a trace is missing', () => {
  it('says what happened, given what the receiver is doing', () => {
    const endpoints = { http: { host: '127.0.0.1', port: 4318 }, grpc: null };
    assert.match(missingTraceMessage(TRACE_ID, { kind: 'listening', endpoints }), new RegExp(`Trace ${TRACE_ID} is not stored .*cleared.*maxSpans.*restarted`));
    assert.match(missingTraceMessage(TRACE_ID, { kind: 'following', endpoints, runner: 'hopscope serve', pid: 1 }), /is not stored/);
    assert.match(missingTraceMessage(TRACE_ID, { kind: 'stopped', why: 'stopped' }), /receiver is stopped/);
    assert.match(missingTraceMessage(TRACE_ID, { kind: 'error', reason: 'crashed', message: 'the ingest worker crashed' }), /not running \(the ingest worker crashed\)/);
  });

  it('says why a trace too large to draw is not drawn, and where its spans are', () => {
    assert.equal(undrawableTraceMessage(TRACE_ID, 'it has 200,001 spans, and the trace view draws traces of at most 200,000'),
      `Trace ${TRACE_ID} is too large to draw: it has 200,001 spans, and the trace view draws traces of at most 200,000. Its headline stays in the Traces view, and its spans can be read at /api/traces/${TRACE_ID} on the receiver.`);
  });
});

describe('an exported graph', () => {
  it('is saved as SVG text under the given name', () => {
    const file = exportFile('svg', '<svg>é</svg>', 'trace-0af76519');
    assert.equal(file.fileName, 'trace-0af76519.svg');
    assert.equal(new TextDecoder().decode(file.bytes), '<svg>é</svg>');
    assert.deepEqual(file.filter, { 'SVG image': ['svg'] });
  });

  it('is saved as the PNG bytes of the data URL', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const file = exportFile('png', `data:image/png;base64,${png.toString('base64')}`, 'service-map');
    assert.equal(file.fileName, 'service-map.png');
    assert.deepEqual(Buffer.from(file.bytes), png);
  });

  it('refuses PNG data that is not a PNG image', () => {
    assert.throws(() => exportFile('png', `data:image/png;base64,${Buffer.from('<svg/>').toString('base64')}`, 'x'), /not a PNG image/);
    assert.throws(() => exportFile('png', 'data:text/html;base64,AAAA', 'x'), /data:image\/png;base64/);
  });
});
