/**
 * Negative prior weights: the binned classifier's rule for cells with a negative summed
 * weight (src/classifiers/binned.ts: ratio S1/S0, counted, warned about), checked against
 * a plain histogram recurrence of the same rule and against the truth of the Gaussian toy;
 * and class totals fixed by the inputs, checked before the loop for every classifier.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromColumns } from '../src/base/features.js';
import { unfold } from '../src/algorithm/omnifold.js';
import { runWarnings } from '../src/report/warnings.js';
import type { RunData } from '../src/report/run_data.js';
import { gaussToy } from '../src/toys/gauss.js';
import type { SimSample, UnfoldResult } from '../src/algorithm/types.js';
import { assertClose } from './helpers/close.js';

/** A Gaussian toy whose sim has weight −1 on a seeded fraction of events (the shape is unchanged). */
function negativeToy(nSim: number, fraction: number, seed: number) {
  const toy = gaussToy({ nSim, nData: 50_000, seed });
  let s = 12345 + seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < nSim; i++) if (next() < fraction) toy.sim.weights[i] = -1;
  return toy;
}

const edgesOf = (nBins: number) => Array.from({ length: nBins + 1 }, (_, k) => -3 + (6 * k) / nBins);

function weightedMean(x: Float32Array, w: ArrayLike<number>): number {
  let sw = 0;
  let sx = 0;
  for (let i = 0; i < w.length; i++) {
    sw += w[i];
    sx += w[i] * x[i];
  }
  return sx / sw;
}

const negativeCells = (r: UnfoldResult) =>
  r.iterations.flatMap((it) => it.steps.map((s) => s.members[0]?.nNegativeCells ?? 0));

/** Slot of x among edges: 0 underflow, edges.length overflow. */
function slot(edges: number[], x: number): number {
  let k = 0;
  while (k < edges.length && x >= edges[k]) k++;
  return k;
}

/**
 * The same unfolding as plain histograms (1-D, every event passes both selections):
 * step 1 ratio per reco cell, step 2 per gen cell, each by the rule: s1/s0 when s0 > 0
 * and s1 ≥ 0, else S1/S0. ε = 1e-6 and wMax = 100 never bind here.
 */
function histogramUnfold(sim: SimSample, dataReco: Float32Array, edges: number[], nIterations: number): Float64Array {
  const n = sim.weights.length;
  const w0 = sim.weights;
  const gen = Array.from(sim.gen.values, (x) => slot(edges, x));
  const reco = Array.from(sim.reco.values, (x) => slot(edges, x));
  const cellRatios = (cells: number[], a: ArrayLike<number>, b: ArrayLike<number>, bCells: number[]) => {
    const s0 = new Float64Array(edges.length + 1);
    const s1 = new Float64Array(edges.length + 1);
    let t0 = 0;
    let t1 = 0;
    for (let i = 0; i < a.length; i++) {
      s0[cells[i]] += a[i];
      t0 += a[i];
    }
    for (let i = 0; i < b.length; i++) {
      s1[bCells[i]] += b[i];
      t1 += b[i];
    }
    return Array.from(s0, (v, c) => (v > 0 && s1[c] >= 0 ? s1[c] / v : t1 / t0));
  };
  const dataCells = Array.from(dataReco, (x) => slot(edges, x));
  let push = new Float64Array(n).fill(1);
  for (let it = 0; it < nIterations; it++) {
    const m = push.map((v, i) => w0[i] * v);
    const r1 = cellRatios(reco, m, new Float64Array(dataReco.length).fill(1), dataCells);
    const pull = push.map((v, i) => v * r1[reco[i]]);
    const r2 = cellRatios(
      gen,
      m,
      pull.map((v, i) => w0[i] * v),
      gen,
    );
    push = push.map((v, i) => v * r2[gen[i]]);
  }
  return push.map((v, i) => w0[i] * v);
}

test('negative sim weights, fine bins: cells with a negative sum are counted, and the weights equal the histogram recurrence', async () => {
  // 5000 events, 35 % with weight −1, 60 bins: some cells sum to < 0 (this used to stop
  // the loop with "step2 class 1 total weight must be positive")
  const toy = negativeToy(5000, 0.35, 0);
  const edges = edgesOf(60);
  const r = await unfold(toy.sim, toy.data, { nIterations: 4, classifier: { type: 'binned', edges: [edges] } });
  assert.ok(
    negativeCells(r).some((n) => n > 0),
    `negative cells counted in the diagnostics; got ${negativeCells(r)}`,
  );
  // per-event weights: the same sums in another order, so a few ulps apart at most
  assertClose(
    'unfolded weights vs histogram recurrence',
    r.weights,
    histogramUnfold(toy.sim, toy.data.reco.values, edges, 4),
    { rtol: 1e-9, atol: 1e-12 },
  );
});

test('negative sim weights: the unfolded mean lands on the truth within its statistical spread', async () => {
  // measured spread of the unfolded mean over toy seeds 0–4: 0.05 at 5000 events (35 %
  // negative, 60 bins), 0.01 at 20 000 events (30 %, 40 bins); tolerances are 3σ
  for (const [nSim, fraction, nBins, seed, tolerance] of [
    [5000, 0.35, 60, 1, 0.15],
    [20_000, 0.3, 40, 3, 0.03],
  ]) {
    const toy = negativeToy(nSim, fraction, seed);
    const r = await unfold(toy.sim, toy.data, {
      nIterations: 4,
      classifier: { type: 'binned', edges: [edgesOf(nBins)] },
    });
    const unfolded = weightedMean(toy.sim.gen.values, r.weights);
    const truth = weightedMean(toy.truth.gen.values, toy.truth.weights);
    assert.ok(
      negativeCells(r).some((n) => n > 0),
      `case ${nSim}/${nBins}: has negative cells`,
    );
    assert.ok(
      Math.abs(unfolded - truth) < tolerance,
      `case ${nSim}/${nBins}: unfolded mean ${unfolded} vs truth ${truth} (tolerance ${tolerance})`,
    );
  }
});

test('a negative cell becomes a report warning naming the step', () => {
  const info = { epochs: 0, bestEpoch: 0, validationLoss: NaN, sumW0: 1, sumW1: 1 };
  const step = (nNegativeCells?: number) => ({
    step: 'step2',
    clippedFraction: 0,
    ess: 100,
    nEvents: 100,
    change: 0,
    members: [{ ...info, ...(nNegativeCells ? { nNegativeCells } : {}) }],
  });
  const run = {
    nEvents: 100,
    observables: [],
    iterations: [{ iteration: 2, steps: [step(), step(3)], recoChi2: [] }],
  } as unknown as RunData;
  const warnings = runWarnings(run);
  assert.is(warnings.length, 1);
  assert.is(warnings[0].where, 'iteration 2, step2');
  assert.match(
    warnings[0].message,
    /^3 binned-classifier cells had a negative summed weight and got the overall ratio S1\/S0 \(use wider bins\)$/,
  );
});

/** Three events: one passing both selections (weight w), one miss and one fake (weight 3 each). */
function tinySim(w: number): SimSample {
  return {
    gen: fromColumns([[0.5, 0.5, NaN]]),
    reco: fromColumns([[0.5, NaN, 0.5]]),
    passGen: Uint8Array.from([1, 1, 0]),
    passReco: Uint8Array.from([1, 0, 1]),
    weights: Float64Array.from([w, 3, 3]),
  };
}

/** Asserts that `run` rejects with a message matching `pattern`. */
async function rejects(run: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await run();
  } catch (error) {
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected an error matching ${pattern}`);
}

const DATA = { reco: fromColumns([[0.5, 0.6]]), weights: Float64Array.from([1, 1]) };

test('class totals fixed by the inputs are checked before any fit, for either classifier', async () => {
  for (const classifier of [
    { type: 'binned' as const, edges: [[0, 1]] },
    { type: 'mlp' as const, hidden: [2], epochs: 1 },
  ]) {
    let fits = 0;
    const onProgress = () => void fits++;
    const run = (options: object) => unfold(tinySim(-1), DATA, { classifier, ...options }, { onProgress });
    await rejects(
      () => run({}),
      /^sim weights of the 1 events passing both gen and reco must have a positive total \(they train the misses' classifier\); got -1 \(or use misses 'prior'\)$/,
    );
    await rejects(
      () => run({ misses: 'prior' }),
      /^sim weights of the 1 events passing both gen and reco must have a positive total \(they train the fakes' classifier\); got -1 \(or use fakes 'global' or 'fixed'\)$/,
    );
    assert.is(fits, 0, `${classifier.type}: no fit started`);
  }
  const sim = tinySim(1);
  sim.weights[2] = -3; // the fake
  sim.weights[0] = 10; // keeps the reco total positive
  await rejects(
    () => unfold(sim, DATA, { classifier: { type: 'binned', edges: [[0, 1]] }, misses: 'prior', fakes: 'global' }),
    /^sim weights of the 1 fakes must have a positive total \(they set the global fake factor\); got -3 \(or use fakes 'fixed'\)$/,
  );
});

test('positive weights: no negative cell is ever reported', async () => {
  const toy = gaussToy({ nSim: 3000, nData: 3000 });
  const r = await unfold(toy.sim, toy.data, { nIterations: 2, classifier: { type: 'binned', edges: [edgesOf(60)] } });
  assert.equal(negativeCells(r), [0, 0, 0, 0]);
});

test.run();
