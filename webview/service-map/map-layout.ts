/**
 * The service map as ELK's input, made so that the same services and calls
 * always give the same picture, whatever their numbers do:
 *
 *   update 1: gateway, orders, payments   → order gateway 0, orders 1, payments 2
 *   update 2: + inventory, counts changed → inventory 3 (new), the rest keep theirs
 *
 * - Services and edges go to ELK in the order the map first saw them (a
 *   `MapOrder` lives as long as the page), with `considerModelOrder` =
 *   NODES_AND_EDGES: the aggregate's own order (edges by call count) changes
 *   every second and used to swap payments and inventory, and the sync and
 *   async edges into email. Cycle breaking stays ELK's default: MODEL_ORDER
 *   turns every edge against the first-seen order around, and drew analytics
 *   and email (first by name) before the orders service that calls them.
 * - Node boxes depend on the name only, edge label boxes have one fixed size:
 *   changing numbers never change the geometry ELK sees.
 * - `topologyOf` names the set of services and edges: while it stays the same
 *   the view does not lay out again at all (it updates text in place), so
 *   positions are equal across updates; only a new (or gone) service or edge
 *   lays out again. ELK is deterministic for equal input.
 *
 * Not done: carrying each known node's layer into the next layout.
 * `elk.layered.layering.layerChoiceConstraint` is registered in elkjs 0.12.1
 * but only read by ELK's InteractiveLayeredGraphVisitor, which elkjs does not
 * run (no layering phase reads it), so a new service may still shift others.
 */
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { ServiceMapEdge, ServiceMapView } from '../../src/protocol/service-map';

export const edgeKey = (e: Pick<ServiceMapEdge, 'from' | 'to' | 'mode'>): string => `${e.from}\u0000${e.to}\u0000${e.mode}`;

/** The one size of every edge label box: two lines, room for `12,345 calls · 123 err` / `p50 999 ms · p95 9.99 s`. */
export const EDGE_LABEL = { width: 140, height: 28, lineHeight: 12 } as const;
export const NODE_HEIGHT = 44;
export const nodeWidth = (name: string): number => Math.max(110, Math.round(name.length * 7.5) + 30);

const LAYOUT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.json.edgeCoords': 'ROOT',
  'elk.edgeLabels.placement': 'CENTER',
  'elk.layered.spacing.nodeNodeBetweenLayers': '80',
  'elk.spacing.nodeNode': '30',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.considerModelOrder.components': 'MODEL_ORDER',
};

/** First-seen positions of services and edges, kept across updates (never reordered, only appended to). */
export class MapOrder {
  private readonly services = new Map<string, number>();
  private readonly edges = new Map<string, number>();

  /** The view's services and edges, known ones in the order first seen, new ones after them (by name, by key). */
  arrange(view: ServiceMapView): { services: ServiceMapView['services']; edges: ServiceMapEdge[] } {
    const newServices = view.services.filter((s) => !this.services.has(s.name)).map((s) => s.name).sort();
    for (const name of newServices) this.services.set(name, this.services.size);
    const keyed = view.edges.map((edge) => ({ edge, key: edgeKey(edge) }));
    const newEdges = keyed.filter((e) => !this.edges.has(e.key)).map((e) => e.key).sort();
    for (const key of newEdges) this.edges.set(key, this.edges.size);
    return {
      services: [...view.services].sort((a, b) => this.services.get(a.name)! - this.services.get(b.name)!),
      edges: keyed.sort((a, b) => this.edges.get(a.key)! - this.edges.get(b.key)!).map((e) => e.edge),
    };
  }
}

/** Which services and edges there are (already arranged): equal topologies lay out equally. */
export const topologyOf = (arranged: ReturnType<MapOrder['arrange']>): string =>
  JSON.stringify([arranged.services.map((s) => s.name), arranged.edges.map(edgeKey)]);

/** ELK's input: node `s<i>` is services[i], edge `e<i>` is edges[i] (a label's text is a stand-in: ELK skips empty ones, and only its size counts). */
export function toElk(arranged: ReturnType<MapOrder['arrange']>): ElkNode {
  const ids = new Map(arranged.services.map((s, i) => [s.name, `s${i}`]));
  const edges: ElkExtendedEdge[] = [];
  arranged.edges.forEach((e, i) => {
    const from = ids.get(e.from);
    const to = ids.get(e.to);
    if (from && to) edges.push({ id: `e${i}`, sources: [from], targets: [to], labels: [{ text: 'calls', width: EDGE_LABEL.width, height: EDGE_LABEL.height }] });
  });
  return {
    id: 'root',
    layoutOptions: LAYOUT_OPTIONS,
    children: arranged.services.map((s) => ({ id: ids.get(s.name)!, width: nodeWidth(s.name), height: NODE_HEIGHT })),
    edges,
  };
}
