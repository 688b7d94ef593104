/**
 * Source links for spans: only files that exist inside a workspace folder,
 * named relative to it; and the one place that turns OTel lines into editor lines.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Attributes } from '../../src/model/span';
import { editorLine } from '../../src/extension/positions';
import { codeAttributes, SourceLocator, type WorkspaceFolderPath } from '../../src/extension/source-locations';
import { sync } from '../support/shop-drawings';

const span = (attributes: Attributes, spanId = '00000000000000aa') => ({ ...sync.spans[0]!, spanId, attributes });

describe('source locations', () => {
  let root: string;
  let orders: WorkspaceFolderPath;
  let gateway: WorkspaceFolderPath;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'hopscope-sources-'));
    orders = { name: 'orders', path: join(root, 'orders') };
    gateway = { name: 'gateway', path: join(root, 'gateway') };
    mkdirSync(join(orders.path, 'src'), { recursive: true });
    mkdirSync(gateway.path);
    writeFileSync(join(orders.path, 'src', 'orders.ts'), 'export {};\n');
    writeFileSync(join(gateway.path, 'main.ts'), 'export {};\n');
    writeFileSync(join(root, 'secret.txt'), 'outside the workspace\n');
    symlinkSync(join(root, 'secret.txt'), join(orders.path, 'src', 'link.ts'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('links a path relative to a workspace folder, with its line', async () => {
    const found = await new SourceLocator([orders]).locate(span({ 'code.file.path': 'src/orders.ts', 'code.line.number': 42 }));
    assert.deepEqual(found, { spanId: '00000000000000aa', file: realpathSync(join(orders.path, 'src', 'orders.ts')), line: 42, label: 'src/orders.ts:42' });
  });

  it('links an absolute path inside a folder, and reads the pre-1.30 attribute names', async () => {
    const found = await new SourceLocator([orders]).locate(span({ 'code.filepath': join(orders.path, 'src', 'orders.ts'), 'code.lineno': '7' }));
    assert.equal(found?.label, 'src/orders.ts:7');
  });

  it('names the folder in a multi-root workspace, and finds a relative path in any folder', async () => {
    const locator = new SourceLocator([orders, gateway]);
    assert.equal((await locator.locate(span({ 'code.file.path': 'main.ts', 'code.line.number': 3 })))?.label, 'gateway/main.ts:3');
    assert.equal((await locator.locate(span({ 'code.file.path': 'src/orders.ts', 'code.line.number': 1 })))?.label, 'orders/src/orders.ts:1');
  });

  it('never offers a file outside the workspace: absolute, climbing out with .., or through a symbolic link', async () => {
    const locator = new SourceLocator([orders]);
    for (const path of [join(root, 'secret.txt'), '../secret.txt', 'src/../../secret.txt', 'src/link.ts', '/etc/passwd']) {
      assert.equal(await locator.locate(span({ 'code.file.path': path, 'code.line.number': 1 })), undefined, path);
    }
  });

  it('offers nothing for a file that does not exist, a folder, or a span without a usable line', async () => {
    const locator = new SourceLocator([orders]);
    const none: Attributes[] = [
      { 'code.file.path': 'src/missing.ts', 'code.line.number': 1 },
      { 'code.file.path': 'src', 'code.line.number': 1 },
      { 'code.file.path': 'src/orders.ts' },
      { 'code.file.path': 'src/orders.ts', 'code.line.number': 0 },
      { 'code.file.path': 'src/orders.ts', 'code.line.number': 2.5 },
      { 'code.file.path': 'src/orders.ts', 'code.line.number': 'forty' },
      { 'code.file.path': 'src/orders.ts\0.png', 'code.line.number': 1 },
      { 'code.line.number': 1 },
    ];
    for (const attributes of none) assert.equal(await locator.locate(span(attributes)), undefined, JSON.stringify(attributes));
    assert.equal(await new SourceLocator([]).locate(span({ 'code.file.path': 'src/orders.ts', 'code.line.number': 1 })), undefined, 'no workspace: no links');
  });

  it('links every span of a trace that has a location, in span order', async () => {
    const spans = [span({ 'code.file.path': 'src/orders.ts', 'code.line.number': 10 }, 'a'.repeat(16)), span({}, 'b'.repeat(16)), span({ 'code.file.path': 'src/orders.ts', 'code.line.number': 20 }, 'c'.repeat(16))];
    const found = await new SourceLocator([orders]).locateAll(spans);
    assert.deepEqual(found.map((l) => [l.spanId, l.label]), [['a'.repeat(16), 'src/orders.ts:10'], ['c'.repeat(16), 'src/orders.ts:20']]);
  });

  it('prefers the current attribute names over the old ones', () => {
    assert.deepEqual(codeAttributes(span({ 'code.file.path': 'new.ts', 'code.filepath': 'old.ts', 'code.line.number': 2, 'code.lineno': 9 })), { path: 'new.ts', line: 2 });
  });
});

describe('editor lines', () => {
  it('turns the 1-based OTel line into the 0-based editor line', () => {
    assert.equal(editorLine(1), 0);
    assert.equal(editorLine(42), 41);
    assert.equal(editorLine(0), 0, 'never before the first line');
  });
});
