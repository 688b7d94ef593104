/**
 * Runs ELK in a web worker started from a `blob:` URL, so a big layout never
 * blocks the page. Only the newest request's answer is used.
 */
import ELK, { type ELK as Engine, type ElkNode } from 'elkjs/lib/elk-api.js';
import workerSource from 'elkjs/lib/elk-worker.min.js';
import { LAYOUT_OPTIONS } from './elk-graph';

let engine: Engine | undefined;
let latest = 0;

function layoutEngine(): Engine {
  engine ??= new ELK({ workerFactory: () => new Worker(URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }))) });
  return engine;
}

/**
 * Starts the worker and lays out a small graph of the real kind (service boxes,
 * calls across them), so that the first trace finds ELK parsed and its code warm.
 */
export function warmUpLayout(): void {
  const box = (s: number) => ({ id: `s${s}`, children: [0, 1, 2].map((n) => ({ id: `n${s}_${n}`, width: 150, height: 42 })) });
  const children = [0, 1, 2, 3, 4].map(box);
  const edges = children.flatMap((_, s) => [
    { id: `a${s}`, sources: [`n${s}_0`], targets: [`n${s}_1`] },
    { id: `b${s}`, sources: [`n${s}_0`], targets: [`n${s}_2`] },
    ...(s > 0 ? [{ id: `c${s}`, sources: [`n${s - 1}_1`], targets: [`n${s}_0`] }] : []),
  ]);
  void layoutEngine().layout({ id: 'warm-up', layoutOptions: LAYOUT_OPTIONS, children, edges }).catch(() => undefined);
}

/** The laid-out graph, or undefined when a newer request overtook this one. */
export async function layoutInWorker(graph: ElkNode): Promise<ElkNode | undefined> {
  const ticket = ++latest;
  const result = await layoutEngine().layout(graph);
  return ticket === latest ? result : undefined;
}
