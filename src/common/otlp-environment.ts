/**
 * The environment a service needs to send its spans here, per language. Each
 * SDK has its own default protocol (Python and .NET default to gRPC, the rest
 * to HTTP), so each snippet names the port of the protocol it will really use.
 */

export interface ReceiverPorts {
  host: string;
  httpPort: number;
  /** Undefined when gRPC is off. */
  grpcPort: number | undefined;
}

export interface EnvironmentSnippet {
  id: 'node' | 'python' | 'java' | 'go' | 'dotnet';
  language: string;
  /** Which exporter and protocol the snippet is for. */
  detail: string;
  /** POSIX shell lines, ready to paste. */
  text: string;
}

export function otlpEnvironment(ports: ReceiverPorts): EnvironmentSnippet[] {
  const host = ports.host === '0.0.0.0' || ports.host === '::' ? '127.0.0.1' : ports.host.includes(':') ? `[${ports.host}]` : ports.host;
  const http = `http://${host}:${ports.httpPort}`;
  const grpc = ports.grpcPort === undefined ? undefined : `http://${host}:${ports.grpcPort}`;
  const httpLines = (service: string) => [`export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf`, `export OTEL_EXPORTER_OTLP_ENDPOINT=${http}`, `export OTEL_SERVICE_NAME=${service}`];
  const grpcOrHttp = (service: string) =>
    grpc === undefined
      ? [...httpLines(service)]
      : [`export OTEL_EXPORTER_OTLP_PROTOCOL=grpc`, `export OTEL_EXPORTER_OTLP_ENDPOINT=${grpc}`, `export OTEL_EXPORTER_OTLP_INSECURE=true`, `export OTEL_SERVICE_NAME=${service}`, `# over HTTP instead: OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_EXPORTER_OTLP_ENDPOINT=${http}`];
  return [
    { id: 'node', language: 'Node.js', detail: '@opentelemetry/sdk-node, OTLP over HTTP (the default)', text: httpLines('my-service').join('\n') },
    { id: 'python', language: 'Python', detail: 'opentelemetry-instrument, OTLP over gRPC (the default)', text: grpcOrHttp('my-service').join('\n') },
    { id: 'java', language: 'Java', detail: 'OpenTelemetry Java agent 2.x, OTLP over HTTP (the default)', text: [...httpLines('my-service'), 'java -javaagent:opentelemetry-javaagent.jar -jar app.jar'].join('\n') },
    {
      id: 'go',
      language: 'Go',
      detail: 'otlptracehttp (for otlptracegrpc use the gRPC port)',
      text: [...httpLines('my-service'), ...(grpc === undefined ? [] : [`# with otlptracegrpc: OTEL_EXPORTER_OTLP_ENDPOINT=${grpc} OTEL_EXPORTER_OTLP_INSECURE=true`])].join('\n'),
    },
    { id: 'dotnet', language: '.NET', detail: 'OpenTelemetry.Exporter.OpenTelemetryProtocol, OTLP over gRPC (the default)', text: grpcOrHttp('my-service').join('\n') },
  ];
}
