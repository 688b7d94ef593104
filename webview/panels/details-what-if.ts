/**
 * The details' "What if" section: for the selected span, each projection the
 * analysis made for it, as one sentence with its saving; or one line saying
 * why there is none (with a way to the caller's span when that is where they
 * are).
 *
 *   What if
 *   · Make it async (the caller only publishes): the request would take 151 ms (−499 ms).
 *   · Make it 50 % faster: the request would take 400 ms (−250 ms).
 */
import type { ViewWhatIf as WhatIf } from '../../src/protocol/view-analysis';
import type { ViewNode } from '../../src/protocol/trace-view';
import { codicon, element } from '../dom';
import type { Store } from '../store';
import { changeSentence, noWhatIf, type RequestFacts } from './what-if';

export function whatIfSection(node: ViewNode, whatIfs: readonly WhatIf[], facts: RequestFacts, store: Store): HTMLElement {
  const heading = element('h3', { class: 'hs-subheading', id: 'dt-what-if-heading' }, 'What if');
  const section = element('section', { class: 'dt-what-if', 'data-section': 'what-if', 'aria-labelledby': 'dt-what-if-heading' }, heading);
  if (whatIfs.length === 0) {
    section.append(reasonLine(node, facts, store));
    return section;
  }
  section.append(element('ul', { class: 'fnd-what-ifs' }, ...whatIfs.map(projectionItem)));
  return section;
}

function projectionItem(whatIf: WhatIf): HTMLLIElement {
  const [lead, saving, end] = changeSentence(whatIf);
  return element('li', {
    class: 'dt-what-if-item',
    'data-what-if': whatIf.change,
    'data-span-id': whatIf.spanId,
    'data-duration-us': String(whatIf.durationUs),
    'data-saving-us': String(whatIf.savingUs),
  }, codicon(saving ? 'lightbulb' : 'circle-slash'), ' ', lead, ...(saving ? [element('span', { class: 'fnd-saving' }, saving), end] : []));
}

function reasonLine(node: ViewNode, facts: RequestFacts, store: Store): HTMLElement {
  const { reason, parent } = noWhatIf(node, facts, store.nodes);
  const line = element('p', { class: 'dt-note', 'data-field': 'what-if-none' }, reason);
  if (parent !== undefined) {
    const button = element('button', { type: 'button', class: 'hs-link-button', 'data-action': 'select-caller' }, 'Show the call');
    button.addEventListener('click', () => store.select(parent, 'details'));
    line.append(' ', button);
  }
  return line;
}
