/**
 * The webview bundle's entry. It runs in the browser sandbox of a VS Code
 * webview: no Node, no `vscode` module, only `acquireVsCodeApi`. The trace
 * views arrive with the visualizer issue; this announces readiness.
 */
declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

const host = acquireVsCodeApi();
const status = document.createElement('p');
status.textContent = 'Hopscope is waiting for a trace…';
document.body.append(status);
host.postMessage({ type: 'ready' });
