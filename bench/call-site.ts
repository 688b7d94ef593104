/**
 * What the call-site processor costs per span: a CLIENT span started 3 call
 * levels down in the service's code, started and ended through the real SDK
 *
 *   handleOrder → chargeCard → postCharge → tracer.startSpan(CLIENT).end()
 *
 * with the processor, with no processor at all, and with the naive processor
 * (`new Error().stack`, split, one regex per line, first frame outside
 * node_modules). The rounds are interleaved; the processors' overhead is their
 * time per span minus the bare SDK's.
 * Usage: node dist/bench/call-site.js          (bundled, no source maps)
 *        node --import tsx bench/call-site.ts  (as the demo runs: source maps on)
 * Prints JSON.
 */
import { SpanKind, type Tracer } from '@opentelemetry/api';
import { TracerProvider, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { CallSiteSpanProcessor } from '../src/processor/call-site-processor';
import { throughputs } from './measure';

const FRAME = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/;
const LIBRARY = /[\\/]node_modules[\\/]|^node:|^internal\//;

/** What one would write first: format the stack as text and parse it back. */
class NaiveCallSiteProcessor implements SpanProcessor {
  onStart(span: Span): void {
    if (span.kind !== SpanKind.CLIENT && span.kind !== SpanKind.PRODUCER) return;
    const lines = (new Error().stack ?? '').split('\n');
    for (let i = 1; i < lines.length; i++) {
      const match = FRAME.exec(lines[i]!);
      if (!match || LIBRARY.test(match[2]!) || match[1] === 'NaiveCallSiteProcessor.onStart') continue;
      span.setAttribute('code.file.path', match[2]!);
      span.setAttribute('code.line.number', Number(match[3]));
      span.setAttribute('code.column.number', Number(match[4]));
      if (match[1]) span.setAttribute('code.function.name', match[1]);
      return;
    }
  }
  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function postCharge(tracer: Tracer): void {
  tracer.startSpan('POST /charge', { kind: SpanKind.CLIENT }).end();
}
function chargeCard(tracer: Tracer): void {
  postCharge(tracer);
}
function handleOrder(tracer: Tracer): void {
  chargeCard(tracer);
}

const SPANS_PER_CALL = 200;
const tracerWith = (processors: SpanProcessor[]) => new TracerProvider({ spanProcessors: processors }).getTracer('bench');
const run = (tracer: Tracer) => () => {
  for (let i = 0; i < SPANS_PER_CALL; i++) handleOrder(tracer);
};

/** The function a processor put on one span: postCharge, or the figure measured a miss. */
function recorded(processor: SpanProcessor): unknown {
  let name: unknown;
  const probe: SpanProcessor = { onStart: () => {}, onEnd: (span) => (name = span.attributes['code.function.name']), forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() };
  handleOrder(tracerWith([processor, probe]));
  return name;
}

const ours = new CallSiteSpanProcessor();
const naive = new NaiveCallSiteProcessor();
const found = { ours: recorded(ours), naive: recorded(naive) };
const [oursRate = 0, bareRate = 0, naiveRate = 0] = throughputs([null], () => SPANS_PER_CALL, [run(tracerWith([ours])), run(tracerWith([])), run(tracerWith([naive]))], 9, 300);
const us = (rate: number) => 1e6 / rate;
process.stdout.write(JSON.stringify({
  sourceMaps: process.sourceMapsEnabled, found,
  bareUs: us(bareRate),
  oursUs: us(oursRate), oursOverheadUs: us(oursRate) - us(bareRate),
  naiveUs: us(naiveRate), naiveOverheadUs: us(naiveRate) - us(bareRate),
}));
