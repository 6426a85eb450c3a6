import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromColumns } from '../src/base/features.js';
import { unfold } from '../src/algorithm/omnifold.js';
import { planReplicas, replicaInputs, type ReplicaOptions } from '../src/uncertainty/replicas.js';
import { runReplicas } from '../src/execution/run_replicas.js';
import { poissonOneWeights } from '../src/base/rng.js';
import { ToyRandom } from '../src/toys/toy_random.js';
import type { DataSample, SimSample } from '../src/algorithm/types.js';
import { assertBitEqual } from './helpers/close.js';

/** 2 gen and 2 reco features (smeared), misses and fakes; odd counts. */
function toy(nSim: number, nData: number, seed = 5): { sim: SimSample; data: DataSample } {
  const r = new ToyRandom(seed, 0);
  const gen0: number[] = [];
  const gen1: number[] = [];
  const reco0: number[] = [];
  const reco1: number[] = [];
  const passGen = new Uint8Array(nSim);
  const passReco = new Uint8Array(nSim);
  for (let i = 0; i < nSim; i++) {
    const t = r.normal(0, 1);
    const u = r.normal(0, 1);
    gen0.push(t);
    gen1.push(u);
    reco0.push(t + r.normal(0, 0.5));
    reco1.push(u + r.normal(0, 0.5));
    passGen[i] = r.uniform() < 0.95 ? 1 : 0;
    passReco[i] = r.uniform() < 0.9 ? 1 : 0;
    if (!passGen[i] && !passReco[i]) passReco[i] = 1;
  }
  const d0: number[] = [];
  const d1: number[] = [];
  for (let j = 0; j < nData; j++) {
    d0.push(r.normal(0.2, 0.8) + r.normal(0, 0.5));
    d1.push(r.normal(0, 1.1) + r.normal(0, 0.5));
  }
  const sim: SimSample = {
    gen: fromColumns([gen0, gen1], true),
    reco: fromColumns([reco0, reco1], true),
    passGen,
    passReco,
    weights: Float64Array.from({ length: nSim }, (_, i) => 1 + 0.1 * (i % 5)),
  };
  return { sim, data: { reco: fromColumns([d0, d1], true), weights: new Float64Array(nData).fill(1) } };
}

const edges = [-2, -1, -0.5, 0, 0.5, 1, 2];
const genAndReco: ReplicaOptions = {
  nIterations: 2,
  classifier: { type: 'binned', edges: [edges, [-1, 0, 1]] },
  seed: 42,
};

test('plan: fixed column order, names and families', () => {
  const { sim } = toy(11, 7);
  const plan = planReplicas({
    dataBootstraps: 2,
    simBootstraps: 3,
    backgroundBootstraps: 2,
    systematics: [
      { name: 'es', kind: 'reco-transform', feature: 0, scale: 1.01 },
      { name: 'nuis', kind: 'weight', weights: sim.weights },
    ],
  });
  assert.equal(
    plan.map((p) => [p.name, p.family, p.kind, p.index]),
    [
      ['weight', 'nominal', 'nominal', 0],
      ['data_boot_0', 'data_bootstrap', 'data', 0],
      ['data_boot_1', 'data_bootstrap', 'data', 1],
      ['sim_boot_0', 'sim_bootstrap', 'sim', 0],
      ['sim_boot_1', 'sim_bootstrap', 'sim', 1],
      ['sim_boot_2', 'sim_bootstrap', 'sim', 2],
      ['background_boot_0', 'background_bootstrap', 'background', 0],
      ['background_boot_1', 'background_bootstrap', 'background', 1],
      ['syst_es', 'systematic', 'syst', 0],
      ['syst_nuis', 'systematic', 'syst', 1],
    ],
  );
});

test('plan: errors', () => {
  assert.throws(
    () => planReplicas({ dataBootstraps: -1 }),
    /^options\.dataBootstraps must be a non-negative integer; got -1$/,
  );
  assert.throws(
    () => planReplicas({ simBootstraps: 1.5 }),
    /^options\.simBootstraps must be a non-negative integer; got 1\.5$/,
  );
  assert.throws(
    () => planReplicas({ backgroundBootstraps: -2 }),
    /^options\.backgroundBootstraps must be a non-negative integer; got -2$/,
  );
  const s = { name: 'a b', kind: 'reco-transform', feature: 0, scale: 1 } as const;
  assert.throws(
    () => planReplicas({ systematics: [s] }),
    /^options\.systematics\[0\]\.name must match \[A-Za-z0-9_\.-\]\+; got "a b"$/,
  );
  assert.throws(
    () =>
      planReplicas({
        systematics: [
          { ...s, name: 'x' },
          { ...s, name: 'x' },
        ],
      }),
    /^options\.systematics\[1\]\.name must be unique; got "x" twice$/,
  );
  assert.throws(
    () => planReplicas({ systematics: [{ name: 'x', kind: 'other' } as never] }),
    /^options\.systematics\[0\]\.kind must be one of sample, weight, reco-transform; got "other"$/,
  );
});

test('bootstrap weights are keyed (seed, kind, b, iteration 0, step none, member 0)', () => {
  const { sim, data } = toy(101, 53);
  const plan = planReplicas({ dataBootstraps: 2, simBootstraps: 2 });
  const d1 = replicaInputs(plan[2], sim, data, 42);
  const want = poissonOneWeights(53, { seed: 42, kind: 'data', replica: 1, iteration: 0, step: 'none', member: 0 });
  assertBitEqual('data_boot_1 weights', d1.data.weights, want); // data weights are all 1
  assert.is(d1.sim, sim, 'data bootstrap leaves the sim as is');
  const s0 = replicaInputs(plan[3], sim, data, 42);
  const ps = poissonOneWeights(101, { seed: 42, kind: 'sim', replica: 0, iteration: 0, step: 'none', member: 0 });
  assertBitEqual(
    'sim_boot_0 weights',
    s0.sim.weights,
    sim.weights.map((w, i) => w * ps[i]),
  );
  assert.is(s0.sim.gen, sim.gen, 'gen and reco share the one per-event factor');
  assert.is(s0.data, data);
  const d0 = replicaInputs(plan[1], sim, data, 42);
  assert.not.equal(Array.from(d0.data.weights), Array.from(d1.data.weights), 'replicas differ');
  const other = replicaInputs(plan[2], sim, data, 43);
  assert.not.equal(Array.from(other.data.weights), Array.from(d1.data.weights), 'seeds differ');
});

test('systematics: reco transform, weight column, alternative sample', () => {
  const { sim, data } = toy(101, 53);
  const alt = toy(101, 3, 6).sim;
  const nuis = sim.weights.map((w, i) => w * (1 + 0.01 * (i % 3)));
  const plan = planReplicas({
    systematics: [
      { name: 'es', kind: 'reco-transform', feature: 1, scale: 1.01 },
      { name: 'nuis', kind: 'weight', weights: nuis },
      { name: 'gen2', kind: 'sample', sim: alt },
    ],
  });
  const es = replicaInputs(plan[1], sim, data, 0).sim;
  for (let i = 0; i < 101; i++) {
    assert.is(es.reco.values[2 * i], sim.reco.values[2 * i], 'feature 0 untouched');
    assert.is(es.reco.values[2 * i + 1], Math.fround(sim.reco.values[2 * i + 1] * 1.01), 'feature 1 scaled');
  }
  assert.is(es.gen, sim.gen);
  assert.ok(es.reco.values.buffer instanceof SharedArrayBuffer);
  assert.is(replicaInputs(plan[2], sim, data, 0).sim.weights, nuis);
  assert.is(replicaInputs(plan[3], sim, data, 0).sim, alt);
  const bad = planReplicas({ systematics: [{ name: 'x', kind: 'sample', sim: toy(50, 3).sim }] });
  assert.throws(
    () => replicaInputs(bad[1], sim, data, 0),
    /^options\.systematics\[0\]\.sim must have the nominal sim's 101 events \(row-aligned, one weights file\); got 50$/,
  );
  const badF = planReplicas({ systematics: [{ name: 'x', kind: 'reco-transform', feature: 2, scale: 1 }] });
  assert.throws(
    () => replicaInputs(badF[1], sim, data, 0),
    /^options\.systematics\[0\]\.feature must be an integer in \[0, 2\); got 2$/,
  );
});

test('runReplicas: columns in plan order equal the separate unfoldings, for any concurrency', async () => {
  const { sim, data } = toy(1501, 999);
  const nuis = sim.weights.map((w, i) => w * (i % 2 ? 1.05 : 0.95));
  const options: ReplicaOptions = {
    ...genAndReco,
    dataBootstraps: 2,
    simBootstraps: 1,
    systematics: [
      { name: 'es', kind: 'reco-transform', feature: 0, scale: 1.01 },
      { name: 'nuis', kind: 'weight', weights: nuis },
    ],
  };
  const events: string[] = [];
  const a = await runReplicas(sim, data, options, {
    concurrency: 1,
    onProgress: (p) => p.type === 'replica' && events.push(p.name),
  });
  assert.equal(
    a.columns.map((c) => c.name),
    ['weight', 'data_boot_0', 'data_boot_1', 'sim_boot_0', 'syst_es', 'syst_nuis'],
  );
  assert.equal(
    a.columns.map((c) => c.family),
    ['nominal', 'data_bootstrap', 'data_bootstrap', 'sim_bootstrap', 'systematic', 'systematic'],
  );
  assert.is(events.length, 6);
  const { dataBootstraps: _d, simBootstraps: _s, systematics: _y, ...unfoldOptions } = options;
  const nominal = await unfold(sim, data, unfoldOptions);
  assertBitEqual('nominal', a.columns[0].values, nominal.weights);
  assert.is(a.nominal.weights, a.columns[0].values);
  assert.is(a.nominal.nDropped, nominal.nDropped);
  const inputs = replicaInputs(planReplicas(options)[2], sim, data, 42);
  const boot1 = await unfold(inputs.sim, inputs.data, { ...unfoldOptions, replica: { kind: 'data', index: 1 } });
  assertBitEqual('data_boot_1', a.columns[2].values, boot1.weights);
  const b = await runReplicas(sim, data, options, { concurrency: 4 });
  a.columns.forEach((c, k) => assertBitEqual(`${c.name}, concurrency 4 vs 1`, b.columns[k].values, c.values));
  assert.not.equal(
    Array.from(a.columns[4].values),
    Array.from(a.columns[0].values),
    'the energy scale moves the result',
  );
});

test.run();
