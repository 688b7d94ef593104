/**
 * A real OpenTelemetry SDK tracer with the call-site processor in front of an
 * in-memory exporter, and where a marked call sits in a source file: the line
 * whose text carries `// call-site: <marker>`, at the column where `call` starts
 * (V8 puts a method call's position at the method name).
 */
import { readFileSync } from 'node:fs';
import type { Tracer } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { CallSiteSpanProcessor, type CallSiteSpanProcessorOptions } from '../../src/processor/call-site-processor';

export interface Traced {
  tracer: Tracer;
  /** A tracer of another instrumentation scope, through the same processor. */
  scoped: (scope: string) => Tracer;
  /** The one span ended so far with this name. */
  span: (name: string) => ReadableSpan;
}

export function traced(options?: CallSiteSpanProcessorOptions): Traced {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new CallSiteSpanProcessor(options), new SimpleSpanProcessor({ exporter })] });
  return {
    tracer: provider.getTracer('call-site-test'),
    scoped: (scope) => provider.getTracer(scope),
    span(name) {
      const found = exporter.getFinishedSpans().filter((s) => s.name === name);
      if (found.length !== 1) throw new Error(`expected one span "${name}", found ${found.length}`);
      return found[0]!;
    },
  };
}

export interface CodeAttributes {
  path: unknown;
  line: unknown;
  column: unknown;
  functionName: unknown;
}

export function codeOf(span: ReadableSpan): CodeAttributes {
  const a = span.attributes;
  return { path: a['code.file.path'], line: a['code.line.number'], column: a['code.column.number'], functionName: a['code.function.name'] };
}

export const NO_CODE: CodeAttributes = { path: undefined, line: undefined, column: undefined, functionName: undefined };

/** 1-based line and column of `call` on the line marked `// call-site: <marker>` in `file`. */
export function marked(file: string, marker: string, call: string): { line: number; column: number } {
  const lines = readFileSync(file, 'utf8').split('\n');
  const index = lines.findIndex((text) => text.includes(`// call-site: ${marker}`));
  if (index < 0) throw new Error(`no line marked ${marker} in ${file}`);
  const column = lines[index]!.indexOf(call);
  if (column < 0) throw new Error(`line ${index + 1} of ${file} has no ${call}`);
  return { line: index + 1, column: column + 1 };
}
