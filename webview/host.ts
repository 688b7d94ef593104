/**
 * The webview's side of the host connection: typed `postMessage`, incoming
 * messages, and the state VS Code keeps for a panel across reloads (the
 * serializer restores a panel from it).
 */
import type { HostToWebview, WebviewToHost } from '../src/protocol/messages';

/** What a panel remembers across a window reload. */
export interface PersistedState {
  kind: 'trace' | 'serviceMap';
  traceId?: string;
  selected?: string | null;
  /** Pan and zoom of the graph. */
  transform?: { x: number; y: number; k: number };
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Host {
  post(message: WebviewToHost): void;
  onMessage(listener: (message: HostToWebview) => void): void;
  state(): PersistedState | undefined;
  saveState(patch: Partial<PersistedState>): void;
}

export function connectHost(): Host {
  const api = acquireVsCodeApi();
  return {
    post: (message) => api.postMessage(message),
    onMessage: (listener) => window.addEventListener('message', (event: MessageEvent<HostToWebview>) => listener(event.data)),
    state: () => (api.getState() as PersistedState | undefined) ?? undefined,
    saveState: (patch) => api.setState({ ...((api.getState()) ?? { kind: document.body.dataset.view === 'serviceMap' ? 'serviceMap' : 'trace' }), ...patch }),
  };
}
