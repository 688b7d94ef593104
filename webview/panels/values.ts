/**
 * Attribute values as text: strings as they are, everything else as JSON.
 * Long values are cut, with a toggle that shows them whole; span data is
 * untrusted, so it only ever reaches the DOM as text nodes.
 */
import type { ViewAttrValue as AttrValue, ViewAttributes as Attributes } from '../../src/protocol/view-span';
import { element } from '../dom';

/** Values longer than this are cut until "show all" is pressed. */
const MAX_CHARS = 240;

export function valueText(value: AttrValue | undefined): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value);
  } catch {
    // Only nesting deeper than the engine's stack throws here, and String() of it would recurse as deep.
    return '(a value nested too deeply to show)';
  }
}

/** A value as text, cut at MAX_CHARS with a "show all" / "show less" toggle. */
export function valueNode(value: AttrValue | undefined): HTMLElement {
  const text = valueText(value);
  const out = element('span', { class: `hs-value hs-value-${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}` });
  if (text.length <= MAX_CHARS) {
    out.textContent = text;
    return out;
  }
  const shown = element('span', {}, `${text.slice(0, MAX_CHARS)}…`);
  const toggle = element('button', { type: 'button', class: 'hs-link-button', 'aria-expanded': 'false' }, `show all (${text.length.toLocaleString('en-US')} characters)`);
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    shown.textContent = open ? text : `${text.slice(0, MAX_CHARS)}…`;
    toggle.textContent = open ? 'show less' : `show all (${text.length.toLocaleString('en-US')} characters)`;
    toggle.setAttribute('aria-expanded', String(open));
  });
  out.append(shown, ' ', toggle);
  return out;
}

/** A key/value table of attributes, keys sorted; null when there are none. */
export function attributeTable(attributes: Attributes, label: string): HTMLTableElement | null {
  const keys = Object.keys(attributes).sort();
  if (keys.length === 0) return null;
  return element(
    'table',
    { class: 'hs-kv', 'aria-label': label },
    element('tbody', {}, ...keys.map((key) => element('tr', {}, element('th', { scope: 'row' }, key), element('td', {}, valueNode(attributes[key]))))),
  );
}

/** Attributes as compact `key = value` lines, for cells of events, links and logs. */
export function attributeLines(attributes: Attributes): HTMLElement {
  const keys = Object.keys(attributes).sort();
  return element('div', { class: 'hs-kv-lines' }, ...keys.map((key) => element('div', {}, element('span', { class: 'hs-key' }, key), ' = ', valueNode(attributes[key]))));
}
