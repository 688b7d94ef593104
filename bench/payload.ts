/**
 * A realistic OTLP payload made by the real OpenTelemetry SDK: traces of ten
 * HTTP client/server spans across four services, ~10 attributes each, 520 spans
 * per export request (the SDK's batch size is 512), every request its own traces.
 */
import { SpanKind, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

export const SPANS_PER_REQUEST = 520;

export interface Payloads {
  protobuf: Buffer[];
  json: Buffer[];
}

async function oneRequest(seed: number): Promise<{ protobuf: Buffer; json: Buffer }> {
  const services = ['gateway', 'orders', 'payments', 'inventory'].map((name) => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': name, 'service.version': '1.4.2', 'deployment.environment.name': 'dev', 'host.name': 'devbox' }),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    return { exporter, provider, tracer: provider.getTracer('@opentelemetry/instrumentation-http', '0.223.0') };
  });
  for (let t = 0; t < SPANS_PER_REQUEST / 10; t++) {
    let ctx = ROOT_CONTEXT;
    for (let i = 0; i < 10; i++) {
      const client = i % 2 === 1;
      const id = seed * 100_000 + t * 10 + i;
      const span = services[i % 4]!.tracer.startSpan(client ? 'GET' : 'GET /api/orders/:id', {
        kind: client ? SpanKind.CLIENT : SpanKind.SERVER,
        attributes: {
          'http.request.method': 'GET',
          'url.full': `http://orders.local:8080/api/orders/${id}?expand=items`,
          'url.path': `/api/orders/${id}`,
          'http.route': '/api/orders/:id',
          'http.response.status_code': i === 7 ? 503 : 200,
          'server.address': 'orders.local',
          'server.port': 8080,
          'network.protocol.version': '1.1',
          'user_agent.original': 'node-fetch/3.3.2',
          'client.address': '127.0.0.1',
        },
      }, ctx);
      ctx = trace.setSpan(ROOT_CONTEXT, span);
      span.end();
    }
  }
  await Promise.all(services.map((s) => s.provider.forceFlush()));
  const spans = services.flatMap((s) => s.exporter.getFinishedSpans());
  return { protobuf: Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!), json: Buffer.from(JsonTraceSerializer.serializeRequest(spans)!) };
}

export async function makePayloads(count: number): Promise<Payloads> {
  const out: Payloads = { protobuf: [], json: [] };
  for (let i = 0; i < count; i++) {
    const { protobuf, json } = await oneRequest(i);
    out.protobuf.push(protobuf);
    out.json.push(json);
  }
  return out;
}
