import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import ts from 'typescript';
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
    // Its contract is src/protocol's view types: not even the types of the analysis or the model.
    assert.equal(checkFile('webview/a.ts', "import type { Finding } from '../src/analysis/findings';").length, 1);
    assert.equal(checkFile('webview/a.ts', "import type { SpanRecord } from '../src/model/span';").length, 1);
    assert.equal(checkFile('webview/a.ts', "import type { TraceView } from '../src/views/trace-view';").length, 1);
    assert.equal(checkFile('webview/a.ts', "import { findings } from '../src/analysis/findings';").length, 1);
    assert.equal(checkFile('webview/a.ts', "import { activate } from '../src/extension/extension';").length, 1);
    assert.equal(checkFile('webview/a.ts', "import { formatDuration } from '../src/common/format';").length, 0);
  });

  it('keep src/protocol to itself: it imports no other layer, not even its types', () => {
    assert.equal(checkFile('src/protocol/x.ts', "import type { ViewNode } from './trace-view';").length, 0);
    assert.equal(checkFile('src/protocol/x.ts', "import type { SpanRecord } from '../model/span';").length, 1);
    assert.equal(checkFile('src/protocol/x.ts', "import { isTraceId } from '../model/ids';").length, 1);
    assert.equal(checkFile('src/protocol/x.ts', "import { errorText } from '../common/errors';").length, 1);
  });

  it('let src/views build on the analysis but on nothing of the platform, and keep the core below it', () => {
    assert.equal(checkFile('src/views/x.ts', "import { analyzeTree } from '../analysis/analyze-trace';").length, 0);
    assert.equal(checkFile('src/views/x.ts', "import { isTraceId } from '../model/ids';").length, 0);
    assert.equal(checkFile('src/views/x.ts', "import type { TraceView } from '../protocol/trace-view';").length, 0);
    assert.equal(checkFile('src/views/x.ts', "import { readFileSync } from 'node:fs';").length, 1);
    assert.equal(checkFile('src/views/x.ts', "import { TraceStore } from '../ingest/trace-store';").length, 1);
    assert.equal(checkFile('src/views/x.ts', "import { decodeOtlpJson } from '../wire/otlp-json';").length, 1);
    assert.equal(checkFile('src/analysis/x.ts', "import { toTraceView } from '../views/trace-view';").length, 1);
  });

  it('find nothing in src/protocol that runs: it holds types only', () => {
    for (const name of readdirSync('src/protocol')) {
      const source = readFileSync(`src/protocol/${name}`, 'utf8');
      const emitted = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, removeComments: true } }).outputText;
      assert.equal(emitted.replace(/export \{\};/, '').trim(), '', `src/protocol/${name} compiles to code`);
    }
  });
});
