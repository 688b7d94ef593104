import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTree, coveredUs } from '../../src/analysis/trace-tree';
import { timeline } from '../support/timeline';

const at = (startUs: number, endUs: number) => ({ startUs, endUs });

describe('the time a set of intervals covers', () => {
  it('counts overlapping intervals once, and the gaps between them not at all', () => {
    //   0 ├──────────────────────────┤ 100
    //       ├─10─20─┤  ├──────┤ ├┤
    //          ├15──30┤ 40   60 70 75
    assert.equal(coveredUs([at(10, 20), at(15, 30), at(40, 60), at(70, 75)], 0, 100), 20 + 20 + 5);
    assert.equal(coveredUs([at(10, 50), at(20, 30)], 0, 100), 40, 'one inside another');
    assert.equal(coveredUs([], 0, 100), 0);
  });

  it('clips to [from, to], and ignores what lies outside or has no length', () => {
    assert.equal(coveredUs([at(0, 30), at(20, 120)], 10, 100), 90);
    assert.equal(coveredUs([at(0, 5), at(50, 50), at(120, 130)], 10, 100), 0);
  });
});

describe('a web framework layer that ends after the request was answered', () => {
  it('is waited for however late its end, as its instrumentation marks it a layer; an unmarked leaf is not', () => {
    const drawn = timeline(`
      payments | POST /charge | server | 0-100
        payments | middleware - patched | internal | 1-204 | express.type=middleware express.name=patched
        payments | send receipt | internal | 2-204
    `);
    const tree = buildTree(drawn.spans)!;
    const mode = (name: string) => tree.nodes.find((n) => n.name === name)!.mode;
    assert.equal(mode('middleware - patched'), 'sync', 'ends 104 ms late, as seen live on a busy machine');
    assert.equal(mode('send receipt'), 'fire-and-forget', 'work that went on after the answer');
  });
});
