/**
 * Golden fixtures of the real stack: per scenario, test/fixtures/realstack/<scenario>/
 *   export.binpb  the ExportTraceServiceRequests the services sent while the
 *                 scenario ran, exactly as they were encoded (HTTP bodies and
 *                 gRPC messages), concatenated: protobuf concatenation of two
 *                 requests is one valid request holding both's resourceSpans,
 *                 so Hopscope's own loader (and any OTLP tool) reads the file
 *   truth.json    what the scenario really did (truth.ts), its trace ids, and
 *                 where each request sits in export.binpb
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTraceFile } from '../../src/cli/load-traces';
import type { SpanRecord } from '../../src/model/span';
import { decodeTracesProto } from '../../src/wire/otlp-proto-traces';
import type { Scenario } from './plan';
import { isScenario } from './plan';
import type { RecordedRequest } from './recorder';
import type { ScenarioRun } from './run';
import type { Truth } from './truth';

export const FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'realstack');

export interface FixtureTruth extends Truth {
  traces: { traceId: string; status: number }[];
  recorded: {
    at: string;
    node: string;
    packages: Record<string, string>;
    requests: { offset: number; length: number; transport: 'http' | 'grpc'; services: string[]; spans: number }[];
  };
}

const PACKAGES = [
  '@opentelemetry/sdk-node', '@opentelemetry/auto-instrumentations-node', '@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-undici',
  '@opentelemetry/instrumentation-express', '@opentelemetry/instrumentation-router', '@opentelemetry/instrumentation-pg', '@opentelemetry/instrumentation-ioredis',
  '@opentelemetry/instrumentation-amqplib', '@opentelemetry/instrumentation-net', 'express', 'pg', 'ioredis', 'amqplib',
];

function versionOf(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Writes each scenario's requests and truth; returns the bytes written per scenario. */
export function writeFixtures(dir: string, runs: ScenarioRun[], requests: RecordedRequest[]): Record<string, number> {
  const decoded = requests.map((request) => {
    const spans = decodeTracesProto(request.bytes).spans;
    return { request, traceIds: new Set(spans.map((s) => s.traceId)), services: [...new Set(spans.map((s) => s.service))].sort(), spans: spans.length };
  });
  const packages = Object.fromEntries(PACKAGES.map((name) => [name, versionOf(name)]));
  const sizes: Record<string, number> = {};
  for (const run of runs) {
    const ids = new Set(run.cases.map((c) => c.traceId));
    const chosen = decoded.filter((d) => [...d.traceIds].some((id) => ids.has(id)));
    let offset = 0;
    const index = chosen.map((d) => {
      const entry = { offset, length: d.request.bytes.length, transport: d.request.transport, services: d.services, spans: d.spans };
      offset += d.request.bytes.length;
      return entry;
    });
    const truth: FixtureTruth = {
      ...run.cases[0]!.truth,
      traces: run.orders.map((o) => ({ traceId: o.traceId, status: o.status })),
      recorded: { at: new Date().toISOString(), node: process.version, packages, requests: index },
    };
    const target = join(dir, run.scenario);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'export.binpb'), Buffer.concat(chosen.map((d) => d.request.bytes)));
    writeFileSync(join(target, 'truth.json'), `${JSON.stringify(truth, null, 2)}\n`);
    sizes[run.scenario] = offset;
  }
  return sizes;
}

export interface Fixture {
  scenario: Scenario;
  truth: FixtureTruth;
  /** Each recorded trace's spans, in truth.traces order. */
  traces: { traceId: string; spans: SpanRecord[] }[];
}

/** Reads every scenario directory with Hopscope's own trace-file loader. */
export async function loadFixtures(dir = FIXTURE_DIR): Promise<Fixture[]> {
  const out: Fixture[] = [];
  for (const scenario of readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
    if (!isScenario(scenario)) throw new Error(`${join(dir, scenario)}: not a scenario of plan.ts`);
    const truth = JSON.parse(readFileSync(join(dir, scenario, 'truth.json'), 'utf8')) as FixtureTruth;
    const file = await loadTraceFile(join(dir, scenario, 'export.binpb'));
    if (file.rejected > 0) throw new Error(`${scenario}/export.binpb: ${file.rejected} spans rejected: ${file.rejectReason}`);
    const traces = truth.traces.map(({ traceId }) => ({ traceId, spans: file.spans.filter((s) => s.traceId === traceId) }));
    out.push({ scenario, truth, traces });
  }
  return out;
}
