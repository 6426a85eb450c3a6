/**
 * reweight() with a particle-level classifier (the PFN) on a toy whose answer is known:
 * events whose particle multiplicity is Poisson(4) weighted to events with Poisson(7). The
 * particles' own features are drawn alike in both samples, so the true ratio is
 * P7(n)/P4(n) = e^−3·(7/4)^n, a function of the multiplicity n alone, and the reweighted
 * source must take the target's mean multiplicity. Also: particle sets are carried to the
 * evaluation events, and the refusals of mismatched inputs are one line each.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FeatureMatrix } from '../src/base/features.js';
import { RandomStream } from '../src/base/rng.js';
import { reweight } from '../src/algorithm/reweight.js';
import { poisson } from './helpers/poisson.js';
import { weightedMean } from './helpers/weighted_mean.js';

/** `n` events, Poisson(`mean`) particles each with 2 features uniform in [−1, 1), and one event feature uniform in [0, 1). */
function events(member: number, n: number, mean: number): FeatureMatrix {
  const s = new RandomStream({ seed: 3, kind: 'nominal', replica: 0, iteration: 0, step: 'none', member }, 'toy');
  const offsets = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + poisson(s, mean);
  const values = Float32Array.from({ length: offsets[n] * 2 }, () => s.nextDouble() * 2 - 1);
  const ev = Float32Array.from({ length: n }, () => s.nextDouble());
  return { values: ev, nEvents: n, nFeatures: 1, particles: { offsets, values, nFeatures: 2 } };
}

function multiplicities(x: FeatureMatrix): Float64Array {
  const o = x.particles!.offsets;
  return Float64Array.from({ length: x.nEvents }, (_, i) => o[i + 1] - o[i]);
}

const N = 30_000;
const source = { x: events(1, N, 4), weights: new Float64Array(N).fill(1) };
const target = { x: events(2, N, 7), weights: new Float64Array(N).fill(1) };
// Small networks, particles only (the event feature is noise): about 2 s on one core. Over
// ten toy seeds the reweighted mean multiplicity came within 0.12 of the target's and of
// the exact ratio's, and the total within 11 % of the target's.
const PFN = {
  type: 'pfn' as const,
  phi: [16, 16],
  f: [16],
  epochs: 20,
  batchSize: 256,
  learningRate: 2e-3,
  patience: 0,
  eventFeatures: false,
};

test('PFN: Poisson(4) multiplicities reweighted to Poisson(7) take the target mean (±0.25) and total (±15 %)', async () => {
  const nSource = multiplicities(source.x);
  const nTarget = multiplicities(target.x);
  const before = weightedMean(nSource, source.weights);
  const goal = weightedMean(nTarget, target.weights);
  // the exact ratio on the same source events: what a perfect classifier would give
  const exact = Float64Array.from(nSource, (n) => Math.exp(-3) * (7 / 4) ** n);
  const ideal = weightedMean(nSource, exact);
  const result = await reweight(source, target, { classifier: PFN, nMembers: 1 }, { evaluateOn: [source.x] });
  const after = weightedMean(nSource, result.weights);
  assert.ok(Math.abs(before - 4) < 0.05 && Math.abs(goal - 7) < 0.05, `sample means ${before}, ${goal}`);
  // the stated tolerance: 0.25 particles of the target's sample mean, and of the exact ratio's
  assert.ok(Math.abs(after - goal) < 0.25, `reweighted mean ${after.toFixed(3)}, target ${goal.toFixed(3)}`);
  assert.ok(Math.abs(after - ideal) < 0.25, `reweighted mean ${after.toFixed(3)}, exact ratio ${ideal.toFixed(3)}`);
  const d = result.diagnostics;
  assert.ok(Math.abs(d.sumReweighted / d.sumTarget - 1) < 0.15, `Σ ${d.sumReweighted} against ${d.sumTarget}`);
  assert.ok(d.essAfter < d.essBefore, `ESS ${d.essBefore} -> ${d.essAfter}`);
  // the particle sets reach the evaluation events: the source itself gives the ratio bit for bit
  assert.equal(Buffer.from(result.evaluated[0].buffer), Buffer.from(result.ratio.buffer));
});

test('one-line errors: a particle-level classifier without particle sets, and samples that disagree', async () => {
  const rejects = async (f: () => Promise<unknown>, message: RegExp) => {
    try {
      await f();
    } catch (e) {
      assert.match((e as Error).message, message);
      assert.not.match((e as Error).message, /\n/);
      return;
    }
    assert.unreachable('no error');
  };
  const small = (x: FeatureMatrix) => ({ x, weights: new Float64Array(x.nEvents).fill(1) });
  const withParticles = events(5, 50, 4);
  const { particles: _p, ...withoutParticles } = withParticles;
  await rejects(
    () => reweight(small(withoutParticles), small(withoutParticles), { classifier: PFN }),
    /^source\.x must have particle sets, which classifier pfn reads; got none$/,
  );
  await rejects(
    () => reweight(small(withParticles), small(withoutParticles), { classifier: PFN }),
    /^target\.x must have particles with 2 features, as source\.x has; got no particles$/,
  );
  await rejects(
    () => reweight(small(withParticles), small(withParticles), { classifier: PFN }, { evaluateOn: [withoutParticles] }),
    /^evaluateOn\[0\] must have particles with 2 features, as source\.x has; got no particles$/,
  );
  const particlesOnly = { ...withParticles, values: new Float32Array(0), nFeatures: 0 };
  await rejects(
    () => reweight(small(particlesOnly), small(particlesOnly), { classifier: { type: 'mlp' } }),
    /^source\.x\.nFeatures must be at least 1, as classifier mlp reads event-level features; got 0$/,
  );
});

test.run();
