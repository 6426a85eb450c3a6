/**
 * The step-2 reference (docs/algorithm.md §Step 2 reference): 'previous' (the default)
 * learns ν′ = ν·g with class 0 weighted w0·ν; 'prior' learns ν′ = g with class 0 weighted
 * w0 alone, as the original OmniFold code does. With exact bin ratios they give the same
 * weights wherever the fakes do not enter through a reco-level average (IBU for both:
 * test/omnifold_ibu.test.ts); the fakes step follows its own rule per reference; with the
 * MLP the two agree within the classifier's noise on the Gaussian toy.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromColumns } from '../src/base/features.js';
import { unfold } from '../src/algorithm/omnifold.js';
import type { DataSample, SimSample, UnfoldOptions } from '../src/algorithm/types.js';
import { UNFOLD_DEFAULTS } from '../src/algorithm/defaults.js';
import { ToyRandom } from '../src/toys/toy_random.js';
import { assertClose } from './helpers/close.js';
import { normals } from './helpers/normals.js';
import { loadReference } from './helpers/reference.js';

const EDGES = [-1.5, -0.5, 0.5, 1.5];
const BINNED = { type: 'binned' as const, edges: [EDGES] };

/** 1-D: gen N(0, 1), reco = gen + N(0, 0.5); 20 % misses, `fakeFraction` fakes, a few events failing both. */
function toy(fakeFraction: number): { sim: SimSample; data: DataSample } {
  const r = new ToyRandom(21, 0);
  const nSim = 6001;
  const gen: number[] = [];
  const reco: number[] = [];
  const passGen = new Uint8Array(nSim);
  const passReco = new Uint8Array(nSim);
  const weights = new Float64Array(nSim);
  for (let i = 0; i < nSim; i++) {
    const u = r.uniform();
    passGen[i] = u < fakeFraction ? 0 : 1;
    passReco[i] = u >= fakeFraction && u < fakeFraction + 0.2 ? 0 : 1;
    if (i % 700 === 3) passGen[i] = passReco[i] = 0;
    const t = r.normal(0, 1);
    gen.push(passGen[i] ? t : NaN);
    reco.push(passReco[i] ? t + r.normal(0, 0.5) : NaN);
    weights[i] = r.between(0.5, 1.5);
  }
  const d = Array.from({ length: 5000 }, () => r.normal(0.3, 0.8) + r.normal(0, 0.5));
  return {
    sim: { gen: fromColumns([gen]), reco: fromColumns([reco]), passGen, passReco, weights },
    data: { reco: fromColumns([d]), weights: new Float64Array(d.length).fill(1) },
  };
}

const both = (sim: SimSample) => (options: Partial<UnfoldOptions>, data: DataSample) =>
  Promise.all(
    (['previous', 'prior'] as const).map((step2Reference) =>
      unfold(sim, data, { classifier: BINNED, ...options, step2Reference, saveIterations: true }),
    ),
  );

test("the default is 'previous'", () => {
  assert.is(UNFOLD_DEFAULTS.step2Reference, 'previous');
});

test('binned: both references give the same weights at every iteration (no fakes; fakes global or fixed)', async () => {
  for (const [fakeFraction, fakes] of [
    [0, 'reco-average'],
    [0.1, 'global'],
    [0.1, 'fixed'],
  ] as const) {
    const { sim, data } = toy(fakeFraction);
    const [previous, prior] = await both(sim)({ nIterations: 5, fakes }, data);
    for (let n = 0; n < 5; n++)
      assertClose(
        `${fakes} (fakes ${fakeFraction}) iteration ${n + 1}`,
        prior.weightsPerIteration![n],
        previous.weightsPerIteration![n],
        { rtol: 1e-10, atol: 0 },
      );
  }
});

test("binned, fakes 'reco-average': each reference's fakes rule, by hand, in the last iteration", async () => {
  const { sim, data } = toy(0.1);
  const n = 3;
  const [previous, prior] = await both(sim)({ nIterations: n }, data);
  const cell = (i: number) => EDGES.filter((e) => sim.reco.values[i] >= e).length;
  const w0 = sim.weights;
  for (const [name, result, weightOf] of [
    // E[ν′/ν | r] over the events passing both, weighted w0·ν: ν′_fake = ν·Σ w0·ν′ / Σ w0·ν
    ['previous', previous, (i: number) => previous.weightsPerIteration![n - 2][i]],
    // E[ν′ | r] weighted w0: ν′_fake = Σ w0·ν′ / Σ w0
    ['prior', prior, (i: number) => w0[i]],
  ] as const) {
    const num = new Array<number>(EDGES.length + 1).fill(0);
    const den = new Array<number>(EDGES.length + 1).fill(0);
    for (let i = 0; i < w0.length; i++) {
      if (!(sim.passGen[i] && sim.passReco[i])) continue;
      num[cell(i)] += result.weights[i];
      den[cell(i)] += weightOf(i);
    }
    const got: number[] = [];
    const want: number[] = [];
    for (let i = 0; i < w0.length; i++) {
      if (sim.passGen[i] || !sim.passReco[i]) continue;
      const before = name === 'previous' ? previous.weightsPerIteration![n - 2][i] / w0[i] : 1;
      got.push(result.push[i]);
      want.push((before * num[cell(i)]) / den[cell(i)]);
    }
    assert.ok(got.length > 500, 'fakes');
    assertClose(`${name}: fakes' push`, got, want, { rtol: 1e-10, atol: 0 });
  }
  // the same first iteration, then different estimators for the fakes
  assertClose('iteration 1', prior.weightsPerIteration![0], previous.weightsPerIteration![0], { rtol: 1e-12, atol: 0 });
});

test('MLP on the Gaussian toy: both references follow the closed form, and agree within 0.03', async () => {
  const nEvents = 40000;
  const gauss = (mean: number, sigma: number, seed: number) => {
    const gen = normals(nEvents, seed).map((z) => mean + sigma * z);
    const noise = normals(nEvents, seed + 1);
    return { gen, reco: gen.map((t, i) => t + 0.5 * noise[i]) };
  };
  const s = gauss(0, 1, 501);
  const t = gauss(0.2, 0.8, 601);
  const ones = new Uint8Array(nEvents).fill(1);
  const sim: SimSample = {
    gen: fromColumns([s.gen]),
    reco: fromColumns([s.reco]),
    passGen: ones,
    passReco: ones,
    weights: new Float64Array(nEvents).fill(1),
  };
  const data: DataSample = { reco: fromColumns([t.reco]), weights: new Float64Array(nEvents).fill(1) };
  const classifier = { type: 'mlp' as const, hidden: [32, 32], epochs: 20, batchSize: 512, learningRate: 2e-3 };
  const nIterations = 3;
  const moments = (w: Float64Array) => {
    let sw = 0;
    let sx = 0;
    let sxx = 0;
    for (let i = 0; i < nEvents; i++) {
      sw += w[i];
      sx += w[i] * s.gen[i];
      sxx += w[i] * s.gen[i] ** 2;
    }
    const mean = sx / sw;
    return [mean, Math.sqrt(sxx / sw - mean ** 2)];
  };
  const [previous, prior] = await Promise.all(
    (['previous', 'prior'] as const).map(async (step2Reference) =>
      moments((await unfold(sim, data, { classifier, nIterations, step2Reference, seed: 4 })).weights),
    ),
  );
  const closedForm = loadReference('gauss_closed_form').values[nIterations - 1];
  // statistics: about 0.006 on the mean and 0.005 on the std at 4·10⁴ events; the rest is
  // the classifier's finite accuracy, which the two references accumulate differently
  // (seeds 4–6: within 0.035 of the closed form, within 0.012 of each other)
  assertClose('previous vs closed form', previous, closedForm, { rtol: 0, atol: 0.04 });
  assertClose('prior vs closed form', prior, closedForm, { rtol: 0, atol: 0.04 });
  assertClose('prior vs previous', prior, previous, { rtol: 0, atol: 0.03 });
});

test.run();
