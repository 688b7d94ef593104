/**
 * The simulated work of a leaf service, as an INTERNAL span, shaped by its
 * `behaviour` switch. The span is what makes a timeout visible: when the caller
 * gives up, the server span ends with the connection, but the work goes on.
 */
import { SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { HttpFailure } from './server';
import { switches } from './switches';

const tracer = trace.getTracer('hopscope-demo');

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `ms` ± 10 %, so that repeated orders do not draw identical bars. */
export const jitter = (ms: number) => Math.round(ms * (0.9 + Math.random() * 0.2));

export interface WorkSpec {
  /** The internal span's name, e.g. "charge card". */
  span: string;
  /** Usual duration. */
  ms: number;
  /** Duration when the behaviour switch is "slow" (unless slowMs is set). */
  slowMs: number;
  /** What a "fail" answers with. */
  failure: string;
  attributes?: Attributes;
}

export async function work(spec: WorkSpec): Promise<void> {
  const { behaviour, slowMs } = switches();
  // A service that is down does no work at all.
  if (behaviour === 'down') throw new HttpFailure(503, `${process.env.OTEL_SERVICE_NAME ?? 'service'} is down (demo switch)`);
  await tracer.startActiveSpan(spec.span, { attributes: spec.attributes ?? {} }, async (span) => {
    try {
      await sleep(jitter(behaviour === 'slow' ? (slowMs ?? spec.slowMs) : spec.ms));
      if (behaviour === 'fail') {
        span.setStatus({ code: SpanStatusCode.ERROR, message: spec.failure });
        throw new HttpFailure(500, spec.failure);
      }
    } finally {
      span.end();
    }
  });
}
