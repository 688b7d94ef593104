/**
 * Publishing to and consuming from the demo queue, traced by hand the way
 * OpenTelemetry's messaging semantic conventions describe: a PRODUCER span that
 * injects its context into the message headers, and per consumer a CONSUMER
 * span that is a child of the extracted context and links to it too (a link
 * survives where a parent cannot, e.g. when one span processes a batch).
 * The HTTP requests to the queue itself are left untraced (telemetry.ts).
 */
import { randomUUID } from 'node:crypto';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Span } from '@opentelemetry/api';
import { callJson, errorText } from './client';
import { HttpFailure } from './server';
import { sleep } from './work';

const SYSTEM = 'hopscope-demo-queue';
const tracer = trace.getTracer('hopscope-demo');

export interface Message {
  id: string;
  headers: Record<string, string>;
  body: unknown;
}

export async function publish(queueUrl: string, topic: string, body: unknown): Promise<string> {
  const id = randomUUID();
  const attributes = {
    'messaging.system': SYSTEM,
    'messaging.operation.type': 'send', // semconv >= 1.26; was "publish"
    'messaging.operation.name': 'publish',
    'messaging.operation': 'publish', // semconv < 1.26, for older readers
    'messaging.destination.name': topic,
    'messaging.message.id': id,
  };
  return tracer.startActiveSpan(`publish ${topic}`, { kind: SpanKind.PRODUCER, attributes }, async (span) => {
    try {
      const headers: Record<string, string> = {};
      propagation.inject(context.active(), headers);
      const reply = await callJson(`${queueUrl}/publish/${encodeURIComponent(topic)}`, { body: { id, headers, body }, timeoutMs: 2_000 });
      if (reply.status !== 200) throw new Error(`queue refused the message: ${errorText(reply)}`);
      return id;
    } catch (error) {
      fail(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

export type MessageHandler = (body: unknown) => Promise<void>;

/** Long-polls `topic` as consumer group `group`, handling up to `parallel`
 * messages at once. Returns a function that stops polling and lets the
 * messages in hand finish (for up to `drainMs`), so their spans are complete. */
export function consume(queueUrl: string, topic: string, group: string, handler: MessageHandler, parallel = 16, drainMs = 4_000): () => Promise<void> {
  const abort = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const url = `${queueUrl}/poll/${encodeURIComponent(topic)}?group=${encodeURIComponent(group)}&max=${parallel}`;
  void (async () => {
    while (!abort.signal.aborted) {
      if (inFlight.size >= parallel) {
        await Promise.race(inFlight);
        continue;
      }
      try {
        const reply = await callJson(url, { method: 'GET', timeoutMs: 15_000, signal: abort.signal });
        const messages = (reply.body as { messages?: Message[] } | undefined)?.messages ?? [];
        for (const message of messages) {
          const done = processOne(topic, group, message, handler).finally(() => inFlight.delete(done));
          inFlight.add(done);
        }
      } catch {
        // The queue is not up yet, or restarting: try again shortly.
        if (!abort.signal.aborted) await sleep(250);
      }
    }
  })();
  return async () => {
    abort.abort();
    await Promise.race([Promise.allSettled(inFlight), sleep(drainMs)]);
  };
}

function processOne(topic: string, group: string, message: Message, handler: MessageHandler): Promise<void> {
  const parent = propagation.extract(ROOT_CONTEXT, message.headers);
  const producer = trace.getSpanContext(parent);
  const attributes = {
    'messaging.system': SYSTEM,
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'messaging.operation': 'process',
    'messaging.destination.name': topic,
    'messaging.consumer.group.name': group,
    'messaging.message.id': message.id,
  };
  const options = { kind: SpanKind.CONSUMER, attributes, links: producer ? [{ context: producer }] : [] };
  return tracer.startActiveSpan(`process ${topic}`, options, parent, async (span) => {
    try {
      await handler(message.body);
    } catch (error) {
      fail(span, error); // the failure stays with the consumer; nobody upstream waits for it
    } finally {
      span.end();
    }
  });
}

function fail(span: Span, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  span.recordException(err);
  span.setAttribute('error.type', err instanceof HttpFailure ? String(err.status) : err.name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
}
