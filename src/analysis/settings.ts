/** Thresholds and name patterns of the findings; all of them are user settings. */
export interface AnalysisSettings {
  /** A blocking chain with more service hops than this is a `deep-sync-chain`. */
  maxSyncHops: number;
  /** A blocking call longer than this is a `long-sync-call`, µs. */
  longSyncCallUs: number;
  /** This many same-named sibling calls or more are an `n-plus-one`. */
  nPlusOneMin: number;
  /** Callee service or operation names (case-insensitive regular expressions) a caller need not wait for. */
  nonCriticalPatterns: string[];
  /** What publishing an event costs the caller in a what-if, µs. */
  publishCostUs: number;
}

export const DEFAULT_ANALYSIS_SETTINGS: AnalysisSettings = {
  maxSyncHops: 3,
  longSyncCallUs: 5_000_000,
  nPlusOneMin: 5,
  nonCriticalPatterns: ['e-?mail', 'notif', 'analytics', 'track', 'audit', 'metric', 'telemetry', 'webhook', 'sms', 'push', 'newsletter', 'recommend'],
  publishCostUs: 1000,
};
