// The peer of the register module in bench/instrument.ts, "the SDK alone": what an app that sets up
// tracing itself would load with `--import`. The same NodeSDK, http instrumentation and OTLP/protobuf
// exporter as src/instrument/register.ts, with a BatchSpanProcessor on the same schedule, and neither
// the call-site processor nor the started-span processor (nor the other instrumentations, the ESM hooks
// or the guards). Loaded from node_modules as it is.
import { NodeSDK } from '@opentelemetry/sdk-node';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';

const sdk = new NodeSDK({
  instrumentations: [new HttpInstrumentation()],
  metricReaders: [],
  spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter(), scheduledDelayMillis: 500 })],
});
sdk.start();
process.once('beforeExit', () => void sdk.shutdown());
