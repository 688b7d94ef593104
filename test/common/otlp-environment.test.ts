import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { otlpEnvironment } from '../../src/common/otlp-environment';

describe('the OTLP environment snippets', () => {
  const snippets = otlpEnvironment({ host: '127.0.0.1', httpPort: 5318, grpcPort: 5317 });
  const text = (id: string) => snippets.find((s) => s.id === id)!.text;

  it('give each language the port of the protocol its SDK uses by default', () => {
    for (const id of ['node', 'java', 'go']) assert.match(text(id), /^export OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/127\.0\.0\.1:5318$/m, id);
    for (const id of ['python', 'dotnet']) assert.match(text(id), /^export OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/127\.0\.0\.1:5317$/m, id);
    assert.deepEqual(snippets.map((s) => s.language), ['Node.js', 'Python', 'Java', 'Go', '.NET']);
  });

  it('fall back to HTTP when gRPC is off, and never suggest a wildcard address', () => {
    const off = otlpEnvironment({ host: '0.0.0.0', httpPort: 4318, grpcPort: undefined });
    for (const snippet of off) assert.doesNotMatch(snippet.text, /4317|0\.0\.0\.0/);
  });
});
