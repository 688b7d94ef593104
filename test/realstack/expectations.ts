/**
 * What a correct analysis must say about a trace of the real stack, checked
 * against the scenario's truth (truth.ts), not against what the analysis said
 * before. Shared by the live test (stack.test.ts) and the golden-fixture test
 * (golden.test.ts): each check is one `it` per scenario, run on every trace of
 * the scenario, and fails with the values it found.
 *
 * The spans are found by what the official instrumentations really record
 * (see test/fixtures/realstack/README.md): pg's `db.query.text`, undici's
 * `url.path`, node:http client spans that carry only `url.full`, amqplib's
 * producer and consumer kinds, the express and router instrumentations' scopes.
 */
import { describe, it } from 'node:test';
import { aggregate } from '../../src/analysis/aggregate';
import type { TraceAnalysis } from '../../src/analysis/analyze-trace';
import { buildTree } from '../../src/analysis/trace-tree';
import type { SpanRecord } from '../../src/model/span';
import type { Scenario } from './plan';
import type { Truth } from './truth';

export interface TraceCase {
  scenario: Scenario;
  traceId: string;
  spans: SpanRecord[];
  analysis: TraceAnalysis;
  truth: Truth;
}

/** The spans of one trace that the checks talk about. */
export interface Facts {
  byId: Map<string, SpanRecord>;
  root: SpanRecord;
  /** Every span's children, by parent span id. */
  children: Map<string, SpanRecord[]>;
  mode(span: SpanRecord): string | undefined;
  shopServer: SpanRecord | undefined;
  itemQueries: SpanRecord[];
  poolCheckouts: SpanRecord[];
  redisCalls: SpanRecord[];
  pricingCalls: { path: string; client: SpanRecord; server: SpanRecord | undefined }[];
  quoteCalls: { client: SpanRecord; server: SpanRecord | undefined }[];
  recommendCall: { client: SpanRecord; server: SpanRecord | undefined } | undefined;
  paymentsCall: { client: SpanRecord; server: SpanRecord | undefined } | undefined;
  notifyCall: { client: SpanRecord; server: SpanRecord | undefined } | undefined;
  producers: SpanRecord[];
  consumers: SpanRecord[];
  /** Spans made by the express and router instrumentations (middleware, router, request handler layers). */
  layers: SpanRecord[];
}

const SCOPE = '@opentelemetry/instrumentation-';
const scopeIs = (span: SpanRecord, name: string) => span.scope.name === `${SCOPE}${name}`;
const str = (value: unknown) => (typeof value === 'string' ? value : '');
/** The request path of an HTTP span: undici and server spans have url.path; node:http client spans only url.full. */
export function httpPath(span: SpanRecord): string {
  const a = span.attributes;
  const path = str(a['url.path']) || str(a['http.target']);
  if (path) return path.split('?')[0]!;
  const full = str(a['url.full']) || str(a['http.url']);
  if (!full) return '';
  try {
    return new URL(full).pathname;
  } catch {
    return '';
  }
}
const dbText = (span: SpanRecord) => str(span.attributes['db.query.text']) || str(span.attributes['db.statement']);
export const durationUs = (span: SpanRecord) => span.endUs - span.startUs;
const ms = (us: number) => `${(us / 1000).toFixed(3)} ms`;
/** "ends 0.5 ms after its parent", "ends 0.1 ms before its parent ends", with both starts. */
function relativeEnd(span: SpanRecord, parent: SpanRecord | undefined): string {
  if (!parent) return 'no parent';
  const late = span.endUs - parent.endUs;
  const ends = late > 0 ? `ends ${ms(late)} after its parent` : late < 0 ? `ends ${ms(-late)} before its parent ends` : 'ends with its parent';
  return `${ends}; starts ${ms(span.startUs - parent.startUs)} after it`;
}

export function factsOf(spans: SpanRecord[], analysis: TraceAnalysis): Facts {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const children = new Map<string, SpanRecord[]>();
  for (const span of spans) {
    const list = children.get(span.parentSpanId);
    if (list) list.push(span);
    else children.set(span.parentSpanId, [span]);
  }
  for (const list of children.values()) list.sort((a, b) => a.startUs - b.startUs || a.endUs - b.endUs);
  const modes = new Map(analysis.edges.map((e) => [e.childSpanId, e.mode]));
  const roots = spans.filter((s) => s.parentSpanId === '');
  const serverChild = (client: SpanRecord) => (children.get(client.spanId) ?? []).find((c) => c.kind === 'server' && c.service !== client.service);
  const call = (client: SpanRecord) => ({ client, server: serverChild(client) });
  const shopClients = spans.filter((s) => s.service === 'shop' && s.kind === 'client');
  const httpClients = shopClients.filter((s) => scopeIs(s, 'undici') || scopeIs(s, 'http'));
  const byPath = (path: string) => httpClients.filter((s) => httpPath(s) === path);
  const pricingPaths = ['/price', '/stock', '/tax', '/shipping', '/reviews'];
  const first = <T>(list: T[]) => list[0];
  return {
    byId,
    root: roots[0]!,
    children,
    mode: (span) => modes.get(span.spanId),
    shopServer: spans.find((s) => s.service === 'shop' && s.kind === 'server'),
    itemQueries: shopClients.filter((s) => scopeIs(s, 'pg') && dbText(s).includes('FROM items WHERE id = $1')),
    poolCheckouts: spans.filter((s) => scopeIs(s, 'pg') && s.name === 'pg-pool.connect'),
    redisCalls: shopClients.filter((s) => scopeIs(s, 'ioredis')),
    pricingCalls: pricingPaths.flatMap((path) => byPath(path).map((client) => ({ path, ...call(client) }))),
    quoteCalls: byPath('/quote').map(call),
    recommendCall: first(byPath('/recommend').map(call)),
    paymentsCall: first(byPath('/charge').map(call)),
    notifyCall: first(byPath('/notify-email').map(call)),
    producers: spans.filter((s) => s.kind === 'producer'),
    consumers: spans.filter((s) => s.kind === 'consumer'),
    layers: spans.filter((s) => scopeIs(s, 'express') || scopeIs(s, 'router')),
  };
}

/** A short, unambiguous name for a span in messages. */
export function describeSpan(span: SpanRecord | undefined, id = ''): string {
  if (!span) return `(no span ${id})`;
  const path = httpPath(span);
  const text = dbText(span);
  const what = path ? ` ${path}` : text ? ` ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)}` : '';
  return `${span.service} ${span.kind} "${span.name}"${what} (${span.spanId}, ${ms(durationUs(span))})`;
}

class Problems {
  readonly list: string[] = [];
  expect(ok: boolean, message: () => string): void {
    if (!ok) this.list.push(message());
  }
}

export interface Check {
  /** Reads as a sentence after the scenario's name. */
  name: string;
  scenarios: readonly Scenario[] | 'all';
  run(c: TraceCase, f: Facts, p: Problems): void;
}

const ALL = 'all' as const;
const SUCCEEDED: Scenario[] = ['sync', 'events', 'fallback', 'retry'];
const NOTIFIED_OVER_HTTP: Scenario[] = ['sync', 'fallback', 'retry'];

function spansOfFinding(c: TraceCase, f: Facts, rule: string) {
  return c.analysis.findings.filter((x) => x.rule === rule).map((finding) => ({ finding, spans: finding.spanIds.map((id) => f.byId.get(id)) }));
}

/**
 * Savings are bounded by durations, which the SDK measures exactly (performance.now()), but a
 * projection replays the calls at their start times, which are whole milliseconds (Date.now()): each
 * call it moves may be off by up to this much. Bounds allow it once per call involved, and the
 * messages name the exact bound too.
 */
export const START_RESOLUTION_US = 1000;

const sumButLongest = (spans: SpanRecord[]) => {
  const durations = spans.map(durationUs);
  return durations.reduce((a, b) => a + b, 0) - Math.max(0, ...durations);
};

/** The caller's own time just before `span`: since the sibling that ended last before it started (or the parent's start). */
function gapBefore(f: Facts, span: SpanRecord): number {
  const parent = f.byId.get(span.parentSpanId);
  let since = parent?.startUs ?? span.startUs;
  for (const sibling of f.children.get(span.parentSpanId) ?? []) {
    if (sibling !== span && sibling.endUs <= span.startUs && f.mode(sibling) !== 'async' && f.mode(sibling) !== 'fire-and-forget') since = Math.max(since, sibling.endUs);
  }
  return Math.max(0, span.startUs - since);
}

function onCriticalPath(c: TraceCase): Set<string> {
  return new Set(c.analysis.criticalPath.map((s) => s.spanId));
}

/** The span and everything under it. */
function subtree(f: Facts, span: SpanRecord): SpanRecord[] {
  const out: SpanRecord[] = [];
  const stack = [span];
  while (stack.length > 0) {
    const next = stack.pop()!;
    out.push(next);
    stack.push(...(f.children.get(next.spanId) ?? []));
  }
  return out;
}

export const CHECKS: Check[] = [
  {
    name: 'the trace is whole: one root, the edge server span, with spans from exactly the services that took part',
    scenarios: ALL,
    run: (c, f, p) => {
      const roots = c.spans.filter((s) => s.parentSpanId === '');
      p.expect(roots.length === 1 && roots[0]!.service === c.truth.rootService && roots[0]!.kind === 'server', () => `roots: ${roots.map((r) => describeSpan(r)).join(', ')}`);
      const services = [...new Set(c.spans.map((s) => s.service))].sort();
      p.expect(JSON.stringify(services) === JSON.stringify(c.truth.services), () => `services ${services.join(', ')}; truth ${c.truth.services.join(', ')}`);
      p.expect(c.analysis.rootSpanId === f.root.spanId, () => `the analysis took ${describeSpan(f.byId.get(c.analysis.rootSpanId), c.analysis.rootSpanId)} for the root`);
    },
  },
  {
    name: 'has no repairs: no clock-skew shift on one host, nothing missing',
    scenarios: ALL,
    run: (c, f, p) => {
      const hosts = new Set(c.spans.map((s) => str(s.resource.attributes['host.id']) || str(s.resource.attributes['host.name'])));
      p.expect(hosts.size === c.truth.hosts, () => `spans name ${hosts.size} hosts (${[...hosts].join(', ')}), truth ${c.truth.hosts}`);
      const repairs = c.analysis.repairs.map((r) => `${r.kind} on ${describeSpan(f.byId.get(r.spanId), r.spanId)}${'shiftUs' in r ? ` by ${ms(r.shiftUs)}` : ''}`);
      p.expect(repairs.length === 0, () => `${repairs.length} repairs: ${repairs.slice(0, 6).join('; ')}${repairs.length > 6 ? '; …' : ''}`);
    },
  },
  {
    name: 'calls shop awaited one after another are sync, none parallel',
    scenarios: ALL,
    run: (_c, f, p) => {
      // By construction (services/shop.ts): every one of these is awaited before the next starts.
      const awaited = [...f.poolCheckouts.filter((s) => s.service === 'shop'), ...f.itemQueries, ...f.redisCalls, ...f.pricingCalls.map((x) => x.client), ...f.quoteCalls.map((x) => x.client)];
      for (const x of [f.recommendCall, f.paymentsCall, f.notifyCall]) if (x) awaited.push(x.client);
      const wrong = awaited.filter((s) => f.mode(s) !== 'sync');
      p.expect(wrong.length === 0, () => `${wrong.length} of ${awaited.length} awaited calls are not sync: ${wrong.map((s) => `${describeSpan(s)} is ${f.mode(s)}`).join('; ')}`);
    },
  },
  {
    name: 'nothing ran in parallel, so no edge is parallel (tcp.connect plumbing aside)',
    scenarios: ALL,
    run: (c, f, p) => {
      // By construction every service awaits each call before the next: no two sibling calls overlap in
      // wall-clock time. Only the net instrumentation's tcp.connect spans overlap the request they connect for.
      const wrong = c.spans.filter((s) => f.mode(s) === 'parallel' && !scopeIs(s, 'net'));
      p.expect(wrong.length === 0, () => `${wrong.length} parallel edges: ${wrong.slice(0, 8).map((s) => describeSpan(s)).join('; ')}${wrong.length > 8 ? '; …' : ''}`);
    },
  },
  {
    name: 'express and router layer spans are sync, never fire-and-forget',
    scenarios: ALL,
    run: (_c, f, p) => {
      const wrong = f.layers.filter((s) => f.mode(s) !== 'sync');
      p.expect(wrong.length === 0, () => `${wrong.length} of ${f.layers.length} layer spans are not sync: ${wrong.slice(0, 6).map((s) => `${describeSpan(s)} is ${f.mode(s)} (${relativeEnd(s, f.byId.get(s.parentSpanId))})`).join('; ')}`);
    },
  },
  {
    name: 'the critical path tiles the root and never enters a consumer',
    scenarios: ALL,
    run: (c, f, p) => {
      const path = c.analysis.criticalPath;
      p.expect(path.length > 0 && path[0]!.startUs === f.root.startUs && path[path.length - 1]!.endUs === f.root.endUs, () => `the path runs ${path[0]?.startUs}–${path[path.length - 1]?.endUs}, the root ${f.root.startUs}–${f.root.endUs}`);
      const gaps = path.slice(1).filter((s, i) => s.startUs !== path[i]!.endUs);
      p.expect(gaps.length === 0, () => `${gaps.length} segments do not start where the previous ended`);
      const behindQueue = new Set(f.consumers.flatMap((consumer) => subtree(f, consumer).map((s) => s.spanId)));
      const entered = path.filter((s) => behindQueue.has(s.spanId));
      p.expect(entered.length === 0, () => `the path enters ${entered.map((s) => describeSpan(f.byId.get(s.spanId))).join(', ')}`);
    },
  },
  {
    name: 'the critical path runs through shop, pricing, payments and the synchronous notify call',
    scenarios: ALL,
    run: (c, f, p) => {
      const services = new Set(c.analysis.criticalPath.map((s) => f.byId.get(s.spanId)?.service));
      const want = ['edge', 'shop', 'pricing'];
      if (c.truth.payments.behaviour !== 'slow') want.push('payments');
      if (c.truth.notify.via === 'http') want.push('notify');
      const missing = want.filter((s) => !services.has(s));
      p.expect(missing.length === 0, () => `the critical path misses ${missing.join(', ')}; it runs through ${[...services].join(', ')}`);
      if (c.truth.notify.via === 'queue') p.expect(!services.has('notify') && !services.has('warehouse'), () => `the critical path runs through the consumers: ${[...services].join(', ')}`);
      if (c.truth.timeout && f.paymentsCall) {
        const onPath = onCriticalPath(c);
        p.expect(onPath.has(f.paymentsCall.client.spanId), () => `shop's timed-out call to payments, ${describeSpan(f.paymentsCall!.client)}, is not on the critical path`);
      }
    },
  },
  {
    name: 'reports exactly one n-plus-one, the item SELECTs (not the pool checkouts), saving at most sum − max of them',
    scenarios: ALL,
    run: (c, f, p) => {
      const nPlusOne = spansOfFinding(c, f, 'n-plus-one');
      const queries = f.itemQueries;
      p.expect(queries.length === c.truth.nPlusOne.count, () => `found ${queries.length} item SELECT spans, truth ${c.truth.nPlusOne.count}`);
      const slow = queries.filter((q) => durationUs(q) < c.truth.nPlusOne.minQueryMs * 1000);
      p.expect(slow.length === 0, () => `item SELECTs shorter than pg_sleep's ${c.truth.nPlusOne.minQueryMs} ms: ${slow.map((s) => describeSpan(s)).join(', ')}`);
      p.expect(nPlusOne.length === 1, () => `${nPlusOne.length} n-plus-one findings: ${nPlusOne.map((x) => `[${x.spans.map((s) => describeSpan(s)).join(', ')}]`).join(' ') || 'none'}`);
      const found = nPlusOne[0];
      if (!found) return;
      const want = new Set(queries.map((q) => q.spanId));
      const extra = found.spans.filter((s) => !s || !want.has(s.spanId));
      const missing = queries.filter((q) => !found.finding.spanIds.includes(q.spanId));
      p.expect(extra.length === 0 && missing.length === 0, () => `its spans are not the ${queries.length} SELECTs: extra ${extra.map((s) => describeSpan(s)).join(', ') || 'none'}; missing ${missing.map((s) => describeSpan(s)).join(', ') || 'none'}`);
      const bound = sumButLongest(queries);
      const slack = queries.length * START_RESOLUTION_US;
      const saving = found.finding.savingUs;
      p.expect(saving !== null && saving > 0 && saving <= bound + slack, () => `savingUs ${saving} (${saving === null ? 'none' : ms(saving)}) is not in (0, ${bound} + ${slack}] µs: sum − max of the SELECTs, plus 1 ms of start resolution per SELECT`);
    },
  },
  {
    name: 'does not take the five distinct pricing calls for an N+1 or a retry',
    scenarios: ALL,
    run: (c, f, p) => {
      const ids = new Set(f.pricingCalls.flatMap((x) => [x.client.spanId, x.server?.spanId ?? '']));
      p.expect(f.pricingCalls.length === c.truth.sequentialPricing.calls.length, () => `found ${f.pricingCalls.length} pricing calls, truth ${c.truth.sequentialPricing.calls.length}`);
      const inNPlusOne = c.analysis.findings.filter((x) => x.rule === 'n-plus-one' && x.spanIds.some((id) => ids.has(id)));
      p.expect(inNPlusOne.length === 0, () => `n-plus-one names pricing calls: ${inNPlusOne.map((x) => x.message).join(' | ')}`);
      const inRetries = c.analysis.retries.filter((r) => r.spanIds.some((id) => ids.has(id)));
      p.expect(inRetries.length === 0, () => `retries of the pricing calls: ${inRetries.map((r) => r.spanIds.map((id) => describeSpan(f.byId.get(id), id)).join(', ')).join(' | ')}`);
      const amplified = c.analysis.findings.filter((x) => x.rule === 'retry-amplification' && x.spanIds.some((id) => ids.has(id)));
      p.expect(amplified.length === 0, () => `retry-amplification names pricing calls: ${amplified.map((x) => x.message).join(' | ')}`);
    },
  },
  {
    name: 'sequential-calls findings save at most the sum of all but the longest of their calls',
    scenarios: ALL,
    run: (c, f, p) => {
      for (const { finding, spans } of spansOfFinding(c, f, 'sequential-calls')) {
        const known = spans.filter((s): s is SpanRecord => s !== undefined);
        const bound = sumButLongest(known);
        const slack = known.length * START_RESOLUTION_US;
        p.expect(finding.savingUs !== null && finding.savingUs >= 0 && finding.savingUs <= bound + slack, () => `savingUs ${finding.savingUs} > ${bound} + ${slack} µs (sum − max of ${known.length} calls, plus 1 ms of start resolution each) in "${finding.message}"`);
      }
    },
  },
  {
    name: 'names the synchronous notify call sync-non-critical, saving more than 0 and at most its duration',
    scenarios: NOTIFIED_OVER_HTTP,
    run: (c, f, p) => {
      const call = f.notifyCall;
      p.expect(call !== undefined, () => 'no shop client span to /notify-email');
      if (!call) return;
      const found = spansOfFinding(c, f, 'sync-non-critical').filter((x) => x.finding.spanIds.includes(call.client.spanId) || (call.server !== undefined && x.finding.spanIds.includes(call.server.spanId)));
      p.expect(found.length === 1, () => `${found.length} sync-non-critical findings name ${describeSpan(call.client)}; all: ${c.analysis.findings.filter((x) => x.rule === 'sync-non-critical').map((x) => x.message).join(' | ') || 'none'}`);
      const saving = found[0]?.finding.savingUs;
      if (found[0]) p.expect(saving !== null && saving !== undefined && saving > 0 && saving <= durationUs(call.client), () => `savingUs ${saving} is not in (0, ${durationUs(call.client)}] µs, the notify call's duration`);
    },
  },
  {
    name: 'every sync-non-critical finding saves at most the duration of the calls it names',
    scenarios: ALL,
    run: (c, f, p) => {
      for (const { finding, spans } of spansOfFinding(c, f, 'sync-non-critical')) {
        const calls = spans.filter((s): s is SpanRecord => s !== undefined && s.kind !== 'server');
        const bound = calls.reduce((sum, s) => sum + durationUs(s), 0);
        const slack = calls.length * START_RESOLUTION_US;
        p.expect(finding.savingUs === null || finding.savingUs <= bound + slack, () => `savingUs ${finding.savingUs} > ${bound} + ${slack} µs (the calls' durations, plus 1 ms of start resolution each) in "${finding.message}"`);
      }
    },
  },
  {
    name: 'has no sync-non-critical finding when notify consumes from the queue',
    scenarios: ['events'],
    run: (c, _f, p) => {
      const found = c.analysis.findings.filter((x) => x.rule === 'sync-non-critical');
      p.expect(found.length === 0, () => `found: ${found.map((x) => x.message).join(' | ')}`);
    },
  },
  {
    name: 'consumes order.placed asynchronously: consumer edges are async, with a queue time of 0 or more',
    scenarios: SUCCEEDED,
    run: (c, f, p) => {
      const want = c.truth.published!.consumers;
      const services = f.consumers.map((s) => s.service).sort();
      p.expect(JSON.stringify(services) === JSON.stringify([...want].sort()), () => `consumer spans in ${services.join(', ') || 'no service'}; truth ${want.join(', ')}`);
      p.expect(f.producers.length === 1 && f.producers[0]!.service === 'shop', () => `producers: ${f.producers.map((s) => describeSpan(s)).join(', ') || 'none'}`);
      const edges = new Map(c.analysis.edges.map((e) => [e.childSpanId, e]));
      for (const consumer of f.consumers) {
        const edge = edges.get(consumer.spanId);
        p.expect(edge?.mode === 'async', () => `${describeSpan(consumer)} is ${edge?.mode ?? 'not an edge'}`);
        p.expect(edge?.queueUs !== undefined && edge.queueUs >= 0 && edge.queueUs < 5_000_000, () => `${describeSpan(consumer)} has queueUs ${edge?.queueUs}`);
      }
    },
  },
  {
    name: 'traces the failure to payments and up to the root',
    scenarios: ['failure'],
    run: (c, f, p) => {
      const reaching = c.analysis.failures.filter((x) => x.propagatedSpanIds.includes(f.root.spanId));
      p.expect(reaching.length === 1, () => `${reaching.length} cascades reach the root; all: ${c.analysis.failures.map((x) => `origin ${describeSpan(f.byId.get(x.originSpanId), x.originSpanId)}`).join(', ') || 'none'}`);
      const cascade = reaching[0];
      if (!cascade) return;
      const origin = f.byId.get(cascade.originSpanId);
      p.expect(origin?.service === c.truth.cascade!.originService, () => `the cascade starts at ${describeSpan(origin, cascade.originSpanId)}, truth: in ${c.truth.cascade!.originService}`);
      p.expect(cascade.containedBySpanId === null, () => `contained by ${describeSpan(f.byId.get(cascade.containedBySpanId!), cascade.containedBySpanId!)}`);
      for (const service of ['payments', 'shop', 'edge']) p.expect(cascade.services.includes(service), () => `the cascade's services ${cascade.services.join(', ')} lack ${service}`);
    },
  },
  {
    name: 'finds the timeout: shop gave up on payments, which worked on for about 1.25 s',
    scenarios: ['timeout'],
    run: (c, f, p) => {
      const truth = c.truth.timeout!;
      const call = f.paymentsCall;
      p.expect(call?.server !== undefined, () => 'no payments server span under shop\'s /charge call');
      const found = c.analysis.timeouts;
      p.expect(found.length === 1, () => `${found.length} timeouts: ${found.map((t) => `${describeSpan(f.byId.get(t.callerSpanId), t.callerSpanId)} → ${describeSpan(f.byId.get(t.calleeSpanId), t.calleeSpanId)} overrun ${ms(t.overrunUs)}`).join('; ') || 'none'}`);
      const timeout = found[0];
      if (!timeout || !call?.server) return;
      p.expect(timeout.calleeSpanId === call.server.spanId, () => `the callee is ${describeSpan(f.byId.get(timeout.calleeSpanId), timeout.calleeSpanId)}, not payments' server span ${describeSpan(call.server)}`);
      p.expect(timeout.callerSpanId === call.client.spanId || f.byId.get(timeout.callerSpanId)?.service === truth.callerService, () => `the caller is ${describeSpan(f.byId.get(timeout.callerSpanId), timeout.callerSpanId)}`);
      const low = (truth.overrunMs - 250) * 1000;
      const high = (truth.overrunMs + 350) * 1000;
      p.expect(timeout.overrunUs >= low && timeout.overrunUs <= high, () => `overrunUs ${timeout.overrunUs} (${ms(timeout.overrunUs)}) is not within [${ms(low)}, ${ms(high)}] around the truth's ${truth.overrunMs} ms`);
    },
  },
  {
    name: 'starts the timeout\'s cascade where shop gave up, and it reaches the root',
    scenarios: ['timeout'],
    run: (c, f, p) => {
      const reaching = c.analysis.failures.filter((x) => x.propagatedSpanIds.includes(f.root.spanId));
      p.expect(reaching.length === 1, () => `${reaching.length} cascades reach the root`);
      const origin = reaching[0] && f.byId.get(reaching[0].originSpanId);
      p.expect(origin !== undefined && origin.spanId === f.paymentsCall?.client.spanId, () => `the cascade starts at ${describeSpan(origin)}, truth: shop's call to payments ${describeSpan(f.paymentsCall?.client)} (payments itself never failed)`);
    },
  },
  {
    name: 'no failure reaches the root when the order succeeded',
    scenarios: SUCCEEDED,
    run: (c, f, p) => {
      const reaching = c.analysis.failures.filter((x) => x.propagatedSpanIds.includes(f.root.spanId) || x.originSpanId === f.root.spanId);
      p.expect(reaching.length === 0, () => `cascades reaching the root: ${reaching.map((x) => `origin ${describeSpan(f.byId.get(x.originSpanId), x.originSpanId)}`).join(', ')}`);
    },
  },
  {
    name: 'the recommend failure is contained by shop',
    scenarios: ['fallback'],
    run: (c, f, p) => {
      const call = f.recommendCall;
      p.expect(call !== undefined && call.client.status.code === 'error', () => `shop's call to recommend: ${describeSpan(call?.client)} status ${call?.client.status.code}`);
      const cascades = c.analysis.failures.filter((x) => f.byId.get(x.originSpanId)?.service === c.truth.contained!.originService || x.originSpanId === call?.client.spanId);
      p.expect(cascades.length === 1, () => `${cascades.length} cascades start at recommend; all: ${c.analysis.failures.map((x) => `origin ${describeSpan(f.byId.get(x.originSpanId), x.originSpanId)}`).join(', ') || 'none'}`);
      const cascade = cascades[0];
      if (!cascade) return;
      const container = cascade.containedBySpanId === null ? undefined : f.byId.get(cascade.containedBySpanId);
      p.expect(container?.service === c.truth.contained!.containedByService, () => `contained by ${cascade.containedBySpanId === null ? 'nothing' : describeSpan(container, cascade.containedBySpanId)}, truth: a shop span`);
      p.expect(!cascade.propagatedSpanIds.includes(f.root.spanId), () => 'the contained failure reaches the root');
    },
  },
  {
    name: 'reports one retry: three attempts at pricing /quote',
    scenarios: ['retry'],
    run: (c, f, p) => {
      const truth = c.truth.retry!;
      const attempts = f.quoteCalls.map((x) => x.client);
      p.expect(attempts.length === truth.attempts, () => `found ${attempts.length} /quote calls, truth ${truth.attempts}`);
      const statuses = attempts.map((s) => s.attributes['http.response.status_code']);
      p.expect(JSON.stringify(statuses) === JSON.stringify(truth.statuses), () => `/quote answered ${statuses.join(', ')}, truth ${truth.statuses.join(', ')}`);
      const retries = c.analysis.retries;
      p.expect(retries.length === 1, () => `${retries.length} retries: ${retries.map((r) => `[${r.spanIds.map((id) => describeSpan(f.byId.get(id), id)).join(', ')}]`).join(' ') || 'none'}`);
      const retry = retries[0];
      if (!retry) return;
      p.expect(JSON.stringify(retry.spanIds) === JSON.stringify(attempts.map((s) => s.spanId)), () => `the retry's attempts are ${retry.spanIds.map((id) => describeSpan(f.byId.get(id), id)).join(', ')}, not the ${attempts.length} /quote calls in order`);
      p.expect(retry.amplification === truth.attempts, () => `amplification ${retry.amplification}, truth ${truth.attempts} (one layer retries)`);
    },
  },
  {
    name: 'never suggests running a retry\'s attempts in parallel with each other',
    scenarios: ['retry'],
    run: (c, f, p) => {
      // An attempt is made because the one before it failed: the attempts depend on each other.
      const attempts = new Set(f.quoteCalls.flatMap((x) => [x.client.spanId, x.server?.spanId ?? '']));
      for (const rule of ['sequential-calls', 'n-plus-one']) {
        for (const finding of c.analysis.findings.filter((x) => x.rule === rule)) {
          const named = finding.spanIds.filter((id) => attempts.has(id));
          p.expect(named.length <= 1, () => `${rule} names ${named.length} /quote attempts: "${finding.message}"`);
        }
      }
    },
  },
  {
    name: 'reports no retry when nothing was retried',
    scenarios: ['sync', 'events', 'failure', 'timeout', 'fallback'],
    run: (c, f, p) => {
      p.expect(c.analysis.retries.length === 0, () => `${c.analysis.retries.length} retries: ${c.analysis.retries.map((r) => `[${r.spanIds.map((id) => describeSpan(f.byId.get(id), id)).join(', ')}]`).join(' ')}`);
      const amplified = c.analysis.findings.filter((x) => x.rule === 'retry-amplification');
      p.expect(amplified.length === 0, () => `retry-amplification: ${amplified.map((x) => x.message).join(' | ')}`);
    },
  },
  {
    name: 'what-ifs save no more than the request took or the changed call took, and never change the root',
    scenarios: ALL,
    run: (c, f, p) => {
      const rootUs = durationUs(f.root);
      // The span whose call made the root request, when the root is the server side of a recorded client span.
      const rootCaller = f.root.kind === 'server' && f.root.parentSpanId !== '' ? f.root.parentSpanId : '';
      for (const w of c.analysis.whatIf) {
        const span = f.byId.get(w.spanId);
        p.expect(w.savingUs >= 0 && w.savingUs <= rootUs, () => `what-if ${w.change} ${describeSpan(span, w.spanId)} saves ${ms(w.savingUs)}, the request took ${ms(rootUs)}`);
        p.expect(w.spanId !== f.root.spanId && w.spanId !== rootCaller, () => `a what-if changes the root: ${w.change} ${describeSpan(span, w.spanId)}`);
        if (span) {
          // async: the caller stops waiting for the call; faster: the call takes half its time; parallel: the
          // call no longer waits for the one before it, which saves at most the call's own time plus the
          // caller's work between the two (the call's set-up could overlap too). Nothing else moves.
          const gap = w.change === 'parallel' ? gapBefore(f, span) : 0;
          const bound = (w.change === 'faster' ? durationUs(span) / 2 : durationUs(span)) + gap;
          const what = w.change === 'faster' ? `half the call's ${ms(durationUs(span))}` : w.change === 'parallel' ? `the call's ${ms(durationUs(span))} and the ${ms(gap)} before it` : `the call's ${ms(durationUs(span))}`;
          p.expect(w.savingUs <= bound + START_RESOLUTION_US, () => `what-if ${w.change} ${describeSpan(span)} saves ${ms(w.savingUs)}, more than ${what} (+ 1 ms of start resolution)`);
        }
      }
    },
  },
  {
    name: 'each blocking chain\'s hops add up to its first span\'s time',
    scenarios: ALL,
    run: (c, f, p) => {
      for (const chain of c.analysis.blockingChains) {
        const first = f.byId.get(chain.spanIds[0] ?? '');
        if (!first) continue;
        const total = chain.breakdown.reduce((sum, hop) => sum + hop.selfUs + hop.networkUs + hop.waitUs, 0);
        p.expect(Math.abs(total - durationUs(first)) <= 1, () => `chain ${chain.services.join(' → ')}: self + network + wait = ${total} µs, its first span ${describeSpan(first)} took ${durationUs(first)} µs`);
        const negative = chain.breakdown.filter((h) => h.selfUs < 0 || h.networkUs < 0 || h.waitUs < 0);
        p.expect(negative.length === 0, () => `chain ${chain.services.join(' → ')} has negative parts: ${JSON.stringify(negative)}`);
      }
    },
  },
  {
    name: 'names peers by what they are, never by their address',
    scenarios: ALL,
    run: (c, _f, p) => {
      const tree = buildTree(c.spans);
      const graph = tree ? aggregate([tree]) : undefined;
      const names = graph?.services.map((s) => s.name) ?? [];
      const addresses = names.filter((n) => /^(?:127\.|localhost|::1|\[::1\])/.test(n) || /:\d+$/.test(n));
      p.expect(addresses.length === 0, () => `service graph nodes named by address: ${addresses.join(', ')} (all: ${names.join(', ')})`);
      for (const peer of ['postgresql', 'redis']) p.expect(names.includes(peer), () => `no ${peer} peer in the service graph: ${names.join(', ')}`);
      if (c.truth.published) p.expect(!names.includes('127.0.0.1'), () => 'the broker is named 127.0.0.1');
      const messages = c.analysis.findings.filter((x) => /127\.0\.0\.1|localhost/.test(x.message));
      p.expect(messages.length === 0, () => `findings that name an address: ${messages.map((x) => x.message).join(' | ')}`);
    },
  },
];

/** Registers one `describe` per scenario and one `it` per check that applies to it. */
export function registerChecks(title: string, cases: (scenario: Scenario) => TraceCase[], scenarios: readonly Scenario[]): void {
  for (const scenario of scenarios) {
    describe(`${title}: ${scenario}`, () => {
      for (const check of CHECKS) {
        if (check.scenarios !== 'all' && !check.scenarios.includes(scenario)) continue;
        it(check.name, () => {
          const traces = cases(scenario);
          if (traces.length === 0) throw new Error(`no ${scenario} traces to check`);
          const failures: string[] = [];
          for (const c of traces) {
            const problems = new Problems();
            check.run(c, factsOf(c.spans, c.analysis), problems);
            for (const problem of problems.list) failures.push(`trace ${c.traceId}: ${problem}`);
          }
          if (failures.length > 0) throw new Error(`${failures.length} problem(s) in ${traces.length} ${scenario} trace(s):\n  ${failures.join('\n  ')}`);
        });
      }
    });
  }
}
