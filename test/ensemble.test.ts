// Ensemble (network initialisation) uncertainty: each member's final weights
// (saveMembers), their covariance term (the standard error of the combined nominal), and
// independent runs (ensembleRuns). The classifier is the exact binned one with a
// member-dependent factor per cell drawn from the member's own random stream, so members
// differ as network initialisations do, but fast and with a known answer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromColumns, type FeatureMatrix } from '../src/base/features.js';
import { RandomStream } from '../src/base/rng.js';
import { BinnedClassifier } from '../src/classifiers/binned.js';
import type { Classifier, FitContext, TrainedClassifier } from '../src/classifiers/classifier.js';
import { memberRngKey } from '../src/algorithm/fit_member.js';
import { InProcessRunner } from '../src/algorithm/in_process_runner.js';
import { unfold } from '../src/algorithm/omnifold.js';
import type {
  DataSample,
  MemberResult,
  MemberRunner,
  SimSample,
  StepJob,
  UnfoldOptions,
} from '../src/algorithm/types.js';
import { combineReplicas } from '../src/uncertainty/covariance.js';
import { binnedSums, histogramUncertainties } from '../src/uncertainty/quantities.js';
import { MEDIAN_STANDARD_ERROR_FACTOR, weightColumns } from '../src/uncertainty/families.js';
import { runReplicas } from '../src/execution/run_replicas.js';
import { hepdataHistogram } from '../src/publish/hepdata_submission.js';
import { decodeWeightsFile, encodeWeightsFile, ensembleFactorOf } from '../src/publish/weights_encoding.js';
import { validateWeightsBytes } from '../src/publish/weights_validation.js';
import { ToyRandom } from '../src/toys/toy_random.js';
import { assertBitEqual, assertClose } from './helpers/close.js';
import { testDir } from './helpers/temp_dir.js';

const EDGES = [-1.5, -0.5, 0.5, 1.5];
const RELATIVE = { rtol: 1e-12, atol: 0 };

/** A 1-D sim with migrations, misses (20 %), fakes (10 %), a few dropped events and varied positive weights. */
function toy(): { sim: SimSample; data: DataSample } {
  const r = new ToyRandom(11, 0);
  const nSim = 3001;
  const gen: number[] = [];
  const reco: number[] = [];
  const passGen = new Uint8Array(nSim);
  const passReco = new Uint8Array(nSim);
  const weights = new Float64Array(nSim);
  for (let i = 0; i < nSim; i++) {
    const t = r.normal(0, 1);
    gen.push(t);
    reco.push(t + r.normal(0, 0.5));
    const u = r.uniform();
    passGen[i] = u < 0.1 ? 0 : 1;
    passReco[i] = u >= 0.1 && u < 0.3 ? 0 : 1;
    if (i % 500 === 7) passGen[i] = passReco[i] = 0;
    weights[i] = r.between(0.5, 1.5);
  }
  const d = Array.from({ length: 2003 }, () => r.normal(0.3, 0.8) + r.normal(0, 0.5));
  return {
    sim: { gen: fromColumns([gen], true), reco: fromColumns([reco], true), passGen, passReco, weights },
    data: { reco: fromColumns([d], true), weights: new Float64Array(d.length).fill(1) },
  };
}
const { sim, data } = toy();

/** The cell (underflow, bins, overflow) of a 1-D value. */
const cell = (v: number) => EDGES.filter((e) => v >= e).length;

/** The binned ratio times a factor in [0.8, 1.2) per cell, drawn from the member's own stream. */
class NoisyBinned implements Classifier {
  private readonly inner = new BinnedClassifier({ type: 'binned', edges: [EDGES] });
  readonly spec = this.inner.spec;

  fit(x0: FeatureMatrix, w0: Float64Array, x1: FeatureMatrix, w1: Float64Array, context: FitContext) {
    const model = this.inner.fit(x0, w0, x1, w1, context);
    const stream = new RandomStream(context.rngKey, 'init');
    const factors = Array.from({ length: EDGES.length + 1 }, () => 0.8 + 0.4 * stream.nextDouble());
    const noisy: TrainedClassifier = {
      info: model.info,
      ratio(x, clip, out) {
        const result = model.ratio(x, clip, out);
        for (let i = 0; i < x.nEvents; i++) result.ratio[i] *= factors[cell(x.values[i])];
        return result;
      },
    };
    return noisy;
  }
}

/**
 * The noisy in-process runner, recording every job's member keys and, per (iteration,
 * step), each member's ratios on the first target. `threads` sets how many runs of
 * several go at once; `delay(job)` holds a fit back (milliseconds) so runs finish out of order.
 */
class SpyRunner implements MemberRunner {
  private readonly inner = new InProcessRunner({ classifierFactory: () => new NoisyBinned() });
  readonly keys: number[] = [];
  readonly ratios = new Map<string, Float64Array[]>();

  constructor(
    readonly threads = 1,
    private readonly delay: (job: StepJob) => number = () => 0,
  ) {}

  async fitMembers(job: StepJob, nMembers: number): Promise<MemberResult[]> {
    const wait = this.delay(job);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    for (let m = 0; m < nMembers; m++) this.keys.push(memberRngKey(job, m).member);
    const results = await this.inner.fitMembers(job, nMembers);
    this.ratios.set(
      `${job.iteration}:${job.step}:${job.memberOffset ?? 0}`,
      results.map((r) => r.ratios[0]),
    );
    return results;
  }
}

const BASE: Partial<UnfoldOptions> = { nIterations: 3, classifier: { type: 'binned', edges: [EDGES] }, seed: 5 };
const run = (options: Partial<UnfoldOptions>, runner: MemberRunner = new SpyRunner()) =>
  unfold(sim, data, { ...BASE, ...options }, { runner });

/** Indices of events with mask 1, ascending (the order of a step's targets). */
const rows = (mask: Uint8Array, other?: Uint8Array) =>
  Array.from(mask.keys()).filter((i) => mask[i] === 1 && (other === undefined || other[i] === 0));

/** The largest relative difference between two members' weights. */
function spread(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.abs(b[i]));
  return worst;
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid] : 0.5 * (v[mid - 1] + v[mid]);
}

test('options: saveMembers and ensembleRuns are checked with their path, rule and value', async () => {
  const cases: [Partial<UnfoldOptions>, RegExp][] = [
    [{ saveMembers: 1 as unknown as boolean }, /^options\.saveMembers must be a boolean; got 1$/],
    [{ ensembleRuns: 0 }, /^options\.ensembleRuns must be a positive integer; got 0$/],
    [{ ensembleRuns: 1.5 }, /^options\.ensembleRuns must be a positive integer; got 1\.5$/],
    [
      { nMembers: 2 ** 16, ensembleRuns: 2 ** 16 + 1 },
      /^options\.ensembleRuns must be at most 2\^32 \/ nMembers \(65536\); got 65537$/,
    ],
  ];
  for (const [options, message] of cases) {
    try {
      await run(options);
      assert.unreachable(`no error for ${JSON.stringify(options)}`);
    } catch (error) {
      assert.match((error as Error).message, message);
    }
  }
});

test('saveMembers adds one column per member and leaves every other bit as it was', async () => {
  const plain = await run({ nMembers: 3, saveIterations: true });
  const kept = await run({ nMembers: 3, saveIterations: true, saveMembers: true });
  assert.is(plain.memberWeights, undefined);
  assert.is(kept.memberWeights?.length, 3);
  assertBitEqual('weight', kept.weights, plain.weights);
  assertBitEqual('push', kept.push, plain.push);
  assertBitEqual('pull', kept.pull, plain.pull);
  plain.weightsPerIteration!.forEach((w, n) => assertBitEqual(`iteration ${n + 1}`, kept.weightsPerIteration![n], w));
  assert.equal(kept.iterations, plain.iterations);
});

test("member m: the combined chain, then the last iteration's step 2 and fakes with member m's ratio alone", async () => {
  const nMembers = 3;
  const spy = new SpyRunner();
  const result = await run({ nMembers, saveMembers: true, saveIterations: true }, spy);
  const members = result.memberWeights!;
  const before = result.weightsPerIteration![1]; // w0·ν after iteration 2 (the combined chain)
  const gen = rows(sim.passGen);
  const fakes = rows(sim.passReco, sim.passGen);
  const g = spy.ratios.get('3:step2:0')!;
  const f = spy.ratios.get('3:fakes:0')!;
  assert.ok(fakes.length > 200 && gen.length > 2000);
  for (let m = 0; m < nMembers; m++) {
    const want = Float64Array.from(sim.weights);
    gen.forEach((i, k) => (want[i] = before[i] * g[m][k]));
    fakes.forEach((i, k) => (want[i] = before[i] * f[m][k]));
    assertClose(`member_${m}`, members[m], want, RELATIVE);
  }
  // the members differ by their factors (up to ±20 % per cell), not by rounding
  assert.ok(spread(members[0], members[1]) > 0.05, `spread ${spread(members[0], members[1])}`);
  assert.ok(spread(members[0], result.weights) > 0.05);
});

test('mean combination: the mean of the member columns is weight; median: their median is', async () => {
  for (const [ensembleCombine, nMembers] of [
    ['mean', 4],
    ['median', 3],
    ['median', 4],
  ] as const) {
    const result = await run({ nMembers, ensembleCombine, saveMembers: true });
    const members = result.memberWeights!;
    const combined = Float64Array.from(result.weights, (_, i) => {
      const values = members.map((w) => w[i]);
      return ensembleCombine === 'mean' ? values.reduce((a, b) => a + b, 0) / nMembers : median(values);
    });
    assertClose(`${ensembleCombine} of ${nMembers} members`, combined, result.weights, RELATIVE);
  }
});

test('one member: member_0 is weight, bit for bit', async () => {
  const result = await run({ saveMembers: true });
  assert.is(result.memberWeights!.length, 1);
  assertBitEqual('member_0', result.memberWeights![0], result.weights);
});

test('ensembleRuns: run r keys its members r·M + m; run 0 is the single run; weight is the runs mean', async () => {
  const nMembers = 2;
  const single = await run({ nMembers });
  const spy = new SpyRunner();
  const result = await run({ nMembers, ensembleRuns: 3, saveMembers: true }, spy);
  assert.equal([...new Set(spy.keys)].sort(), [0, 1, 2, 3, 4, 5]);
  const runs = result.memberWeights!;
  assert.is(runs.length, 3);
  assertBitEqual('run 0 = the single run', runs[0], single.weights);
  assert.ok(spread(runs[1], runs[0]) > 0.01 && spread(runs[2], runs[1]) > 0.01);
  const mean = Float64Array.from(result.weights, (_, i) => (runs[0][i] + runs[1][i] + runs[2][i]) / 3);
  assertClose('weight = mean of the runs', result.weights, mean, RELATIVE);
  assertBitEqual(
    'weight = w0·push',
    result.weights,
    Float64Array.from(sim.weights, (w, i) => w * result.push[i]),
  );
  // the diagnostics are those of the combined weights, with every run's members
  for (const it of result.iterations) {
    assert.equal(
      it.steps.map((s) => s.step),
      ['step1', 'misses', 'step2', 'fakes'],
    );
    for (const s of it.steps) {
      assert.is(s.members.length, 6, s.step);
      assert.ok(s.ess > 0 && Number.isFinite(s.change), s.step);
    }
  }
  const explicit = await run({ nMembers, ensembleRuns: 1 });
  assertBitEqual('ensembleRuns 1 = default', explicit.weights, single.weights);
});

test('ensembleRuns: the same bits with 1 or 3 runs in flight, finishing in any order', async () => {
  const options = { nMembers: 1, ensembleRuns: 4, saveIterations: true, saveMembers: true };
  const one = await run(options, new SpyRunner(1));
  // run 0 waits longest, so later runs finish first
  const many = await run(options, new SpyRunner(3, (job) => ((job.memberOffset ?? 0) === 0 ? 15 : 0)));
  assertBitEqual('weight', many.weights, one.weights);
  assertBitEqual('pull', many.pull, one.pull);
  one.memberWeights!.forEach((w, r) => assertBitEqual(`run_${r}`, many.memberWeights![r], w));
  one.weightsPerIteration!.forEach((w, n) => assertBitEqual(`iteration ${n + 1}`, many.weightsPerIteration![n], w));
  assert.equal(many.iterations, one.iterations);
});

test('covariance: the ensemble term is the standard error f²·S/K, and it enters the total', () => {
  const nominal = Float64Array.of(10, 20);
  const columns = [
    Float64Array.of(9, 21),
    Float64Array.of(11, 18),
    Float64Array.of(10.5, 20.5),
    Float64Array.of(9.5, 22),
  ];
  const K = columns.length;
  // the sample covariance S by hand (divisor K − 1)
  const mean = [0, 1].map((j) => columns.reduce((a, c) => a + c[j], 0) / K);
  const S = [0, 1].flatMap((i) =>
    [0, 1].map((j) => columns.reduce((a, c) => a + (c[i] - mean[i]) * (c[j] - mean[j]), 0) / (K - 1)),
  );
  const values = columns.map((v, index) => ({ family: 'ensemble' as const, index, values: v }));
  const stat = Float64Array.of(4, 9);
  for (const f of [1, MEDIAN_STANDARD_ERROR_FACTOR]) {
    const u = combineReplicas(nominal, values, stat, f);
    assert.is(u.nEnsemble, K);
    assert.is(u.ensembleFactor, f);
    assertClose(
      `ensemble (f = ${f})`,
      u.ensemble,
      S.map((s) => (f * f * s) / K),
    );
    assertClose(
      'total = stat + ensemble',
      u.total,
      S.map((s, k) => (k === 0 ? 4 : k === 3 ? 9 : 0) + (f * f * s) / K),
    );
  }
  assert.equal(Array.from(combineReplicas(nominal, values.slice(0, 1)).ensemble), [0, 0, 0, 0]);
  assert.throws(
    () => combineReplicas(nominal, values, undefined, 0),
    /^ensemble factor must be a finite positive number; got 0$/,
  );
});

test('weights file: member columns, metadata.ensemble, validation, hist and HEPData', async () => {
  const result = await run({ nMembers: 3, ensembleCombine: 'median', saveMembers: true });
  const content = {
    genNames: ['x'],
    gen: sim.gen,
    passGen: sim.passGen,
    passReco: sim.passReco,
    priorWeights: sim.weights,
    dataWeightSum: data.weights.length,
    result,
    configuration: {},
    inputs: [],
  };
  const bytes = encodeWeightsFile(content);
  assert.equal(validateWeightsBytes(bytes).problems, []);
  const file = decodeWeightsFile(bytes);
  assert.equal(
    file.metadata.columns.filter((c) => c.role === 'ensemble').map((c) => c.name),
    ['member_0', 'member_1', 'member_2'],
  );
  assert.equal(file.metadata.ensemble, { members: 3, runs: 1, combine: 'median', standardErrorFactor: 1.253 });
  assert.is(ensembleFactorOf(file.metadata), 1.253);
  // the histogram's ensemble term by hand: 1.253² × sample covariance over the 3 member histograms / 3
  const x = file.columns.get('x') as Float32Array;
  const h = [0, 1, 2].map((m) => binnedSums(x, file.columns.get(`member_${m}`) as Float64Array, EDGES, sim.passGen));
  const n = EDGES.length - 1;
  const want = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const mi = (h[0][i] + h[1][i] + h[2][i]) / 3;
      const mj = (h[0][j] + h[1][j] + h[2][j]) / 3;
      want[i * n + j] = (1.253 ** 2 * h.reduce((a, v) => a + (v[i] - mi) * (v[j] - mj), 0)) / 2 / 3;
    }
  const columns = weightColumns(file.metadata.columns, (name) => file.columns.get(name) as Float64Array);
  const u = histogramUncertainties(columns, x, EDGES, sim.passGen, ensembleFactorOf(file.metadata));
  assertClose('ensemble covariance', u.ensemble, want, { rtol: 1e-10, atol: 1e-12 });
  assert.ok(u.ensemble[0] > 0);
  const hep = hepdataHistogram(file, { obs: 'x', edges: EDGES });
  assertClose(
    'hepdata ensemble error',
    hep.ensemble!,
    [0, 1, 2].map((k) => Math.sqrt(want[k * n + k])),
    {
      rtol: 1e-10,
      atol: 0,
    },
  );
  assert.match(hep.covariance!.what, /\+ ensemble$/);
  // ensemble columns without metadata.ensemble are a problem
  const orphan = encodeWeightsFile({
    ...content,
    result: { ...result, memberWeights: undefined },
    replicas: [{ name: 'member_0', family: 'ensemble', values: result.weights }],
  });
  assert.equal(validateWeightsBytes(orphan).problems, [
    'metadata.ensemble must be present when the file has ensemble columns (member_0); got none',
  ]);
});

test('replica store: the nominal record carries its member columns through a resume', async () => {
  const dir = testDir('omnifold-ensemble-store-');
  const options = { ...BASE, classifier: BASE.classifier!, nMembers: 2, saveMembers: true, dataBootstraps: 2 };
  const fresh = await runReplicas(sim, data, options, { storeDir: dir });
  const resumed = await runReplicas(sim, data, options, { storeDir: dir, resume: true });
  assert.equal(resumed.resumed, ['weight', 'data_boot_0', 'data_boot_1']);
  assert.is(resumed.nominal.memberWeights!.length, 2);
  // read back from the files (a new store keeps nothing in memory)
  fresh.nominal.memberWeights!.forEach((w, m) => assertBitEqual(`member_${m}`, resumed.nominal.memberWeights![m], w));
  assertBitEqual('weight', resumed.nominal.weights, fresh.nominal.weights);
});

const BIN = join(process.cwd(), 'bin', 'omnifold.js');
const JOB = ['unfold', '--toy', 'gauss', '--events', '3000', '--epochs', '2', '--iterations', '2', '--threads', '1'];
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });

test('CLI: --save-members writes member columns; --replicas then --resume gives the same bytes; verify', () => {
  const root = testDir('omnifold-ensemble-cli-');
  const args = [...JOB, '--ensemble', '2', '--save-members', '--data-bootstraps', '2', '--no-plots', '--quiet'];
  const whole = cli([...args, '--out', join(root, 'whole')]);
  assert.is(whole.status, 0, whole.stderr);
  const part = cli([...args, '--out', join(root, 'parts'), '--replicas', '0']);
  assert.is(part.status, 0, part.stderr);
  const rest = cli([...args, '--out', join(root, 'parts'), '--resume']);
  assert.is(rest.status, 0, rest.stderr);
  const bytes = readFileSync(join(root, 'whole', 'weights.arrow'));
  assert.ok(bytes.equals(readFileSync(join(root, 'parts', 'weights.arrow'))), 'resumed bytes differ');
  const file = decodeWeightsFile(new Uint8Array(bytes));
  assert.equal(
    file.metadata.columns.filter((c) => c.role !== 'gen_feature' && c.role !== 'mask').map((c) => c.name),
    ['weight', 'member_0', 'member_1', 'data_boot_0', 'data_boot_1'],
  );
  const verify = cli(['verify', join(root, 'whole', 'weights.arrow'), '--quiet']);
  assert.is(verify.stdout, 'verified: 5 of 5 columns identical\n', verify.stderr);
  const hist = cli(['hist', join(root, 'whole', 'weights.arrow'), '--obs', 'x', '--bins', '-2:2:4']);
  assert.is(hist.status, 0, hist.stderr);
  assert.match(hist.stdout, /2 ensemble columns \(standard error σ\/√2 of the nominal\)/);
  assert.match(hist.stdout, /bin +range +value +stat +sim-stat +syst +ensemble +total\n/);
});

test('CLI: --ensemble-runs 2 --save-members writes run_0 and run_1, and weight is their mean', () => {
  const root = testDir('omnifold-ensemble-runs-');
  const out = cli([...JOB, '--ensemble-runs', '2', '--save-members', '--no-plots', '--quiet', '--out', root]);
  assert.is(out.status, 0, out.stderr);
  const file = decodeWeightsFile(new Uint8Array(readFileSync(join(root, 'weights.arrow'))));
  assert.equal(file.metadata.ensemble, { members: 1, runs: 2, combine: 'mean', standardErrorFactor: 1 });
  const [w, r0, r1] = ['weight', 'run_0', 'run_1'].map((name) => file.columns.get(name) as Float64Array);
  assert.ok(spread(r0, r1) > 1e-3, 'the runs differ');
  assertClose(
    'weight = mean of the runs',
    w,
    Float64Array.from(w, (_, i) => (r0[i] + r1[i]) / 2),
    RELATIVE,
  );
  const bad = cli([...JOB, '--ensemble-runs', '0', '--out', join(root, 'bad')]);
  assert.is(bad.status, 2);
  assert.is(bad.stderr, 'omnifold: --ensemble-runs must be a positive integer; got "0"\n');
});

test.run();
