/**
 * The extension's entry point. For now it runs the ingest worker with the
 * receiver settings and logs what it does; the status bar, views and editor
 * features build on this (see the open issues).
 */
import * as vscode from 'vscode';
import { DEFAULT_INGEST_CONFIG, type IngestConfig } from '../ingest/ingest-config';
import { IngestWorker } from '../ingest/ingest-worker';

let worker: IngestWorker | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Hopscope', { log: true });
  context.subscriptions.push(log);
  const settings = vscode.workspace.getConfiguration('hopscope');
  const config: IngestConfig = {
    ...DEFAULT_INGEST_CONFIG,
    host: settings.get<string>('receiver.host', DEFAULT_INGEST_CONFIG.host),
    httpPort: settings.get<number>('receiver.httpPort', DEFAULT_INGEST_CONFIG.httpPort),
    grpcPort: settings.get<number>('receiver.grpcPort', DEFAULT_INGEST_CONFIG.grpcPort),
    portHints: { http: 'the hopscope.receiver.httpPort setting', grpc: 'the hopscope.receiver.grpcPort setting' },
    program: 'vscode',
  };
  worker = new IngestWorker(config, { runner: `${vscode.env.appName} window`, version: context.extension.packageJSON.version as string });
  worker.onLog(({ level, message }) => log[level](message));
  worker.ready.then(
    (endpoints) => log.info(`listening: OTLP/HTTP ${endpoints.http.host}:${endpoints.http.port}, OTLP/gRPC ${endpoints.grpc?.port ?? 'off'}`),
    (error: Error) => log.error(error.message),
  );
}

export async function deactivate(): Promise<void> {
  await worker?.stop();
  worker = undefined;
}
