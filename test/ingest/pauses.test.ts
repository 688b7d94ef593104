/**
 * Debugger pauses on their way to the analysis: the editor's recorder turns the Debug Adapter Protocol into
 * pauses, the book keeps them bounded, and a window that follows another Hopscope writes them through its API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PauseRecorder, reasonOf } from '../../src/extension/pause-recorder';
import { DEFAULT_ANALYSIS_SETTINGS } from '../../src/analysis/settings';
import { AnalysisCore } from '../../src/ingest/analysis-core';
import { MAX_PAUSES_BODY_BYTES } from '../../src/ingest/api-routes';
import { DEFAULT_INGEST_CONFIG } from '../../src/ingest/ingest-config';
import { IngestWorker, type WorkerUpdate } from '../../src/ingest/ingest-worker';
import { MAX_PAUSE_NAME_CHARS, MAX_PAUSE_PATH_CHARS, MAX_PAUSES_PER_SESSION, MAX_SESSIONS, PauseBook, readPauses } from '../../src/ingest/pause-book';
import type { DebugPause } from '../../src/model/pause';
import { eventually } from '../support/free-port';
import { request } from '../support/http-client';
import { timeline, toOtlpJson, TRACE_ID } from '../support/timeline';
import { startHarness, type Harness } from '../support/receiver-harness';

const pause = (over: Partial<DebugPause> = {}): DebugPause => ({ session: 's1', sessionName: 'payments', startUs: 1_000, endUs: 2_000, reason: 'breakpoint', location: null, ...over });

describe('the pause recorder', () => {
  /** A recorder on a clock the test moves, and what it sent. */
  function recorder() {
    let now = 100;
    const sent: DebugPause[] = [];
    const r = new PauseRecorder('s1', 'payments', (p) => sent.push(p), () => now);
    return { r, sent, at: (us: number) => (now = us) };
  }

  it('opens a pause on stopped, learns its top frame from the stack trace, closes it on continue', () => {
    const { r, sent, at } = recorder();
    at(1_000);
    r.fromAdapter({ type: 'event', event: 'stopped', body: { reason: 'breakpoint' } });
    r.fromAdapter({ type: 'response', command: 'stackTrace', success: true, body: { stackFrames: [{ line: 42, source: { path: '/w/payments.ts' } }, { line: 7, source: { path: '/w/main.ts' } }] } });
    // A second stack trace (another thread, the UI asking again) does not move it.
    r.fromAdapter({ type: 'response', command: 'stackTrace', success: true, body: { stackFrames: [{ line: 9, source: { path: '/w/other.ts' } }] } });
    at(13_300);
    r.fromEditor({ type: 'request', command: 'continue' });
    r.fromAdapter({ type: 'event', event: 'continued' });
    assert.deepEqual(sent, [
      pause({ startUs: 1_000, endUs: null }),
      pause({ startUs: 1_000, endUs: null, location: { path: '/w/payments.ts', line: 42 } }),
      pause({ startUs: 1_000, endUs: 13_300, location: { path: '/w/payments.ts', line: 42 } }),
    ]);
  });

  it('makes each step its own pause, and one stop of many threads one pause', () => {
    const { r, sent, at } = recorder();
    at(1_000);
    r.fromAdapter({ type: 'event', event: 'stopped', body: { reason: 'breakpoint' } });
    r.fromAdapter({ type: 'event', event: 'stopped', body: { reason: 'breakpoint' } });
    at(2_000);
    r.fromEditor({ type: 'request', command: 'next' });
    at(2_010);
    r.fromAdapter({ type: 'event', event: 'stopped', body: { reason: 'step' } });
    at(3_000);
    r.fromEditor({ type: 'request', command: 'stepIn' });
    const closed = sent.filter((p) => p.endUs !== null).map((p) => [p.startUs, p.endUs, p.reason]);
    assert.deepEqual(closed, [[1_000, 2_000, 'breakpoint'], [2_010, 3_000, 'step']]);
  });

  it('closes a pause still open when the session ends, and never one that was not opened', () => {
    const { r, sent, at } = recorder();
    r.end();
    r.fromEditor({ type: 'request', command: 'continue' });
    assert.deepEqual(sent, []);
    at(500);
    r.fromAdapter({ type: 'event', event: 'stopped', body: { reason: 'exception' } });
    at(900);
    r.end();
    assert.deepEqual(sent.at(-1), pause({ startUs: 500, endUs: 900, reason: 'exception' }));
  });

  it('names the reasons the protocol gives', () => {
    assert.deepEqual(['breakpoint', 'function breakpoint', 'data breakpoint', 'step', 'goto', 'exception', 'pause', 'entry', 'focus', undefined].map(reasonOf), ['breakpoint', 'breakpoint', 'breakpoint', 'step', 'step', 'exception', 'pause', 'entry', 'other', 'other']);
  });
});

describe('the pause book', () => {
  it('keeps a pause once, replaced as it changes, and counts versions only for changes', () => {
    const book = new PauseBook();
    assert.equal(book.record([pause({ endUs: null })]).length, 1);
    assert.equal(book.record([pause({ endUs: null })]).length, 0, 'the same pause again changes nothing');
    const v = book.version;
    book.record([pause()]);
    assert.equal(book.version, v + 1);
    assert.deepEqual(book.all(), [pause()]);
    assert.deepEqual(book.of(['other']), []);
  });

  it('is bounded per session and in sessions', () => {
    const book = new PauseBook();
    book.record(Array.from({ length: MAX_PAUSES_PER_SESSION + 10 }, (_, i) => pause({ startUs: i * 10, endUs: i * 10 + 5 })));
    assert.equal(book.size, MAX_PAUSES_PER_SESSION);
    assert.equal(book.all()[0]!.startUs, 100, 'the oldest went first');
    for (let s = 0; s < MAX_SESSIONS + 5; s++) book.record([pause({ session: `x${s}` })]);
    assert.equal(book.of(['s1']).length, 0, 'the session changed longest ago went');
    assert.equal(book.of(['x0', 'x4']).length, 0);
    assert.equal(book.of([`x${MAX_SESSIONS + 4}`]).length, 1);
  });

  it("corrects the editor's pause by the stop the process measured, and lists no measured stop by itself", () => {
    const book = new PauseBook();
    // The editor heard of the stop 90 ms late and asked to continue 5 ms before the process ran again.
    book.record([pause({ startUs: 1_090_000, endUs: 7_000_000 }), pause({ startUs: 1_000_000, endUs: 7_005_000, reason: 'measured' })]);
    assert.deepEqual(book.all(), [pause({ startUs: 1_000_000, endUs: 7_005_000 })]);
    // The open pause is corrected at its start; the closed one, recorded again by the editor, at both ends.
    const open = new PauseBook();
    open.record([pause({ startUs: 1_090_000, endUs: null })]);
    open.record([pause({ startUs: 1_000_000, endUs: 7_005_000, reason: 'measured' })]);
    assert.deepEqual(open.all(), [pause({ startUs: 1_000_000, endUs: null })]);
    open.record([pause({ startUs: 1_090_000, endUs: 7_000_000 })]);
    assert.deepEqual(open.all(), [pause({ startUs: 1_000_000, endUs: 7_005_000 })]);
    // A stop of another session, one that does not hold the pause's start, or one far earlier corrects nothing.
    const apart = new PauseBook();
    apart.record([
      pause({ startUs: 5_000_000, endUs: 6_000_000 }),
      pause({ session: 's2', startUs: 4_900_000, endUs: 6_100_000, reason: 'measured' }),
      pause({ startUs: 3_000_000, endUs: 4_000_000, reason: 'measured' }),
      pause({ startUs: 10_000_000, endUs: 12_000_000 }),
      pause({ startUs: 8_000_000, endUs: 12_500_000, reason: 'measured' }),
    ]);
    assert.deepEqual(apart.all(), [pause({ startUs: 5_000_000, endUs: 6_000_000 }), pause({ startUs: 10_000_000, endUs: 12_000_000 })]);
    assert.deepEqual(apart.of(['s2']), []);
  });

  it('gives a restarted thread the records as they came, so that the editor\'s next upsert finds its pause', () => {
    const book = new PauseBook();
    const editor = pause({ startUs: 1_090_000, endUs: null });
    const measured = pause({ startUs: 1_000_000, endUs: 7_005_000, reason: 'measured' });
    book.record([editor, measured]);
    assert.deepEqual(book.records(), [editor, measured]);
    const restarted = new PauseBook();
    restarted.record(book.records());
    restarted.record([{ ...editor, endUs: 7_000_000 }]);
    assert.deepEqual(restarted.all(), [pause({ startUs: 1_000_000, endUs: 7_005_000 })], 'one pause, corrected, not two');
  });

  it('cuts a pause\'s strings where it is recorded: the name keeps its start, the path its end', () => {
    const book = new PauseBook();
    book.record([pause({ sessionName: 'n'.repeat(MAX_PAUSE_NAME_CHARS + 50), location: { path: `${'/deep'.repeat(400)}/payments.ts`, line: 42 } })]);
    const [kept] = book.all();
    assert.equal(kept!.sessionName.length, MAX_PAUSE_NAME_CHARS);
    assert.equal(kept!.location!.path.length, MAX_PAUSE_PATH_CHARS);
    assert.ok(kept!.location!.path.endsWith('/payments.ts'));
  });

  it('lets go of closed pauses older than every trace, never an open one', () => {
    const book = new PauseBook();
    book.record([pause({ startUs: 10, endUs: 20 }), pause({ startUs: 30, endUs: null }), pause({ startUs: 40, endUs: 50 })]);
    book.dropBefore(45);
    assert.deepEqual(book.all().map((p) => p.startUs), [30, 40]);
  });
});

describe('pauses in the analysis thread', () => {
  it('go with the traces they concern, and stay while a held trace reaches back to them', () => {
    const core = new AnalysisCore({ settings: DEFAULT_ANALYSIS_SETTINGS, skipFrames: [], testHooks: false }, () => {});
    const old = pause({ startUs: 1_000, endUs: 2_000 });
    const open = pause({ startUs: 3_000, endUs: null });
    core.handle({ type: 'pauses', pauses: [old, open] });
    const summary = { traceId: TRACE_ID, rootService: 'shop', rootName: 'POST /orders', spanCount: 1, startUs: 1_500, durationUs: 100, rootDurationUs: 100, errorCount: 0, services: ['shop'], settled: true, logCount: 0 };
    const span = { ...timeline('shop | POST /orders | server | 0-1').spans[0]!, startUs: 1_500, endUs: 1_600 };
    core.handle({ type: 'trace', traceId: TRACE_ID, generation: 1, spansFrom: 0, spans: [span], logsFrom: 0, logs: [], bytes: 1, summary, lastChangeMs: 5 });
    core.handle({ type: 'forget', traceIds: [] });
    assert.deepEqual(core.pauses.all(), [old, open], 'a trace held began before the old pause ended');
    core.handle({ type: 'forget', traceIds: [TRACE_ID] });
    assert.deepEqual(core.pauses.all(), [open], 'no trace reaches back to it: it went; an open pause never goes');
  });
});

describe('pauses as JSON', () => {
  it('reads good ones and names the first thing wrong', () => {
    assert.deepEqual(readPauses({ pauses: [pause({ location: { path: '/a.ts', line: 3 } })] }), { pauses: [pause({ location: { path: '/a.ts', line: 3 } })] });
    const problems = [
      [{}, 'expected {"pauses": [...]}'],
      [{ pauses: [null] }, 'pauses[0] is not an object'],
      [{ pauses: [{ ...pause(), session: '' }] }, 'pauses[0].session must be a string of 1 to 128 characters'],
      [{ pauses: [{ ...pause(), startUs: -1 }] }, 'pauses[0].startUs must be microseconds since the epoch'],
      [{ pauses: [{ ...pause(), endUs: 5 }] }, 'pauses[0].endUs must be null or a time not before startUs'],
      [{ pauses: [{ ...pause(), reason: 'coffee' }] }, 'pauses[0].reason must be one of breakpoint, step, exception, pause, entry, other, measured'],
      [{ pauses: [{ ...pause(), location: { path: '/a', line: 0 } }] }, 'pauses[0].location must be null or {"path": a string, "line": a whole number from 1}'],
      [{ pauses: Array.from({ length: 257 }, () => pause()) }, 'at most 256 pauses a request, not 257'],
    ] as const;
    for (const [json, problem] of problems) assert.deepEqual(readPauses(json), { problem });
  });
});

describe('POST /api/pauses', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());
  const json = { 'Content-Type': 'application/json', Host: '127.0.0.1' };

  it('takes pauses from a tool on this machine', async () => {
    const reply = await request(h.port, 'POST', '/api/pauses', JSON.stringify({ pauses: [pause()] }), json);
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(JSON.parse(reply.text), { accepted: 1 });
    assert.deepEqual(h.pauses.at(-1), pause());
  });

  it('refuses what a web page could send: an Origin, a simple content type, another Host', async () => {
    const body = JSON.stringify({ pauses: [pause()] });
    const before = h.pauses.length;
    const origin = await request(h.port, 'POST', '/api/pauses', body, { ...json, Origin: 'http://evil.test' });
    assert.equal(origin.status, 403);
    // Even a page on an origin allowed to send spans (a local web app's) may not write pauses.
    const local = await request(h.port, 'POST', '/api/pauses', body, { ...json, Origin: 'http://localhost:3000' });
    assert.equal(local.status, 403);
    assert.match(JSON.parse(local.text).message, /^a request with an Origin \("http:\/\/localhost:3000"\) may not write debugger pauses/);
    const plain = await request(h.port, 'POST', '/api/pauses', body, { 'Content-Type': 'text/plain', Host: '127.0.0.1' });
    assert.equal(plain.status, 415);
    const rebound = await request(h.port, 'POST', '/api/pauses', body, { ...json, Host: 'evil.test' });
    assert.equal(rebound.status, 403);
    assert.equal(h.pauses.length, before);
  });

  it('names a bad body, and refuses one too large', async () => {
    const bad = await request(h.port, 'POST', '/api/pauses', '{"pauses": [{"session": 3}]}', json);
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.text).message, /^bad pauses: pauses\[0\]\.session must be/);
    const notJson = await request(h.port, 'POST', '/api/pauses', '{"pauses": [', json);
    assert.equal(notJson.status, 400);
    assert.match(JSON.parse(notJson.text).message, /is not JSON/);
    const large = await request(h.port, 'POST', '/api/pauses', ' '.repeat(MAX_PAUSES_BODY_BYTES + 1), json);
    assert.equal(large.status, 413);
    const get = await request(h.port, 'GET', '/api/pauses', undefined, { Host: '127.0.0.1' });
    assert.equal(get.status, 405);
  });
});

describe('pauses in the ingest worker', () => {
  /*
   *  orders   POST /orders   [0 ──────────────────────────── 6100]   session o
   *  orders     → payments     [10 ────────────────────── 6090]
   *  payments     POST /charge   [20 ──▒▒▒▒▒▒ 6000 ms ▒▒▒▒── 6080]  session p, stopped at 30–6030
   */
  const drawn = timeline(`
    orders | POST /orders | server | 0-6100
      orders | orders → payments | client | 10-6090
        payments | POST /charge | server | 20-6080
  `);
  const session = (service: string) => (service === 'payments' ? 'feedfacefeedface' : '0123012301230123');
  const spans = drawn.spans.map((s) => ({ ...s, resource: { ...s.resource, attributes: { ...s.resource.attributes, 'hopscope.debug.session': session(s.service) } } }));
  const t0 = spans[0]!.startUs;
  const stopped = pause({ session: 'feedfacefeedface', startUs: t0 + 30_000, endUs: t0 + 6_030_000, location: { path: '/w/payments.js', line: 8 } });
  let worker: IngestWorker;
  let httpPort: number;
  const updates: WorkerUpdate[] = [];

  before(async () => {
    worker = new IngestWorker({ ...DEFAULT_INGEST_CONFIG, httpPort: 0, grpcEnabled: false, settleMs: 100 }, { runner: 'test', version: '0.0.0', workerPath: 'dist/worker.js' });
    worker.onUpdate((update) => updates.push(update));
    httpPort = (await worker.ready).http.port;
  });
  after(() => worker.stop());

  const headline = () => updates.flatMap((u) => u.changed).filter((s) => s.traceId === TRACE_ID && s.headline).at(-1)?.headline;

  it('analyses a trace again without the pause once the pause is known, and says how long it was', async () => {
    assert.equal((await request(httpPort, 'POST', '/v1/traces', toOtlpJson(spans), { 'Content-Type': 'application/json' })).status, 200);
    const raw = await eventually(() => headline());
    assert.equal(raw.durationUs, 6_100_000);
    assert.equal(raw.pausedUs, undefined);
    assert.ok(raw.rules.includes('long-sync-call'), `a 6 s call is long on the wall clock: ${raw.rules.join(', ')}`);
    worker.recordPauses([stopped]);
    const compensated = await eventually(() => (headline()?.pausedUs ? headline() : undefined), 50);
    assert.equal(compensated.pausedUs, 6_000_000);
    assert.equal(compensated.durationUs, 100_000);
    assert.ok(!compensated.rules.includes('long-sync-call'), `the pause makes no finding: ${compensated.rules.join(', ')}`);
  });

  it('takes a pause of a following window through its API the same way', async () => {
    const later = pause({ session: 'feedfacefeedface', startUs: t0 + 6_031_000, endUs: t0 + 6_032_000 });
    const reply = await request(httpPort, 'POST', '/api/pauses', JSON.stringify({ pauses: [later] }), { 'Content-Type': 'application/json', Host: '127.0.0.1' });
    assert.equal(reply.status, 200, reply.text);
  });
});
