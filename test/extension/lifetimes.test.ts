/** Named lifetimes: everything added is disposed once, last first, even when one of them throws. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Emitter } from '../../src/common/emitter';
import { Lifetime } from '../../src/extension/lifetimes';

describe('a lifetime', () => {
  it('disposes what was added, the last added first, and only once', async () => {
    const ended: string[] = [];
    const lifetime = new Lifetime('receiver');
    const named = (name: string) => ({ dispose: () => void ended.push(name) });
    const first = named('controller');
    assert.equal(lifetime.add(first), first, 'add returns what it keeps');
    lifetime.push(named('onState'), named('onTraces'));
    assert.equal(lifetime.size, 3);
    await lifetime.dispose();
    await lifetime.dispose();
    assert.deepEqual(ended, ['onTraces', 'onState', 'controller']);
    assert.equal(lifetime.size, 0);
  });

  it('waits for each asynchronous end before the next', async () => {
    const ended: string[] = [];
    const lifetime = new Lifetime('receiver');
    lifetime.add({ dispose: () => void ended.push('worker') });
    lifetime.add({ dispose: () => new Promise<void>((resolve) => setImmediate(() => resolve(void ended.push('sockets')))) });
    const ending = lifetime.dispose();
    assert.deepEqual(ended, [], 'nothing ends before its turn');
    await ending;
    assert.deepEqual(ended, ['sockets', 'worker']);
  });

  it('goes on past a disposable that throws, and says whose it was', async () => {
    const errors: string[] = [];
    const ended: string[] = [];
    const lifetime = new Lifetime('extension', (error, name) => errors.push(`${name}: ${(error as Error).message}`));
    lifetime.add({ dispose: () => void ended.push('status bar') });
    lifetime.add({ dispose: () => { throw new Error('already gone'); } });
    lifetime.add({ dispose: () => Promise.reject(new Error('late')) });
    await lifetime.dispose();
    assert.deepEqual(ended, ['status bar']);
    assert.deepEqual(errors, ['extension: late', 'extension: already gone']);
  });

  it('disposes at once what is added after it ended', async () => {
    const lifetime = new Lifetime('receiver');
    await lifetime.dispose();
    let ended = false;
    lifetime.add({ dispose: () => void (ended = true) });
    await lifetime.dispose();
    assert.equal(ended, true);
    assert.equal(lifetime.size, 0);
  });

  it('ends an emitter\'s listeners: after the end they hear nothing', async () => {
    const emitter = new Emitter<number>();
    const heard: number[] = [];
    const lifetime = new Lifetime('receiver');
    lifetime.add(emitter.event((value) => heard.push(value)));
    emitter.fire(1);
    await lifetime.dispose();
    emitter.fire(2);
    assert.deepEqual(heard, [1]);
  });
});
