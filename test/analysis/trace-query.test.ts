/** The trace query language (docs/trace-queries.md): what each term picks, and how a bad query is refused. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesTrace, spansHaveAttribute, type QueriedTrace, type SpanAttributes } from '../../src/analysis/trace-query-match';
import { globMatches, glob, MAX_QUERY_LENGTH, MAX_TERMS, parseTraceQuery, queryErrorText, type TraceQuery } from '../../src/analysis/trace-query';
import { responseStatus } from '../../src/model/response-status';

/** The demo shop's two shapes of order, a failed payment, and someone's own small service. */
const syncOrder: QueriedTrace = { traceId: 'aa11', rootService: 'gateway', rootName: 'POST /orders', services: ['email', 'gateway', 'orders', 'payments'], rootStatus: '201', errorCount: 0, rootDurationUs: 680_000, rules: ['sync-non-critical', 'deep-sync-chain'] };
const eventsOrder: QueriedTrace = { ...syncOrder, traceId: 'bb22', services: ['gateway', 'orders', 'queue'], rootDurationUs: 143_000, rules: [] };
const failedOrder: QueriedTrace = { ...syncOrder, traceId: 'cc33', rootStatus: '502', errorCount: 3, rootDurationUs: 90_000, rules: ['cascading-failure'] };
const ownService: QueriedTrace = { traceId: 'dd44', rootService: 'billing', rootName: 'GET /invoices/{id}', services: ['billing'], rootStatus: 'UNAVAILABLE', errorCount: 1, rootDurationUs: 12_500 };
const ALL = [syncOrder, eventsOrder, failedOrder, ownService];

const spansOf: Record<string, SpanAttributes[]> = {
  aa11: [{ attributes: { 'http.route': '/orders', 'order.items': 3 }, resource: { attributes: { 'deployment.environment': 'dev' } } }],
  bb22: [{ attributes: { 'http.route': '/orders', 'messaging.system': 'rabbitmq', tags: ['a', 'b'] }, resource: { attributes: {} } }],
  cc33: [{ attributes: { 'http.route': '/orders', 'order.items': '12' }, resource: { attributes: {} } }],
  dd44: [{ attributes: { 'db.system': 'postgresql', 'order.items': 0 }, resource: { attributes: { 'deployment.environment': 'Staging' } } }],
};

function parsed(text: string): TraceQuery {
  const result = parseTraceQuery(text);
  assert.ok(result.ok, `${text}: ${result.ok ? '' : queryErrorText(result.error)}`);
  return result.query;
}

/** The ids of the traces the query picks. */
function pick(text: string): string[] {
  const query = parsed(text);
  return ALL.filter((trace) => matchesTrace(query, trace, (term) => spansHaveAttribute(term, spansOf[trace.traceId]!))).map((t) => t.traceId);
}

/** Where a bad query is refused, and why. */
function refusal(text: string): { column: number; message: string } {
  const result = parseTraceQuery(text);
  assert.ok(!result.ok, `${text} should be refused`);
  return { column: result.error.column, message: result.error.message };
}

describe('a trace query picks traces', () => {
  it('picks every trace when it is empty or blank', () => {
    assert.deepEqual(pick(''), ['aa11', 'bb22', 'cc33', 'dd44']);
    assert.deepEqual(pick('   \t '), ['aa11', 'bb22', 'cc33', 'dd44']);
  });

  it('by a service the trace passes through, in any case, with * for any run of characters', () => {
    assert.deepEqual(pick('service:payments'), ['aa11', 'cc33']);
    assert.deepEqual(pick('service=BILLING'), ['dd44']);
    assert.deepEqual(pick('service:pay*'), ['aa11', 'cc33']);
    assert.deepEqual(pick('service:*ue*'), ['bb22']);
    assert.deepEqual(pick('service:pay'), [], 'without a star the whole name must match');
  });

  it('by endpoint: the root span’s operation, quoted when it has a space', () => {
    assert.deepEqual(pick('endpoint:"POST /orders"'), ['aa11', 'bb22', 'cc33']);
    assert.deepEqual(pick('endpoint:*/invoices/*'), ['dd44']);
    assert.deepEqual(pick('endpoint:"get /invoices/{id}"'), ['dd44']);
  });

  it('by the root duration, in µs, us, ms or s', () => {
    assert.deepEqual(pick('duration>500ms'), ['aa11']);
    assert.deepEqual(pick('duration>=0.68s'), ['aa11']);
    assert.deepEqual(pick('duration<100ms'), ['cc33', 'dd44']);
    assert.deepEqual(pick('duration<=12500us'), ['dd44']);
    assert.deepEqual(pick('duration<12500µs'), []);
    assert.deepEqual(pick('duration>143000μs'), ['aa11'], 'the Greek mu as well as the micro sign');
    assert.deepEqual(pick('Duration>1S'), [], 'field and unit in any case');
  });

  it('by status: failed or not, the root’s HTTP code or class, comparisons, and gRPC names or codes', () => {
    assert.deepEqual(pick('status:error'), ['cc33', 'dd44']);
    assert.deepEqual(pick('status:ok'), ['aa11', 'bb22']);
    assert.deepEqual(pick('status:502'), ['cc33']);
    assert.deepEqual(pick('status:5xx'), ['cc33']);
    assert.deepEqual(pick('status:2XX'), ['aa11', 'bb22']);
    assert.deepEqual(pick('status>=500'), ['cc33']);
    assert.deepEqual(pick('status<300'), ['aa11', 'bb22'], 'a gRPC status is not compared as a number');
    assert.deepEqual(pick('status:unavailable'), ['dd44']);
    assert.deepEqual(pick('status:14'), ['dd44'], 'gRPC code 14 is UNAVAILABLE');
    assert.deepEqual(pick('status!=ok'), ['cc33', 'dd44']);
  });

  it('by a finding’s rule, or any finding with *; a trace not analysed yet has none', () => {
    assert.deepEqual(pick('finding:sync-non-critical'), ['aa11']);
    assert.deepEqual(pick('finding:*'), ['aa11', 'cc33']);
    assert.deepEqual(pick('-finding:*'), ['bb22', 'dd44'], 'not analysed yet counts as no finding');
    assert.deepEqual(pick('finding:Cascading-Failure'), ['cc33']);
  });

  it('by a span attribute: key=value on any span or its resource, * for any value, numbers compared', () => {
    assert.deepEqual(pick('http.route=/orders'), ['aa11', 'bb22', 'cc33']);
    assert.deepEqual(pick('messaging.system=*'), ['bb22'], 'key=* is: the key is there');
    assert.deepEqual(pick('deployment.environment=staging'), ['dd44'], 'resource attributes count, values in any case');
    assert.deepEqual(pick('order.items>2'), ['aa11', 'cc33'], 'a number written as text compares as a number');
    assert.deepEqual(pick('order.items=0'), ['dd44']);
    assert.deepEqual(pick('tags=b'), ['bb22'], 'an array matches when one of its values does');
    assert.deepEqual(pick('db.system!=postgresql'), ['aa11', 'bb22', 'cc33']);
  });

  it('by free text: part of the endpoint or a service’s name, or the start of the trace id', () => {
    assert.deepEqual(pick('invoices'), ['dd44']);
    assert.deepEqual(pick('QUEUE'), ['bb22']);
    assert.deepEqual(pick('cc3'), ['cc33']);
    assert.deepEqual(pick('"post /ord"'), ['aa11', 'bb22', 'cc33']);
  });

  it('joins terms with a space or "and", offers alternatives with "or", and negates with "not" or "-"', () => {
    assert.deepEqual(pick('service:orders duration<200ms'), ['bb22', 'cc33']);
    assert.deepEqual(pick('service:orders AND duration<200ms and status:ok'), ['bb22']);
    assert.deepEqual(pick('status:5xx or service:billing'), ['cc33', 'dd44']);
    assert.deepEqual(pick('duration>500ms or status:error -service:billing'), ['aa11', 'cc33'], '"and" binds tighter than "or"');
    assert.deepEqual(pick('not service:email'), ['bb22', 'dd44']);
    assert.deepEqual(pick('-service:email -service:queue'), ['dd44']);
  });

  it('knows when it needs the spans, and reads them last', () => {
    assert.equal(parsed('duration>1s status:error').needsSpans, false);
    const query = parsed('http.route=/x duration>1s');
    assert.equal(query.needsSpans, true);
    assert.deepEqual(query.clauses[0]!.map((t) => t.kind), ['duration', 'attribute']);
    let asked = 0;
    matchesTrace(query, eventsOrder, () => (asked++, true));
    assert.equal(asked, 0, 'the duration fails first, so the spans are never read');
  });
});

describe('a bad query is refused with the column where it goes wrong', () => {
  it('names an unknown field and says how to write an attribute', () => {
    assert.deepEqual(refusal('duration>1s servce:orders'), { column: 13, message: 'unknown field "servce"; fields are service, endpoint, status, duration, finding (a span attribute is written key=value)' });
  });

  it('names a missing or unknown unit, and a value that is not a duration', () => {
    assert.deepEqual(refusal('duration>500'), { column: 13, message: '"500" needs a unit: µs (or us), ms or s' });
    assert.deepEqual(refusal('duration>500min'), { column: 13, message: 'unknown unit "min"; units are µs (or us), ms and s' });
    assert.match(refusal('duration>fast').message, /is not a duration/);
    assert.equal(refusal('duration>-5ms').column, 10);
    assert.match(refusal('duration:500ms').message, /compared with >, >=, < or <=/);
  });

  it('names an unknown rule, status or comparison', () => {
    assert.deepEqual(refusal('finding:n-plus-on').column, 9);
    assert.match(refusal('finding:n-plus-on').message, /unknown finding rule "n-plus-on"; rules are deep-sync-chain, .*n-plus-one/);
    assert.match(refusal('status:broken').message, /unknown status "broken"/);
    assert.deepEqual(refusal('status>5xx').column, 8);
    assert.match(refusal('service>orders').message, /service is compared with ":", "=" or "!=", not ">"/);
    assert.deepEqual(refusal('order.items>many'), { column: 13, message: '"order.items>" compares numbers; "many" is not one' });
  });

  it('names a missing value, an unclosed quote and a stray one', () => {
    assert.deepEqual(refusal('service: orders'), { column: 9, message: '"service:" needs a value after ":"' });
    assert.deepEqual(refusal('endpoint:"POST /orders'), { column: 10, message: 'this quote is never closed' });
    assert.equal(refusal('endpoint:"POST"x').column, 16);
    assert.equal(refusal('abc"def"').column, 4);
    assert.equal(refusal(':orders').column, 1);
  });

  it('names a dangling or doubled "and", "or", "not" and "-"', () => {
    assert.deepEqual(refusal('or status:error'), { column: 1, message: 'a query cannot start with "or"' });
    assert.deepEqual(refusal('status:error or'), { column: 14, message: '"or" must be followed by a term' });
    assert.deepEqual(refusal('status:error and or x'), { column: 18, message: '"or" cannot follow "and"' });
    assert.deepEqual(refusal('not'), { column: 1, message: '"not" must be followed by a term' });
    assert.equal(refusal('not not x').column, 5);
    assert.equal(refusal('not -x').column, 5);
    assert.deepEqual(refusal('- x'), { column: 1, message: '"-" must be followed by a term, with no space between' });
  });

  it('refuses a query past its length or term limit at the first character over it', () => {
    assert.deepEqual(refusal('x'.repeat(MAX_QUERY_LENGTH + 1)).column, MAX_QUERY_LENGTH + 1);
    assert.ok(parseTraceQuery('x'.repeat(MAX_QUERY_LENGTH)).ok);
    const many = Array.from({ length: MAX_TERMS + 1 }, (_, i) => `t${i}`).join(' ');
    assert.deepEqual(refusal(many), { column: many.lastIndexOf(' ') + 2, message: `a query has at most ${MAX_TERMS} terms` });
  });
});

describe('hostile input', () => {
  it('parses the longest queries of every shape at once: no backtracking, no recursion', () => {
    const shapes = ['"'.repeat(MAX_QUERY_LENGTH), '-'.repeat(MAX_QUERY_LENGTH), 'a='.repeat(MAX_QUERY_LENGTH / 2), `k=${'*'.repeat(MAX_QUERY_LENGTH - 2)}`, `"${'\\'.repeat(MAX_QUERY_LENGTH - 2)}"`, 'or '.repeat(333), `${'not '.repeat(249)}x`];
    for (const text of shapes) {
      const started = performance.now();
      parseTraceQuery(text);
      assert.ok(performance.now() - started < 1000, `${text.slice(0, 20)}…`);
    }
  });

  it('matches a pattern of many stars against a long value in linear time', () => {
    const pattern = glob(`${'*a'.repeat(400)}*b`);
    const started = performance.now();
    assert.equal(globMatches(pattern, 'a'.repeat(64 * 1024)), false);
    assert.ok(performance.now() - started < 1000);
  });

  it('matches patterns exactly where they are anchored', () => {
    assert.equal(globMatches(glob('a*a'), 'a'), false, 'the two ends cannot share a character');
    assert.equal(globMatches(glob('a*a'), 'aa'), true);
    assert.equal(globMatches(glob('*'), ''), true);
    assert.equal(globMatches(glob('ab*cd*ef'), 'abXcdYcdef'), true);
    assert.equal(globMatches(glob('ab*cd*ef'), 'abXcdYef!'), false);
  });

  it('does not change the query text it was given and keeps it', () => {
    const text = 'Service:Orders  duration>1s';
    assert.equal(parsed(text).text, text);
  });
});

describe('the root status a summary carries', () => {
  it('is the HTTP code, else the gRPC status by name, else nothing', () => {
    assert.equal(responseStatus({ 'http.response.status_code': 404 }), '404');
    assert.equal(responseStatus({ 'http.status_code': '503' }), '503');
    assert.equal(responseStatus({ 'rpc.grpc.status_code': 14 }), 'UNAVAILABLE');
    assert.equal(responseStatus({ 'rpc.response.status_code': 'not_found' }), 'NOT_FOUND');
    assert.equal(responseStatus({ 'rpc.grpc.status_code': 0, 'http.response.status_code': 200 }), '200');
    assert.equal(responseStatus({ 'http.response.status_code': 'lots' }), '');
    assert.equal(responseStatus({}), '');
  });
});
