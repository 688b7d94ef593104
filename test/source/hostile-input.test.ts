/**
 * Spans come from the network. Whatever their code attributes and exception
 * events hold, the locator answers (or does not) without throwing, quickly,
 * and never with a file outside the workspace.
 */
import assert from 'node:assert/strict';
import { isAbsolute, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Attributes, AttrValue, SpanRecord } from '../../src/model/span';
import { SourceLocator } from '../../src/source/locator';
import { PathResolver } from '../../src/source/resolve-path';
import { exceptionEvent, lines, span, tempWorkspace, type TempWorkspace } from './temp-workspace';

const long = 'a/'.repeat(500_000);
const oddValues: AttrValue[] = [
  '',
  '\0',
  'src/orders.ts\0.png',
  long,
  `/app/${'x'.repeat(4090)}/orders.ts`,
  '../'.repeat(100) + 'etc/passwd',
  'file:///%00/etc/passwd',
  'file://host/share/orders.ts',
  'C:\\..\\..\\Windows\\win.ini',
  '\u202eorders.ts',
  ['src/orders.ts'],
  { path: 'src/orders.ts' },
  null,
  true,
  42,
  '42',
];
const oddLines: AttrValue[] = ['42', ' 42', '4.2', '-1', '0', '1e3', '0x2a', '99999999999', 'NaN', Number.NaN, Infinity, -5, 2 ** 53 + 1, '١٢', null, [42], {}];

describe('hostile spans', () => {
  let ws: TempWorkspace;
  let locator: SourceLocator;

  before(() => {
    ws = tempWorkspace({ 'secret.txt': 'outside\n', 'ws/src/orders.ts': lines(50), 'ws/src/link.ts': { link: 'secret.txt' } });
    locator = new SourceLocator([ws.folder], { listFiles: () => ws.files(), mappings: [{ from: '/app', to: ws.at('ws') }] });
  });
  after(() => ws.dispose());

  const assertInside = (file: string) => {
    const rel = relative(ws.at('ws'), file);
    assert.ok(!rel.startsWith('..') && !isAbsolute(rel), `${file} is outside the workspace`);
  };

  it('never throws on odd paths, lines, columns and names, and answers only with workspace files', async () => {
    const spans: SpanRecord[] = [];
    for (const path of oddValues) {
      for (const line of oddLines) {
        spans.push(span({ 'code.file.path': path, 'code.line.number': line, 'code.column.number': line, 'code.function.name': path, 'code.filepath': path, 'code.lineno': line, 'code.function': line }));
      }
    }
    const started = performance.now();
    const found = await locator.locateAll(spans);
    for (const location of found) {
      assertInside(location.file);
      assert.ok(Number.isInteger(location.line) && location.line >= 1 && location.line < 1e9, `line ${location.line}`);
    }
    // '42' as a path is not a file; only sane integer lines of sane paths could ever land.
    assert.deepEqual(found, []);
    assert.ok(performance.now() - started < 5000, 'hundreds of hostile spans in well under seconds');
  });

  it('reads lines written as strings of digits, and nothing else that merely looks numeric', async () => {
    const at = async (line: AttrValue) => (await locator.locate(span({ 'code.file.path': 'src/orders.ts', 'code.line.number': line })))?.line;
    assert.equal(await at('42'), 42);
    assert.equal(await at(' 42 '), 42);
    for (const line of ['4.2', '-1', '0', '1e3', '0x2a', '99999999999', 'NaN', Number.NaN, -5, 2 ** 53 + 1, '١٢']) assert.equal(await at(line), undefined, String(line));
  });

  it('takes huge, NUL-laden and non-string exception stacks and code.stacktrace in stride', async () => {
    const huge = 'Error\n' + '    at f (/app/src/orders.ts:1:1)\n'.repeat(200_000);
    const cases: Attributes[] = [
      { 'code.stacktrace': huge },
      { 'code.stacktrace': '\0'.repeat(100_000) },
      { 'code.stacktrace': 42 },
      { 'code.stacktrace': ['    at f (/app/src/orders.ts:1:1)'] },
    ];
    for (const attributes of cases) await assert.doesNotReject(locator.lookup(span(attributes)));
    const found = await locator.locate(span({ 'code.stacktrace': huge }));
    assert.equal(found?.label, 'src/orders.ts:1', 'the first frame of a huge stack still counts');
    const events = [
      exceptionEvent('\0at f (/app/src/orders.ts:1:1)'),
      { name: 'exception', timeUs: 0, attributes: { 'exception.stacktrace': { nested: true } }, droppedAttributesCount: 0 },
      ...Array.from({ length: 10_000 }, () => exceptionEvent(huge)),
    ];
    const started = performance.now();
    assert.equal((await locator.locate(span({}, { events })))?.from, 'exception');
    assert.ok(performance.now() - started < 2000, 'only the first exceptions are read');
  });

  it('survives spans whose shape is not what the model promises', async () => {
    const broken = [
      { ...span({}), attributes: undefined },
      { ...span({}), events: undefined },
      { ...span({}), events: [null, 42, { name: 'exception' }] },
    ] as unknown as SpanRecord[];
    assert.deepEqual(await locator.locateAll(broken), []);
  });

  it('shows an outside place as short, inert text', async () => {
    const resolver = new PathResolver({ folders: [ws.folder] });
    const found = await resolver.resolvePosition({ path: `/etc/\u202epasswd\u0007${'x'.repeat(1000)}`, line: 1 });
    assert.ok(found.outside);
    assert.ok(found.text.length <= 300, `${found.text.length} characters`);
    assert.doesNotMatch(found.text, /[\u0000-\u001f\u202e]/);
    assert.deepEqual(await resolver.resolveFile('src/link.ts'), { outside: true, text: 'src/link.ts' });
  });
});
