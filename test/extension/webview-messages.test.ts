/** Every message a webview sends is checked before the host acts on it; a bad one is named, never trusted. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_EXPORT_CHARS, parseWebviewMessage, ProtocolError } from '../../src/extension/webview-messages';

const SPAN = '00f067aa0ba902b7';
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const PNG = 'data:image/png;base64,iVBORw0KGgo=';

/** Asserts that the message is rejected with a ProtocolError whose text matches `names`. */
function rejects(message: unknown, names: RegExp): void {
  assert.throws(() => parseWebviewMessage(message), (error: unknown) => {
    assert.ok(error instanceof ProtocolError, `expected a ProtocolError, got ${String(error)}`);
    assert.match(error.message, names);
    return true;
  });
}

describe('parseWebviewMessage', () => {
  it('accepts each message the webview may send, as it was sent', () => {
    const valid = [
      { type: 'ready' },
      { type: 'select', spanId: SPAN },
      { type: 'select', spanId: null },
      { type: 'select', spanId: SPAN, place: 3 },
      { type: 'openSource', spanId: SPAN },
      { type: 'openSource', spanId: SPAN, place: 0 },
      { type: 'openTrace', traceId: TRACE },
      { type: 'openTrace', traceId: TRACE, spanId: SPAN },
      { type: 'export', format: 'svg', data: '<svg xmlns="http://www.w3.org/2000/svg"></svg>' },
      { type: 'export', format: 'png', data: PNG },
      { type: 'log', level: 'info', message: 'layout took 12 ms' },
      { type: 'log', level: 'warn', message: 'x' },
      { type: 'log', level: 'error', message: 'webview: boom' },
    ];
    for (const message of valid) assert.deepEqual(parseWebviewMessage(message), message);
  });

  it('keeps only the fields it knows', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready', html: '<script>' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'openSource', spanId: SPAN, path: '/etc/passwd' }), { type: 'openSource', spanId: SPAN });
  });

  it('rejects anything that is not an object', () => {
    rejects(null, /must be an object, not null/);
    rejects('ready', /must be an object, not "ready"/);
    rejects(42, /must be an object, not number 42/);
    rejects([{ type: 'ready' }], /must be an object, not an array/);
    rejects(undefined, /must be an object/);
  });

  it('rejects an unknown or missing type, naming it', () => {
    rejects({ type: 'runCommand', command: 'workbench.action.terminal.new' }, /unknown webview message type "runCommand"/);
    rejects({}, /unknown webview message type undefined/);
  });

  it('rejects span and trace ids that are not lower-case hex of the right length, naming the field', () => {
    rejects({ type: 'select', spanId: SPAN.toUpperCase() }, /select\.spanId must be a 16-digit lower-case hex id/);
    rejects({ type: 'select' }, /select\.spanId .*undefined/);
    rejects({ type: 'openSource', spanId: '../../etc/passwd' }, /openSource\.spanId must be a 16-digit/);
    rejects({ type: 'openSource', spanId: 7 }, /openSource\.spanId .*number 7/);
    rejects({ type: 'openSource', spanId: SPAN, place: -1 }, /openSource\.place must be a place index .*number -1/);
    rejects({ type: 'select', spanId: SPAN, place: '2' }, /select\.place must be a place index .*"2"/);
    rejects({ type: 'select', spanId: SPAN, place: 1.5 }, /select\.place must be a place index/);
    rejects({ type: 'openTrace', traceId: SPAN }, /openTrace\.traceId must be a 32-digit/);
    rejects({ type: 'openTrace', traceId: TRACE, spanId: '' }, /openTrace\.spanId must be a 16-digit/);
  });

  it('rejects exports of an unknown format, the wrong content, or too large', () => {
    rejects({ type: 'export', format: 'pdf', data: '%PDF' }, /export\.format must be "svg" or "png", not "pdf"/);
    rejects({ type: 'export', format: 'png', data: 'data:image/jpeg;base64,AAAA' }, /export\.data for a PNG must be a data:image\/png;base64, URL/);
    rejects({ type: 'export', format: 'svg', data: '<html><script>' }, /export\.data for an SVG must start with <svg/);
    rejects({ type: 'export', format: 'svg', data: { svg: true } }, /export\.data must be a string, not an object/);
    rejects({ type: 'export', format: 'png', data: PNG + 'A'.repeat(MAX_EXPORT_CHARS) }, new RegExp(`export\\.data is ${PNG.length + MAX_EXPORT_CHARS} characters; at most ${MAX_EXPORT_CHARS}`));
  });

  it('rejects a log line of an unknown level, and shortens a very long one', () => {
    rejects({ type: 'log', level: 'debug', message: 'x' }, /log\.level must be info, warn or error, not "debug"/);
    rejects({ type: 'log', level: 'info' }, /log\.message must be a string, not undefined/);
    const long = parseWebviewMessage({ type: 'log', level: 'error', message: 'x'.repeat(100_000) });
    assert.ok(long.type === 'log' && long.message.length === 4000);
  });

  it('describes a long bad value shortly', () => {
    rejects({ type: 'select', spanId: 'z'.repeat(1000) }, new RegExp(`not "${'z'.repeat(40)}…"$`));
  });
});
