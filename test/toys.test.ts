import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gaussToy } from '../src/toys/gauss.js';
import { leptonJetToy, LEPTON_JET_FEATURES } from '../src/toys/lepton_jet.js';
import { assertBitEqual } from './helpers/close.js';

function moments(
  values: Float32Array,
  nFeatures: number,
  f: number,
  mask?: Uint8Array,
): { mean: number; std: number; n: number } {
  let n = 0;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i * nFeatures < values.length; i++) {
    if (mask && !mask[i]) continue;
    const v = values[i * nFeatures + f];
    n++;
    s += v;
    s2 += v * v;
  }
  const mean = s / n;
  return { mean, std: Math.sqrt(s2 / n - mean * mean), n };
}

test('gauss toy: same seed gives the same bits, another seed other values', () => {
  const a = gaussToy({ nSim: 5001, nData: 4999, seed: 3 });
  const b = gaussToy({ nSim: 5001, nData: 4999, seed: 3 });
  assertBitEqual('sim gen', a.sim.gen.values, b.sim.gen.values);
  assertBitEqual('data reco', a.data.reco.values, b.data.reco.values);
  const c = gaussToy({ nSim: 5001, nData: 4999, seed: 4 });
  assert.is.not(a.sim.gen.values[0], c.sim.gen.values[0]);
});

test('gauss toy: moments match N(0,1), N(0.2,0.8) and σ=0.5 smearing (5σ statistical bands)', () => {
  const toy = gaussToy({ nSim: 40000, nData: 40000, seed: 1 });
  const gen = moments(toy.sim.gen.values, 1, 0);
  const truth = moments(toy.truth.gen.values, 1, 0);
  const reco = moments(toy.data.reco.values, 1, 0);
  const band = (sigma: number) => (5 * sigma) / Math.sqrt(40000);
  assert.ok(Math.abs(gen.mean) < band(1) && Math.abs(gen.std - 1) < band(0.71), `sim gen ${JSON.stringify(gen)}`);
  assert.ok(
    Math.abs(truth.mean - 0.2) < band(0.8) && Math.abs(truth.std - 0.8) < band(0.57),
    `truth ${JSON.stringify(truth)}`,
  );
  const recoStd = Math.sqrt(0.8 * 0.8 + 0.25);
  assert.ok(
    Math.abs(reco.mean - 0.2) < band(recoStd) && Math.abs(reco.std - recoStd) < band(0.71 * recoStd),
    `data reco ${JSON.stringify(reco)}`,
  );
});

test('gauss toy: an efficiency makes misses at the right rate', () => {
  const toy = gaussToy({ nSim: 20000, nData: 100, efficiency: 0.7 });
  const pass = toy.sim.passReco.reduce((s, v) => s + v, 0) / 20000;
  assert.ok(Math.abs(pass - 0.7) < 5 * Math.sqrt(0.21 / 20000), `efficiency ${pass}`);
});

test('lepton-jet toy: deterministic, 8 observables, masks and sizes', () => {
  const a = leptonJetToy({ nSim: 3001, nData: 2003, seed: 5 });
  const b = leptonJetToy({ nSim: 3001, nData: 2003, seed: 5 });
  assertBitEqual('sim gen', a.sim.gen.values, b.sim.gen.values);
  assertBitEqual('sim reco', a.sim.reco.values, b.sim.reco.values);
  assertBitEqual('passReco', a.sim.passReco, b.sim.passReco);
  assertBitEqual('data reco', a.data.reco.values, b.data.reco.values);
  assert.equal(a.sim.genNames, [...LEPTON_JET_FEATURES]);
  assert.is(a.sim.gen.nFeatures, 8);
  assert.is(a.data.reco.nFeatures, 8);
  assert.is(a.truth.gen.nEvents, 2003);
  for (const name of LEPTON_JET_FEATURES) assert.ok(a.bins[name].length >= 3, `bins of ${name}`);
});

test('lepton-jet toy: physics sanity (balance, Δφ near π, lepton pT, efficiency, fakes)', () => {
  const toy = leptonJetToy({ nSim: 20000, nData: 10, seed: 2 });
  const { gen, passGen, passReco } = toy.sim;
  const nf = 8;
  let nGen = 0;
  let nFakes = 0;
  let nMiss = 0;
  for (let i = 0; i < gen.nEvents; i++) {
    const row = gen.values.subarray(i * nf, i * nf + nf);
    if (passGen[i]) {
      nGen++;
      const lpt = Math.hypot(row[0], row[1]);
      assert.ok(lpt > 3 && lpt < 120, `lepton pT ${lpt}`);
      assert.ok(row[3] > 10 && row[4] > -1 && row[4] < 2.5, 'gen selection holds');
      assert.ok(row[7] >= 0 && row[7] <= Math.PI + 1e-6, 'dphi in [0, π]');
      if (!passReco[i]) nMiss++;
    } else if (passReco[i]) nFakes++;
  }
  const dphi = moments(gen.values, nf, 7, passGen);
  const qt = moments(gen.values, nf, 6, passGen);
  const lpx = moments(gen.values, nf, 0, passGen);
  const jetPt = moments(gen.values, nf, 3, passGen);
  assert.ok(dphi.mean > 2.9 && dphi.mean < Math.PI, `<dphi> = ${dphi.mean}`);
  assert.ok(qt.mean > 0.03 && qt.mean < 0.3, `<qT/Q> = ${qt.mean}`);
  assert.ok(Math.abs(lpx.mean) < 1, `<lepton px> = ${lpx.mean} (azimuthal symmetry)`);
  assert.ok(jetPt.mean > 12 && jetPt.mean < 40, `<jet pT> = ${jetPt.mean}`);
  const eff = 1 - nMiss / nGen;
  const fakeRate = nFakes / (nGen - nMiss + nFakes);
  assert.ok(eff > 0.5 && eff < 0.95, `efficiency ${eff}`);
  assert.ok(fakeRate > 0.005 && fakeRate < 0.2, `fake fraction ${fakeRate}`);
});

test('lepton-jet toy: sim and pseudo-data differ where the generators differ (qT/Q wider in data)', () => {
  const toy = leptonJetToy({ nSim: 10000, nData: 10000, seed: 9 });
  const sim = moments(toy.sim.gen.values, 8, 6, toy.sim.passGen);
  const truth = moments(toy.truth.gen.values, 8, 6, toy.truth.passGen);
  assert.ok(truth.mean > sim.mean * 1.1, `<qT/Q> sim ${sim.mean}, truth ${truth.mean}`);
});

test.run();
