import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IngestQueue, Slices } from '../../src/ingest/ingest-queue';

/** A queue whose drains run when the test says (a clock it moves, not a wait). */
function controlled<J, R>(process: (job: J) => R | Slices<R>) {
  const drains: (() => void)[] = [];
  const queue = new IngestQueue(process, { maxQueuedBytes: 1000, maxQueuedJobs: 10 }, (drain) => drains.push(drain));
  const turn = () => drains.shift()?.();
  return { queue, turn, pendingTurns: () => drains.length };
}

function* counting(steps: number, log: string[], name: string): Generator<void, string> {
  for (let i = 0; i < steps; i++) {
    log.push(`${name}${i}`);
    yield;
  }
  log.push(`${name} done`);
  return name;
}

describe('the ingest queue', () => {
  it('answers one job per turn, in order', async () => {
    const { queue, turn } = controlled((job: number) => job * 2);
    const answers = [queue.offer(1, 1)!, queue.offer(2, 1)!];
    turn();
    turn();
    assert.deepEqual(await Promise.all(answers), [2, 4]);
  });

  it('works a sliced job a step per turn, and answers the small jobs behind it meanwhile', async () => {
    const log: string[] = [];
    const { queue, turn, pendingTurns } = controlled((job: string) => (job === 'big' ? new Slices(counting(3, log, 'big')) : (log.push(job), job)));
    const big = queue.offer('big', 500)!;
    const small = [queue.offer('a', 10)!, queue.offer('b', 10)!];
    while (pendingTurns() > 0) turn();
    // After each slice the big job goes behind what is waiting: the small ones do not wait for its whole work.
    assert.deepEqual(log, ['big0', 'a', 'b', 'big1', 'big2', 'big done']);
    assert.equal(await big, 'big');
    assert.deepEqual(await Promise.all(small), ['a', 'b']);
  });

  it('counts a sliced job against its bound until it is done', async () => {
    const log: string[] = [];
    const { queue, turn } = controlled((job: string) => (job === 'big' ? new Slices(counting(2, log, 'big')) : job));
    const big = queue.offer('big', 1000)!;
    turn();
    assert.equal(queue.offer('late', 20), undefined, 'still holding the big job\'s bytes');
    turn();
    turn();
    assert.equal(await big, 'big');
    assert.notEqual(queue.offer('late', 20), undefined);
  });

  it('a sliced job that throws is refused with its error, and the queue goes on', async () => {
    function* failing(): Generator<void, string> {
      yield;
      throw new Error('bad request');
    }
    const { queue, turn, pendingTurns } = controlled((job: string) => (job === 'bad' ? new Slices(failing()) : job));
    const bad = queue.offer('bad', 10)!;
    const good = queue.offer('good', 10)!;
    while (pendingTurns() > 0) turn();
    await assert.rejects(bad, /bad request/);
    assert.equal(await good, 'good');
  });
});
