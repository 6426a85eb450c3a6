/**
 * `omnifold check ibu` (src/cli/check_ibu.ts) and the matrix IBU it compares with
 * (src/analysis/ibu.ts): the reference reproduces pyunfold's frozen 2-bin example; the
 * check passes on the embedded Gaussian toy and on files with misses, fakes and a
 * background (2 gen features, every misses/fakes mode that is IBU, both step-2
 * references); it fails, with exit code 1 and one line on stderr, when the unfolding
 * compared is not the one the options describe; what is not IBU is refused up front.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { matrixIbu } from '../src/analysis/ibu.js';
import { fromColumns } from '../src/base/features.js';
import { unfold } from '../src/algorithm/omnifold.js';
import { resolveUnfoldOptions } from '../src/algorithm/options.js';
import { checkIbu, compareUnfoldingWithIbu } from '../src/cli/check_ibu.js';
import { gaussToy } from '../src/toys/gauss.js';
import { ToyRandom } from '../src/toys/toy_random.js';
import { assertClose } from './helpers/close.js';
import { loadReference } from './helpers/reference.js';
import { testDir } from './helpers/temp_dir.js';

const BIN = join(process.cwd(), 'bin', 'omnifold.js');
const dir = testDir('omnifold-check-ibu-');

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'check', 'ibu', ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * sim.csv: gen (x1, x2) ~ N(0, 1), N(0.5, 0.5), reco = gen + N(0, 0.4); about 20 % misses
 * (efficiency rising with x1), 8 % fakes, weights in [0.5, 1.5). data.csv: the same detector
 * on N(0.3, 0.8), N(0.6, 0.5), plus flat events that bkg.csv (weight ½, twice as many) describes.
 */
function writeFiles(): void {
  const r = new ToyRandom(31, 0);
  const sim = ['x1,x2,r1,r2,pass_gen,pass_reco,w'];
  for (let i = 0; i < 6000; i++) {
    const t = [r.normal(0, 1), r.normal(0.5, 0.5)];
    const fake = r.uniform() < 0.08;
    const passReco = fake || r.uniform() < 0.7 + 0.1 * Math.tanh(t[0]) ? 1 : 0;
    const reco = fake ? [r.between(-2.5, 2.5), r.between(-0.5, 1.5)] : t.map((v) => v + r.normal(0, 0.4));
    const g = fake ? [0, 0] : t;
    sim.push([...g, ...(passReco ? reco : [0, 0]), fake ? 0 : 1, passReco, r.between(0.5, 1.5)].join(','));
  }
  writeFileSync(join(dir, 'sim.csv'), `${sim.join('\n')}\n`);
  const d = new ToyRandom(31, 1);
  const data = ['r1,r2'];
  for (let j = 0; j < 4000; j++)
    data.push([d.normal(0.3, 0.8) + d.normal(0, 0.4), d.normal(0.6, 0.5) + d.normal(0, 0.4)].join(','));
  for (let j = 0; j < 300; j++) data.push([d.between(-2, 2), d.between(0, 1)].join(','));
  writeFileSync(join(dir, 'data.csv'), `${data.join('\n')}\n`);
  const bkg = ['r1,r2,w'];
  for (let k = 0; k < 600; k++) bkg.push([d.between(-2, 2), d.between(0, 1), 0.5].join(','));
  writeFileSync(join(dir, 'bkg.csv'), `${bkg.join('\n')}\n`);
}
writeFiles();

const FILES = [
  '--sim',
  'sim.csv',
  '--data',
  'data.csv',
  '--gen',
  'x1,x2',
  '--reco',
  'r1,r2',
  '--pass-gen',
  'pass_gen',
  '--pass-reco',
  'pass_reco',
  '--sim-weight',
  'w',
  '--background',
  'bkg.csv',
  '--background-weight',
  'w',
  '--bins',
  'x1=-2:2:8;x2=-0.5:1.5:5',
];

test('matrix IBU reproduces pyunfold 2-bin example (data [100, 150], response [[0.9, 0.1], [0.1, 0.9]])', () => {
  const sim = {
    gen: fromColumns([[0.5, 0.5, 1.5, 1.5]]),
    reco: fromColumns([[0.5, 1.5, 0.5, 1.5]]),
    passGen: Uint8Array.of(1, 1, 1, 1),
    passReco: Uint8Array.of(1, 1, 1, 1),
    weights: Float64Array.of(125 * 0.9, 125 * 0.1, 125 * 0.1, 125 * 0.9),
  };
  const data = { reco: fromColumns([[0.5, 1.5]]), weights: Float64Array.of(100, 150) };
  const options = resolveUnfoldOptions({});
  const result = matrixIbu(sim, data, {
    nIterations: 4,
    genEdges: [[0, 1, 2]],
    misses: 'expectation',
    fakes: 'global',
    step2Reference: 'previous',
    epsilon: options.epsilon,
    wMax: options.wMax,
  });
  const reference = loadReference('ibu_2bin');
  for (let n = 0; n < 4; n++) {
    // cells: underflow, the two bins, overflow
    assert.equal([result.genCells[n][0], result.genCells[n][3]], [0, 0]);
    assertClose(`iteration ${n + 1}`, [result.genCells[n][1], result.genCells[n][2]], reference.values[n], {
      rtol: reference.tolerance.rtol,
      atol: reference.tolerance.atol,
    });
  }
});

test('check ibu passes on the embedded Gaussian toy', () => {
  const r = run(['--iterations', '5']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /identity holds: every cell within 1e-9/);
  assert.is(r.stdout.trim().split('\n').length, 2 + 5 + 1, r.stdout);
});

for (const extra of [
  [],
  ['--step2-reference', 'prior'],
  ['--fakes', 'fixed'],
  ['--misses', 'prior', '--iterations', '3'],
]) {
  test(`check ibu passes on files with misses, fakes and a background ${extra.join(' ')}`, () => {
    const r = run([...FILES, ...extra]);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /70 gen cells/);
    assert.match(r.stdout, extra.includes('fixed') ? /70 gen cells \(under- and overflow included\)\n/ : /fake cause/);
    assert.match(r.stdout, /identity holds/);
  });
}

test('check ibu refuses what is not IBU, in one line', () => {
  const bad = run([...FILES, '--fakes', 'reco-average']);
  assert.is(bad.code, 2);
  assert.is(
    bad.stderr,
    'omnifold: check ibu --fakes must be global or fixed when the sim has fakes (reco-average is not IBU); got reco-average\n',
  );
  const mlp = run(['--classifier', 'mlp']);
  assert.is(mlp.code, 2);
  assert.is(mlp.stderr, 'omnifold: check ibu --classifier must be binned; got mlp\n');
  const tol = run(['--tolerance', '-1']);
  assert.is(tol.code, 2);
  assert.match(tol.stderr, /^omnifold: --tolerance must be/);
});

test('the comparison fails when the unfolding is not the one the options describe', async () => {
  const toy = gaussToy({ nSim: 20000, nData: 20000, efficiency: 0.8 });
  const options = resolveUnfoldOptions({
    nIterations: 4,
    classifier: { type: 'binned', edges: [toy.bins.x] },
    saveIterations: true,
  });
  const good = await checkIbu(toy.sim, toy.data, options);
  assert.ok(good.pass, JSON.stringify(good.rows));
  // misses "prior" run, compared as if it were "expectation": the efficiency correction is missing
  const prior = await unfold(toy.sim, toy.data, { ...options, misses: 'prior' });
  const wrong = compareUnfoldingWithIbu(toy.sim, toy.data, options, prior.weightsPerIteration!, 1e-9);
  assert.not.ok(wrong.pass);
  assert.ok(wrong.rows[0].maxRelativeDifference > 1e-3, JSON.stringify(wrong.rows));
  // one event's weight off by a relative 1e-3 at iteration 3 (its cell's total by about 2e-7): caught there, and only there
  const expectation = await unfold(toy.sim, toy.data, options);
  const tampered = expectation.weightsPerIteration!.map((w) => Float64Array.from(w));
  tampered[2][toy.sim.weights.length >> 1] *= 1 + 1e-3;
  const caught = compareUnfoldingWithIbu(toy.sim, toy.data, options, tampered, 1e-9);
  assert.not.ok(caught.pass);
  assert.equal(
    caught.rows.map((r) => r.maxRelativeDifference > 1e-9),
    [false, false, true, false],
  );
});

test('check ibu exits 1 with one line when the identity fails beyond the tolerance', () => {
  // no unfolding agrees with IBU to a relative 1e-300: rounding alone exceeds it
  const r = run(['--tolerance', '1e-300', '--events', '20000']);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /identity FAILS: iteration \d/);
  assert.match(
    r.stderr,
    /^omnifold: check ibu: binned OmniFold must equal matrix IBU within 1e-300 \(relative\); got [0-9.e+-]+ at iteration \d\n$/,
  );
});

test('omnifold check: the list of checks, --help, and an unknown check in one line', () => {
  const bare = spawnSync(process.execPath, [BIN, 'check'], { cwd: dir, encoding: 'utf8' });
  assert.is(bare.status, 2);
  assert.match(bare.stderr, /^usage: omnifold check <check> \[options\]\n\nchecks:\n {2}ibu /);
  const unknown = spawnSync(process.execPath, [BIN, 'check', 'frob'], { cwd: dir, encoding: 'utf8' });
  assert.is(unknown.status, 2);
  assert.is(
    unknown.stderr,
    'omnifold: check must be one of ibu, closure, coverage; got "frob" (see omnifold check --help)\n',
  );
  const help = run(['--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, /^usage: omnifold check ibu /);
  assert.match(help.stdout, /--tolerance X/);
});

test.run();
