/**
 * The alternative-generator recipes (src/uncertainty/generator_systematics.ts) against the
 * closed-form Gaussian unfolding (docs/algorithm.md, "Gaussian, perfect classifier"),
 * generalised to a sim detector with bias b and resolution σ_a:
 *
 *   V = s² + σ_a²,  k = s²/V,  m′ = m + k·(m_D − b − m),  s′² = s²σ_a²/V + k²·σ_D²
 *
 * where m_D, σ_D² are the data's reco mean and variance. Data: truth N(0.2, 0.8) smeared by
 * σ = 0.5. Nominal sim: gen N(0, 1), the same detector. The prior recipe's alternative has
 * gen N(0.5, 1.2) and the same detector: its shift is the recurrence from (0.5, 1.2) minus
 * that from (0, 1). The response recipe's alternative has gen N(−0.3, 1.1) (a spectrum the
 * recipe must remove) and a detector with bias 0.3 and resolution 0.7: its shift is the
 * recurrence with (b, σ_a) = (0.3, 0.7) minus that with (0, 0.5), both from (0, 1).
 * The binned classifier on 0.2-wide bins stands in for the perfect classifier.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromColumns, column, type FeatureMatrix } from '../src/base/features.js';
import { unfold } from '../src/algorithm/omnifold.js';
import type { DataSample, SimSample } from '../src/algorithm/types.js';
import { generatorSystematic } from '../src/uncertainty/generator_systematics.js';
import { normals } from './helpers/normals.js';

const N = 200_000;
const EDGES = Array.from({ length: 51 }, (_, k) => -5 + 0.2 * k);
const CLASSIFIER = { type: 'binned' as const, edges: [EDGES] };
const TRUTH = { mean: 0.2, sigma: 0.8 };
const SMEAR = 0.5;

function sample(n: number, mean: number, sigma: number, bias: number, smear: number, seed: number): SimSample {
  const t = normals(n, seed).map((z) => mean + sigma * z);
  const noise = normals(n, seed + 1);
  return {
    gen: fromColumns([t], true),
    reco: fromColumns([t.map((v, i) => v + bias + smear * noise[i])], true),
    passGen: new Uint8Array(n).fill(1),
    passReco: new Uint8Array(n).fill(1),
    weights: new Float64Array(n).fill(1),
    genNames: ['x'],
    recoNames: ['x_reco'],
  };
}

/** Unfolded mean after each iteration: the generalised recurrence. */
function recurrence(n: number, m: number, s: number, bias: number, smear: number): number[] {
  const mD = TRUTH.mean;
  const varD = TRUTH.sigma ** 2 + SMEAR ** 2;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const V = s * s + smear * smear;
    const k = (s * s) / V;
    const s2 = (s * s * smear * smear) / V + k * k * varD;
    m += k * (mD - bias - m);
    s = Math.sqrt(s2);
    out.push(m);
  }
  return out;
}

function mean(x: FeatureMatrix, w: Float64Array): number {
  const c = column(x, 0);
  let sw = 0;
  let swx = 0;
  for (let i = 0; i < c.length; i++) {
    sw += w[i];
    swx += w[i] * c[i];
  }
  return swx / sw;
}

const nominal = sample(N, 0, 1, 0, SMEAR, 11);
const measured = sample(N, TRUTH.mean, TRUTH.sigma, 0, SMEAR, 21);
const data: DataSample = { reco: measured.reco, weights: measured.weights };

/** The systematic's shift of the unfolded mean after each of `n` iterations. */
async function shifts(weights: Float64Array, n: number): Promise<number[]> {
  const options = { nIterations: n, classifier: CLASSIFIER, saveIterations: true };
  const base = await unfold(nominal, data, options);
  const varied = await unfold({ ...nominal, weights }, data, { ...options, replica: { kind: 'syst', index: 0 } });
  return base.weightsPerIteration!.map(
    (w, k) => mean(nominal.gen, varied.weightsPerIteration![k]) - mean(nominal.gen, w),
  );
}

test('prior recipe: the shift of the unfolded mean matches the closed form within 0.01', async () => {
  const alternative = sample(N, 0.5, 1.2, 0, SMEAR, 31);
  const syst = await generatorSystematic('prior', 'gen', nominal, alternative, { classifier: CLASSIFIER, index: 0 });
  // the alternative prior: the alternative's gen mean on the nominal events, Σ w0 kept
  assert.ok(Math.abs(mean(nominal.gen, syst.spec.weights) - 0.5) < 0.01, 'reweighted prior mean');
  const sumW = syst.spec.weights.reduce((s, w) => s + w, 0);
  assert.ok(Math.abs(sumW / N - 1) < 1e-9, `Σ w0 kept: ${sumW}`);
  const measuredShifts = await shifts(syst.spec.weights, 3);
  const expected = recurrence(3, 0.5, 1.2, 0, SMEAR).map((m, k) => m - recurrence(3, 0, 1, 0, SMEAR)[k]);
  console.log(`prior: shift ${measuredShifts.map((v) => v.toFixed(4))} expected ${expected.map((v) => v.toFixed(4))}`);
  measuredShifts.forEach((v, k) =>
    assert.ok(Math.abs(v - expected[k]) < 0.01, `iteration ${k + 1}: ${v} vs ${expected[k]}`),
  );
  assert.ok(expected[0] > 0.05, 'the first iteration has a shift to find');
});

test('response recipe: the shift of the unfolded mean matches the closed form within 0.015', async () => {
  const alternative = sample(N, -0.3, 1.1, 0.3, 0.6, 41);
  const syst = await generatorSystematic('response', 'det', nominal, alternative, {
    classifier: CLASSIFIER,
    index: 1,
  });
  // the nominal gen spectrum is kept: only the migrations change
  assert.ok(Math.abs(mean(nominal.gen, syst.spec.weights)) < 0.02, 'gen mean stays the nominal 0');
  const measuredShifts = await shifts(syst.spec.weights, 3);
  const expected = recurrence(3, 0, 1, 0.3, 0.6).map((m, k) => m - recurrence(3, 0, 1, 0, SMEAR)[k]);
  console.log(
    `response: shift ${measuredShifts.map((v) => v.toFixed(4))} expected ${expected.map((v) => v.toFixed(4))}`,
  );
  measuredShifts.forEach((v, k) =>
    assert.ok(Math.abs(v - expected[k]) < 0.015, `iteration ${k + 1}: ${v} vs ${expected[k]}`),
  );
  assert.ok(expected[0] < -0.2, 'the first iteration has a shift to find');
});

test.run();
