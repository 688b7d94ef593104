/** An OTLP/HTTP receiver in this process on a free port, with its core, for receiver tests. */
import { apiHandler, PROGRAM_ID, type StatsDocument } from '../../src/ingest/api-routes';
import { EventStream } from '../../src/ingest/event-stream';
import { DEFAULT_INGEST_CONFIG, type IngestConfig } from '../../src/ingest/ingest-config';
import { IngestCore } from '../../src/ingest/ingest-core';
import { freshViews } from '../../src/ingest/fresh-views';
import { startHttpReceiver } from '../../src/ingest/http-receiver';
import type { DebugPause } from '../../src/model/pause';

export interface Harness {
  port: number;
  core: IngestCore;
  logs: string[];
  /** What POST /api/pauses recorded, in order. */
  pauses: DebugPause[];
  close(): Promise<void>;
}

export async function startHarness(overrides: Partial<IngestConfig> = {}, schedule?: (drain: () => void) => void): Promise<Harness> {
  const config: IngestConfig = { ...DEFAULT_INGEST_CONFIG, httpPort: 0, grpcEnabled: false, ...overrides };
  const core = new IngestCore(config, schedule);
  const events = new EventStream();
  const logs: string[] = [];
  const pauses: DebugPause[] = [];
  let port = 0;
  const stats = (): StatsDocument => ({ program: PROGRAM_ID, runner: 'test', version: '0.0.0', pid: process.pid, endpoints: { http: { host: config.host, port }, grpc: null }, ...core.stats() });
  const receiver = await startHttpReceiver(config, core, apiHandler(config, core, events, stats, freshViews(core.store), undefined, (given) => pauses.push(...given)), (level, message) => logs.push(`${level}: ${message}`));
  port = receiver.port;
  return {
    port,
    core,
    logs,
    pauses,
    close: async () => {
      events.close();
      await receiver.close();
    },
  };
}
