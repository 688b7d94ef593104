/**
 * The findings: what a developer should change in this request, each with
 * the latency the change would save, and below them the few what-if
 * projections that save the most (only real savings; none, no section).
 * Picking a finding highlights its spans everywhere and selects its first
 * span; picking it again clears the highlight.
 */
import type { ViewFinding, ViewSeverity, ViewWhatIf } from '../../src/protocol/view-analysis';
import type { TraceView } from '../../src/protocol/trace-view';
import { formatDuration } from '../../src/common/format';
import { codicon, element } from '../dom';
import { labelOf, spanTitle } from '../labels';
import type { Store } from '../store';
import { deferred } from './deferred';
import { bestWhatIfs, changeWords } from './what-if';

/** The what-ifs worth a line: the largest savings (every call's projections are in its details). */
const MAX_WHAT_IFS = 3;

const SEVERITY: Record<ViewSeverity, { icon: string; label: string }> = {
  error: { icon: 'error', label: 'Error' },
  warning: { icon: 'warning', label: 'Warning' },
  info: { icon: 'info', label: 'Info' },
};

export function mountFindings(parent: HTMLElement, store: Store): void {
  const count = element('span', { class: 'hs-count' });
  const heading = element('h2', { class: 'hs-heading', id: 'findings-heading' }, 'Findings ', count);
  const list = element('ul', { class: 'fnd-list', role: 'listbox', 'aria-labelledby': 'findings-heading' });
  const empty = element('p', { class: 'hs-empty' }, 'Waiting for the trace…');
  const whatIfHeading = element('h3', { class: 'hs-subheading', id: 'what-if-heading' }, 'What if');
  const whatIfs = element('ul', { class: 'fnd-what-ifs', 'aria-labelledby': 'what-if-heading' });
  list.hidden = whatIfHeading.hidden = whatIfs.hidden = true;
  parent.append(element('div', { class: 'fnd' }, heading, list, empty, whatIfHeading, whatIfs));

  let items: HTMLLIElement[] = [];

  const activate = (index: number) => {
    const finding = store.view?.analysis.findings[index];
    if (!finding) return;
    if (store.finding === index) {
      store.setFinding(null);
      return;
    }
    store.setFinding(index);
    const first = finding.spanIds[0];
    if (first !== undefined) store.select(first, 'findings');
  };

  /** What the list shows, to skip rebuilding it when late spans change nothing here. */
  let shownKey = '';

  const render = (view: TraceView) => {
    const findings = view.analysis.findings;
    const shown = bestWhatIfs(view.analysis.whatIf, MAX_WHAT_IFS);
    const key = JSON.stringify([view.traceId, findings, shown]);
    if (key === shownKey) return markActive();
    shownKey = key;
    const focused = list.contains(document.activeElement) ? items.indexOf(document.activeElement as HTMLLIElement) : -1;
    items = findings.map((finding, index) => findingItem(finding, index));
    list.replaceChildren(...items);
    count.textContent = findings.length > 0 ? String(findings.length) : '';
    list.hidden = findings.length === 0;
    empty.hidden = findings.length > 0;
    empty.textContent = 'No findings: nothing in this request stands out as worth changing.';
    markActive();
    // Focusing lays the page out: wait for the frame, when that is done anyway.
    if (focused >= 0) requestAnimationFrame(() => items[Math.min(focused, items.length - 1)]?.focus({ preventScroll: true }));

    whatIfs.replaceChildren(...shown.map((whatIf) => whatIfItem(whatIf, store)));
    whatIfHeading.hidden = whatIfs.hidden = shown.length === 0;
  };

  /** aria-selected on the active finding; it is also the one Tab lands on (roving tabindex). */
  const markActive = () => {
    const focusable = store.finding ?? 0;
    items.forEach((item, index) => {
      item.setAttribute('aria-selected', String(index === store.finding));
      item.tabIndex = index === focusable ? 0 : -1;
    });
  };

  list.addEventListener('click', (event) => {
    const item = (event.target as Element).closest<HTMLLIElement>('li[data-finding-index]');
    if (item) activate(Number(item.dataset.findingIndex));
  });
  followKeys(list, () => items, activate);

  const rebuild = deferred(() => store.view && render(store.view));
  store.on((aspect) => {
    if (aspect === 'view') rebuild.request();
    else if (aspect === 'highlight' && !rebuild.pending) markActive();
  });
  if (store.view) rebuild.request();
}

function findingItem(finding: ViewFinding, index: number): HTMLLIElement {
  const severity = SEVERITY[finding.severity] ?? SEVERITY.info;
  return element(
    'li',
    { class: `fnd-item fnd-${finding.severity}`, role: 'option', 'data-finding-index': String(index), 'data-rule': finding.rule, 'aria-selected': 'false', tabindex: '-1' },
    element('span', { class: 'fnd-icon' }, codicon(severity.icon), element('span', { class: 'hs-sr-only' }, `${severity.label}: `)),
    element(
      'span',
      { class: 'fnd-body' },
      element('span', { class: 'fnd-message' }, finding.message),
      element(
        'span',
        { class: 'fnd-meta' },
        element('span', { class: 'fnd-rule' }, finding.rule),
        ...(finding.savingUs !== null && Math.round(finding.savingUs) > 0 ? [element('span', { class: 'fnd-saving' }, `saves ≈ ${formatDuration(finding.savingUs)}`)] : []),
      ),
    ),
  );
}

/** Arrows, Home and End move the focus through the list (roving tabindex); Enter or Space picks the finding. */
function followKeys(list: HTMLElement, items: () => HTMLLIElement[], activate: (index: number) => void): void {
  list.addEventListener('keydown', (event) => {
    const shown = items();
    const index = shown.indexOf(document.activeElement as HTMLLIElement);
    if (index < 0) return;
    const move = (to: number) => {
      event.preventDefault();
      event.stopPropagation();
      const target = shown[Math.max(0, Math.min(shown.length - 1, to))];
      if (!target) return;
      for (const item of shown) item.tabIndex = item === target ? 0 : -1;
      target.focus();
    };
    switch (event.key) {
      case 'ArrowDown': return move(index + 1);
      case 'ArrowUp': return move(index - 1);
      case 'Home': return move(0);
      case 'End': return move(shown.length - 1);
      case 'Enter':
      case ' ':
        event.preventDefault();
        event.stopPropagation();
        return activate(index);
    }
  });
}

function whatIfItem(whatIf: ViewWhatIf, store: Store): HTMLLIElement {
  const node = store.nodes.get(whatIf.spanId);
  const name = element('span', { class: 'fnd-span-name' }, node ? labelOf(node) : whatIf.spanId);
  const [before, after] = changeWords(whatIf.change);
  const button = element(
    'button',
    { type: 'button', class: 'fnd-what-if', title: node ? spanTitle(node) : whatIf.spanId },
    before,
    name,
    after,
    ` → ${formatDuration(whatIf.durationUs)} `,
    element('span', { class: 'fnd-saving' }, `(−${formatDuration(whatIf.savingUs)})`),
  );
  button.addEventListener('click', () => store.select(whatIf.spanId, 'findings'));
  return element('li', { 'data-what-if': whatIf.change, 'data-span-id': whatIf.spanId, 'data-duration-us': String(whatIf.durationUs), 'data-saving-us': String(whatIf.savingUs) }, button);
}
