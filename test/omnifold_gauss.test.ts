/**
 * The Gaussian example of docs/algorithm.md §Reference numbers: gen N(0, 1), truth
 * N(0.2, 0.8), smearing σ = 0.5, a perfect classifier. First the closed-form recurrence
 * against the table, then unfold() with a test-only "Gaussian oracle" classifier (exact
 * for Gaussian classes) plugged in through the in-process runner's classifier factory.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clipRatio } from '../src/classifiers/binned.js';
import type { Classifier, FitInfo, RatioClip, TrainedClassifier } from '../src/classifiers/classifier.js';
import { column, fromColumns, type FeatureMatrix } from '../src/base/features.js';
import { unfold } from '../src/algorithm/omnifold.js';
import { InProcessRunner } from '../src/algorithm/in_process_runner.js';
import type { DataSample, SimSample } from '../src/algorithm/types.js';
import { assertClose } from './helpers/close.js';
import { normals } from './helpers/normals.js';
import { loadReference } from './helpers/reference.js';

/** Closed-form (mean, std) after iterations 1..5 (docs/algorithm.md §Reference numbers), frozen with its generator. */
const REFERENCE = loadReference('gauss_closed_form');
const TABLE = REFERENCE.values;
const SMEAR = 0.5;

/** (mean, std) after iterations 1..n: V = s² + ε², k = s²/V, μ′ = μ + k(μT − μ), s′² = s²ε²/V + k²(σT² + ε²). */
function recurrence(n: number, mu: number, s: number, muT: number, sigmaT: number, eps: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const V = s * s + eps * eps;
    const k = (s * s) / V;
    const s2 = (s * s * eps * eps) / V + k * k * (sigmaT * sigmaT + eps * eps);
    mu += k * (muT - mu);
    s = Math.sqrt(s2);
    out.push([mu, s]);
  }
  return out;
}

/** Weighted mean and variance of a 1-feature matrix. */
function moments(x: FeatureMatrix, w: ArrayLike<number>): { sum: number; mean: number; variance: number } {
  let sw = 0;
  let sx = 0;
  for (let i = 0; i < x.nEvents; i++) {
    sw += w[i];
    sx += w[i] * x.values[i];
  }
  const mean = sx / sw;
  let sxx = 0;
  for (let i = 0; i < x.nEvents; i++) sxx += w[i] * (x.values[i] - mean) ** 2;
  return { sum: sw, mean, variance: sxx / sw };
}

/** Test-only classifier, exact when both classes are Gaussian: ratio = S1/S0·N(x; m1, s1)/N(x; m0, s0). */
class GaussianOracle implements Classifier {
  readonly spec = { type: 'mlp' as const };
  fit(x0: FeatureMatrix, w0: Float64Array, x1: FeatureMatrix, w1: Float64Array): TrainedClassifier {
    const c0 = moments(x0, w0);
    const c1 = moments(x1, w1);
    const info: FitInfo = { epochs: 0, bestEpoch: 0, validationLoss: NaN, sumW0: c0.sum, sumW1: c1.sum };
    const scale = c1.sum / c0.sum;
    return {
      info,
      ratio(x: FeatureMatrix, clip: RatioClip) {
        const out = new Float64Array(x.nEvents);
        let nClipped = 0;
        for (let i = 0; i < x.nEvents; i++) {
          const v = x.values[i];
          const logDensityRatio = -((v - c1.mean) ** 2) / (2 * c1.variance) + (v - c0.mean) ** 2 / (2 * c0.variance);
          const r = clipRatio(scale * Math.sqrt(c0.variance / c1.variance) * Math.exp(logDensityRatio), scale, clip);
          out[i] = r.value;
          if (r.clipped) nClipped++;
        }
        return { ratio: out, nClipped };
      },
    };
  }
}

function smeared(n: number, mean: number, sigma: number, seed: number): { gen: Float64Array; reco: Float64Array } {
  const t = normals(n, seed).map((z) => mean + sigma * z);
  const noise = normals(n, seed + 1);
  return { gen: t, reco: t.map((v, i) => v + SMEAR * noise[i]) };
}

test('the closed-form recurrence reproduces the table of docs/algorithm.md', () => {
  const got = recurrence(5, 0, 1, 0.2, 0.8, SMEAR);
  got.forEach((row, n) => assertClose(`iteration ${n + 1} (mean, std)`, row, TABLE[n], { rtol: 0, atol: 1e-6 }));
});

test('unfold() with a Gaussian oracle classifier follows the table (2e5 sim, 2e5 data)', async () => {
  const nSim = 200000;
  const nData = 200000;
  const s = smeared(nSim, 0, 1, 101);
  const d = smeared(nData, 0.2, 0.8, 202);
  const sim: SimSample = {
    gen: fromColumns([s.gen]),
    reco: fromColumns([s.reco]),
    passGen: new Uint8Array(nSim).fill(1),
    passReco: new Uint8Array(nSim).fill(1),
    weights: new Float64Array(nSim).fill(1),
  };
  const data: DataSample = { reco: fromColumns([d.reco]), weights: new Float64Array(nData).fill(1) };
  const runner = new InProcessRunner({ classifierFactory: () => new GaussianOracle() });
  const result = await unfold(
    sim,
    data,
    { nIterations: 5, saveIterations: true, classifier: { type: 'mlp' } },
    { runner },
  );
  const gen = column(sim.gen, 0);
  // Tolerance from the statistics: the unfolded mean moves with the sample means of sim
  // gen (σ/√nSim ≈ 0.0022) and data reco (√(0.8² + 0.5²)/√nData ≈ 0.0021), so
  // σ_mean ≈ 0.003; the std with the sample stds (σ/√(2n) ≈ 0.0016 each), σ_std ≈ 0.0023.
  // 4σ each, rounded: 0.012 for the mean, 0.01 for the std.
  for (let n = 0; n < 5; n++) {
    const m = moments(fromColumns([gen]), result.weightsPerIteration![n]);
    assert.ok(
      Math.abs(m.mean - TABLE[n][0]) < 0.012,
      `iteration ${n + 1}: mean ${m.mean}, wanted ${TABLE[n][0]} ± 0.012`,
    );
    assert.ok(
      Math.abs(Math.sqrt(m.variance) - TABLE[n][1]) < 0.01,
      `iteration ${n + 1}: std ${Math.sqrt(m.variance)}, wanted ${TABLE[n][1]} ± 0.01`,
    );
  }
  // the oracle is exact, so the ratios never approach the clip bounds
  for (const it of result.iterations) for (const st of it.steps) assert.is(st.clippedFraction, 0);
});

test.run();
