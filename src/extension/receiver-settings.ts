/**
 * The `hopscope.receiver.*` and `hopscope.store.*` settings turned into what
 * the receiver starts with. Values come from hand-edited JSON, so each is
 * checked and a bad one is named, with the default used in its place.
 */
import { DEFAULT_INGEST_CONFIG } from '../ingest/ingest-config';
import type { ReceiverSettings } from '../ingest/receiver-controller';

export const SETTING_KEYS = ['receiver.enabled', 'receiver.host', 'receiver.httpPort', 'receiver.grpcPort', 'store.maxSpans'] as const;
type Key = (typeof SETTING_KEYS)[number];

export interface ReadSettings {
  settings: ReceiverSettings;
  /** One sentence per bad setting, naming it and saying what was used instead. */
  problems: string[];
}

/** `get` returns the configured value of `hopscope.<key>` (or undefined). */
export function readReceiverSettings(get: (key: Key) => unknown): ReadSettings {
  const problems: string[] = [];
  const port = (key: Key, fallback: number): number => {
    const value = get(key);
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535) return value;
    problems.push(`hopscope.${key} must be a whole number from 0 to 65535, not ${JSON.stringify(value)}; using ${fallback}`);
    return fallback;
  };
  const enabledValue = get('receiver.enabled');
  let enabled = true;
  if (typeof enabledValue === 'boolean') enabled = enabledValue;
  else if (enabledValue !== undefined) problems.push(`hopscope.receiver.enabled must be true or false, not ${JSON.stringify(enabledValue)}; using true`);

  const hostValue = get('receiver.host');
  let host = DEFAULT_INGEST_CONFIG.host;
  if (typeof hostValue === 'string' && /^[0-9A-Za-z.:[\]%-]+$/.test(hostValue.trim())) host = hostValue.trim().replace(/^\[(.*)\]$/, '$1');
  else if (hostValue !== undefined) problems.push(`hopscope.receiver.host must be an address such as 127.0.0.1, not ${JSON.stringify(hostValue)}; using ${host}`);

  const httpPort = port('receiver.httpPort', DEFAULT_INGEST_CONFIG.httpPort);
  let grpcPort = port('receiver.grpcPort', DEFAULT_INGEST_CONFIG.grpcPort);
  if (httpPort !== 0 && grpcPort === httpPort) {
    grpcPort = httpPort === DEFAULT_INGEST_CONFIG.grpcPort ? DEFAULT_INGEST_CONFIG.httpPort : DEFAULT_INGEST_CONFIG.grpcPort;
    problems.push(`hopscope.receiver.httpPort and hopscope.receiver.grpcPort are both ${httpPort}; they must differ, so gRPC uses ${grpcPort}`);
  }

  const maxSpansValue = get('store.maxSpans');
  let maxSpans = DEFAULT_INGEST_CONFIG.maxSpans;
  if (typeof maxSpansValue === 'number' && Number.isInteger(maxSpansValue) && maxSpansValue >= 1000 && maxSpansValue <= 5_000_000) maxSpans = maxSpansValue;
  else if (maxSpansValue !== undefined) problems.push(`hopscope.store.maxSpans must be a whole number from 1,000 to 5,000,000, not ${JSON.stringify(maxSpansValue)}; using ${maxSpans}`);

  return {
    settings: {
      enabled,
      config: {
        ...DEFAULT_INGEST_CONFIG,
        host,
        httpPort,
        grpcPort,
        maxSpans,
        portHints: { http: 'the hopscope.receiver.httpPort setting', grpc: 'the hopscope.receiver.grpcPort setting' },
        program: 'vscode',
      },
    },
    problems,
  };
}
