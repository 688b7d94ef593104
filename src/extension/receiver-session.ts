/**
 * The receiver as this window shows it: started with the current settings
 * (unless the user stopped it), its state in the status bar, the Traces view
 * and the context keys, and a failure offered with its fixes.
 */
import * as vscode from 'vscode';
import type { Disposable } from '../common/emitter';
import type { ReceiverPorts } from '../common/otlp-environment';
import type { ReceiverController, ReceiverState } from '../ingest/receiver-controller';
import { pickPort } from './commands';
import type { SettingsService } from './settings-service';
import { settingsWarner } from './settings-warnings';
import type { ReceiverStatusBar } from './status-bar';
import type { TracesView } from './traces-view';

export interface ReceiverSessionDeps {
  receiver: ReceiverController;
  settings: SettingsService;
  log: vscode.LogOutputChannel;
  statusBar: ReceiverStatusBar;
  traces: TracesView;
}

export class ReceiverSession {
  private userStopped = false;
  private lastError = '';
  private readonly warnAboutSettings: (problems: readonly string[]) => void;

  constructor(private readonly deps: ReceiverSessionDeps) {
    this.warnAboutSettings = settingsWarner(deps.log, 'hopscope.');
  }

  /** The receiver's log, states and traces, shown; the subscriptions belong to the receiver's lifetime. */
  listen(): Disposable[] {
    const { receiver, log, statusBar, traces } = this.deps;
    return [
      receiver.onLog(({ level, message }) => log[level](message)),
      receiver.onState((state) => this.show(state)),
      receiver.onTraces((update) => {
        traces.apply(update);
        statusBar.setStats(update.stats);
      }),
    ];
  }

  /** Starts (or moves) the receiver with the settings as they are now; bad ones are warned about first. */
  async restart(): Promise<void> {
    const { value: current, problems } = this.deps.settings.receiver();
    this.warnAboutSettings(problems);
    if (this.userStopped) return;
    const started = performance.now();
    await this.deps.receiver.start(current);
    if (this.deps.receiver.state.kind === 'listening') this.deps.log.info(`receiver ready ${Math.round(performance.now() - started)} ms after it was asked to start`);
  }

  /** Hands the worker new analysis settings, after warning about bad ones. */
  reanalyse(): void {
    const { value: current, problems } = this.deps.settings.receiver();
    this.warnAboutSettings(problems);
    this.deps.log.info('analysis settings changed; analysing the traces again');
    this.deps.receiver.setAnalysisSettings(current.config.analysis);
  }

  start(): Promise<void> {
    this.userStopped = false;
    return this.restart();
  }

  stop(): Promise<void> {
    this.userStopped = true;
    this.deps.log.info('receiver stopped by the user');
    return this.deps.receiver.stop('stopped');
  }

  /** Where services should send: where the receiver listens, or where the settings say it will. */
  endpoints(): ReceiverPorts {
    const state = this.deps.receiver.state;
    if (state.kind === 'listening' || state.kind === 'following') return { host: state.endpoints.http.host, httpPort: state.endpoints.http.port, grpcPort: state.endpoints.grpc?.port };
    const { config } = this.deps.settings.receiver().value;
    return { host: config.host, httpPort: config.httpPort, grpcPort: config.grpcEnabled ? config.grpcPort : undefined };
  }

  /** Asks for another port for the one that failed (HTTP unless it was the gRPC port). */
  pickPort(): Promise<void> {
    const state = this.deps.receiver.state;
    const { config } = this.deps.settings.receiver().value;
    const which = state.kind === 'error' && state.port === config.grpcPort ? 'grpc' : 'http';
    return which === 'http' ? pickPort('http', config.httpPort, config.grpcPort) : pickPort('grpc', config.grpcPort, config.httpPort);
  }

  private show(state: ReceiverState): void {
    this.deps.statusBar.setState(state);
    this.deps.traces.setDescription(describe(state));
    void vscode.commands.executeCommand('setContext', 'hopscope.receiverState', state.kind);
    if (state.kind === 'listening' || state.kind === 'following') {
      const standard = state.endpoints.http.port === 4318 && (state.endpoints.grpc === null || state.endpoints.grpc.port === 4317);
      void vscode.commands.executeCommand('setContext', 'hopscope.defaultPorts', standard);
    }
    if (state.kind === 'error' && state.message !== this.lastError) void this.offerFixes(state);
    this.lastError = state.kind === 'error' ? state.message : '';
  }

  private async offerFixes(state: Extract<ReceiverState, { kind: 'error' }>): Promise<void> {
    const actions = state.port === undefined ? ['Retry', 'Show Log'] : ['Use Another Port…', 'Retry', 'Show Log'];
    const action = await vscode.window.showErrorMessage(`Hopscope: ${state.message}`, ...actions);
    if (action === 'Use Another Port…') await vscode.commands.executeCommand('hopscope.pickPort');
    else if (action === 'Retry') await vscode.commands.executeCommand('hopscope.startReceiver');
    else if (action === 'Show Log') this.deps.log.show(true);
  }
}

function describe(state: ReceiverState): string | undefined {
  switch (state.kind) {
    case 'following':
      return `shared with ${state.runner}`;
    case 'stopped':
      return 'receiver stopped';
    case 'error':
      return 'not receiving';
    default:
      return undefined;
  }
}
