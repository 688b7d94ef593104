/**
 * The processor as services get it: a CommonJS bundle of its own (what
 * esbuild.mjs builds as dist/call-site.js), or bundled by a service into its
 * own single file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SpanKind, type Tracer } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import * as esbuild from 'esbuild';
import type { CallSiteSpanProcessorOptions } from '../../src/processor/call-site-processor';
import { codeOf } from './harness';

const ENTRY = join(__dirname, '..', '..', 'src', 'processor', 'call-site-processor.ts');

type ProcessorClass = new (options?: CallSiteSpanProcessorOptions) => SpanProcessor;

function tracerWith(processor: SpanProcessor) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor({ exporter })] });
  return { tracer: provider.getTracer('bundle-test'), spans: () => exporter.getFinishedSpans() };
}

describe('the call-site processor bundled', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hopscope-call-site-bundle-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('on its own, loads nothing but Node at run time and works from require', async () => {
    const outfile = join(dir, 'call-site.js');
    await esbuild.build({ entryPoints: [ENTRY], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['@opentelemetry/*'], logLevel: 'silent' });
    const requires = [...readFileSync(outfile, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]).sort();
    assert.deepEqual(requires, ['node:module', 'node:url']);

    const { CallSiteSpanProcessor } = require(outfile) as { CallSiteSpanProcessor: ProcessorClass };
    const { tracer, spans } = tracerWith(new CallSiteSpanProcessor());
    tracer.startSpan('GET /bundled', { kind: SpanKind.CLIENT }).end();
    assert.equal(codeOf(spans()[0]!).path, __filename);
  });

  it("into a service's single file, still records the service's frames but none of its own", async () => {
    const service = join(dir, 'service-source.ts'); // not service.ts: tsx would load that for service.js
    writeFileSync(service, [
      `import { CallSiteSpanProcessor } from ${JSON.stringify(ENTRY)};`,
      'export { CallSiteSpanProcessor };',
      "export function charge(tracer: { startSpan(name: string, options: object): { end(): void } }) {",
      "  tracer.startSpan('POST /charge', { kind: 2 }).end();",
      '}',
    ].join('\n'));
    const outfile = join(dir, 'service.js');
    await esbuild.build({ entryPoints: [service], outfile, bundle: true, platform: 'node', format: 'cjs', external: ['@opentelemetry/*'], logLevel: 'silent' });
    const bundled = require(outfile) as { CallSiteSpanProcessor: ProcessorClass; charge(tracer: Tracer): void };

    const { tracer, spans } = tracerWith(new bundled.CallSiteSpanProcessor());
    bundled.charge(tracer);
    const line = readFileSync(outfile, 'utf8').split('\n').findIndex((text) => text.includes("startSpan('POST /charge'") || text.includes('startSpan("POST /charge"')) + 1;
    const { path, line: recorded, functionName } = codeOf(spans()[0]!);
    assert.deepEqual({ path, line: recorded, functionName }, { path: outfile, line, functionName: 'charge' });
  });
});
