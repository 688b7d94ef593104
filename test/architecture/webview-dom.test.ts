import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

/** Every TypeScript file under a folder. */
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

describe('the webview builds its DOM from text only (span data is untrusted)', () => {
  it('never parses markup: no innerHTML, outerHTML, insertAdjacentHTML, document.write, DOMParser or eval', () => {
    const markup = /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|new DOMParser|createContextualFragment|\beval\(|new Function\(/;
    const found = sources('webview').flatMap((file) =>
      readFileSync(file, 'utf8').split('\n').flatMap((line, i) => (markup.test(line) && !line.trim().startsWith('*') ? [`${file}:${i + 1}: ${line.trim()}`] : [])));
    assert.deepEqual(found, []);
  });

  it('would notice one', () => {
    assert.match('el.innerHTML = name;', /\.(innerHTML|outerHTML)\s*=/);
  });
});
