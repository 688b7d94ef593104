/**
 * The call sites as the editor shows them: resolved to workspace files, the
 * Problems they raise (one per finding at its call site, related locations
 * along the chain) and the hover, all without VS Code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallAtSite, CodePlace, SiteFinding } from '../../src/analysis/call-sites';
import { escapeMarkdown, hoverMarkdown, lineProblems, resolveLineCalls, sparkline, type FilePosition } from '../../src/extension/line-calls';
import type { PlaceCandidate } from '../../src/model/code-place';
import type { CallSitesView } from '../../src/ingest/worker-protocol';

const T = 'a'.repeat(32);
const span = (n: number) => n.toString(16).padStart(16, '0');

const finding = (rule: SiteFinding['rule'], spans: SiteFinding['spans'], message = `${rule} message`, extra: Partial<SiteFinding> = {}): SiteFinding =>
  ({ rule, severity: 'warning', spanIds: spans.map((s) => s.spanId), message, savingUs: 500_000, traceId: T, spans, inTraces: 3, typicalSavingUs: 500_000, typicalSavingShare: 0.7, ...extra });

const call = (callee: string, findings: SiteFinding[] = [], extra: Partial<CallAtSite> = {}): CallAtSite => ({
  callee, operation: `POST /${callee}`, mode: 'sync', count: 3, traces: 3, errors: 0, p50Us: 500_000, p95Us: 540_000, shareOfRequest: 0.7, rootName: 'POST /orders',
  worstFinding: findings[0], findings, slowest: [{ traceId: T, spanId: span(9), durationUs: 540_000 }], latest: { traceId: T, spanId: span(9) }, durationsUs: [480_000, 500_000, 540_000], ...extra,
});

//  Telemetry paths as a container writes them; the workspace has them under /ws.
//  A list resolves to its first candidate under /app (as SourceLocator.placeOf: the first inside the workspace).
const resolve = async (list: readonly PlaceCandidate[]): Promise<(FilePosition & { functionName?: string }) | undefined> => {
  const inside = list.find((c) => c.path.startsWith('/app/'));
  return inside && { file: `/ws/${inside.path.slice(5)}`, line: inside.line, ...(inside.functionName !== undefined && { functionName: inside.functionName }) };
};

/** A place as the telemetry names it: one list of one candidate, or (`then`) more lists to try after it. */
const at = (path: string, line: number, extra: { functionName?: string; then?: CodePlace } = {}): CodePlace =>
  ({ tries: [[{ path, line, from: 'attributes', ...(extra.functionName !== undefined && { functionName: extra.functionName }) }], ...(extra.then?.tries ?? [])] });

const view = (sites: CallSitesView['sites']): CallSitesView => ({ sites, traces: 3, computedAt: 1 });

describe('call sites in workspace files', () => {
  it('group lines by file, merge telemetry paths naming the same line, and leave out places outside the workspace', async () => {
    const outside: string[] = [];
    const files = await resolveLineCalls(view([
      { place: at('/app/orders.ts', 42, { functionName: 'placeOrder' }), calls: [call('email')] },
      { place: at('/app/orders.ts', 30), calls: [call('payments')] },
      { place: at('/app/./orders.ts'.replace('/./', '/'), 42), calls: [call('analytics', [], { p50Us: 900_000 })] },
      { place: at('/usr/lib/node/http.js', 1), calls: [call('x')] },
    ]), resolve, (place) => outside.push(place.tries[0]![0]!.path));
    assert.deepEqual([...files.keys()], ['/ws/orders.ts']);
    assert.deepEqual(outside, ['/usr/lib/node/http.js'], 'what was left out is said');
    const lines = files.get('/ws/orders.ts')!;
    assert.deepEqual(lines.map((l) => l.line), [30, 42]);
    assert.deepEqual(lines[1]!.calls.map((c) => c.callee), ['analytics', 'email'], 'the costliest call first');
    assert.equal(lines[1]!.functionName, 'placeOrder');
  });

  it('survive a resolver that throws', async () => {
    const files = await resolveLineCalls(view([{ place: at('/app/a.ts', 1), calls: [call('a')] }]), async () => {
      throw new Error('disk gone');
    });
    assert.equal(files.size, 0);
  });

  //  A helper's call tried at [lib/db.ts:10 (outside), routes.ts:12]: the worker lists it under both beginnings of
  //  its tries; the editor keeps the one whose last list is the first it places, as the trace view's Open does.
  it('put each call on the first of its place lists that is in the workspace, once', async () => {
    const outside: string[] = [];
    const helper = at('/usr/lib/db.ts', 10);
    const files = await resolveLineCalls(view([
      { place: helper, calls: [call('db')] },
      { place: at('/usr/lib/db.ts', 10, { then: at('/app/routes.ts', 12) }), calls: [call('db')] },
      { place: at('/app/orders.ts', 42), calls: [call('email')] },
      { place: at('/app/orders.ts', 42, { then: at('/app/routes.ts', 12) }), calls: [call('email')] },
    ]), resolve, (place) => outside.push(place.tries[0]![0]!.path));
    assert.deepEqual([...files].map(([file, lines]) => [file, lines.map((l) => [l.line, l.calls.map((c) => c.callee)])]), [
      ['/ws/routes.ts', [[12, ['db']]]],
      ['/ws/orders.ts', [[42, ['email']]]],
    ], 'the helper outside the workspace: on its caller\'s line; the email call on its own, not twice');
    assert.deepEqual(outside, [], 'a site whose calls are shown through a longer one is not said to be outside');
  });
});

describe('Problems from call sites', () => {
  const emailSpan = { spanId: span(1), label: 'orders → email POST /send', place: at('/app/orders.ts', 42) };
  const analyticsSpan = { spanId: span(2), label: 'orders → analytics POST /track', place: at('/app/orders.ts', 43) };

  it('put a per-call finding at each call it names, as a Warning, with the other calls as related locations', async () => {
    const syncNonCritical = finding('sync-non-critical', [emailSpan, analyticsSpan], 'orders waits for email and analytics');
    const files = await resolveLineCalls(view([
      { place: emailSpan.place, calls: [call('email', [syncNonCritical])] },
      { place: analyticsSpan.place, calls: [call('analytics', [syncNonCritical])] },
    ]), resolve);
    const problems = await lineProblems(files, resolve);
    assert.deepEqual(problems.map((p) => [p.line, p.rule, p.severity, p.spanId]), [[42, 'sync-non-critical', 'warning', span(1)], [43, 'sync-non-critical', 'warning', span(2)]]);
    assert.match(problems[0]!.message, /^orders waits for email and analytics \(in 3 of 3 traces that made this call recently\)$/);
    assert.deepEqual(problems[0]!.related, [{ file: '/ws/orders.ts', line: 43, message: 'orders → analytics POST /track' }]);
    assert.equal(problems[0]!.traceId, T);
  });

  it('put a chain finding once, at its first located span, the other hops related', async () => {
    const gatewayPlace = at('/app/gateway.ts', 12);
    const hops: SiteFinding['spans'] = [
      { spanId: span(3), label: 'gateway → orders POST /orders', place: gatewayPlace },
      { spanId: span(4), label: 'orders → payments POST /charge' },
      emailSpan,
    ];
    const deep = finding('deep-sync-chain', hops);
    const files = await resolveLineCalls(view([
      { place: gatewayPlace, calls: [call('orders', [deep])] },
      { place: emailSpan.place, calls: [call('email', [deep])] },
    ]), resolve);
    const problems = await lineProblems(files, resolve);
    assert.deepEqual(problems.map((p) => [p.file, p.line, p.rule]), [['/ws/gateway.ts', 12, 'deep-sync-chain']]);
    assert.deepEqual(problems[0]!.related.map((r) => [r.line, r.message]), [[42, 'orders → email POST /send']], 'a hop with no known place is not a location');
  });

  it('say each finding with its own severity, the one its hint is coloured by', async () => {
    const sequential = finding('sequential-calls', [emailSpan, analyticsSpan], 'm', { severity: 'info' });
    const files = await resolveLineCalls(view([
      { place: emailSpan.place, calls: [call('email', [sequential])] },
      { place: analyticsSpan.place, calls: [call('analytics', [sequential])] },
    ]), resolve);
    const problems = await lineProblems(files, resolve);
    assert.deepEqual(problems.map((p) => [p.line, p.severity, p.related.map((r) => r.line)]), [[42, 'info', [43]]], 'calls made one after another: once, at the first');
    const severityOf = async (f: SiteFinding) => (await lineProblems(await resolveLineCalls(view([{ place: emailSpan.place, calls: [call('email', [f])] }]), resolve), resolve)).map((p) => p.severity);
    // No rule is re-ranked here: an N+1 and a request-reply the analysis calls warnings are Warnings, as their hints are.
    assert.deepEqual(await severityOf(finding('n-plus-one', [emailSpan])), ['warning']);
    assert.deepEqual(await severityOf(finding('request-reply-over-messaging', [emailSpan], 'm', { savingUs: null, typicalSavingUs: null, typicalSavingShare: null })), ['warning']);
    assert.deepEqual(await severityOf(finding('long-sync-call', [emailSpan], 'm', { severity: 'info', savingUs: null, typicalSavingUs: null, typicalSavingShare: null })), ['info']);
    assert.deepEqual(await severityOf(finding('cascading-failure', [emailSpan], 'm', { severity: 'error', savingUs: null, typicalSavingUs: null, typicalSavingShare: null })), ['error'], 'a failure that reached the request');
  });

  it('raise a Warning only for a finding that held in enough traces and saves enough; a rare failure is Information with its count', async () => {
    const problemsOf = async (f: SiteFinding, traces = 3) => {
      const files = await resolveLineCalls(view([{ place: emailSpan.place, calls: [call('email', [f], { traces, count: traces })] }]), resolve);
      return (await lineProblems(files, resolve)).map((p) => [p.severity, p.message]);
    };
    assert.deepEqual(await problemsOf(finding('sync-non-critical', [emailSpan], 'saves 2 ms', { typicalSavingUs: 2_000, savingUs: 2_000, typicalSavingShare: 0.6 })), [], 'a 2 ms saving is not a problem');
    assert.deepEqual(await problemsOf(finding('sync-non-critical', [emailSpan], 'm', { inTraces: 1 }), 266), [], 'a saving seen in 1 of 266 traces is not one either');
    const cascade = finding('cascading-failure', [emailSpan], 'payments failed', { inTraces: 1, typicalSavingUs: null, typicalSavingShare: null, savingUs: null });
    assert.deepEqual(await problemsOf(cascade, 266), [['info', 'payments failed (in 1 of 266 traces that made this call recently)']]);
    assert.deepEqual(await problemsOf({ ...cascade, inTraces: 100 }, 266), [['warning', 'payments failed (in 100 of 266 traces that made this call recently)']]);
  });

  it('open the line\'s newest call when the finding\'s spans name no place on it', async () => {
    const elsewhere = finding('long-sync-call', [{ spanId: span(7), label: 'orders → email POST /send' }]);
    const latest = { traceId: 'c'.repeat(32), spanId: span(8) };
    const files = await resolveLineCalls(view([{ place: emailSpan.place, calls: [call('email', [elsewhere], { latest })] }]), resolve);
    const [problem] = await lineProblems(files, resolve);
    assert.deepEqual([problem!.traceId, problem!.spanId], [latest.traceId, latest.spanId], 'a span of the trace that is opened');
  });

  it('keep span data on one line in messages', async () => {
    const files = await resolveLineCalls(view([{ place: emailSpan.place, calls: [call('email', [finding('long-sync-call', [emailSpan], 'a\nb\u0000c')])] }]), resolve);
    assert.match((await lineProblems(files, resolve))[0]!.message, /^a b c \(/);
  });
});

describe('the hover over a line that made calls', () => {
  it('gives the numbers, a distribution and links that open the slowest and latest traces', () => {
    const markdown = hoverMarkdown({ file: '/ws/orders.ts', line: 42, calls: [call('email', [finding('sync-non-critical', [], 'orders waits for email')])] });
    assert.match(markdown, /3 calls · p50 500 ms · p95 540 ms/);
    assert.match(markdown, /Durations: 480 ms · 500 ms · 540 ms/, 'a few calls: each one');
    const many = hoverMarkdown({ file: '/ws/orders.ts', line: 42, calls: [call('email', [], { durationsUs: Array.from({ length: 20 }, (_, i) => 480_000 + i * 3_000) })] });
    assert.match(many, /`480 ms` `[▁-█ ]+` `537 ms`/, 'many: a histogram from the fastest to the slowest');
    const link = `command:hopscope.showSpan?${encodeURIComponent(JSON.stringify([T, span(9)]))}`;
    assert.ok(markdown.includes(`[540 ms](${link})`), markdown);
    assert.ok(markdown.includes(`[latest](${link})`));
    assert.match(markdown, /- orders waits for email/);
  });

  it('shows span data as text: no links, images, HTML or icons from names', () => {
    const evil = '[click](command:workbench.action.terminal.new) ![x](http://evil/x.png) <img src=x onerror=alert(1)> $(alert) *bold*';
    const markdown = hoverMarkdown({ file: '/ws/a.ts', line: 1, calls: [call(evil, [finding('long-sync-call', [], evil)], { operation: evil, rootName: evil })] });
    assert.ok(!/[^\\]\[click\]/.test(markdown), 'no link from span data');
    assert.ok(!markdown.includes('command:workbench'), markdown);
    assert.ok(!/[^\\]!\[x\]/.test(markdown));
    assert.ok(!/[^\\]<img/.test(markdown));
    assert.ok(!markdown.includes('$('));
    assert.equal(escapeMarkdown('a_b*c'), 'a\\_b\\*c');
  });

  it('draws a distribution with the slowest bucket at the right', () => {
    assert.equal(sparkline([1, 1, 1, 10], 4), '█  ▃');
    assert.equal(sparkline([]), '');
    assert.equal(sparkline([5, 5]), '█');
  });
});
