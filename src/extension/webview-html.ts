/**
 * The HTML of a Hopscope webview. No `vscode` import, so the test harness page
 * is built by the same function as the panels. Scripts run only with this
 * render's nonce; styles, fonts and images only from the extension's own
 * resource roots; the layout worker and PNG export use `blob:` URLs that the
 * webview makes itself.
 */
import { randomBytes } from 'node:crypto';

export type WebviewKind = 'trace' | 'serviceMap';

export interface WebviewResources {
  /** The webview's CSP source (`webview.cspSource`). */
  cspSource: string;
  /** URIs as the webview must load them (`webview.asWebviewUri`). */
  script: string;
  styles: string[];
  title: string;
  kind: WebviewKind;
}

/** A fresh nonce for every render: 128 random bits. */
export const newNonce = (): string => randomBytes(16).toString('base64');

export function webviewHtml(resources: WebviewResources, nonce = newNonce()): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${resources.cspSource}`,
    `font-src ${resources.cspSource}`,
    `img-src ${resources.cspSource} blob: data:`,
    'worker-src blob:',
  ].join('; ');
  const styles = resources.styles.map((href) => `  <link rel="stylesheet" href="${attr(href)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1">
${styles}
  <title>${attr(resources.title)}</title>
</head>
<body data-view="${resources.kind}">
  <script nonce="${attr(nonce)}" src="${attr(resources.script)}"></script>
</body>
</html>
`;
}

function attr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
