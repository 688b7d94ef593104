/**
 * Hopscope's register module: OpenTelemetry for a Node app that has none,
 * loaded by `NODE_OPTIONS=--import …/dist/instrument.mjs` into the Node
 * processes VS Code launches (launch-environment.ts). It starts the Node SDK
 * with the auto-instrumentations, the call-site processor (the line of the
 * app's code that made each call) and the started-span processor (requests
 * stuck at a breakpoint are seen while stuck), exporting to the endpoint
 * `OTEL_EXPORTER_OTLP_*` names. CommonJS modules are patched through
 * `require`, ES modules through a loader hook (esm-hooks.ts).
 *
 * It steps aside when `HOPSCOPE_INSTRUMENT=off`, or when the app sets up
 * tracing itself (own-sdk.ts), and says so on stderr (the debug console).
 * Whatever fails in here is written there too; the app runs on.
 */
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { detectResources, envDetector } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { isMainThread } from 'node:worker_threads';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { DEBUG_SESSION_ATTRIBUTE } from '../model/pause';
import { CallSiteSpanProcessor } from '../processor/call-site-processor';
import { guardPatches, reportDiagnostics, say } from './guard';
import { registerEsmHooks } from './esm-hooks';
import { startPauseProbe } from './pause-probe';
import { findOwnSdk } from './own-sdk';
import { StartedSpanProcessor } from './started-spans';

/** Instrumentations left off unless the user names them in OTEL_NODE_ENABLED_INSTRUMENTATIONS: a span per file read or socket is noise in a call tree. */
const QUIET = ['fs', 'dns', 'net', 'runtime-node'];

/** What the module decided, for whoever loads it (the ESM shim awaits `ready`). */
export interface Started {
  state: 'tracing' | 'off' | 'own-sdk' | 'failed';
  ready: Promise<void>;
}

function exporterFor(protocol: string | undefined): SpanExporter {
  if (protocol === 'grpc') return new GrpcExporter();
  if (protocol === 'http/json') return new JsonExporter();
  return new ProtobufExporter();
}

function instrumentations(): Instrumentation[] {
  const enabled = new Set((process.env.OTEL_NODE_ENABLED_INSTRUMENTATIONS ?? '').split(',').map((name) => name.trim()));
  const config: Record<string, { enabled: boolean }> = {};
  for (const name of QUIET) if (!enabled.has(name)) config[`@opentelemetry/instrumentation-${name}`] = { enabled: false };
  return getNodeAutoInstrumentations(config);
}

/** The pause probe, for the session the resource names (read as the SDK reads OTEL_RESOURCE_ATTRIBUTES); its failure costs only itself. */
function probePauses(): boolean {
  try {
    const session = detectResources({ detectors: [envDetector] }).attributes[DEBUG_SESSION_ATTRIBUTE];
    return startPauseProbe(typeof session === 'string' && session !== '' ? session : undefined, process.env);
  } catch (error) {
    say(`debugger pauses are not measured in this process: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

function start(): Started {
  // Worker threads run the preloads too: the app's main thread is the one traced.
  if (process.env.HOPSCOPE_INSTRUMENT === 'off' || !isMainThread) return { state: 'off', ready: Promise.resolve() };
  const own = findOwnSdk(process.argv[1], process.cwd());
  if (own !== undefined) {
    say(`left tracing to the app: ${own.manifest} depends on ${own.dependency}`);
    return { state: 'own-sdk', ready: Promise.resolve() };
  }
  try {
    reportDiagnostics();
    const waitForHooks = registerEsmHooks(__dirname);
    const exporter = exporterFor(process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? process.env.OTEL_EXPORTER_OTLP_PROTOCOL);
    const chosen = instrumentations();
    guardPatches(chosen);
    const sdk = new NodeSDK({
      instrumentations: chosen,
      // Hopscope receives traces and logs; metrics would only be refused.
      metricReaders: [],
      spanProcessors: [
        // The SDK and the instrumentations are in this bundle, not in node_modules: their frames are not the app's.
        new CallSiteSpanProcessor({ ignore: [__filename] }),
         new StartedSpanProcessor(exporter), new BatchSpanProcessor({ exporter, scheduledDelayMillis: 500 })],
    });
    sdk.start();
    const probed = probePauses();
    const flush = (): void => void sdk.shutdown().catch((error: unknown) => say(`could not send the last spans: ${String(error)}`));
    process.once('beforeExit', flush);
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        flush();
        // Our handler took the signal's default (exit) away: give it back once the spans are out.
        if (process.listenerCount(signal) === 0) setTimeout(() => process.kill(process.pid, signal), 200).unref();
      });
    }
    const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'the default endpoint';
    say(`tracing ${process.env.OTEL_SERVICE_NAME ?? 'this process'} to ${endpoint} (${chosen.length} instrumentations${probed ? ', debugger pauses measured' : ''}; HOPSCOPE_INSTRUMENT=off turns this off)`);
    return { state: 'tracing', ready: waitForHooks().catch(() => {}) };
  } catch (error) {
    say(`tracing could not start, the app runs untraced: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    return { state: 'failed', ready: Promise.resolve() };
  }
}

export const started: Started = start();
