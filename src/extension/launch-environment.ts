/**
 * What Hopscope adds to the environment of a process VS Code launches, so that
 * its OpenTelemetry SDK sends here without setup:
 *
 *   OTEL_EXPORTER_OTLP_ENDPOINT   this window's receiver (the port really bound, or the one it follows)
 *   OTEL_EXPORTER_OTLP_PROTOCOL   http/protobuf (the endpoint above is the HTTP port)
 *   OTEL_SERVICE_NAME             the launch configuration's name, when the user set none
 *   OTEL_RESOURCE_ATTRIBUTES      + hopscope.debug.session=<id>, appended to the user's
 *   NODE_OPTIONS                  + --import <dist/instrument.mjs>, for Node sessions (hopscope.debug.instrumentNode)
 *
 * Nothing the user set is overwritten: a variable already in the launch
 * configuration's `env` stays (the note says so), and one inherited from the
 * editor's own environment counts as set too. Pure: the caller applies it.
 */
import { pathToFileURL } from 'node:url';
import type { ReceiverPorts } from '../common/otlp-environment';
import { DEBUG_SESSION_ATTRIBUTE } from '../model/pause';

/** The debug types whose launches are Node processes (js-debug's, and the legacy names it also answers to). */
export const NODE_DEBUG_TYPES: ReadonlySet<string> = new Set(['node', 'pwa-node', 'node-terminal']);

/** Register modules and agents that already set up tracing when they are in NODE_OPTIONS. */
const TRACING_PRELOADS = [/@opentelemetry\//, /\bdd-trace\b/, /\bnewrelic\b/, /\belastic-apm-node\b/, /@splunk\/otel/, /@sentry\/node/, /\bhopscope\b.*instrument/];

export interface LaunchEnvironmentInput {
  /** The environment the configuration gives (`env`), as the user wrote it. */
  configured: Readonly<Record<string, string | null | undefined>>;
  /** The editor's own environment, which the launched process inherits. */
  inherited: Readonly<Record<string, string | undefined>>;
  ports: ReceiverPorts;
  /** The launch configuration's name: the service's name unless the user set one. */
  name: string;
  debugType: string;
  /** This launch's id, tagged on every span of the process. */
  session: string;
  /** `hopscope.debug.instrumentNode`, or `missing` when this install has no register module. */
  instrumentNode: 'auto' | 'off' | 'missing';
  /** The register module's path (dist/instrument.mjs, the ESM entry of dist/instrument.js). */
  instrumentPath: string;
}

export interface LaunchEnvironment {
  /** The variables to set, only those the user had not set. */
  set: Record<string, string>;
  /** One sentence per decision worth a log line (what was left alone, and why). */
  notes: string[];
}

export function launchEnvironment(input: LaunchEnvironmentInput): LaunchEnvironment {
  const { configured, inherited, ports } = input;
  const set: Record<string, string> = {};
  const notes: string[] = [];
  /** The value the process will see: the configuration's (null unsets it), else the inherited one. */
  const current = (key: string): string | undefined => (key in configured ? configured[key] ?? undefined : inherited[key]);
  const host = ports.host === '0.0.0.0' || ports.host === '::' ? '127.0.0.1' : ports.host.includes(':') ? `[${ports.host}]` : ports.host;

  const protocol = current('OTEL_EXPORTER_OTLP_PROTOCOL');
  const endpoint = current('OTEL_EXPORTER_OTLP_ENDPOINT') ?? current('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (endpoint !== undefined) notes.push(`kept the OTLP endpoint it sets (${endpoint})`);
  else if (protocol === 'grpc') {
    if (ports.grpcPort !== undefined) set.OTEL_EXPORTER_OTLP_ENDPOINT = `http://${host}:${ports.grpcPort}`;
    else notes.push('it asks for OTLP over gRPC, which this receiver has off (hopscope.receiver.grpcPort): no endpoint was added');
  } else {
    set.OTEL_EXPORTER_OTLP_ENDPOINT = `http://${host}:${ports.httpPort}`;
    if (protocol === undefined) set.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/protobuf';
  }

  if (current('OTEL_SERVICE_NAME') === undefined && !/(^|,)\s*service\.name=/.test(current('OTEL_RESOURCE_ATTRIBUTES') ?? '')) set.OTEL_SERVICE_NAME = serviceName(input.name);

  const attributes = current('OTEL_RESOURCE_ATTRIBUTES');
  const tag = `${DEBUG_SESSION_ATTRIBUTE}=${input.session}`;
  set.OTEL_RESOURCE_ATTRIBUTES = attributes === undefined || attributes.trim() === '' ? tag : `${attributes.replace(/,\s*$/, '')},${tag}`;

  if (NODE_DEBUG_TYPES.has(input.debugType)) {
    const nodeOptions = current('NODE_OPTIONS') ?? '';
    const preload = TRACING_PRELOADS.find((pattern) => pattern.test(nodeOptions));
    if (input.instrumentNode === 'off') notes.push('hopscope.debug.instrumentNode is off: only the environment was added');
    else if (input.instrumentNode === 'missing') notes.push(`Hopscope's register module is not in this install (${input.instrumentPath}): only the environment was added`);
    else if (preload) notes.push(`its NODE_OPTIONS already loads a tracer (${nodeOptions.trim()}): Hopscope's register module is not added`);
    else set.NODE_OPTIONS = `${nodeOptions.trim()} --import=${pathToFileURL(input.instrumentPath).href}`.trim();
  }
  return { set, notes };
}

/**
 * A service name from a launch configuration's name: "Launch payments" → `payments`; a name that is only
 * VS Code's default ("Launch Program") is kept as it is, lower-cased and dashed.
 */
export function serviceName(configurationName: string): string {
  const words = configurationName.replace(/^(launch|debug|run|start)\s+(?=\S+)/i, '').trim();
  const name = words.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return name === '' ? 'unknown_service' : name;
}
