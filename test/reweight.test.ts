/**
 * reweight() (src/algorithm/reweight.ts): a Gaussian source N(0, 1) weighted to a Gaussian
 * target N(0.5, 1.2) must take the target's mean and width; the normalisations, the
 * diagnostics, the errors, and the same bits on worker threads.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromColumns, column, type FeatureMatrix } from '../src/base/features.js';
import { reweight } from '../src/algorithm/reweight.js';
import { PoolRunner } from '../src/execution/pool.js';
import { normals } from './helpers/normals.js';

const EDGES = Array.from({ length: 41 }, (_, k) => -5 + 0.25 * k);
const BINNED = { type: 'binned' as const, edges: [EDGES] };

function gaussian(n: number, mean: number, sigma: number, seed: number, weight = 1) {
  return {
    x: fromColumns([normals(n, seed).map((z) => mean + sigma * z)], true),
    weights: new Float64Array(n).fill(weight),
  };
}

function moments(x: FeatureMatrix, w: Float64Array): { sum: number; mean: number; sigma: number } {
  const c = column(x, 0);
  let s = 0;
  let sx = 0;
  let sxx = 0;
  for (let i = 0; i < c.length; i++) {
    s += w[i];
    sx += w[i] * c[i];
    sxx += w[i] * c[i] * c[i];
  }
  const mean = sx / s;
  return { sum: s, mean, sigma: Math.sqrt(sxx / s - mean * mean) };
}

const source = gaussian(100_000, 0, 1, 3);
// the target has twice the source's total weight: the absolute ratio carries it
const target = gaussian(50_000, 0.5, 1.2, 5, 4);

test('binned: the reweighted source has the target mean and width (±0.02) and total', async () => {
  const r = await reweight(source, target, { classifier: BINNED }, { names: ['x'] });
  const m = moments(source.x, r.weights);
  assert.ok(Math.abs(m.mean - 0.5) < 0.02, `mean ${m.mean}`);
  assert.ok(Math.abs(m.sigma - 1.2) < 0.02, `sigma ${m.sigma}`);
  // binned: Σ reweighted = Σ target, less the target weight in the few tail cells without source events
  assert.ok(Math.abs(m.sum / 200_000 - 1) < 1e-3, `sum ${m.sum}`);
  const d = r.diagnostics;
  assert.is(d.sumTarget, 200_000);
  assert.is(d.sumSource, 100_000);
  assert.is(d.normalisationFactor, 1);
  assert.is(d.essBefore, 100_000);
  assert.ok(d.essAfter < d.essBefore && d.essAfter > 30_000, `ESS ${d.essAfter}`);
  assert.is(d.chi2[0].feature, 'x');
  assert.ok(d.chi2[0].before.chi2 / d.chi2[0].before.ndf > 100, `χ² before ${JSON.stringify(d.chi2[0].before)}`);
  // 0.25-wide cells against 0.5-wide χ² bins: what is left is the Gaussian's curvature inside a cell
  assert.ok(d.chi2[0].after.chi2 / d.chi2[0].after.ndf < 3, `χ² after ${JSON.stringify(d.chi2[0].after)}`);
  assert.is(d.members.length, 1);
});

test("normalisation 'source' keeps Σ source weights and the shape", async () => {
  const absolute = await reweight(source, target, { classifier: BINNED });
  const shape = await reweight(source, target, { classifier: BINNED, normalisation: 'source' });
  const m = moments(source.x, shape.weights);
  assert.ok(Math.abs(m.sum / 100_000 - 1) < 1e-12, `sum ${m.sum}`);
  assert.ok(Math.abs(shape.diagnostics.normalisationFactor - 0.5) < 1e-3);
  assert.ok(Math.abs(m.mean - moments(source.x, absolute.weights).mean) < 1e-12);
});

test('the ratio is also evaluated on other events, with the same factor', async () => {
  const other = gaussian(1000, 0, 1, 9);
  const r = await reweight(source, target, { classifier: BINNED, normalisation: 'source' }, { evaluateOn: [other.x] });
  assert.is(r.evaluated.length, 1);
  assert.is(r.evaluated[0].length, 1000);
  // the binned ratio is a function of the cell: equal x, equal ratio
  const x = column(source.x, 0);
  const y = column(other.x, 0);
  const cell = (v: number) => Math.floor((v + 5) / 0.25);
  const byCell = new Map<number, number>();
  x.forEach((v, i) => byCell.set(cell(v), r.ratio[i]));
  y.forEach((v, i) => {
    const expected = byCell.get(cell(v));
    if (expected !== undefined) assert.is(r.evaluated[0][i], expected);
  });
});

test('MLP, 2 members: the target mean within 0.05; identical bits on 2 worker threads', async () => {
  const small = gaussian(6000, 0, 1, 13);
  const goal = gaussian(6000, 0.5, 1.2, 17);
  const options = {
    classifier: { type: 'mlp' as const, hidden: [16, 16], epochs: 6, batchSize: 256 },
    nMembers: 2,
    seed: 7,
  };
  const here = await reweight(small, goal, options);
  const m = moments(small.x, here.weights);
  assert.ok(Math.abs(m.mean - 0.5) < 0.05, `mean ${m.mean}`);
  const runner = new PoolRunner({ threads: 2 });
  try {
    const there = await reweight(small, goal, options, { runner });
    assert.equal(Buffer.from(there.weights.buffer), Buffer.from(here.weights.buffer));
  } finally {
    await runner.close();
  }
  const otherSeed = await reweight(small, goal, { ...options, seed: 8 });
  assert.not.equal(Buffer.from(otherSeed.weights.buffer), Buffer.from(here.weights.buffer));
});

test('one-line errors: features, weights, totals, options', async () => {
  const two = { x: fromColumns([new Float32Array(3), new Float32Array(3)]), weights: new Float64Array(3).fill(1) };
  const one = { x: fromColumns([new Float32Array(3)]), weights: new Float64Array(3).fill(1) };
  const rejects = async (f: () => Promise<unknown>, message: RegExp) => {
    try {
      await f();
    } catch (e) {
      assert.match((e as Error).message, message);
      return;
    }
    assert.unreachable('no error');
  };
  await rejects(
    () => reweight(one, two, { classifier: BINNED }),
    /^target\.x must have the source's 1 features; got 2$/,
  );
  await rejects(
    () => reweight({ ...one, weights: new Float64Array(2) }, one),
    /^source\.weights must have one weight per event \(3\); got 2$/,
  );
  await rejects(
    () => reweight({ ...one, weights: new Float64Array(3).fill(-1) }, one, { classifier: BINNED }),
    /^source total weight must be positive; got -3$/,
  );
  await rejects(
    () => reweight(one, one, { normalisation: 'data' as never }),
    /^options\.normalisation must be one of target, source; got "data"$/,
  );
  await rejects(
    () => reweight(one, one, { nIterations: 2 } as never),
    /^options must only have the keys classifier, .*; got "nIterations"$/,
  );
});

test.run();
