import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  readWeightsFile,
  writeOutputDir,
  writeWeightsFile,
  describeInputFile,
  type WeightsFileContent,
} from '../src/publish/weights_file.js';
import { summarize } from '../src/publish/summary.js';
import { UNFOLD_DEFAULTS } from '../src/algorithm/defaults.js';
import { InputError } from '../src/base/errors.js';
import { assertBitEqual } from './helpers/close.js';
import { gaussToy } from '../src/toys/gauss.js';
import { testDir } from './helpers/temp_dir.js';

const dir = testDir('omnifold-weights-');
const nSim = 1001;

function content(): WeightsFileContent {
  const toy = gaussToy({ nSim, nData: 500, seed: 11 });
  const weights = Float64Array.from({ length: nSim }, (_, i) => 1 + Math.sin(i) / 3);
  const iter1 = Float64Array.from(weights, (w) => w * 0.9);
  return {
    genNames: ['x'],
    gen: toy.sim.gen,
    passGen: toy.sim.passGen,
    passReco: toy.sim.passReco,
    priorWeights: toy.sim.weights,
    dataWeightSum: 500,
    result: {
      weights,
      weightsPerIteration: [iter1, weights],
      iterations: [
        { iteration: 1, steps: [], recoChi2: [] },
        { iteration: 2, steps: [], recoChi2: [] },
      ],
      nDropped: 0,
      options: { ...UNFOLD_DEFAULTS, nIterations: 2, seed: 42 },
    },
    replicas: [
      { name: 'data_boot_0', family: 'data_bootstrap', values: Float64Array.from(weights, (w) => w * 1.01) },
      { name: 'syst_scale', family: 'systematic', values: Float64Array.from(weights, (w) => w * 0.98) },
    ],
    configuration: { command: 'test', nested: { a: [1, 2] } },
    inputs: [{ role: 'sim', path: 'sim.arrow', sha256: 'ab'.repeat(32), bytes: 10 }],
    engineVersion: '9.9.9',
  };
}

test('write → read gives the same bits for every column', async () => {
  const c = content();
  const path = join(dir, 'w.arrow');
  await writeWeightsFile(path, c);
  const f = await readWeightsFile(path);
  assert.is(f.nRows, nSim);
  assert.equal(f.columnNames, [
    'x',
    'pass_gen',
    'pass_reco',
    'weight',
    'weight_iter1',
    'weight_iter2',
    'data_boot_0',
    'syst_scale',
  ]);
  assertBitEqual('x', f.columns.get('x')!, c.gen.values);
  assertBitEqual('pass_gen', f.columns.get('pass_gen')!, c.passGen);
  assertBitEqual('pass_reco', f.columns.get('pass_reco')!, c.passReco);
  assertBitEqual('weight', f.columns.get('weight')!, c.result.weights);
  assertBitEqual('weight_iter1', f.columns.get('weight_iter1')!, c.result.weightsPerIteration![0]);
  assertBitEqual('data_boot_0', f.columns.get('data_boot_0')!, c.replicas![0].values);
});

test('metadata: format, engine, configuration, seed, inputs, families, combination, normalisation', async () => {
  const path = join(dir, 'm.arrow');
  await writeWeightsFile(path, content());
  const { metadata: m } = await readWeightsFile(path);
  assert.is(m.format, 'omnifold-weights');
  assert.is(m.formatVersion, 1);
  assert.equal(m.engine, { name: 'omnifold', version: '9.9.9' });
  assert.equal(m.configuration, { command: 'test', nested: { a: [1, 2] } });
  assert.is(m.seed, 42);
  assert.is(m.inputs[0].sha256, 'ab'.repeat(32));
  assert.is(m.iterations.length, 2);
  const role = Object.fromEntries(m.columns.map((c) => [c.name, c.role]));
  assert.equal(role, {
    x: 'gen_feature',
    pass_gen: 'mask',
    pass_reco: 'mask',
    weight: 'nominal',
    weight_iter1: 'iteration',
    weight_iter2: 'iteration',
    data_boot_0: 'data_bootstrap',
    syst_scale: 'systematic',
  });
  for (const key of ['data_bootstrap', 'sim_bootstrap', 'systematic', 'total'])
    assert.type(m.combination[key], 'string');
  assert.match(m.combination.systematic, /delta delta\^T/);
  assert.is(m.normalisation.sumPriorWeights, nSim);
  assert.is(m.normalisation.sumDataWeights, 500);
});

test('the same content writes the same bytes (no timestamps)', async () => {
  const { readFileSync } = await import('node:fs');
  await writeWeightsFile(join(dir, 'a.arrow'), content());
  await writeWeightsFile(join(dir, 'b.arrow'), content());
  assertBitEqual('file bytes', readFileSync(join(dir, 'a.arrow')), readFileSync(join(dir, 'b.arrow')));
});

test('errors: wrong column length, reserved or duplicate names, not a weights file', async () => {
  const c = content();
  c.replicas = [{ name: 'bad', family: 'systematic', values: new Float64Array(3) }];
  try {
    await writeWeightsFile(join(dir, 'bad.arrow'), c);
    assert.unreachable('length');
  } catch (e) {
    assert.match((e as Error).message, /^weights file column "bad" must have 1001 rows like the sim sample; got 3$/);
  }
  const d = content();
  d.genNames = ['weight'];
  try {
    await writeWeightsFile(join(dir, 'bad.arrow'), d);
    assert.unreachable('reserved');
  } catch (e) {
    assert.match((e as Error).message, /^gen feature name must not be a reserved column name; got "weight"$/);
  }
  const { tableFromArrays, tableToIPC } = await import('apache-arrow');
  writeFileSync(join(dir, 'plain.arrow'), tableToIPC(tableFromArrays({ x: new Float64Array(2) }), 'file'));
  try {
    await readWeightsFile(join(dir, 'plain.arrow'));
    assert.unreachable('plain');
  } catch (e) {
    assert.instance(e, InputError);
    assert.match((e as Error).message, /plain\.arrow: schema metadata must have the key "omnifold"; got keys none$/);
  }
});

test('safe output: failure leaves no OUT and no temporary; an earlier output is replaced only with force', async () => {
  const parent = testDir('omnifold-atomic-');
  const out = join(parent, 'out');
  try {
    await writeOutputDir(out, async (tmp) => {
      writeFileSync(join(tmp, 'weights.arrow'), 'partial');
      throw new Error('boom');
    });
    assert.unreachable('should throw');
  } catch (e) {
    assert.is((e as Error).message, 'boom');
  }
  assert.not.ok(existsSync(out), 'no OUT after a failure');
  assert.equal(readdirSync(parent), [], 'no temporary left behind');
  await writeOutputDir(out, async (tmp) => writeWeightsFile(join(tmp, 'weights.arrow'), content()));
  assert.ok(existsSync(join(out, 'weights.arrow')));
  try {
    await writeOutputDir(out, async (tmp) => writeFileSync(join(tmp, 'summary.json'), '{}'));
    assert.unreachable('an earlier output is replaced only with force');
  } catch (e) {
    assert.match(
      (e as Error).message,
      /^output folder \S+ must not hold an earlier omnifold output unless --force or --resume is given; got one holding weights\.arrow/,
    );
  }
  await writeOutputDir(out, async (tmp) => writeFileSync(join(tmp, 'summary.json'), '{}'), { force: true });
  assert.equal(
    readdirSync(out).sort(),
    ['.omnifold-output.json', 'summary.json'],
    "the earlier output's entries are replaced",
  );
  assert.equal(readdirSync(parent), ['out']);
  await writeOutputDir(
    out,
    async () => {
      throw new Error('second failure');
    },
    { force: true },
  ).catch(() => {});
  assert.equal(
    readdirSync(out).sort(),
    ['.omnifold-output.json', 'summary.json'],
    'a failed run keeps the earlier output intact',
  );
});

test('safe output refuses a folder that is not an omnifold output', async () => {
  const parent = testDir('omnifold-atomic-');
  const out = join(parent, 'mine');
  mkdirSync(out);
  writeFileSync(join(out, 'thesis.tex'), 'precious');
  try {
    await writeOutputDir(out, async () => {});
    assert.unreachable('should refuse');
  } catch (e) {
    assert.match(
      (e as Error).message,
      /^output folder .*mine must be empty or an earlier omnifold output; got a folder holding thesis\.tex \(not written by omnifold: choose another folder\)$/,
    );
  }
  assert.equal(readdirSync(out), ['thesis.tex']);
});

test('a replica column that is the nominal array itself is written and read back (each column its own buffer)', async () => {
  const c = content();
  const path = join(dir, 'shared-buffer.arrow');
  await writeWeightsFile(path, {
    ...c,
    replicas: [{ name: 'syst_same', family: 'systematic', values: c.result.weights }],
  });
  const f = await readWeightsFile(path);
  assert.equal(Array.from(f.columns.get('syst_same') as Float64Array), Array.from(c.result.weights));
  assert.equal(Array.from(f.columns.get('weight') as Float64Array), Array.from(c.result.weights));
});

test('input files are identified by SHA-256', async () => {
  const path = join(dir, 'abc.txt');
  writeFileSync(path, 'abc');
  const r = await describeInputFile('sim', path);
  assert.is(r.sha256, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.is(r.bytes, 3);
});

test('summary: histograms per gen feature and shape chi2 (identical shapes give 0)', () => {
  const c = content();
  const s = summarize({
    genNames: ['x'],
    gen: c.gen,
    passGen: c.passGen,
    priorWeights: c.priorWeights,
    weights: c.priorWeights,
    truth: { gen: c.gen, weights: Float64Array.from(c.priorWeights, (w) => 2 * w), passGen: c.passGen },
    bins: { x: [-3, -1, 0, 1, 3] },
    iterations: [],
    nDropped: 0,
  });
  const f = s.features[0];
  assert.equal(f.edges, [-3, -1, 0, 1, 3]);
  assert.is(f.prior.sumw.length, 4);
  assert.is(f.unfoldedVsTruth!.chi2, 0);
  assert.is(f.unfoldedVsTruth!.ndf, 3);
  assert.is(f.unfoldedVsTruthBootstrap, undefined);
});

test("summary: with data bootstraps, the shape chi2 takes their variance (and the sim bootstraps')", () => {
  // 6 events in 3 bins (2 each); the truth has twice the weight of bin 0's events.
  const x = [0.5, 0.5, 1.5, 1.5, 2.5, 2.5];
  const gen = { values: Float32Array.from(x), nEvents: 6, nFeatures: 1 };
  const passGen = new Uint8Array(6).fill(1);
  const ones = new Float64Array(6).fill(1);
  const column = (family: string, w: number[]) => ({
    name: family,
    family: family as never,
    values: Float64Array.from(w),
  });
  const data = [
    [1, 1, 1, 1, 1, 1],
    [2, 1, 1, 1, 1, 0],
    [1, 0, 1, 2, 1, 1],
  ];
  const sims = [
    [1, 1, 2, 1, 0, 1],
    [1, 2, 1, 1, 1, 1],
  ];
  const input = (columns: ReturnType<typeof column>[]) => ({
    genNames: ['x'],
    gen,
    passGen,
    priorWeights: ones,
    weights: ones,
    truth: { gen, weights: Float64Array.from([2, 2, 1, 1, 1, 1]), passGen },
    bins: { x: [0, 1, 2, 3] },
    iterations: [],
    nDropped: 0,
    columns,
  });
  const s = summarize(
    input([
      column('nominal', [1, 1, 1, 1, 1, 1]),
      ...data.map((w) => column('data_bootstrap', w)),
      ...sims.map((w) => column('sim_bootstrap', w)),
    ]),
  );
  // by hand: shapes per replica, sample variances (divisor n − 1), truth sumw2 / total²
  const shapeOf = (w: number[]) => {
    const h = [w[0] + w[1], w[2] + w[3], w[4] + w[5]];
    const t = h[0] + h[1] + h[2];
    return h.map((v) => v / t);
  };
  const variance = (rows: number[][], k: number) => {
    const m = rows.reduce((a, r) => a + r[k], 0) / rows.length;
    return rows.reduce((a, r) => a + (r[k] - m) ** 2, 0) / (rows.length - 1);
  };
  const truthShape = [4 / 8, 2 / 8, 2 / 8];
  const truthVar = [8 / 64, 2 / 64, 2 / 64];
  let want = 0;
  for (let k = 0; k < 3; k++) {
    const v = variance(data.map(shapeOf), k) + variance(sims.map(shapeOf), k) + truthVar[k];
    want += (1 / 3 - truthShape[k]) ** 2 / v;
  }
  const got = s.features[0].unfoldedVsTruthBootstrap!;
  assert.ok(Math.abs(got.chi2 - want) < 1e-12 * want, `${got.chi2} vs ${want}`);
  assert.equal([got.ndf, got.dataBootstraps, got.simBootstraps], [2, 3, 2]);
  // one sim bootstrap has no variance: left out; one data bootstrap: no bootstrap chi2
  const oneSim = summarize(
    input([
      column('nominal', [1, 1, 1, 1, 1, 1]),
      ...data.map((w) => column('data_bootstrap', w)),
      column('sim_bootstrap', sims[0]),
    ]),
  );
  assert.is(oneSim.features[0].unfoldedVsTruthBootstrap!.simBootstraps, 0);
  assert.ok(oneSim.features[0].unfoldedVsTruthBootstrap!.chi2 > want);
  const oneData = summarize(input([column('nominal', [1, 1, 1, 1, 1, 1]), column('data_bootstrap', data[1])]));
  assert.is(oneData.features[0].unfoldedVsTruthBootstrap, undefined);
});

test.run();
