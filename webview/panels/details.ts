/**
 * The selected span, in full: what it is (its label; the raw span name and
 * the peer when they add something), how long it took and how it was
 * called, how it failed, where its code is, what changing it would save,
 * which findings name it, then its attributes, resource, events, links and
 * logs. Rebuilt on each selection (one span is cheap); what it needs from
 * the whole trace is indexed once per trace.
 */
import type { FailureRole } from '../facts';
import type { ViewEdgeMode, ViewWhatIf } from '../../src/protocol/view-analysis';
import type { ViewLog, ViewSpan } from '../../src/protocol/view-span';
import type { TraceView, ViewNode } from '../../src/protocol/trace-view';
import { formatDuration } from '../../src/common/format';
import { codicon, element } from '../dom';
import { labelOf } from '../labels';
import type { Host } from '../host';
import type { Store } from '../store';
import { eventsTable, linksTable, logsTable } from './details-tables';
import { deferred } from './deferred';
import { whatIfSection } from './details-what-if';
import { requestFacts, whatIfsBySpan, type RequestFacts } from './what-if';
import { attributeTable } from './values';

const MODES: Record<ViewEdgeMode, string> = {
  sync: 'sync: the parent waited for it',
  parallel: 'parallel: the parent waited, alongside other calls',
  'fire-and-forget': 'fire-and-forget: the parent did not wait',
  async: 'async: through a broker',
};

const ROLES: Record<FailureRole, string> = {
  origin: 'origin: the failure started here',
  propagated: 'propagated: failed because a call below failed',
  contained: 'contained: a failure below stopped here',
  isolated: 'isolated: the failure stayed behind an async edge',
};

/** What the details need from the whole trace, indexed once per trace. */
interface TraceIndex {
  view: TraceView;
  findings: Map<string, number[]>;
  logs: Map<string, ViewLog[]>;
  queueUs: Map<string, number>;
  whatIfs: Map<string, ViewWhatIf[]>;
  request: RequestFacts;
}

export function mountDetails(parent: HTMLElement, store: Store, host: Host): void {
  const root = element('div', { class: 'dt' });
  parent.append(root);
  /** Which collapsible sections the user opened or closed, kept from span to span. */
  const open = new Map<string, boolean>();
  let index: TraceIndex | undefined;
  /** The buttons of the findings that name the span, by finding index, to mark the highlighted one. */
  let findingButtons: [HTMLButtonElement, number][] = [];

  const section = (key: string, title: string, count: number, body: HTMLElement | null, openByDefault: boolean): HTMLElement | null => {
    if (!body || count === 0) return null;
    const el = element('details', { class: 'dt-section', 'data-section': key }, element('summary', {}, `${title} `, element('span', { class: 'hs-count' }, String(count))), body);
    el.open = open.get(key) ?? openByDefault;
    el.addEventListener('toggle', () => open.set(key, el.open));
    return el;
  };

  const render = () => {
    const view = store.view;
    const node = store.selected === null ? undefined : store.nodes.get(store.selected);
    if (!view || !node) {
      root.replaceChildren(element('p', { class: 'hs-empty' }, 'Select a span in the graph or the timeline.'));
      return;
    }
    const trace = (index = index?.view === view ? index : indexTrace(view));
    findingButtons = [];
    const span = store.spans.get(node.spanId);
    const mentioned = trace.findings.get(node.spanId) ?? [];
    const logs = trace.logs.get(node.spanId) ?? [];
    root.replaceChildren(
      ...[
        header(node, span),
        summary(node, span, view, trace, store, host),
        whatIfSection(node, trace.whatIfs.get(node.spanId) ?? [], trace.request, store),
        mentioned.length > 0 ? findingsMentioning(mentioned, view, store, findingButtons) : null,
        span ? null : element('p', { class: 'dt-note' }, 'This span was never received: it stands in for the parent its children name.'),
        span ? section('attributes', 'Attributes', Object.keys(span.attributes).length, attributeTable(span.attributes, 'Span attributes'), true) : null,
        span ? section('resource', 'Resource', Object.keys(span.resource.attributes).length, attributeTable(span.resource.attributes, 'Resource attributes'), false) : null,
        span ? section('events', 'Events', span.events.length, eventsTable(span), true) : null,
        span ? section('links', 'Links', span.links.length, linksTable(span, store), true) : null,
        section('logs', 'Logs', logs.length, logsTable(logs, node.startUs), true),
      ].filter((el): el is HTMLElement => el !== null),
    );
  };

  const rebuild = deferred(render);
  store.on((aspect) => {
    if (aspect === 'view') rebuild.request();
    else if (aspect === 'selection') {
      rebuild.cancel();
      render();
    } else if (rebuild.pending) return;
    else if (aspect === 'highlight') for (const [button, i] of findingButtons) button.setAttribute('aria-pressed', String(store.finding === i));
  });
  render();
}

function indexTrace(view: TraceView): TraceIndex {
  const findings = new Map<string, number[]>();
  view.analysis.findings.forEach((finding, i) => {
    for (const spanId of new Set(finding.spanIds)) push(findings, spanId, i);
  });
  const logs = new Map<string, ViewLog[]>();
  for (const log of view.logs) if (log.spanId) push(logs, log.spanId, log);
  const queueUs = new Map<string, number>();
  for (const edge of view.analysis.edges) if (edge.queueUs !== undefined) queueUs.set(edge.childSpanId, edge.queueUs);
  return { view, findings, logs, queueUs, whatIfs: whatIfsBySpan(view.analysis.whatIf), request: requestFacts(view) };
}

function header(node: ViewNode, span: ViewSpan | undefined): HTMLElement {
  const copy = element('button', { type: 'button', class: 'hs-icon-button', 'data-action': 'copy-span-id', title: 'Copy span id', 'aria-label': 'Copy span id' }, codicon('copy'));
  copy.addEventListener('click', () => {
    try {
      void navigator.clipboard?.writeText(node.spanId).catch(() => undefined);
    } catch {
      // No clipboard in this webview: nothing to do.
    }
  });
  const failed = node.failed || span?.status.code === 'error';
  return element(
    'header',
    { class: 'dt-head' },
    element('h2', { class: 'dt-name', 'data-field': 'name' }, labelOf(node)),
    ...(failed ? [element('span', { class: 'dt-failed', title: 'Failed' }, codicon('error'), element('span', { class: 'hs-sr-only' }, 'failed'))] : []),
    copy,
  );
}

function summary(node: ViewNode, span: ViewSpan | undefined, view: TraceView, trace: TraceIndex, store: Store, host: Host): HTMLElement {
  const rootStart = view.nodes[0]?.startUs ?? node.startUs;
  const offset = node.startUs - rootStart;
  const rows: [string, string, Node | string][] = [
    ['Service', 'service', node.service],
    ...identityRows(node),
    ['Kind', 'kind', node.kind],
    ['Duration', 'duration', `${formatDuration(node.endUs - node.startUs)}${node.running ? ' so far (still running)' : ''}`],
    ['Self time', 'self-time', formatDuration(node.selfUs)],
    ['Start', 'start-offset', `${offset < 0 ? '−' : '+'}${formatDuration(Math.abs(offset))} after the request started`],
    ['Status', 'status', span ? (span.status.message ? `${span.status.code} — ${span.status.message}` : span.status.code) : 'missing (never received)'],
  ];
  if (node.mode) {
    const queue = trace.queueUs.get(node.spanId);
    rows.push(['Called', 'mode', node.mode === 'async' && queue !== undefined ? `${MODES.async}, ${formatDuration(queue)} in the queue` : MODES[node.mode]]);
  }
  // The times above are without the debugger's pauses: what they were on the wall clock, and why.
  const paused = store.pauses?.label(node.spanId);
  if (paused) rows.push(['Debugger', 'paused', `${paused} (taken out of these times)`]);
  const role = store.failure.get(node.spanId);
  if (role) rows.push(['Failure', 'failure', ROLES[role]]);
  if (node.skewUs !== 0) {
    rows.push(['Clock skew', 'skew', `moved ${node.skewUs > 0 ? 'later' : 'earlier'} by ${formatDuration(Math.abs(node.skewUs))} to sit inside its parent (the services’ clocks disagree)`]);
  }
  rows.push(['Span ID', 'span-id', node.spanId]);
  rows.push(['Parent', 'parent-id', parentValue(node, span, store)]);
  const source = store.sources.get(node.spanId);
  if (source) {
    const openSource = element('button', { type: 'button', class: 'hs-button', 'data-action': 'open-source', title: 'Show this line in the editor (double-click the call, or Enter)' }, codicon('go-to-file'), ' Go to Code');
    openSource.addEventListener('click', () => host.post({ type: 'openSource', spanId: node.spanId, place: source.place }));
    rows.push(['Source', 'source', element('span', { class: 'dt-source' }, element('span', { class: 'dt-source-label' }, source.label), ' ', openSource)]);
  }
  if (span && (span.scope.name || span.scope.version)) rows.push(['Scope', 'scope', span.scope.version ? `${span.scope.name} ${span.scope.version}` : span.scope.name]);
  const dropped = span ? droppedNote(span) : '';
  if (dropped) rows.push(['Dropped', 'dropped', dropped]);
  return element(
    'dl',
    { class: 'dt-summary' },
    ...rows.map(([label, field, value]) => element('div', { class: 'dt-row' }, element('dt', {}, label), element('dd', { 'data-field': field }, value))),
  );
}

function parentValue(node: ViewNode, span: ViewSpan | undefined, store: Store): Node | string {
  if (!node.parentSpanId) return span?.parentSpanId ? `${span.parentSpanId} (not in this trace)` : 'none: the root';
  const button = element('button', { type: 'button', class: 'hs-link-button', title: 'Select the parent' }, node.parentSpanId);
  button.addEventListener('click', () => store.select(node.parentSpanId, 'details'));
  return button;
}

/** The findings that name the span; their buttons go into `buttons`, by finding index. */
function findingsMentioning(indexes: number[], view: TraceView, store: Store, buttons: [HTMLButtonElement, number][]): HTMLElement {
  const items = indexes.map((i) => {
    const finding = view.analysis.findings[i]!;
    const button = element('button', { type: 'button', class: 'hs-link-button dt-finding', 'aria-pressed': String(store.finding === i) }, finding.message);
    button.addEventListener('click', () => store.setFinding(store.finding === i ? null : i));
    buttons.push([button, i]);
    return element('li', {}, codicon(finding.severity), ' ', button);
  });
  return element('section', { class: 'dt-findings', 'aria-label': 'Findings that name this span' }, element('h3', { class: 'hs-subheading' }, 'Named in findings'), element('ul', {}, ...items));
}

/** What the label leaves out: the raw span name when it differs, who answers the call, and whether it is plumbing. */
function identityRows(node: ViewNode): [string, string, string][] {
  const rows: [string, string, string][] = [];
  if (node.name !== labelOf(node)) rows.push(['Span name', 'span-name', node.name]);
  if (node.peer) rows.push(['Peer', 'peer', node.peer]);
  if (node.plumbing) rows.push(['Plumbing', 'plumbing', 'part of the call it serves (a pool checkout, an ack), not a call of its own']);
  return rows;
}

function droppedNote(span: ViewSpan): string {
  const parts: string[] = [];
  if (span.droppedAttributesCount > 0) parts.push(`${span.droppedAttributesCount} attributes`);
  if (span.droppedEventsCount > 0) parts.push(`${span.droppedEventsCount} events`);
  if (span.droppedLinksCount > 0) parts.push(`${span.droppedLinksCount} links`);
  return parts.length > 0 ? `${parts.join(', ')} (over the SDK’s limits)` : '';
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
