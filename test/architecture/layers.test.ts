import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkFile, checkTree } from '../../scripts/check-layers';

describe('layer boundaries (ARCHITECTURE.md)', () => {
  it('hold across src/ and webview/', () => {
    const violations = checkTree('.');
    assert.deepEqual(violations.map((v) => `${v.file}:${v.line} imports ${v.specifier}: ${v.rule}`), []);
  });

  it('catch vscode and node:* imports in the pure layers', () => {
    const found = checkFile('src/wire/x.ts', "import * as vscode from 'vscode';\nimport { readFileSync } from 'node:fs';\nimport fs = require('fs');\n");
    assert.deepEqual(found.map((v) => v.specifier), ['vscode', 'node:fs', 'fs']);
  });

  it('catch a require of vscode in the ingest layer but allow a type-only import', () => {
    assert.equal(checkFile('src/ingest/x.ts', "const v = require('vscode');").length, 1);
    assert.equal(checkFile('src/ingest/x.ts', "import type { Uri } from 'vscode';").length, 0);
  });

  it('catch the core reaching up into the editor layer through a relative path', () => {
    const found = checkFile('src/model/x.ts', "import { activate } from '../extension/extension';");
    assert.equal(found.length, 1);
    assert.match(found[0]!.rule, /src\/extension/);
  });

  it('let the webview import protocol types but not host code', () => {
    assert.equal(checkFile('webview/a.ts', "import type { HostMessage } from '../src/protocol/messages';").length, 0);
    assert.equal(checkFile('webview/a.ts', "import { encode } from '../src/protocol/messages';").length, 1);
    assert.equal(checkFile('webview/a.ts', "import { readFile } from 'node:fs/promises';").length, 1);
    assert.equal(checkFile('webview/a.ts', "import type { Finding } from '../src/analysis/findings';").length, 0);
    assert.equal(checkFile('webview/a.ts', "import { findings } from '../src/analysis/findings';").length, 1);
    assert.equal(checkFile('webview/a.ts', "import { activate } from '../src/extension/extension';").length, 1);
    assert.equal(checkFile('webview/a.ts', "import { formatDuration } from '../src/common/format';").length, 0);
  });
});
