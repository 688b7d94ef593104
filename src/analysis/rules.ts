/**
 * The finding rules (what each means: docs/architecture.md, "Findings"). A
 * module of its own, with no imports, so that what only names rules — the
 * query language in the ingest worker, `hopscope check --fail-on` — does not
 * bring the analysis with it.
 */

/** Every rule, in the order findings are listed; what `--fail-on` and `finding:` queries accept. */
export const RULES = ['deep-sync-chain', 'sync-non-critical', 'sequential-calls', 'n-plus-one', 'long-sync-call', 'retry-amplification', 'request-reply-over-messaging', 'cascading-failure'] as const;

export type Rule = (typeof RULES)[number];
