/** The webview page: a strict CSP with a fresh nonce per render, and nothing from outside that can break out of an attribute. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newNonce, webviewHtml, type WebviewResources } from '../../src/extension/webview-html';

const resources: WebviewResources = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  script: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  styles: ['https://file+.vscode-resource.vscode-cdn.net/ext/dist/codicons/codicon.css', 'https://file+.vscode-resource.vscode-cdn.net/ext/media/webview.css'],
  title: 'Hopscope trace',
  kind: 'trace',
};

/** The page's CSP as directive → sources. */
function csp(html: string): Map<string, string[]> {
  const content = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
  assert.ok(content, 'the page has a CSP meta tag');
  const text = content.replace(/&#39;|&apos;/g, "'");
  return new Map(text.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name!, sources]));
}

const scriptNonce = (html: string) => /<script nonce="([^"]+)" src=/.exec(html)?.[1];

describe('the webview page', () => {
  it("allows nothing by default, and scripts only with this render's nonce", () => {
    const html = webviewHtml(resources, 'bm9uY2Vub25jZW5vbmNlbg==');
    const policy = csp(html);
    assert.deepEqual(policy.get('default-src'), ["'none'"]);
    assert.deepEqual(policy.get('script-src'), ["'nonce-bm9uY2Vub25jZW5vbmNlbg=='"]);
    assert.equal(scriptNonce(html), 'bm9uY2Vub25jZW5vbmNlbg==');
    assert.doesNotMatch(html, /unsafe-inline|unsafe-eval|unsafe-hashes|strict-dynamic/);
  });

  it('takes styles, fonts and images only from the extension, and workers and exported images only from blob:', () => {
    const policy = csp(webviewHtml(resources, 'n'));
    assert.deepEqual([...policy.keys()], ['default-src', 'script-src', 'style-src', 'font-src', 'img-src', 'worker-src']);
    assert.deepEqual(policy.get('style-src'), [resources.cspSource]);
    assert.deepEqual(policy.get('font-src'), [resources.cspSource]);
    assert.deepEqual(policy.get('img-src'), [resources.cspSource, 'blob:', 'data:']);
    assert.deepEqual(policy.get('worker-src'), ['blob:']);
  });

  it('uses a fresh nonce of 16 random bytes for every render', () => {
    const first = scriptNonce(webviewHtml(resources))!;
    const second = scriptNonce(webviewHtml(resources))!;
    assert.notEqual(first, second);
    for (const nonce of [first, second, newNonce()]) assert.equal(Buffer.from(nonce, 'base64').length, 16);
    assert.equal(new Set(Array.from({ length: 100 }, newNonce)).size, 100);
    assert.deepEqual(csp(webviewHtml(resources, first)).get('script-src'), [`'nonce-${first}'`]);
  });

  it('loads the one script and the stylesheets it was given, and says which view it is', () => {
    const html = webviewHtml({ ...resources, kind: 'serviceMap' }, 'n');
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.ok(html.includes(`<script nonce="n" src="${resources.script}"></script>`));
    for (const href of resources.styles) assert.ok(html.includes(`<link rel="stylesheet" href="${href}">`));
    assert.match(html, /<body data-view="serviceMap">/);
  });

  it('escapes what goes into attributes and the title, so that nothing breaks out', () => {
    const html = webviewHtml({ ...resources, title: '</title><script>alert(1)</script>', script: 'x" onload="alert(1)', styles: ['a"><script>b</script>'] }, 'n"><script>');
    assert.equal(html.match(/<script/g)?.length, 1, 'still only the one script element');
    assert.ok(html.includes('<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>'));
    assert.ok(html.includes('src="x&quot; onload=&quot;alert(1)"'));
    assert.ok(html.includes('href="a&quot;&gt;&lt;script&gt;b&lt;/script&gt;"'));
    assert.ok(html.includes('nonce="n&quot;&gt;&lt;script&gt;"'));
  });
});
