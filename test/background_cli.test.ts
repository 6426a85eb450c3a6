/**
 * `omnifold unfold --background FILE … --background-weight COL` through the compiled CLI:
 * the background files are checked, read, concatenated and recorded (role `background`);
 * the unfolded signal matches its truth, `verify` re-runs the run (also from moved
 * background files), and every misuse is one stderr line naming the option, file or column.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWeightsFile } from '../src/publish/weights_file.js';
import { gaussToy } from '../src/toys/gauss.js';
import { ToyRandom } from '../src/toys/toy_random.js';
import { testDir } from './helpers/temp_dir.js';

const BIN = join(process.cwd(), 'bin', 'omnifold.js');
const dir = testDir('omnifold-background-');

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const csv = (name: string, columns: Record<string, ArrayLike<number>>) => {
  const names = Object.keys(columns);
  const n = columns[names[0]].length;
  const rows = Array.from({ length: n }, (_, i) => names.map((c) => String(columns[c][i])).join(','));
  writeFileSync(join(dir, name), `${names.join(',')}\n${rows.join('\n')}\n`);
};

// The Gaussian toy's signal (truth N(0.2, 0.8)), 4000 flat background events in the data,
// and a background simulation of 8000 events of weight 1/2 split over two files.
const N_SIGNAL = 10_000;
const toy = gaussToy({ nSim: 20_000, nData: N_SIGNAL, seed: 9 });
const flat = (random: ToyRandom, n: number) => Float64Array.from({ length: n }, () => random.between(0.5, 2.5));
const truthMean = toy.truth.gen.values.reduce((s, v) => s + v, 0) / N_SIGNAL;
csv('sim.csv', { x: toy.sim.gen.values, x_reco: toy.sim.reco.values });
csv('data.csv', { x_reco: Float64Array.from([...toy.data.reco.values, ...flat(new ToyRandom(9, 2), 4000)]) });
const background = flat(new ToyRandom(9, 3), 8000);
csv('bkg_a.csv', { x_reco: background.subarray(0, 5000), w: new Float64Array(5000).fill(0.5) });
csv('bkg_b.csv', {
  x_reco: background.subarray(5000),
  w: new Float64Array(3000).fill(0.5),
  other: new Float64Array(3000),
});
csv('bkg_no_w.csv', { x_reco: background.subarray(0, 10) });
csv('bkg_no_reco.csv', { y: background.subarray(0, 10), w: new Float64Array(10).fill(1) });

const FILES = ['--sim', 'sim.csv', '--data', 'data.csv', '--gen', 'x', '--reco', 'x_reco'];
const BINNED = ['--classifier', 'binned', '--bins', 'x=-3:3:24', '--no-plots', '--quiet'];
const BACKGROUND = ['--background', 'bkg_a.csv', '--background', 'bkg_b.csv', '--background-weight', 'w'];

async function unfoldedMean(out: string): Promise<{ mean: number; total: number }> {
  const f = await readWeightsFile(join(dir, out, 'weights.arrow'));
  const x = f.columns.get('x') as ArrayLike<number>;
  const w = f.columns.get('weight') as ArrayLike<number>;
  let total = 0;
  let sum = 0;
  for (let i = 0; i < w.length; i++) {
    total += w[i];
    sum += w[i] * x[i];
  }
  return { mean: sum / total, total };
}

test('--background twice with --background-weight: the signal unfolded, the files recorded, verify passes', async () => {
  const r = run([
    'unfold',
    ...FILES,
    ...BACKGROUND,
    ...BINNED,
    '--data-bootstraps',
    '2',
    '--background-bootstraps',
    '2',
    '--out',
    'out-bg',
  ]);
  assert.is(r.code, 0, r.stderr);
  const f = await readWeightsFile(join(dir, 'out-bg', 'weights.arrow'));
  assert.equal(
    f.metadata.inputs.map((i) => [i.role, i.path, i.sha256]),
    [
      ['sim', 'sim.csv', sha256(join(dir, 'sim.csv'))],
      ['data', 'data.csv', sha256(join(dir, 'data.csv'))],
      ['background', 'bkg_a.csv', sha256(join(dir, 'bkg_a.csv'))],
      ['background', 'bkg_b.csv', sha256(join(dir, 'bkg_b.csv'))],
    ],
  );
  assert.is(f.metadata.normalisation.sumBackgroundWeights, 4000);
  assert.equal(
    f.metadata.columns.filter((c) => c.role.endsWith('bootstrap')).map((c) => [c.name, c.role]),
    [
      ['data_boot_0', 'data_bootstrap'],
      ['data_boot_1', 'data_bootstrap'],
      ['background_boot_0', 'background_bootstrap'],
      ['background_boot_1', 'background_bootstrap'],
    ],
  );
  const a = await unfoldedMean('out-bg');
  // 4 binned iterations on 10 000 signal events: spread of the mean about 0.02
  assert.ok(Math.abs(a.mean - truthMean) < 0.06, `unfolded mean ${a.mean} vs truth ${truthMean}`);
  assert.ok(Math.abs(a.total / N_SIGNAL - 1) < 1e-6, `total ${a.total}`);

  const h = run(['hist', 'out-bg/weights.arrow', '--moment', 'x', '--json', 'hist.json']);
  assert.is(h.code, 0, h.stderr);
  assert.match(h.stdout, /2 data bootstraps, 0 sim bootstraps, 2 background bootstraps, 0 systematics/);
  assert.match(h.stdout, /\nbackground-stat \(part of stat, not added again\): \S+\n/);
  const moment = JSON.parse(readFileSync(join(dir, 'hist.json'), 'utf8')).moment;
  assert.is(moment.nBackgroundBootstraps, 2);
  assert.ok(moment.backgroundStat.uncertainty[0] > 0, JSON.stringify(moment.backgroundStat));

  const plain = run(['unfold', ...FILES, ...BINNED, '--out', 'out-plain']);
  assert.is(plain.code, 0, plain.stderr);
  const b = await unfoldedMean('out-plain');
  assert.ok(b.mean - truthMean > 0.25, `mean without the background ${b.mean} vs truth ${truthMean}`);

  const v = run(['verify', 'out-bg/weights.arrow', '--quiet']);
  assert.is(v.code, 0, v.stderr);
  assert.match(v.stdout, /^verified: 5 of 5 columns identical\n$/);
  mkdirSync(join(dir, 'moved'), { recursive: true });
  copyFileSync(join(dir, 'bkg_a.csv'), join(dir, 'moved', 'a.csv'));
  copyFileSync(join(dir, 'bkg_b.csv'), join(dir, 'moved', 'b.csv'));
  const moved = run([
    'verify',
    'out-bg/weights.arrow',
    '--replicas',
    'weight,background_boot_1',
    '--background',
    'moved/a.csv',
    '--background',
    'moved/b.csv',
    '--quiet',
  ]);
  assert.is(moved.code, 0, moved.stderr);
  assert.match(moved.stdout, /^verified: 2 of 2 columns identical\n$/);
  // the files swapped: the first no longer has the recorded hash
  const swapped = run(['verify', 'out-bg/weights.arrow', '--background', 'moved/b.csv', '--background', 'moved/a.csv']);
  assert.is(swapped.code, 2);
  assert.match(
    swapped.stderr,
    /^omnifold: background input moved\/b\.csv must have the SHA-256 recorded in the weights file/,
  );
  const short = run(['verify', 'out-bg/weights.arrow', '--background', 'moved/a.csv']);
  assert.is(short.code, 2);
  assert.match(
    short.stderr,
    /^omnifold: --background must be given once per background file of the run \(2, in its order\); got 1\n$/,
  );
});

const ERRORS: [string, string[], RegExp][] = [
  [
    '--background-weight without --background',
    [...FILES, '--background-weight', 'w'],
    /^omnifold: --background-weight must come with --background; got no --background\n$/,
  ],
  [
    '--background with the embedded toy',
    ['--background', 'bkg_a.csv'],
    /^omnifold: --background must come with --sim, --data, --gen and --reco; got no input files\n$/,
  ],
  [
    '--background-bootstraps without --background',
    [...FILES, '--background-bootstraps', '2'],
    /^omnifold: --background-bootstraps must come with --background \(they fluctuate its weights\); got --background-bootstraps 2 without --background\n$/,
  ],
  [
    'a missing background file',
    [...FILES, '--background', 'bkg_a.csv', '--background', 'nothing.csv'],
    /^omnifold: --background nothing\.csv: file must exist; got no such file\n$/,
  ],
  [
    'a background file without the reco column',
    [...FILES, '--background', 'bkg_no_reco.csv'],
    /^omnifold: bkg_no_reco\.csv: column "x_reco" not found; columns are y, w\n$/,
  ],
  [
    'a background file without the weight column',
    [...FILES, '--background', 'bkg_a.csv', '--background', 'bkg_no_w.csv', '--background-weight', 'w'],
    /^omnifold: bkg_no_w\.csv: column "w" not found; columns are x_reco\n$/,
  ],
  [
    'a background as large as the data',
    [...FILES, '--background', 'data.csv'],
    /^omnifold: data weights minus background weights must have a positive total \(step 1 fits the sim to their difference\); got 0\n$/,
  ],
];

for (const [name, args, pattern] of ERRORS) {
  test(`background error: ${name}`, () => {
    const out = `out-${name.replace(/\W+/g, '-')}`;
    const r = run(['unfold', ...args, ...BINNED, '--out', out]);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, pattern);
    assert.not.ok(existsSync(join(dir, out, 'weights.arrow')), 'no weights written');
  });
}

test('--config: relative background files resolve against the config folder', async () => {
  mkdirSync(join(dir, 'conf'), { recursive: true });
  copyFileSync(join(dir, 'bkg_a.csv'), join(dir, 'conf', 'a.csv'));
  writeFileSync(join(dir, 'conf', 'run.json'), JSON.stringify({ background: ['a.csv'], 'background-weight': 'w' }));
  const r = run(['unfold', ...FILES, '--config', 'conf/run.json', ...BINNED, '--iterations', '1', '--out', 'out-conf']);
  assert.is(r.code, 0, r.stderr);
  const f = await readWeightsFile(join(dir, 'out-conf', 'weights.arrow'));
  assert.equal(f.metadata.inputs.at(-1)?.role, 'background');
  assert.equal(f.metadata.inputs.at(-1)?.path, join(dir, 'conf', 'a.csv'));
});

test.run();
