import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { KeptTraces, MAX_KEPT_BYTES } from '../../src/extension/kept-traces';
import { sync } from '../support/shop-drawings';
import { TRACE_ID } from '../support/timeline';

describe('traces kept with their panels', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'hopscope-kept-')), 'kept-traces');
  const kept = new KeptTraces(dir);
  const trace = { traceId: TRACE_ID, spans: sync.spans, logs: [] };
  after(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('gives back a saved trace as it was, and nothing once it is forgotten', async () => {
    await kept.save(trace);
    assert.deepEqual(await kept.load(TRACE_ID), trace);
    await kept.forget(TRACE_ID);
    assert.equal(await kept.load(TRACE_ID), undefined);
  });

  it('treats a damaged or foreign file as no copy', async () => {
    await kept.save(trace);
    writeFileSync(join(dir, `${TRACE_ID}.json`), '{"traceId": "0af76519');
    assert.equal(await kept.load(TRACE_ID), undefined);
    writeFileSync(join(dir, `${TRACE_ID}.json`), JSON.stringify({ traceId: 'ffffffffffffffffffffffffffffffff', spans: [], logs: [] }));
    assert.equal(await kept.load(TRACE_ID), undefined);
  });

  it('never builds a path from an id that is not 32 hex digits', async () => {
    await kept.save({ ...trace, traceId: '../../etc/passwd' });
    assert.equal(await kept.load('../../etc/passwd'), undefined);
    assert.ok(readdirSync(dir).every((name) => /^[0-9a-f]{32}\.json$/.test(name)));
  });

  it('does not keep a trace bigger than the limit, and drops an older copy of it', async () => {
    await kept.save(trace);
    const huge = { ...trace, spans: [{ ...sync.spans[0]!, name: 'x'.repeat(MAX_KEPT_BYTES) }] };
    await kept.save(huge);
    assert.equal(await kept.load(TRACE_ID), undefined);
  });

  it('prunes copies older than a week', async () => {
    await kept.save(trace);
    const eightDaysAgo = (Date.now() - 8 * 24 * 3600 * 1000) / 1000;
    utimesSync(join(dir, `${TRACE_ID}.json`), eightDaysAgo, eightDaysAgo);
    await kept.prune();
    assert.equal(await kept.load(TRACE_ID), undefined);
  });
});
