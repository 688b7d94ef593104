/**
 * Zero set-up for what VS Code launches: every debug session's process gets
 * the environment that points its OpenTelemetry SDK here and tags its spans
 * with the session (launch-environment.ts), Node sessions also Hopscope's
 * register module; new terminals and tasks get the endpoint through the
 * extension's environment variable collection. Attach configurations get
 * nothing: their process is already running.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { Disposable } from '../common/emitter';
import type { ReceiverPorts } from '../common/otlp-environment';
import type { ReceiverController, ReceiverState } from '../ingest/receiver-controller';
import { launchEnvironment, NODE_DEBUG_TYPES } from './launch-environment';
import type { SettingsService } from './settings-service';

/** The launch configuration property that carries Hopscope's id for the session (debug adapters ignore it). */
export const SESSION_PROPERTY = '__hopscopeSession';

/** How long a launch waits for a receiver that is still starting (its port may be 0, "any free one", until it listens). */
const LISTEN_WAIT_MS = 5000;

export interface LaunchesDeps {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  settings: SettingsService;
  receiver: Pick<ReceiverController, 'state' | 'onState'>;
  /** Where services should send now (the receiver's, or the one this window follows). */
  endpoints(): ReceiverPorts;
}

export class Launches {
  private readonly instrumentPath: string;
  /** The terminal variables last set, to change the collection only when they change. */
  private terminalKey = '';

  constructor(private readonly deps: LaunchesDeps) {
    this.instrumentPath = deps.context.asAbsolutePath('dist/instrument.mjs');
  }

  listen(): Disposable[] {
    const provider: vscode.DebugConfigurationProvider = {
      resolveDebugConfigurationWithSubstitutedVariables: (_folder, configuration) => this.resolve(configuration),
    };
    this.updateTerminals();
    return [
      vscode.debug.registerDebugConfigurationProvider('*', provider),
      this.deps.receiver.onState(() => this.updateTerminals()),
    ];
  }

  /** The settings changed: terminals now; debug sessions read them when they start. */
  settingsChanged(): void {
    this.updateTerminals();
  }

  private async resolve(configuration: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration> {
    const { value: settings } = this.deps.settings.launches();
    // A child session js-debug starts for each process of a launch, or one already given its id, is left as it is.
    if (!settings.debugEnvironment || configuration[SESSION_PROPERTY] !== undefined || configuration.__pendingTargetId !== undefined || configuration.__parentId !== undefined) return configuration;
    const label = `debug session "${configuration.name}" (${configuration.type})`;
    if (configuration.request !== 'launch') {
      this.deps.log.info(`${label} attaches to a running process: Hopscope adds no environment to it (start that process with the OTLP environment — Hopscope: Copy OTLP Environment)`);
      return configuration;
    }
    await this.listening();
    const session = randomBytes(8).toString('hex');
    const cpp = Array.isArray(configuration.environment) && configuration.env === undefined;
    const configured = cpp ? Object.fromEntries((configuration.environment as { name: string; value: string }[]).map((e) => [e.name, e.value])) : ((configuration.env ?? {}) as Record<string, string | null>);
    const { set, notes } = launchEnvironment({
      configured,
      inherited: process.env,
      ports: this.deps.endpoints(),
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- typed a string, read from a launch.json
      name: String(configuration.name ?? ''),
      debugType: configuration.type,
      session,
      // A register module that is not there would stop Node from starting at all: then only the environment.
      instrumentNode: existsSync(this.instrumentPath) ? settings.debugInstrumentNode : 'missing',
      instrumentPath: this.instrumentPath,
    });
    const added = Object.keys(set);
    if (cpp) configuration.environment = [...(configuration.environment as { name: string; value: string }[]).filter((e) => !(e.name in set)), ...Object.entries(set).map(([name, value]) => ({ name, value }))];
    else configuration.env = { ...configured, ...set };
    configuration[SESSION_PROPERTY] = session;
    const node = NODE_DEBUG_TYPES.has(configuration.type) && 'NODE_OPTIONS' in set ? '; Node instrumented by Hopscope\'s register module' : '';
    this.deps.log.info(`${label}: added ${added.join(', ')} (session ${session})${node}${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`);
    return configuration;
  }

  /** Resolves once the receiver listens (or follows), or after LISTEN_WAIT_MS: a launch never waits long for it. */
  private listening(): Promise<void> {
    const settled = (state: ReceiverState) => state.kind !== 'starting';
    if (settled(this.deps.receiver.state)) return Promise.resolve();
    return new Promise((done) => {
      const timer = setTimeout(finish, LISTEN_WAIT_MS);
      const subscription = this.deps.receiver.onState((state) => settled(state) && finish());
      function finish() {
        clearTimeout(timer);
        subscription.dispose();
        done();
      }
    });
  }

  private updateTerminals(): void {
    const { value: settings } = this.deps.settings.launches();
    const collection = this.deps.context.environmentVariableCollection;
    const state = this.deps.receiver.state;
    const receiving = state.kind === 'listening' || state.kind === 'following';
    const variables: Record<string, string> = {};
    if (settings.terminalEnvironment && receiving) {
      const { set } = launchEnvironment({
        configured: {},
        inherited: {},
        ports: this.deps.endpoints(),
        name: '',
        debugType: settings.terminalInstrumentNode ? 'node' : 'terminal',
        session: 'terminal',
        instrumentNode: existsSync(this.instrumentPath) ? 'auto' : 'missing',
        instrumentPath: this.instrumentPath,
      });
      variables.OTEL_EXPORTER_OTLP_ENDPOINT = set.OTEL_EXPORTER_OTLP_ENDPOINT!;
      variables.OTEL_EXPORTER_OTLP_PROTOCOL = set.OTEL_EXPORTER_OTLP_PROTOCOL!;
      if (set.NODE_OPTIONS) variables.NODE_OPTIONS = set.NODE_OPTIONS;
    }
    const key = JSON.stringify(variables);
    if (key === this.terminalKey) return;
    this.terminalKey = key;
    collection.clear();
    for (const [name, value] of Object.entries(variables)) {
      // NODE_OPTIONS is added to the terminal's own; the endpoint and protocol are this window's receiver.
      if (name === 'NODE_OPTIONS') collection.append(name, ` ${value}`);
      else collection.replace(name, value);
    }
    // `description` came with VS Code 1.88: older editors show the collection without one.
    if ('description' in collection) {
      collection.description = Object.keys(variables).length === 0 ? undefined : new vscode.MarkdownString(`Hopscope: sends OpenTelemetry spans from this terminal to the receiver at \`${variables.OTEL_EXPORTER_OTLP_ENDPOINT}\` (setting \`hopscope.terminal.environment\`)`);
    }
  }
}
