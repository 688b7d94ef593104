import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { KeptTraces, MAX_KEPT_BYTES } from '../../src/extension/kept-traces';
import { traceDocument } from '../../src/ingest/trace-views';
import { sync } from '../support/shop-drawings';
import { TRACE_ID } from '../support/timeline';

describe('traces kept with their panels', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'hopscope-kept-')), 'kept-traces');
  const kept = new KeptTraces(dir);
  const document = traceDocument(TRACE_ID, sync.spans, [])!;
  after(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('gives back a saved document byte for byte, in a buffer of its own, and nothing once it is forgotten', async () => {
    await kept.save(TRACE_ID, document);
    const back = (await kept.load(TRACE_ID))!;
    assert.deepEqual(back, document);
    assert.equal(back.buffer.byteLength, back.byteLength, 'it may be transferred to the worker');
    await kept.forget(TRACE_ID);
    assert.equal(await kept.load(TRACE_ID), undefined);
  });

  it('treats a damaged or foreign file, or a copy from before trace documents, as no copy', async () => {
    await kept.save(TRACE_ID, document);
    writeFileSync(join(dir, `${TRACE_ID}.ndjson`), '{"format":1,"traceId": "0af76519');
    assert.equal(await kept.load(TRACE_ID), undefined);
    writeFileSync(join(dir, `${TRACE_ID}.ndjson`), traceDocument('f'.repeat(32), sync.spans.map((s) => ({ ...s, traceId: 'f'.repeat(32) })), [])!);
    assert.equal(await kept.load(TRACE_ID), undefined, 'the head names another trace');
    writeFileSync(join(dir, `${TRACE_ID}.ndjson`), JSON.stringify({ traceId: TRACE_ID, spans: sync.spans, logs: [] }));
    assert.equal(await kept.load(TRACE_ID), undefined, 'a copy in the old format');
  });

  it('forgets a copy in the old format too', async () => {
    writeFileSync(join(dir, `${TRACE_ID}.json`), JSON.stringify({ traceId: TRACE_ID, spans: [], logs: [] }));
    await kept.forget(TRACE_ID);
    assert.ok(!readdirSync(dir).includes(`${TRACE_ID}.json`));
  });

  it('never builds a path from an id that is not 32 hex digits', async () => {
    await kept.save('../../etc/passwd', document);
    assert.equal(await kept.load('../../etc/passwd'), undefined);
    assert.ok(readdirSync(dir).every((name) => /^[0-9a-f]{32}\.ndjson$/.test(name)));
  });

  it('does not keep a trace bigger than the limit, and drops an older copy of it', async () => {
    await kept.save(TRACE_ID, document);
    await kept.save(TRACE_ID, new Uint8Array(MAX_KEPT_BYTES + 1));
    assert.equal(await kept.load(TRACE_ID), undefined);
  });

  it('prunes copies older than a week', async () => {
    await kept.save(TRACE_ID, document);
    const eightDaysAgo = (Date.now() - 8 * 24 * 3600 * 1000) / 1000;
    utimesSync(join(dir, `${TRACE_ID}.ndjson`), eightDaysAgo, eightDaysAgo);
    await kept.prune();
    assert.equal(await kept.load(TRACE_ID), undefined);
  });
});
