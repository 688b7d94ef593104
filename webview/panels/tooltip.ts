/**
 * A small floating tooltip for a panel, for numbers that are too long to fit
 * in the element they describe. Text only: lines become text nodes.
 */
import { element } from '../dom';

export interface Tooltip {
  /** Show the lines near a viewport point (a pointer, or the corner of a focused element). */
  show(lines: readonly string[], x: number, y: number): void;
  hide(): void;
}

/** Distance from the pointer, px. */
const OFFSET = 12;

export function mountTooltip(parent: HTMLElement): Tooltip {
  const tip = element('div', { class: 'hs-tooltip', role: 'tooltip', hidden: '' });
  parent.append(tip);
  return {
    show(lines, x, y) {
      tip.replaceChildren(...lines.map((line) => element('div', {}, line)));
      tip.hidden = false;
      // Keep it inside the viewport: flip to the other side of the point when it would overflow.
      const { width, height } = tip.getBoundingClientRect();
      const left = x + OFFSET + width > window.innerWidth ? Math.max(0, x - OFFSET - width) : x + OFFSET;
      const top = y + OFFSET + height > window.innerHeight ? Math.max(0, y - OFFSET - height) : y + OFFSET;
      tip.style.left = `${left}px`;
      tip.style.top = `${top}px`;
    },
    hide() {
      tip.hidden = true;
    },
  };
}
