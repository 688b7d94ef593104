/**
 * OpenTelemetry for one demo service. Every service imports this module on its
 * first line. The services are CommonJS (this package has no "type": "module",
 * so tsx compiles them to `require` calls), which is what lets the http
 * instrumentation patch `node:http`: it hooks `require` and rewrites the
 * module's exports in place, and the services call `http.request` through the
 * exports object at call time. (Under ESM the import bindings would have to be
 * hooked separately, with import-in-the-middle.)
 *
 * service.name comes from OTEL_SERVICE_NAME; spans go to
 * OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT), default 127.0.0.1:4318.
 * OTEL_SDK_DISABLED=true runs the service without telemetry.
 */
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { CallSiteSpanProcessor } from '../src/processor/call-site-processor';
import { atShutdown } from './lib/lifecycle';
import { clientSpans, failureMessages } from './lib/span-notes';

/** Plumbing requests (health checks, queue polling, switches) would bury the
 * orders in noise; publishing is shown by the producer span instead. */
const UNTRACED = /^\/(?:health(?:$|\?)|poll\/|publish\/|_demo\/)/;

const isClientRequest = (r: ClientRequest | IncomingMessage): r is ClientRequest => 'getHeader' in r;

const instrumentation = new HttpInstrumentation({
  ignoreIncomingRequestHook: (req) => UNTRACED.test(req.url ?? ''),
  ignoreOutgoingRequestHook: (options) => UNTRACED.test(options.path ?? ''),
  // Client spans are just "POST" by default; "POST /charge" says where they go.
  // Server spans get their route from the handler (see lib/server.ts).
  requestHook: (span: Span, request) => {
    if (!isClientRequest(request)) return;
    span.updateName(`${request.method} ${request.path.split('?')[0]}`);
    clientSpans.set(request, span);
  },
  applyCustomAttributesOnSpan: (span, _request, response) => {
    const message = failureMessages.get(response as ServerResponse);
    if (message) span.setStatus({ code: SpanStatusCode.ERROR, message });
  },
});

const explicitEndpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
const exporter = new OTLPTraceExporter(explicitEndpoint ? {} : { url: 'http://127.0.0.1:4318/v1/traces' });

const sdk = new NodeSDK({
  serviceName: process.env.OTEL_SERVICE_NAME ?? 'demo-service',
  spanProcessors: [
    // Each client and producer span carries the line that made the call (code.file.path,
    // code.line.number), so the editor shows it there. Not the demo's shared helpers in lib/:
    // the service line that called a peer, published or worked says more than the helper's
    // insides. (demo/.vscode/settings.json skips them in stack traces the same way.)
    new CallSiteSpanProcessor({ ignore: [/\/demo\/lib\//] }),
    // A short delay so a trace shows up about when its order completes.
    new BatchSpanProcessor({ exporter, scheduledDelayMillis: 200 }),
  ],
  instrumentations: [instrumentation],
  // Traces only: no metric or log exporters probing the receiver.
  metricReaders: [],
  logRecordProcessors: [],
});
sdk.start();
// Flush what is left, but not for long: with no receiver listening the
// exporter would keep retrying, and a demo should stop when asked.
atShutdown(async () => {
  const gaveUp = new Promise<string>((resolve) => setTimeout(resolve, 3_000, 'no answer within 3 s').unref());
  const outcome = await Promise.race([sdk.shutdown().then(() => '', (error: unknown) => String(error)), gaveUp]);
  if (outcome) process.stderr.write(`last spans not delivered to ${explicitEndpoint ?? 'http://127.0.0.1:4318'}: ${outcome}\n`);
});
