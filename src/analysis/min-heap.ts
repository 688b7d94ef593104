/**
 * A binary min-heap on a plain array, ordered by `key`: the replays (what-if.ts, pauses.ts) take the
 * children that end first, in order, without sorting them again and without recursion.
 */
export function pushMin<T>(heap: T[], item: T, key: (item: T) => number): void {
  heap.push(item);
  for (let i = heap.length - 1; i > 0; ) {
    const p = (i - 1) >> 1;
    if (key(heap[p]!) <= key(heap[i]!)) break;
    [heap[p], heap[i]] = [heap[i]!, heap[p]!];
    i = p;
  }
}

export function popMin<T>(heap: T[], key: (item: T) => number): T {
  const top = heap[0]!;
  const last = heap.pop()!;
  if (heap.length > 0) {
    heap[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && key(heap[l]!) < key(heap[m]!)) m = l;
      if (r < heap.length && key(heap[r]!) < key(heap[m]!)) m = r;
      if (m === i) break;
      [heap[m], heap[i]] = [heap[i]!, heap[m]!];
      i = m;
    }
  }
  return top;
}
