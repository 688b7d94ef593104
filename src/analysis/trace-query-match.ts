/**
 * Whether a trace matches a parsed query (trace-query.ts). Every term but an
 * attribute is decided from the trace's summary; an attribute term asks the
 * caller, who reads the spans (and may remember the answer: the ingest worker
 * does, per trace version, see src/ingest/trace-queries.ts).
 */
import { isFailed } from '../model/failure';
import { responseStatus } from '../model/response-status';
import type { AttrValue, Attributes } from '../model/span';
import type { TraceAnalysis } from './analyze-trace';
import type { TraceTree } from './trace-tree';
import { globMatches, type AttributeTerm, type Comparison, type QueryTerm, type StatusTest, type TraceQuery } from './trace-query';

/** What a query reads of a trace besides its spans: its summary and the rules of its findings. */
export interface QueriedTrace {
  traceId: string;
  rootService: string;
  rootName: string;
  services: readonly string[];
  /** The root's HTTP status code or gRPC status name ('' or absent when it has none). */
  rootStatus?: string;
  errorCount: number;
  rootDurationUs: number;
  /** The rules of its findings; absent until the trace has been analysed (a `finding:` term does not hold yet). */
  rules?: readonly string[];
}

/** The two sets of attributes a span term looks in: the span's own, then its resource's. */
export interface SpanAttributes {
  attributes: Attributes;
  resource: { attributes: Attributes };
}

export function matchesTrace(query: TraceQuery, trace: QueriedTrace, spanTerm: (term: AttributeTerm) => boolean): boolean {
  if (query.clauses.length === 0) return true;
  return query.clauses.some((clause) => clause.every((term) => holds(term, trace, spanTerm) !== term.negate));
}

function holds(term: QueryTerm, trace: QueriedTrace, spanTerm: (term: AttributeTerm) => boolean): boolean {
  switch (term.kind) {
    case 'service':
      return trace.services.some((service) => globMatches(term.pattern, service));
    case 'endpoint':
      return globMatches(term.pattern, trace.rootName);
    case 'status':
      return statusHolds(term.test, trace);
    case 'duration':
      return compare(trace.rootDurationUs, term.op, term.us);
    case 'finding':
      return trace.rules !== undefined && (term.rule === null ? trace.rules.length > 0 : trace.rules.includes(term.rule));
    case 'text': {
      const needle = term.needle;
      return trace.rootName.toLowerCase().includes(needle) || trace.services.some((s) => s.toLowerCase().includes(needle)) || trace.traceId.startsWith(needle);
    }
    case 'attribute':
      return spanTerm(term);
  }
}

function statusHolds(test: StatusTest, trace: QueriedTrace): boolean {
  const status = trace.rootStatus ?? '';
  switch (test.kind) {
    case 'failed':
      return (trace.errorCount > 0) === test.failed;
    case 'code':
      return status === test.code;
    case 'class':
    case 'compare': {
      const code = /^\d{3}$/.test(status) ? Number(status) : undefined;
      if (code === undefined) return false;
      return test.kind === 'class' ? code >= test.from && code <= test.to : compare(code, test.op, test.value);
    }
  }
}

/** Whether one of the spans has the attribute (its own or its resource's) with a value the term accepts. */
export function spansHaveAttribute(term: AttributeTerm, spans: Iterable<SpanAttributes>): boolean {
  for (const span of spans) if (spanHasAttribute(term, span)) return true;
  return false;
}

export function spanHasAttribute(term: AttributeTerm, span: SpanAttributes): boolean {
  const own = span.attributes[term.key];
  if (own !== undefined && valueHolds(term, own)) return true;
  const shared = span.resource.attributes[term.key];
  return shared !== undefined && valueHolds(term, shared);
}

function valueHolds(term: AttributeTerm, value: AttrValue): boolean {
  const { test } = term;
  if (Array.isArray(value)) return value.some((item) => !Array.isArray(item) && valueHolds(term, item));
  if (value === null || typeof value === 'object') return false;
  if (test.op === '=') return globMatches(test.pattern, String(value));
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(number) && compare(number, test.op, test.value);
}

function compare(value: number, op: Comparison, than: number): boolean {
  switch (op) {
    case '>':
      return value > than;
    case '>=':
      return value >= than;
    case '<':
      return value < than;
    case '<=':
      return value <= than;
  }
}

/** What a query reads of a trace analysed whole (`hopscope analyze`): the same facts a stored trace's summary has. */
export function analysedTrace(tree: TraceTree, analysis: TraceAnalysis): QueriedTrace {
  const root = tree.root.span;
  return {
    traceId: tree.traceId,
    rootService: analysis.rootService,
    rootName: analysis.rootName,
    services: [...new Set(tree.nodes.map((n) => n.service))].sort(),
    rootStatus: root ? responseStatus(root.attributes) : '',
    errorCount: tree.nodes.filter((n) => n.span && isFailed(n.span)).length,
    rootDurationUs: analysis.durationUs,
    rules: [...new Set(analysis.findings.map((f) => f.rule))],
  };
}
