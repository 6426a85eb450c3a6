import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromColumns } from '../src/base/features.js';
import { resolveUnfoldOptions } from '../src/algorithm/options.js';
import { selectEvents } from '../src/algorithm/steps.js';
import type { SimSample } from '../src/algorithm/types.js';

/** Four events; feature k of event i is 10k + i. */
function sim(passGen: number[], passReco: number[]): SimSample {
  const col = (k: number) => Float32Array.from({ length: 4 }, (_, i) => 10 * k + i);
  return {
    gen: fromColumns([col(1), col(2)]),
    reco: fromColumns([col(3), col(4)]),
    passGen: Uint8Array.from(passGen),
    passReco: Uint8Array.from(passReco),
    weights: new Float64Array(4).fill(1),
  };
}

test('a subset of every event is the matrix itself; other subsets are copies of their rows', () => {
  const s = sim([1, 1, 1, 1], [1, 0, 1, 1]);
  const sel = selectEvents(s, resolveUnfoldOptions({ misses: 'expectation' }));
  assert.is(sel.genX, s.gen);
  assert.is.not(sel.recoX, s.reco);
  assert.equal(Array.from(sel.recoX.values), [30, 40, 32, 42, 33, 43]);
  assert.equal(Array.from(sel.genBothX!.values), [10, 20, 12, 22, 13, 23]);
  assert.equal(Array.from(sel.genMissX!.values), [11, 21]);
  assert.is(selectEvents(s, resolveUnfoldOptions({})).recoX, sel.recoX, 'the same masks reuse the cached copy');
});

test('fakes: the reco rows of events that pass both, and of those that pass reco only', () => {
  const s = sim([1, 0, 1, 1], [1, 1, 1, 1]);
  const sel = selectEvents(s, resolveUnfoldOptions({ fakes: 'reco-average' }));
  assert.is(sel.recoX, s.reco);
  assert.equal(Array.from(sel.genX.values), [10, 20, 12, 22, 13, 23]);
  assert.equal(Array.from(sel.recoBothX!.values), [30, 40, 32, 42, 33, 43]);
  assert.equal(Array.from(sel.recoFakeX!.values), [31, 41]);
});

test.run();
