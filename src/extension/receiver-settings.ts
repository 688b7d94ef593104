/**
 * The `hopscope.receiver.*`, `hopscope.store.*` and `hopscope.analysis.*`
 * settings turned into what the receiver starts with. Values come from hand-edited JSON, so each is
 * checked and a bad one is named, with the default used in its place.
 */
import { DEFAULT_ANALYSIS_SETTINGS } from '../analysis/settings';
import { errorText } from '../common/errors';
import { DEFAULT_INGEST_CONFIG } from '../ingest/ingest-config';
import { originProblem } from '../ingest/origin-policy';
import type { ReceiverSettings } from '../ingest/receiver-controller';

export const SETTING_KEYS = [
  'receiver.enabled', 'receiver.host', 'receiver.httpPort', 'receiver.grpcPort', 'receiver.maxInflightMB', 'receiver.allowedOrigins', 'store.maxSpans', 'store.maxMB', 'store.maxAttributeKB',
  'analysis.maxSyncHops', 'analysis.longSyncCallMs', 'analysis.nPlusOneMin', 'analysis.nonCriticalPatterns', 'analysis.publishCostMs',
] as const;
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

  const integer = (key: Key, min: number, max: number, fallback: number): number => {
    const value = get(key);
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    problems.push(`hopscope.${key} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, not ${JSON.stringify(value)}; using ${fallback}`);
    return fallback;
  };
  const maxStoreBytes = integer('store.maxMB', 16, 16_384, DEFAULT_INGEST_CONFIG.maxStoreBytes / 1048576) * 1048576;
  const maxAttributeBytes = integer('store.maxAttributeKB', 1, 16_384, DEFAULT_INGEST_CONFIG.maxAttributeBytes / 1024) * 1024;
  const maxInflightBytes = integer('receiver.maxInflightMB', 1, 16_384, DEFAULT_INGEST_CONFIG.maxInflightBytes / 1048576) * 1048576;

  // Browser origins besides the loopback ones, which stay allowed.
  const allowedOrigins = [...DEFAULT_INGEST_CONFIG.allowedOrigins];
  const originsValue = get('receiver.allowedOrigins');
  if (originsValue !== undefined) {
    const bad = !Array.isArray(originsValue) ? 'it is not a list' : originsValue.map((o) => (typeof o !== 'string' ? `${JSON.stringify(o)} is not a string` : originProblem(o))).find((p) => p !== undefined);
    if (bad) problems.push(`hopscope.receiver.allowedOrigins must be a list of origins such as http://myapp.test:8080: ${bad}; allowing only localhost, 127.0.0.1 and [::1]`);
    else allowedOrigins.push(...(originsValue as string[]));
  }

  const whole = (key: Key, min: number, max: number, fallback: number): number => {
    const value = get(key);
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return value;
    problems.push(`hopscope.${key} must be a number from ${min} to ${max}, not ${JSON.stringify(value)}; using ${fallback}`);
    return fallback;
  };
  const defaults = DEFAULT_ANALYSIS_SETTINGS;
  let patterns = defaults.nonCriticalPatterns;
  const patternValue = get('analysis.nonCriticalPatterns');
  if (patternValue !== undefined) {
    const bad = !Array.isArray(patternValue) ? 'it is not a list' : patternValue.map((p) => (typeof p !== 'string' ? `${JSON.stringify(p)} is not a string` : regexProblem(p))).find((p) => p !== undefined);
    if (bad) problems.push(`hopscope.analysis.nonCriticalPatterns must be a list of regular expressions: ${bad}; using the defaults`);
    else patterns = patternValue as string[];
  }
  const analysis = {
    maxSyncHops: whole('analysis.maxSyncHops', 1, 100, defaults.maxSyncHops),
    longSyncCallUs: whole('analysis.longSyncCallMs', 1, 3_600_000, defaults.longSyncCallUs / 1000) * 1000,
    nPlusOneMin: whole('analysis.nPlusOneMin', 2, 10_000, defaults.nPlusOneMin),
    nonCriticalPatterns: patterns,
    publishCostUs: whole('analysis.publishCostMs', 0, 60_000, defaults.publishCostUs / 1000) * 1000,
  };

  return {
    settings: {
      enabled,
      config: {
        ...DEFAULT_INGEST_CONFIG,
        host,
        httpPort,
        grpcPort,
        maxSpans,
        maxStoreBytes,
        maxAttributeBytes,
        maxInflightBytes,
        allowedOrigins,
        portHints: { http: 'the hopscope.receiver.httpPort setting', grpc: 'the hopscope.receiver.grpcPort setting' },
        program: 'vscode',
        analysis,
      },
    },
    problems,
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
