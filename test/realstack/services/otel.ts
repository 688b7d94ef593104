/**
 * The only telemetry code in the real stack, loaded before the service with
 * `node --import tsx --import ./otel.ts <service>.ts`: the official NodeSDK
 * with every default auto-instrumentation, configured entirely by the
 * standard environment variables (OTEL_SERVICE_NAME,
 * OTEL_EXPORTER_OTLP_TRACES_PROTOCOL / _ENDPOINT, OTEL_BSP_SCHEDULE_DELAY,
 * OTEL_NODE_RESOURCE_DETECTORS, …). This is what
 * `@opentelemetry/auto-instrumentations-node/register` does, except that
 * SIGTERM flushes and then exits (register only flushes, and leaves a process
 * with open servers running).
 */
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { NodeSDK } from '@opentelemetry/sdk-node';

const sdk = new NodeSDK({ instrumentations: [getNodeAutoInstrumentations()] });
sdk.start();

process.once('SIGTERM', () => {
  const gaveUp = setTimeout(() => process.exit(0), 3_000);
  gaveUp.unref();
  sdk.shutdown().finally(() => process.exit(0));
});
