/**
 * BinnedClassifier: exact bin ratios s1/s0 on the product grid with under/overflow cells,
 * the clip guards, cells without class-0 weight, and edge validation.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BinnedClassifier, clipRatio } from '../src/classifiers/binned.js';
import { createClassifier } from '../src/classifiers/registry.js';
import { InputError, NumericalError } from '../src/base/errors.js';
import { fromColumns } from '../src/base/features.js';
import type { RngKey } from '../src/base/rng.js';
import { assertClose } from './helpers/close.js';

const rngKey: RngKey = { seed: 0, kind: 'nominal', replica: 0, iteration: 1, step: 'step1', member: 0 };
const loose = { epsilon: 1e-6, wMax: 100 };
const col = (...v: number[]) => fromColumns([v]);
const w = (...v: number[]) => Float64Array.from(v);

// edges [0, 1, 2]: cells underflow (< 0), [0, 1), [1, 2), overflow (≥ 2)
// class 0 sums: 1, 1 + 2 = 3, 4, 2   (S0 = 10)
// class 1 sums: 2, 6, 1 + 1 = 2, 10  (S1 = 20)
const x0 = col(-1, 0.5, 0.5, 1.5, 3);
const w0 = w(1, 1, 2, 4, 2);
const x1 = col(-0.5, 0.2, 1.2, 1.7, 2.5);
const w1 = w(2, 6, 1, 1, 10);
const model = () => new BinnedClassifier({ type: 'binned', edges: [[0, 1, 2]] }).fit(x0, w0, x1, w1, { rngKey });
const probes = col(-7, 0, 0.99, 1, 1.99, 2, 40);

test('hand-computed cells: ratio = s1/s0 per cell, under- and overflow included', () => {
  const m = model();
  assert.equal([m.info.sumW0, m.info.sumW1, m.info.epochs, m.info.bestEpoch], [10, 20, 0, 0]);
  const r = m.ratio(probes, loose);
  // f = (s1/S1)/(s1/S1 + s0/S0), f/(1−f)·S1/S0 = s1/s0: 2/1, 6/3, 6/3, 2/4, 2/4, 10/2, 10/2
  assertClose('ratio', r.ratio, [2, 2, 2, 0.5, 0.5, 5, 5]);
  assert.is(r.nClipped, 0);
});

test('clip: f to [ε, 1−ε] is the ratio to [ε/(1−ε), (1−ε)/ε]·S1/S0, then [0, wMax]', () => {
  // ε = 0.2: bounds [0.25, 4]·2 = [0.5, 8]; the 0.5 cells sit on the bound (not clipped)
  const r = model().ratio(probes, { epsilon: 0.2, wMax: 100 });
  assertClose('ratio ε=0.2', r.ratio, [2, 2, 2, 0.5, 0.5, 5, 5]);
  assert.is(r.nClipped, 0);
  // ε = 0.25: bounds [1/3, 3]·2 = [2/3, 6]
  const r2 = model().ratio(probes, { epsilon: 0.25, wMax: 100 });
  assertClose('ratio ε=0.25', r2.ratio, [2, 2, 2, 2 / 3, 2 / 3, 5, 5]);
  assert.is(r2.nClipped, 2);
  const r3 = model().ratio(probes, { epsilon: 1e-6, wMax: 3 });
  assertClose('ratio wMax=3', r3.ratio, [2, 2, 2, 0.5, 0.5, 3, 3]);
  assert.is(r3.nClipped, 2);
  assert.equal(clipRatio(1, 1, { epsilon: 0, wMax: 10 }), { value: 1, clipped: false });
});

test('cells without class-0 weight and empty cells → S1/S0 (not clipped); s1 = 0 → lower bound', () => {
  // edges [0, 1, 2, 3]; class 1 alone in [2, 3); nobody in the overflow
  const c = new BinnedClassifier({ type: 'binned', edges: [[0, 1, 2, 3]] });
  const m = c.fit(col(0.5, 1.5), w(1, 1), col(0.5, 2.5), w(1, 3), { rngKey });
  const r = m.ratio(col(0.5, 1.5, 2.5, 9), { epsilon: 0.01, wMax: 1000 });
  // S1/S0 = 2; [0,1): 1/1; [1,2): s1 = 0 → f = ε → lower bound 2·0.01/0.99; [2,3): no class-0 weight → 2; overflow: 2
  assertClose('ratio', r.ratio, [1, (2 * 0.01) / 0.99, 2, 2]);
  assert.is(r.nClipped, 1);
  assert.is(m.info.nNegativeCells, undefined, 'no negative cell with positive weights');
  // with ε = 0 the cell without class-0 weight is still S1/S0, not wMax
  const r0 = m.ratio(col(2.5), { epsilon: 0, wMax: 50 });
  assertClose('ratio ε=0', r0.ratio, [2]);
  assert.is(r0.nClipped, 0);
});

test('negative weights: a cell with a negative sum in either class gets S1/S0 and is counted', () => {
  const c = new BinnedClassifier({ type: 'binned', edges: [[0, 1, 2, 3]] });
  const m = c.fit(col(0.5, 1.5, 2.5, 2.5), w(-2, 1, 10, 1), col(0.5, 1.5, 2.5), w(-1, -1, 12), { rngKey });
  // S0 = 10, S1 = 10; [0,1): both sums negative → S1/S0 = 1; [1,2): s1 = −1 → 1; [2,3): 12/11
  const r = m.ratio(col(0.5, 1.5, 2.5), { epsilon: 1e-3, wMax: 100 });
  assertClose('ratio', r.ratio, [1, 1, 12 / 11]);
  assert.is(r.nClipped, 0);
  assert.is(m.info.nNegativeCells, 2);
  // s0 < 0 with s1 > 0 (the ratio would be negative): S1/S0 too, never the upper bound
  const m2 = c.fit(col(0.5, 0.5, 2.5), w(1, -3, 12), col(0.5, 2.5), w(4, 6), { rngKey });
  // S0 = 10, S1 = 10; [0,1): s0 = −2 → 1; [2,3): 6/12
  assertClose('ratio s0 < 0 < s1', m2.ratio(col(0.5, 2.5), { epsilon: 1e-3, wMax: 100 }).ratio, [1, 0.5]);
  assert.is(m2.info.nNegativeCells, 1);
});

test('2-D product grid: one cell per pair of slots', () => {
  const c = new BinnedClassifier({
    type: 'binned',
    edges: [
      [0, 1],
      [0, 10, 20],
    ],
  });
  const x = fromColumns([
    [0.5, 0.5, 0.5, 5],
    [5, 15, 15, -1],
  ]);
  const m = c.fit(x, w(1, 1, 1, 1), x, w(3, 1, 2, 4), { rngKey });
  // cells (in, [0,10)): 3/1; (in, [10,20)): 3/2; (over, under): 4/1; (under, under): empty → S1/S0 = 2.5
  const r = m.ratio(
    fromColumns([
      [0.5, 0.2, 7, -3],
      [1, 19, -4, -4],
    ]),
    loose,
  );
  assertClose('ratio', r.ratio, [3, 1.5, 4, 2.5]);
});

test('the factory builds the binned classifier from its spec', () => {
  const c = createClassifier({ type: 'binned', edges: [[0, 1]] });
  assert.instance(c, BinnedClassifier);
  assert.equal(c.spec, { type: 'binned', edges: [[0, 1]] });
  assert.throws(
    () => createClassifier({ type: 'tree' } as never),
    (e: Error) =>
      e instanceof InputError && /classifier\.type must be one of mlp, binned, pfn; got "tree"/.test(e.message),
  );
});

test('validation messages', () => {
  const bad = (edges: unknown, re: RegExp) =>
    assert.throws(
      () => new BinnedClassifier({ type: 'binned', edges } as never),
      (e: Error) => e instanceof InputError && re.test(e.message),
      String(re),
    );
  bad([], /^classifier\.edges must be a non-empty array of edge arrays \(one per feature\); got array of length 0$/);
  bad(undefined, /^classifier\.edges must be a non-empty array .*; got undefined$/);
  bad([5], /^classifier\.edges\[0\] must be an array of numbers; got 5$/);
  bad([[0, 1], [1]], /^classifier\.edges\[1\] must hold at least 2 edges; got 1$/);
  bad([[0, 2, 1]], /^classifier\.edges\[0\] must be strictly increasing; got 2 then 1 at index 2$/);
  bad([[0, NaN]], /^classifier\.edges\[0\] must be finite; got NaN at index 1$/);
  bad(
    Array.from({ length: 5 }, () => Array.from({ length: 40 }, (_, k) => k)),
    /^classifier\.edges must give at most 16777216 grid cells \(with under\/overflow\); got 115856201$/,
  );
  const c = new BinnedClassifier({ type: 'binned', edges: [[0, 1]] });
  assert.throws(
    () => c.fit(fromColumns([[0], [0]]), w(1), col(0), w(1), { rngKey }),
    /^binned classifier class 0 must have one feature per edge list \(1\); got 2 features$/,
  );
  assert.throws(
    () => c.fit(col(0), w(1, 2), col(0), w(1), { rngKey }),
    /^binned classifier class 0 weights must have one entry per event; got 2 for 1 events$/,
  );
  assert.throws(
    () => c.fit(col(0), w(-1), col(0), w(1), { rngKey }),
    (e: Error) =>
      e instanceof NumericalError &&
      /^binned classifier class 0 total weight must be positive; got -1$/.test(e.message),
  );
  assert.throws(
    () => c.fit(col(0), w(1), col(0), w(1), { rngKey }).ratio(fromColumns([[0], [1]]), loose),
    /^binned classifier target must have one feature per edge list \(1\); got 2 features$/,
  );
});

test.run();
