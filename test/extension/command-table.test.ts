/**
 * The command table `activate` registers (src/extension/command-table.ts) and package.json's
 * `contributes.commands` name the same commands: a contributed command that nothing registers fails when
 * it is run ("command not found"), and a registered one that is not contributed has no title in the
 * Command Palette or a menu.
 */
import assert from 'node:assert/strict';
import Module from 'node:module';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type * as CommandTableModule from '../../src/extension/command-table';

interface Manifest {
  contributes: { commands: { command: string; title: string }[]; menus: Record<string, { command: string }[]> };
}

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;

/** The table's ids. Building the table touches `vscode` only inside its commands, so an empty stand-in is enough to load it. */
function registeredIds(): string[] {
  const loader = Module as unknown as { _resolveFilename: (this: unknown, request: string, ...rest: unknown[]) => string };
  const resolve = loader._resolveFilename;
  // A module that is only in the require cache: no file has this name.
  const stub = `${process.cwd()}/test/extension/vscode-stand-in.cjs`;
  require.cache[stub] = { id: stub, filename: stub, loaded: true, exports: {} } as NodeJS.Module;
  loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === 'vscode' ? stub : resolve.call(this, request, ...rest);
  };
  try {
    // Loaded here, not imported above: the stand-in must be in place first.
    const { commandTable } = require('../../src/extension/command-table') as typeof CommandTableModule;
    return Object.keys(commandTable({ views: {} } as Parameters<typeof commandTable>[0]));
  } finally {
    loader._resolveFilename = resolve;
  }
}

describe('the command table and package.json', () => {
  it('register every contributed command, and contribute every registered one, by the same id', () => {
    const registered = registeredIds();
    const contributed = manifest.contributes.commands.map((c) => c.command);
    assert.equal(new Set(registered).size, registered.length, 'no id twice in the table');
    assert.equal(new Set(contributed).size, contributed.length, 'no id twice in contributes.commands');
    assert.deepEqual(contributed.filter((id) => !registered.includes(id)), [], 'contributed but never registered');
    assert.deepEqual(registered.filter((id) => !contributed.includes(id)), [], 'registered but not contributed');
  });

  it('name in menus only commands the table registers', () => {
    const registered = new Set(registeredIds());
    const inMenus = Object.entries(manifest.contributes.menus).flatMap(([menu, items]) => items.map((item) => `${menu}: ${item.command}`));
    assert.deepEqual(inMenus.filter((entry) => !registered.has(entry.slice(entry.indexOf(': ') + 2))), []);
  });
});
