// Trained models reused (docs/algorithm.md, "Trained models"): an unfolding with
// saveModels keeps every iteration's step-2 and fakes models; applyModels weights other
// events of the same generator with them. Applied to the training sim they give `weight`
// bit for bit (binned and MLP, misses and fakes, every fakes mode, both step-2
// references, 1 and 2 threads, ensembles and runs); applied to held-out events they give
// the unfolded distribution. The saved folder round-trips through its bytes, every hash
// checked.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromColumns } from '../src/base/features.js';
import { applyModels, type ApplySample, type UnfoldModels } from '../src/algorithm/models.js';
import { unfold } from '../src/algorithm/omnifold.js';
import { InProcessRunner } from '../src/algorithm/in_process_runner.js';
import type { DataSample, SimSample, UnfoldOptions, UnfoldResult } from '../src/algorithm/types.js';
import type { Classifier } from '../src/classifiers/classifier.js';
import { BinnedClassifier } from '../src/classifiers/binned.js';
import { PoolRunner } from '../src/execution/pool.js';
import { decodeModels, encodeModels } from '../src/publish/models_encoding.js';
import { ToyRandom } from '../src/toys/toy_random.js';
import { assertBitEqual } from './helpers/close.js';
import { rejectsInput } from './helpers/rejects.js';

/**
 * Two gen features t ~ (N(0, 1), N(0.5, 0.5)), reco = t + N(0, 0.5) each; about 20 %
 * misses, 10 % fakes (gen NaN), 1 event in 500 failing both; weights in [0.5, 1.5). The
 * data are the same detector on the truth (N(0.3, 0.8), N(0.5, 0.5)), reco-passing only.
 */
function toy(seed: number, nSim: number, withFakes = true): { sim: SimSample; data: DataSample } {
  const r = new ToyRandom(seed, 0);
  const gen: number[][] = [[], []];
  const reco: number[][] = [[], []];
  const passGen = new Uint8Array(nSim);
  const passReco = new Uint8Array(nSim);
  const weights = new Float64Array(nSim);
  for (let i = 0; i < nSim; i++) {
    const u = r.uniform();
    passGen[i] = withFakes && u < 0.1 ? 0 : 1;
    passReco[i] = u >= 0.1 && u < 0.3 ? 0 : 1;
    if (i % 500 === 7) passGen[i] = passReco[i] = 0;
    const t = [r.normal(0, 1), r.normal(0.5, 0.5)];
    t.forEach((v, f) => {
      gen[f].push(passGen[i] ? v : NaN);
      reco[f].push(passReco[i] ? v + r.normal(0, 0.5) : NaN);
    });
    weights[i] = r.between(0.5, 1.5);
  }
  const d = new ToyRandom(seed, 1);
  const dataReco: number[][] = [[], []];
  for (let j = 0; j < Math.round(0.8 * nSim); j++) {
    dataReco[0].push(d.normal(0.3, 0.8) + d.normal(0, 0.5));
    dataReco[1].push(d.normal(0.5, 0.5) + d.normal(0, 0.5));
  }
  return {
    sim: { gen: fromColumns(gen, true), reco: fromColumns(reco, true), passGen, passReco, weights },
    data: { reco: fromColumns(dataReco, true), weights: new Float64Array(dataReco[0].length).fill(1) },
  };
}

const training = toy(11, 4001);
const EDGES = [-1.5, -0.5, 0.5, 1.5];
const BINNED = { type: 'binned' as const, edges: [EDGES, [0, 0.5, 1]] };
const MLP = { type: 'mlp' as const, hidden: [8, 8], epochs: 2, batchSize: 128 };

const run = (options: Partial<UnfoldOptions>, runner?: InProcessRunner | PoolRunner, inputs = training) =>
  unfold(inputs.sim, inputs.data, { seed: 3, saveModels: true, ...options }, runner ? { runner } : {});

/** The saved models through their encoded bytes and back, as `omnifold apply` reads them. */
function roundTrip(models: UnfoldModels): UnfoldModels {
  const { files } = encodeModels(models);
  const byName = new Map(files.map((f) => [f.name, f.bytes]));
  return decodeModels(byName.get('models.json')!, (name) => byName.get(name)!).models;
}

function assertReproduces(label: string, result: UnfoldResult, sample: ApplySample = training.sim): void {
  assert.ok(result.models, `${label}: models kept`);
  const applied = applyModels(result.models, sample);
  assertBitEqual(`${label}: applied weights`, applied.weights, result.weights);
  assertBitEqual(`${label}: applied push`, applied.push, result.push);
  assertBitEqual(
    `${label}: from the encoded folder`,
    applyModels(roundTrip(result.models), sample).weights,
    result.weights,
  );
  assert.is(applied.nDropped, result.nDropped);
}

test('binned: every fakes mode and both step-2 references reproduce weight bit for bit', async () => {
  for (const fakes of ['reco-average', 'global', 'fixed'] as const)
    for (const step2Reference of ['previous', 'prior'] as const)
      assertReproduces(
        `${fakes}, ${step2Reference}`,
        await run({ classifier: BINNED, nIterations: 3, fakes, step2Reference }),
      );
});

test('MLP: misses and fakes, 1 and 2 threads, 2 members (mean and median), 2 runs: bit for bit', async () => {
  const pool = new PoolRunner({ threads: 2 });
  try {
    for (const extra of [
      {},
      { nMembers: 2 },
      { nMembers: 2, ensembleCombine: 'median' as const },
      { nMembers: 2, ensembleRuns: 2 },
      { step2Reference: 'prior' as const, nMembers: 2 },
    ]) {
      const options = { classifier: MLP, nIterations: 2, ...extra };
      const inThread = await run(options);
      assertReproduces(`${JSON.stringify(extra)}, in-thread`, inThread);
      const onPool = await run(options, pool);
      assertBitEqual('pool and in-thread weights', onPool.weights, inThread.weights);
      assertReproduces(`${JSON.stringify(extra)}, 2 threads`, onPool);
    }
  } finally {
    await pool.close();
  }
});

test('saveModels changes no bit; the models are every iteration (previous) or the last (prior), per run and member', async () => {
  const options = { classifier: MLP, nIterations: 3, nMembers: 2, ensembleRuns: 2 };
  const saved = await run(options);
  const plain = await run({ ...options, saveModels: false });
  assertBitEqual('weights with and without saveModels', saved.weights, plain.weights);
  assert.is(plain.models, undefined);
  const models = saved.models!;
  assert.equal(models.genNames, ['gen0', 'gen1']);
  assert.equal(
    models.runs.map((r) => r.map((it) => it.iteration)),
    [
      [1, 2, 3],
      [1, 2, 3],
    ],
  );
  for (const it of models.runs.flat()) {
    assert.is(it.step2.length, 2);
    assert.is(it.fakes?.mode, 'reco-average');
    assert.is(it.fakes?.mode === 'reco-average' && it.fakes.members.length, 2);
    assert.is(it.step2[0].type, 'mlp');
    assert.equal(it.step2[0].fields.dims, [2, 8, 8, 1]);
  }
  const prior = (await run({ classifier: BINNED, nIterations: 3, step2Reference: 'prior', fakes: 'global' })).models!;
  assert.equal(
    prior.runs.map((r) => r.map((it) => it.iteration)),
    [[3]],
  );
  assert.is(prior.runs[0][0].fakes?.mode, 'global');
});

/** Σ weight and Σ weight² per gen cell of feature 0 (underflow, 3 bins, overflow), events passing gen. */
function cells(sample: ApplySample, weights: Float64Array): { sumw: number[]; sumw2: number[] } {
  const sumw = new Array<number>(EDGES.length + 1).fill(0);
  const sumw2 = new Array<number>(EDGES.length + 1).fill(0);
  for (let i = 0; i < weights.length; i++) {
    if (!sample.passGen[i]) continue;
    const c = EDGES.filter((e) => sample.gen.values[2 * i] >= e).length;
    sumw[c] += weights[i];
    sumw2[c] += weights[i] ** 2;
  }
  return { sumw, sumw2 };
}

/** The weighted mean of gen feature 0 over events passing gen. */
function genMean(sample: ApplySample, weights: Float64Array): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < weights.length; i++) {
    if (!sample.passGen[i]) continue;
    s += weights[i] * sample.gen.values[2 * i];
    sw += weights[i];
  }
  return s / sw;
}

test('held-out events of the same generator get the unfolded distribution (binned: per cell; MLP: the mean)', async () => {
  const heldOut = toy(12, 16001).sim;
  const sumPassGen = (s: ApplySample) => s.weights.reduce((t, w, i) => t + (s.passGen[i] ? w : 0), 0);
  const scale = sumPassGen(training.sim) / sumPassGen(heldOut);
  const binned = await run({ classifier: BINNED, nIterations: 4 });
  const applied = applyModels(binned.models!, heldOut).weights;
  const want = cells(training.sim, binned.weights);
  const got = cells(heldOut, applied);
  // both are ν per cell times the cell's prior weight, so they differ by the fluctuations
  // of the two samples' prior weights: within 4 σ, σ² = Σw² of one plus scale²·Σw² of the other
  want.sumw.forEach((w, c) => {
    const sigma = Math.sqrt(want.sumw2[c] + scale ** 2 * got.sumw2[c]);
    const diff = Math.abs(scale * got.sumw[c] - w);
    assert.ok(diff <= 4 * sigma, `cell ${c}: held-out ${scale * got.sumw[c]} vs ${w} (σ ${sigma})`);
  });
  // the MLP's unfolded mean of t1 on held-out events is the training events' within 0.08:
  // 4 σ of the difference of two weighted means over about 3600 and 14 400 events passing
  // gen, of spread 0.8–1 and weights of ESS ≈ 0.9·n: σ ≈ √(1/3200 + 1/13 000) ≈ 0.02
  const mlp = await run({ classifier: { ...MLP, hidden: [32, 32], epochs: 10 }, nIterations: 3 });
  const heldOutMean = genMean(heldOut, applyModels(mlp.models!, heldOut).weights);
  const trainingMean = genMean(training.sim, mlp.weights);
  assert.ok(Math.abs(heldOutMean - trainingMean) < 0.08, `held-out mean ${heldOutMean} vs ${trainingMean}`);
  // and both moved from the prior's mean (0.005) to the truth's (0.3) within 0.1
  for (const mean of [trainingMean, heldOutMean]) assert.ok(Math.abs(mean - 0.3) < 0.1, `unfolded mean ${mean}`);
});

test('errors: wrong feature count, fakes without a fakes model, a classifier that cannot save its models', async () => {
  const noFakes = toy(13, 2001, false);
  const result = await run({ classifier: BINNED, nIterations: 2 }, undefined, noFakes);
  assert.is(result.models!.runs[0][0].fakes, undefined);
  await rejectsInput(
    async () => applyModels(result.models!, training.sim),
    /^sim must have no fakes .* got \d+ fakes$/,
  );
  // with fakes 'fixed' a fake keeps ν = 1: no model needed
  const fixed = await run({ classifier: BINNED, nIterations: 2, fakes: 'fixed' }, undefined, noFakes);
  const applied = applyModels(fixed.models!, training.sim);
  for (let i = 0; i < applied.push.length; i++)
    if (training.sim.passGen[i] === 0) assert.is(applied.push[i], 1, `fake ${i}`);
  const oneFeature = { ...training.sim, gen: fromColumns([Array.from({ length: 4001 }, () => 0)]) };
  await rejectsInput(
    async () => applyModels(result.models!, oneFeature),
    /^sim gen features must be the 2 the models were trained on \(gen0, gen1\); got 1$/,
  );
  const bareBinned = (): Classifier => {
    const inner = new BinnedClassifier(BINNED);
    return {
      spec: inner.spec,
      fit: (x0, w0, x1, w1, context) => {
        const model = inner.fit(x0, w0, x1, w1, context);
        return { info: model.info, ratio: (x, clip, out) => model.ratio(x, clip, out) };
      },
    };
  };
  await rejectsInput(
    () => run({ classifier: BINNED }, new InProcessRunner({ classifierFactory: bareBinned })),
    /^classifier binned must be able to save its trained models \(toData\) with saveModels; got a model without toData$/,
  );
  await rejectsInput(
    () => run({ classifier: BINNED, step2Reference: 'initial' as never }),
    /^options\.step2Reference must be one of previous, prior; got "initial"$/,
  );
  await rejectsInput(
    () => run({ classifier: BINNED, saveModels: 1 as never }),
    /^options\.saveModels must be a boolean; got 1$/,
  );
});

test('the encoded folder: every size, hash, version and shape is checked, in one-line errors', async () => {
  const result = await run({ classifier: MLP, nIterations: 1 });
  const { files, record } = encodeModels(result.models!);
  assert.equal(
    files.map((f) => f.name),
    ['run0_iter1_step2_member0.bin', 'run0_iter1_fakes_member0.bin', 'models.json'],
  );
  assert.equal(
    record.files.map((f) => f.path),
    ['models/run0_iter1_step2_member0.bin', 'models/run0_iter1_fakes_member0.bin'],
  );
  const byName = () => new Map(files.map((f) => [f.name, f.bytes.slice()]));
  const decode = (map: Map<string, Uint8Array>, expected?: string) =>
    decodeModels(map.get('models.json')!, (name) => map.get(name)!, 'OUT/models', expected);
  decode(byName(), record.sha256);
  const flipped = byName();
  flipped.get('run0_iter1_step2_member0.bin')![5] ^= 1;
  await rejectsInput(
    async () => decode(flipped),
    /^OUT\/models\/run0_iter1_step2_member0\.bin must have the SHA-256 the manifest records \([0-9a-f]{64}\); got [0-9a-f]{64}$/,
  );
  const short = byName();
  short.set('run0_iter1_fakes_member0.bin', short.get('run0_iter1_fakes_member0.bin')!.subarray(8));
  await rejectsInput(async () => decode(short), /^OUT\/models\/run0_iter1_fakes_member0\.bin must have the \d+ bytes/);
  const edit = (change: (manifest: Record<string, unknown>) => void) => {
    const map = byName();
    const manifest = JSON.parse(new TextDecoder().decode(map.get('models.json')));
    change(manifest);
    map.set('models.json', new TextEncoder().encode(JSON.stringify(manifest)));
    return map;
  };
  await rejectsInput(
    async () => decode(edit((m) => (m.formatVersion = 2))),
    /^OUT\/models\/models\.json: formatVersion must be 1 \(this engine reads version 1\); got 2$/,
  );
  await rejectsInput(
    async () => decode(byName(), '0'.repeat(64)),
    /^OUT\/models\/models\.json must have the SHA-256 its weights file records/,
  );
  await rejectsInput(
    async () => decode(edit((m) => ((m.options as UnfoldOptions).nMembers = 2))),
    /runs\[0\]\.iterations\[0\]\.step2 must list 2 members \(options\.nMembers\); got 1$/,
  );
  await rejectsInput(
    async () => decode(edit((m) => ((m.options as UnfoldOptions).nIterations = 2))),
    /runs\[0\]\.iterations must be iterations 1, 2 \(step2Reference previous\); got \[1\]$/,
  );
  await rejectsInput(
    async () =>
      decode(
        edit((m) => {
          const entry = (m.runs as { iterations: { step2: { fields: { dims: number[] } }[] }[] }[])[0].iterations[0]
            .step2[0];
          entry.fields.dims = [2, 9, 8, 1];
        }),
      ),
    /^OUT\/models\/run0_iter1_step2_member0\.bin\.arrays\.params must hold \d+ values; got \d+$/,
  );
});

test.run();
