/**
 * The trace document the host forwards (src/protocol/trace-document.ts): the
 * page skips its head line and parses the view, and gives each span the
 * first of its place lists the host found in the workspace.
 */
import type { SourceLink } from '../src/protocol/messages';
import type { TraceView } from '../src/protocol/trace-view';

const NEWLINE = 10;

export function readView(document: Uint8Array): TraceView {
  const start = document.indexOf(NEWLINE) + 1;
  const view = JSON.parse(new TextDecoder().decode(start > 0 ? document.subarray(start) : document)) as TraceView | null;
  if (typeof view !== 'object' || view === null || !Array.isArray(view.nodes) || !Array.isArray(view.spans)) throw new Error('the trace document holds no view');
  return view;
}

/** Each span's line: the first of its place lists (`node.places`) the host placed (`places[i]` non-null). */
export function sourceLinks(view: TraceView, places: readonly (string | null)[]): SourceLink[] {
  const links: SourceLink[] = [];
  for (const node of view.nodes) {
    const place = node.places?.find((p) => typeof places[p] === 'string');
    if (place !== undefined) links.push({ spanId: node.spanId, label: places[place]!, place });
  }
  return links;
}
