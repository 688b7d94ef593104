/** Live panels redraw at most once an interval, and never miss the last change. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Throttle, type Clock } from '../../src/common/throttle';

/** A clock the test moves by hand. */
function manualClock() {
  let now = 0;
  let timers: { at: number; run: () => void; id: number }[] = [];
  let nextId = 1;
  const clock: Clock = {
    now: () => now,
    setTimeout: (run, ms) => {
      const timer = { at: now + ms, run, id: nextId++ };
      timers.push(timer);
      return timer.id;
    },
    clearTimeout: (id) => void (timers = timers.filter((t) => t.id !== id)),
  };
  /** Moves time on to `to`, running the timers due on the way (and letting promises settle). */
  const advance = async (to: number) => {
    for (;;) {
      const due = timers.filter((t) => t.at <= to).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers = timers.filter((t) => t !== due);
      now = due.at;
      due.run();
      await new Promise((resolve) => setImmediate(resolve));
    }
    now = to;
  };
  return { clock, advance, pending: () => timers.length };
}

describe('the throttle', () => {
  //  requests  x  x x x             x
  //  runs      R────────R           R
  //            0       1000        2500
  it('runs at once, then at most once an interval, with one trailing run for a burst', async () => {
    const { clock, advance } = manualClock();
    const runs: number[] = [];
    const throttle = new Throttle(1000, () => runs.push(clock.now()), clock);
    throttle.request();
    await advance(0);
    for (const at of [100, 200, 300]) {
      await advance(at);
      throttle.request();
    }
    await advance(2500);
    throttle.request();
    await advance(2500);
    assert.deepEqual(runs, [0, 1000, 2500]);
  });

  it('never overlaps a slow task; a request while it runs is served after it', async () => {
    const { clock, advance } = manualClock();
    let running = 0;
    let overlapped = false;
    const finish: (() => void)[] = [];
    const starts: number[] = [];
    const throttle = new Throttle(100, () => {
      starts.push(clock.now());
      overlapped ||= running > 0;
      running++;
      return new Promise<void>((resolve) => finish.push(() => (running--, resolve())));
    }, clock);
    throttle.request();
    await advance(0);
    throttle.request();
    await advance(500);
    assert.deepEqual(starts, [0], 'still running: the second request waits');
    finish.shift()!();
    await advance(500);
    await advance(500);
    assert.deepEqual(starts, [0, 500]);
    assert.equal(overlapped, false);
  });

  it('keeps working after a task fails', async () => {
    const { clock, advance } = manualClock();
    let calls = 0;
    const throttle = new Throttle(10, () => {
      calls++;
      throw new Error('boom');
    }, clock);
    throttle.request();
    await advance(0);
    throttle.request();
    await advance(10);
    assert.equal(calls, 2);
  });

  it('runs nothing after it is disposed', async () => {
    const { clock, advance, pending } = manualClock();
    let calls = 0;
    const throttle = new Throttle(1000, () => void calls++, clock);
    throttle.request();
    throttle.dispose();
    assert.equal(pending(), 0);
    throttle.request();
    await advance(5000);
    assert.equal(calls, 0);
  });
});
