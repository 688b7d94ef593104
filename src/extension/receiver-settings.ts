/**
 * The `hopscope.receiver.*`, `hopscope.store.*` and `hopscope.analysis.*`
 * settings turned into what the receiver starts with. Defaults and bounds are
 * package.json's (settings-contract.ts); each value is checked and a bad one
 * named, with the default used in its place.
 */
import { errorText } from '../common/errors';
import { join } from 'node:path';
import { DEFAULT_INGEST_CONFIG, DEFAULT_JOURNAL_LIMITS } from '../ingest/ingest-config';
import { originProblem } from '../ingest/origin-policy';
import type { ReceiverSettings } from '../ingest/receiver-controller';
import type { AnalysisSettings } from '../analysis/settings';
import { SettingsReader, type Read, type SettingGetter } from './settings-reader';

const MiB = 1024 * 1024;
const KiB = 1024;

/**
 * `dataDir` is where the journal may live (the extension's global storage); without it, or with
 * `hopscope.store.diskLimitMB` 0, traces are kept in memory only.
 */
export function readReceiverSettings(get: SettingGetter, dataDir?: string): Read<ReceiverSettings> {
  const read = new SettingsReader(get);
  const enabled = read.boolean('receiver.enabled');
  const host = read.string('receiver.host', 'an address such as 127.0.0.1', (text) => (/^[0-9A-Za-z.:[\]%-]+$/.test(text.trim()) ? text.trim().replace(/^\[(.*)\]$/, '$1') : undefined));
  const { httpPort, grpcPort } = readPorts(read);
  const maxSpans = read.number('store.maxSpans');
  const maxStoreBytes = read.number('store.maxMB') * MiB;
  const maxAttributeBytes = read.number('store.maxAttributeKB') * KiB;
  const maxInflightBytes = read.number('receiver.maxInflightMB') * MiB;
  // Browser origins besides the loopback ones, which stay allowed.
  const origins = read.stringList('receiver.allowedOrigins', 'a list of origins such as http://myapp.test:8080', originProblem, 'allowing only localhost, 127.0.0.1 and [::1]');
  const analysis = readAnalysis(read);
  const diskLimitBytes = read.number('store.diskLimitMB') * MiB;
  const retentionMs = read.number('store.retentionHours') * 3600_000;
  const journal = dataDir && diskLimitBytes > 0 ? { ...DEFAULT_JOURNAL_LIMITS, dir: join(dataDir, 'journal'), diskLimitBytes, retentionMs } : null;
  const config = {
    ...DEFAULT_INGEST_CONFIG,
    host,
    httpPort,
    grpcPort,
    maxSpans,
    maxStoreBytes,
    maxAttributeBytes,
    maxInflightBytes,
    allowedOrigins: [...DEFAULT_INGEST_CONFIG.allowedOrigins, ...origins],
    portHints: { http: 'the hopscope.receiver.httpPort setting', grpc: 'the hopscope.receiver.grpcPort setting' },
    program: 'vscode',
    analysis,
    journal,
  };
  return { value: { enabled, config }, problems: read.problems };
}

/** The two ports, which must differ (0, any free port, excepted): a clash moves gRPC to a default port. */
function readPorts(read: SettingsReader): { httpPort: number; grpcPort: number } {
  const httpPort = read.number('receiver.httpPort');
  let grpcPort = read.number('receiver.grpcPort');
  if (httpPort !== 0 && grpcPort === httpPort) {
    const [defaultHttp, defaultGrpc] = [read.defaultOf('receiver.httpPort'), read.defaultOf('receiver.grpcPort')] as [number, number];
    grpcPort = httpPort === defaultGrpc ? defaultHttp : defaultGrpc;
    read.report(`hopscope.receiver.httpPort and hopscope.receiver.grpcPort are both ${httpPort}; they must differ, so gRPC uses ${grpcPort}.`);
  }
  return { httpPort, grpcPort };
}

/** The findings' thresholds, in the analysis's units (µs where the settings say ms). */
function readAnalysis(read: SettingsReader): AnalysisSettings {
  return {
    maxSyncHops: read.number('analysis.maxSyncHops'),
    longSyncCallUs: read.number('analysis.longSyncCallMs') * 1000,
    nPlusOneMin: read.number('analysis.nPlusOneMin'),
    nonCriticalPatterns: read.stringList('analysis.nonCriticalPatterns', 'a list of regular expressions', regexProblem, 'using the defaults'),
    publishCostUs: read.number('analysis.publishCostMs') * 1000,
  };
}

function regexProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'i');
    return undefined;
  } catch (error) {
    return `${JSON.stringify(pattern)} is not a valid regular expression (${errorText(error)})`;
  }
}
