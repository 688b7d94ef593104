/**
 * How the views name a span: by its label (`GET /price`), which the host
 * derives from the semantic conventions, not by the raw span name (`GET`).
 * A view kept from before labels existed has none: the name stands in.
 */
import type { ViewNode } from '../src/protocol/trace-view';

export function labelOf(node: Pick<ViewNode, 'label' | 'name'>): string {
  return node.label || node.name;
}

/** `orders: GET /price`, and `→ pricing` when it names who answers. */
export function spanTitle(node: Pick<ViewNode, 'service' | 'label' | 'name' | 'peer'>): string {
  return `${node.service}: ${labelOf(node)}${node.peer ? ` → ${node.peer}` : ''}`;
}
