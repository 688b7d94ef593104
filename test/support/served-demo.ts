/**
 * The demo shop sending to `hopscope serve` (from dist/, so build first), for
 * tests that need real instrumented services: started before the suite,
 * stopped after it even when a test failed, and a poll for a stored trace.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { startDemo, type Demo } from '../../demo/shop';
import type { SpanRecord } from '../../src/model/span';
import { request } from './http-client';
import { serve, type Served } from './serve-process';

export interface ServedDemo {
  server(): Served;
  demo(): Demo;
}

/** Registers the suite's `before`/`after`: the receiver, then the demo pointed at it. */
export function useServedDemo(): ServedDemo {
  let server: Served | undefined;
  let demo: Demo | undefined;
  before(async () => {
    server = await serve();
    demo = await startDemo({ endpoint: `http://127.0.0.1:${server.httpPort}` });
  });
  // Runs even when `before` or a test failed: no service may outlive the test.
  after(async () => {
    await demo?.stop();
    await server?.stop();
  });
  return { server: () => server!, demo: () => demo! };
}

/**
 * Polls the stored trace until `missing(spans)` names nothing (up to 20 s);
 * fails naming what is still missing.
 */
export async function storedTrace(port: number, traceId: string, missing: (spans: SpanRecord[]) => string[] | Promise<string[]>): Promise<SpanRecord[]> {
  const deadline = Date.now() + 20_000;
  let spans: SpanRecord[] = [];
  for (;;) {
    const reply = await request(port, 'GET', `/api/traces/${traceId}`);
    if (reply.status === 200) spans = (JSON.parse(reply.text) as { spans: SpanRecord[] }).spans;
    const lacking = await missing(spans);
    if (lacking.length === 0) return spans;
    if (Date.now() > deadline) assert.fail(`trace ${traceId} still lacks ${lacking.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
