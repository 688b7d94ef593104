/**
 * Paths written in containers and build machines, found in a real workspace
 * on disk, and never anything outside it:
 *
 *   <root>/secret.txt                                          outside
 *   <root>/ws/services/orders/src/orders.ts
 *   <root>/ws/services/orders/src/util.ts
 *   <root>/ws/services/orders/src/link.ts  ──► ../secret.txt    (a link out)
 *   <root>/ws/services/billing/src/util.ts
 *   <root>/ws/services/billing/src/main/java/com/shop/billing/Invoice.java
 *   <root>/ws/tools/Invoice.java
 */
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { validatePathMappings } from '../../src/source/path-mappings';
import { PathResolver } from '../../src/source/resolve-path';
import { lines, tempWorkspace, type TempWorkspace } from './temp-workspace';

describe('resolving a path to a workspace file', () => {
  let ws: TempWorkspace;
  let listed: number;
  let resolver: (mappings?: { from: string; to: string }[]) => PathResolver;
  const label = async (r: PathResolver, path: string, suffixOnly = false) => {
    const found = await r.resolveFile(path, suffixOnly);
    return 'outside' in found ? `outside: ${found.text}` : found.label;
  };

  before(() => {
    ws = tempWorkspace({
      'secret.txt': 'outside the workspace\n',
      'ws/services/orders/src/orders.ts': lines(60),
      'ws/services/orders/src/util.ts': lines(5),
      'ws/services/orders/src/link.ts': { link: 'secret.txt' },
      'ws/services/billing/src/util.ts': lines(5),
      'ws/services/billing/src/main/java/com/shop/billing/Invoice.java': lines(50),
      'ws/tools/Invoice.java': lines(5),
    });
    listed = 0;
    resolver = (mappings = []) =>
      new PathResolver({
        folders: [ws.folder],
        mappings,
        listFiles: () => {
          listed++;
          return ws.files();
        },
      });
  });
  after(() => ws.dispose());

  it('takes an absolute path inside the workspace, a file: URL, and a path relative to the folder', async () => {
    const r = resolver();
    const file = ws.at('ws/services/orders/src/orders.ts');
    assert.deepEqual(await r.resolveFile(file), { file, label: 'services/orders/src/orders.ts' });
    assert.equal(await label(r, pathToFileURL(file).href), 'services/orders/src/orders.ts');
    assert.equal(await label(r, 'services/orders/src/orders.ts'), 'services/orders/src/orders.ts');
  });

  it('finds a container path by its longest path suffix: /app/src/orders.ts is services/orders/src/orders.ts', async () => {
    assert.equal(await label(resolver(), '/app/src/orders.ts'), 'services/orders/src/orders.ts');
  });

  it('gives no answer rather than a guess when two files share the longest suffix', async () => {
    // services/orders/src/util.ts and services/billing/src/util.ts: both 2 segments, both 4 deep.
    assert.equal(await label(resolver(), '/app/src/util.ts'), 'outside: /app/src/util.ts');
  });

  it('lets one more shared folder settle it, and the shallower file win a tie on the suffix', async () => {
    const r = resolver();
    assert.equal(await label(r, '/build/billing/src/util.ts'), 'services/billing/src/util.ts');
    assert.equal(await label(r, '/opt/Invoice.java'), 'tools/Invoice.java', 'one segment each: the shortest path');
  });

  it('finds a Java base name by suffix only, through its package folders', async () => {
    const r = resolver();
    assert.equal(await label(r, 'com/shop/billing/Invoice.java', true), 'services/billing/src/main/java/com/shop/billing/Invoice.java');
    assert.equal(await label(r, 'Invoice.java', true), 'tools/Invoice.java');
  });

  it('lists the workspace files once, however many paths it resolves', async () => {
    const before = listed;
    const r = resolver();
    for (const path of ['/a/src/orders.ts', '/b/src/orders.ts', '/c/util.ts', '/a/src/orders.ts']) await r.resolveFile(path);
    assert.equal(listed - before, 1);
  });

  it('survives a file list that fails: paths still resolve directly, suffixes do not', async () => {
    const r = new PathResolver({ folders: [ws.folder], listFiles: () => Promise.reject(new Error('findFiles was cancelled')) });
    assert.equal(await label(r, 'services/orders/src/orders.ts'), 'services/orders/src/orders.ts');
    assert.equal(await label(r, '/app/src/orders.ts'), 'outside: /app/src/orders.ts');
  });

  describe('with path mappings', () => {
    it('maps a container prefix to a workspace folder, before any suffix guess', async () => {
      const r = resolver([{ from: '/app', to: ws.at('ws/services/orders') }]);
      assert.equal(await label(r, '/app/src/util.ts'), 'services/orders/src/util.ts', 'the suffix alone is a tie');
    });

    it('uses the longest matching prefix, and only on whole segments', async () => {
      const r = resolver([
        { from: '/app', to: ws.at('ws/services/orders') },
        { from: '/app/billing/', to: ws.at('ws/services/billing') },
      ]);
      assert.equal(await label(r, '/app/billing/src/util.ts'), 'services/billing/src/util.ts');
      assert.equal(await label(r, '/application/src/util.ts'), 'outside: /application/src/util.ts');
    });

    it('takes Windows build paths with backslashes', async () => {
      const r = resolver([{ from: 'C:\\build\\orders', to: ws.at('ws/services/orders') }]);
      assert.equal(await label(r, 'C:\\build\\orders\\src\\util.ts'), 'services/orders/src/util.ts');
    });

    it('does not let a mapping climb out of its folder', async () => {
      const r = resolver([{ from: '/app', to: ws.at('ws/services/orders') }, { from: '/data', to: ws.root }]);
      assert.match(await label(r, '/app/../../../secret.txt'), /^outside/);
      assert.match(await label(r, '/data/secret.txt'), /^outside/, 'a mapping onto a folder outside the workspace');
    });

    it('keeps the good entries and names each bad one with what is wrong', () => {
      const { mappings, errors } = validatePathMappings([
        { from: '/app', to: '/ws/orders' },
        'nonsense',
        { from: '/app' },
        { from: '/app', to: 'orders' },
        { from: '/app', to: '${workspaceFolder}/orders' },
        { from: 'app', to: '/ws/orders' },
        { from: '', to: '/ws/orders' },
        { from: '/app', to: '/ws/\0orders' },
      ]);
      assert.deepEqual(mappings, [{ from: '/app', to: '/ws/orders' }]);
      assert.deepEqual(errors, [
        'hopscope.pathMappings entry 2: must be { "from": "<path prefix>", "to": "<local folder>" }.',
        'hopscope.pathMappings entry 3: "to" for "/app" must be a non-empty local folder path.',
        'hopscope.pathMappings entry 4: "to" "orders" must be absolute; start it with ${workspaceFolder}.',
        'hopscope.pathMappings entry 5: "to" "${workspaceFolder}/orders" has a variable that was not expanded (only ${workspaceFolder} and ${workspaceFolder:name} are).',
        'hopscope.pathMappings entry 6: "from" "app" must be an absolute path as the spans write it, such as "/app".',
        'hopscope.pathMappings entry 7: "from" must be a non-empty path prefix such as "/app".',
        'hopscope.pathMappings entry 8: "to" for "/app" must be a non-empty local folder path.',
      ]);
    });

    it('reads the settings object form too, naming a bad entry by its key', () => {
      const { mappings, errors } = validatePathMappings({ '/app': '/ws/orders', '/srv': 42 });
      assert.deepEqual(mappings, [{ from: '/app', to: '/ws/orders' }]);
      assert.deepEqual(errors, ['hopscope.pathMappings "/srv": "to" for "/srv" must be a non-empty local folder path.']);
      assert.deepEqual(validatePathMappings(undefined), { mappings: [], errors: [] });
      assert.match(validatePathMappings('/app=/ws').errors[0]!, /must be an object/);
    });
  });

  describe('refusing what is outside the workspace', () => {
    it('answers with text, never a file, for /etc/passwd, ../ escapes, a symlink out and an outside absolute path', async () => {
      const r = resolver();
      const cases = ['/etc/passwd', '../secret.txt', 'services/../../secret.txt', 'services/orders/src/link.ts', ws.at('ws/services/orders/src/link.ts'), ws.at('secret.txt')];
      for (const path of cases) assert.deepEqual(await r.resolveFile(path), { outside: true, text: path }, path);
    });

    it('offers nothing when there is no workspace folder', async () => {
      const r = new PathResolver({ folders: [], listFiles: () => ws.files() });
      assert.equal(await label(r, ws.at('ws/services/orders/src/orders.ts')), `outside: ${ws.at('ws/services/orders/src/orders.ts')}`);
    });

    it('does not take a folder for a file', async () => {
      assert.match(await label(resolver(), 'services/orders/src'), /^outside/);
    });
  });
});
