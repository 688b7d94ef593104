/** Log records made by the real OpenTelemetry logs SDK, for decoder and receiver tests. */
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';

/** A context inside span `spanId` of trace `traceId`, for `emit({ context })`. */
export const inSpan = (traceId: string, spanId: string) => trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED });

/** The records `emit` writes through a logger of service `email`, scope `mailer` 1.0.0. */
export async function sdkLogRecords(emit: (logger: Logger) => void): Promise<ReadableLogRecord[]> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'email' }), processors: [new SimpleLogRecordProcessor({ exporter })] });
  emit(provider.getLogger('mailer', '1.0.0'));
  await provider.forceFlush();
  return exporter.getFinishedLogRecords();
}
