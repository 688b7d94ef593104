/**
 * Keyboard use of the graph: `+` `-` `0` zoom and fit; arrows walk the calls
 * (left: caller, right: first callee, up/down: the previous or next call of
 * the same caller); Enter opens or folds a group, or on a call opens its line
 * in the editor; Escape clears the selection.
 */
import type { Store } from '../store';
import type { Layout } from './elk-graph';
import type { PanZoom } from './pan-zoom';
import type { GraphModel, GraphNode } from './trace-graph';

/** `zoomBy` is the view's: it keeps the selected node in view. */
export function attachKeyboard(canvas: SVGSVGElement, store: Store, panZoom: PanZoom, zoomBy: (factor: number) => void, current: () => { model: GraphModel | undefined; layout: Layout | undefined }): void {
  canvas.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const { model, layout } = current();
    const handled = ((): boolean => {
      switch (event.key) {
        case '+':
        case '=':
          zoomBy(1.25);
          return true;
        case '-':
        case '_':
          zoomBy(0.8);
          return true;
        case '0':
          panZoom.fit();
          return true;
        case 'Escape':
          store.select(null, 'keyboard');
          return true;
      }
      if (!model) return false;
      const at = current_(model, store);
      if (event.key === 'Enter') {
        if (at?.folded !== undefined) store.toggleExpanded(at.key);
        else if (at?.repeated) store.toggleExpanded(at.key.replace(/#\d+$/, ''));
        else if (store.selected) store.goToCode(store.selected);
        return at !== undefined;
      }
      const next = step(model, at, event.key);
      if (next === undefined) return event.key.startsWith('Arrow');
      if (next.folded !== undefined) store.toggleExpanded(next.key);
      else store.select(next.spanIds[0]!, 'keyboard');
      const box = layout?.nodes.get(next.key);
      if (box) panZoom.reveal(box);
      return true;
    })();
    if (handled) event.preventDefault();
  });
}

function current_(model: GraphModel, store: Store): GraphNode | undefined {
  const key = store.selected ? model.nodeOfSpan.get(store.selected) : undefined;
  return key === undefined ? undefined : model.nodes.find((n) => n.key === key);
}

function step(model: GraphModel, at: GraphNode | undefined, key: string): GraphNode | undefined {
  if (!key.startsWith('Arrow')) return undefined;
  if (!at) return model.nodes[0];
  const siblings = model.nodes.filter((n) => n.parentKey === at.parentKey);
  const index = siblings.indexOf(at);
  switch (key) {
    case 'ArrowLeft':
      return at.parentKey === undefined ? undefined : model.nodes.find((n) => n.key === at.parentKey);
    case 'ArrowRight':
      return model.nodes.find((n) => n.parentKey === at.key);
    case 'ArrowUp':
      return siblings[index - 1];
    case 'ArrowDown':
      return siblings[index + 1];
  }
  return undefined;
}
