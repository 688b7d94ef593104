/**
 * Whether the app already sets up tracing itself, so that the register module
 * stays out of its way (a second SDK would take the global tracer provider and
 * leave the app's own silently unregistered).
 *
 * Read from the nearest package.json above the entry script (else the working
 * directory): a dependency on an SDK or an agent means the app brings its own.
 * The API alone (`@opentelemetry/api`) does not: libraries depend on it, and
 * without an SDK it records nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Packages that set up tracing when an app depends on them. */
const TRACING_PACKAGES = [
  '@opentelemetry/sdk-node',
  '@opentelemetry/sdk-trace-node',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/sdk-trace',
  '@opentelemetry/auto-instrumentations-node',
  '@vercel/otel',
  '@splunk/otel',
  '@sentry/node',
  'dd-trace',
  'newrelic',
  'elastic-apm-node',
  'honeycomb-opentelemetry-node',
];

/** Folders climbed at most, looking for the app's package.json. */
const MAX_LEVELS = 12;

export interface OwnSdk {
  /** The package that sets up tracing. */
  dependency: string;
  /** The package.json that depends on it. */
  manifest: string;
}

/** The app's own tracing setup, if its package.json shows one. */
export function findOwnSdk(entry: string | undefined, cwd: string): OwnSdk | undefined {
  const start = entry ? dirname(resolve(cwd, entry)) : cwd;
  let folder = start;
  for (let level = 0; level < MAX_LEVELS; level++) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest)) {
      const dependency = tracingDependency(manifest);
      // The nearest package.json is the app's; one with no name is a `type` marker inside it, so keep climbing.
      if (dependency !== undefined) return { dependency, manifest };
      if (hasName(manifest)) return undefined;
    }
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  return undefined;
}

function readManifest(manifest: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const hasName = (manifest: string): boolean => typeof readManifest(manifest)?.name === 'string';

function tracingDependency(manifest: string): string | undefined {
  const json = readManifest(manifest);
  if (json === undefined) return undefined;
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    const deps = json[field];
    if (typeof deps !== 'object' || deps === null) continue;
    const found = TRACING_PACKAGES.find((name) => Object.hasOwn(deps, name));
    if (found !== undefined) return found;
  }
  return undefined;
}
