/**
 * The webview bundle's entry. It runs in the browser sandbox of a VS Code
 * webview: no Node, no `vscode` module, only `acquireVsCodeApi`. The body's
 * `data-view` says which view this panel is; the view announces `ready` and
 * the host answers with what to draw.
 */
import { connectHost } from './host';
import { mountServiceMap } from './service-map/service-map-view';
import { mountTraceView } from './trace-view';

const host = connectHost();
window.addEventListener('error', (event) => host.post({ type: 'log', level: 'error', message: `webview: ${event.message}` }));
window.addEventListener('unhandledrejection', (event) => host.post({ type: 'log', level: 'error', message: `webview: ${String(event.reason)}` }));
if (document.body.dataset.view === 'serviceMap') mountServiceMap(document.body, host);
else mountTraceView(document.body, host);
host.post({ type: 'ready' });
