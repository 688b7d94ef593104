/**
 * Throughputs of several ways of doing the same work, in items per second:
 * their rounds are interleaved (A, B, C, A, B, C, …) so that all of them meet
 * the same machine — this VM's speed drifts over seconds — and each figure is
 * the median of its rounds.
 */
export function throughputs<T>(inputs: readonly T[], itemsPer: (input: T) => number, work: ((input: T) => unknown)[], rounds = 9, roundMs = 400): number[] {
  for (const fn of work) for (let i = 0; i < 3; i++) for (const input of inputs) fn(input); // warm up
  const rates: number[][] = work.map(() => []);
  for (let r = 0; r < rounds; r++) {
    work.forEach((fn, w) => {
      let items = 0;
      const start = performance.now();
      while (performance.now() - start < roundMs) {
        for (const input of inputs) {
          fn(input);
          items += itemsPer(input);
        }
      }
      rates[w]!.push(items / ((performance.now() - start) / 1000));
    });
  }
  return rates.map((list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!);
}
