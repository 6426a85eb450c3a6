/**
 * `omnifold reweight` and the generator recipes of `omnifold unfold --syst` through the
 * compiled CLI (dist/, built by `npm test` before the tests), on CSV files of Gaussians
 * whose answer is known.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWeightsFile } from '../src/publish/weights_file.js';
import { normals } from './helpers/normals.js';
import { weightedMean } from './helpers/weighted_mean.js';
import { testDir } from './helpers/temp_dir.js';

const BIN = join(process.cwd(), 'bin', 'omnifold.js');
const dir = testDir('omnifold-reweight-');

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A CSV of n events: x ~ N(mean, sigma), y ~ N(0, 1), x_reco = x + shift + N(0, 0.5), weight w. */
function write(file: string, n: number, mean: number, sigma: number, seed: number, shift = 0): void {
  const x = normals(n, seed).map((z) => mean + sigma * z);
  const y = normals(n, seed + 1);
  const noise = normals(n, seed + 2);
  const lines = ['x,y,x_reco,w'];
  for (let i = 0; i < n; i++)
    lines.push(`${x[i].toFixed(6)},${y[i].toFixed(6)},${(x[i] + shift + 0.5 * noise[i]).toFixed(6)},2`);
  writeFileSync(join(dir, file), `${lines.join('\n')}\n`);
}

write('source.csv', 20_000, 0, 1, 1);
write('target.csv', 20_000, 0.5, 1, 11);

const BINNED = ['--classifier', 'binned', '--bins', 'x=-5:5:40;y=-5:5:4'];

test('binned reweight: the source takes the target mean of x (±0.03); files, table, metadata', async () => {
  const r = run(['reweight', '--source', 'source.csv', '--target', 'target.csv', '--features', 'x,y', ...BINNED]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^feature +chi2\/ndf before +chi2\/ndf after\nx +\d+\.\d\/\d+ +\d+\.\d\/\d+\ny /);
  assert.match(r.stdout, /\nESS 20000\.0 -> \d+\.\d; clipped \d\.\d\d %; sum of weights 20000\.0 -> /);
  for (const f of ['weights.arrow', 'summary.json', 'plots/reweight_x.svg', 'plots/reweight_x.png'])
    assert.ok(existsSync(join(dir, 'omnifold-reweight', f)), f);
  const file = await readWeightsFile(join(dir, 'omnifold-reweight', 'weights.arrow'));
  const x = file.columns.get('x')!;
  const w = file.columns.get('weight')!;
  assert.ok(Math.abs(weightedMean(x, w) - 0.5) < 0.03, `mean ${weightedMean(x, w)}`);
  const m = file.metadata;
  assert.is((m.configuration as { command: string }).command, 'reweight');
  assert.equal(
    m.inputs.map((i) => i.role),
    ['source', 'target'],
  );
  assert.is(m.iterations[0].steps[0].step, 'reweight');
  assert.match(String(m.normalisation.description), /p_target\/p_source/);
  const summary = JSON.parse(readFileSync(join(dir, 'omnifold-reweight', 'summary.json'), 'utf8'));
  assert.is(summary.features[0].feature, 'x');
  assert.ok(summary.features[0].after.chi2 < summary.features[0].before.chi2 / 10, JSON.stringify(summary.features[0]));
  const v = run(['validate', join('omnifold-reweight', 'weights.arrow')]);
  assert.is(v.code, 0, v.stdout + v.stderr);
});

test('MLP reweight with bootstraps: the same bytes on 1 and 2 threads; bootstrap columns; verify re-runs it', () => {
  const args = ['reweight', '--source', 'source.csv', '--target', 'target.csv', '--features', 'x'];
  const mlp = [
    '--epochs',
    '3',
    '--hidden',
    '8',
    '--ensemble',
    '2',
    '--target-bootstraps',
    '1',
    '--source-bootstraps',
    '1',
  ];
  const one = run([...args, ...mlp, '--threads', '1', '--out', 't1', '--no-plots', '--quiet']);
  assert.is(one.code, 0, one.stderr);
  const two = run([...args, ...mlp, '--threads', '2', '--out', 't2', '--no-plots', '--quiet']);
  assert.is(two.code, 0, two.stderr);
  const a = readFileSync(join(dir, 't1', 'weights.arrow'));
  assert.ok(a.equals(readFileSync(join(dir, 't2', 'weights.arrow'))), 'identical weights.arrow');
  const v = run(['verify', join('t1', 'weights.arrow'), '--quiet']);
  assert.is(v.stdout, 'verified: 3 of 3 columns identical\n', v.stderr);
  writeFileSync(join(dir, 'moved.csv'), `${readFileSync(join(dir, 'source.csv'), 'utf8')}0,0,0,1\n`);
  const changed = run(['verify', join('t1', 'weights.arrow'), '--source', 'moved.csv']);
  assert.is(changed.code, 2);
  assert.match(
    changed.stderr,
    /^omnifold: source input moved\.csv must have the SHA-256 recorded in the weights file; got [0-9a-f]{12}… \(recorded [0-9a-f]{12}…\)\n$/,
  );
  const h = run(['hist', join('t1', 'weights.arrow'), '--obs', 'x', '--bins', '-2:2:4']);
  assert.is(h.code, 0, h.stderr);
  assert.match(h.stdout, /1 data bootstraps, 1 sim bootstraps/);
});

test('reweight errors: one line naming the flag, file or column', () => {
  const cases: [string[], RegExp][] = [
    [['reweight', '--source', 'source.csv', '--target', 'target.csv'], /^omnifold: --features must be given; got none/],
    [
      ['reweight', '--source', 'source.csv', '--target', 'target.csv', '--features', 'x,pt'],
      /^omnifold: source\.csv: column "pt" not found; columns are x, y, x_reco, w\n$/,
    ],
    [
      ['reweight', '--source', 'source.csv', '--target', 'nope.csv', '--features', 'x'],
      /^omnifold: --target nope\.csv: file must exist; got no such file\n$/,
    ],
    [
      ['reweight', '--source', 'source.csv', '--target', 'target.csv', '--features', 'x', '--normalise', 'area'],
      /^omnifold: --normalise must be one of target, source; got "area"\n$/,
    ],
    [
      ['reweight', '--sauce', 'x'],
      /^omnifold: reweight options must be known flags \(see omnifold reweight --help\); got --sauce\n$/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = run([...args, '--out', 'refused']);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.is(r.stderr.split('\n').length, 2, r.stderr);
  }
});

test('unfold --syst name=prior:FILE and name=response:FILE add systematic columns; name=FILE with other gen values is refused', async () => {
  write('sim.csv', 8000, 0, 1, 21);
  write('data.csv', 8000, 0.2, 0.8, 31);
  write('alt.csv', 8000, 0.5, 1.2, 41, 0.2);
  const common = [
    'unfold',
    '--sim',
    'sim.csv',
    '--data',
    'data.csv',
    '--gen',
    'x',
    '--reco',
    'x_reco',
    '--classifier',
    'binned',
    '--bins',
    'x=-4:4:16',
    '--iterations',
    '2',
    '--no-plots',
    '--quiet',
  ];
  const r = run([...common, '--syst', 'model=prior:alt.csv', '--syst', 'det=response:alt.csv', '--out', 'syst']);
  assert.is(r.code, 0, r.stderr);
  const file = await readWeightsFile(join(dir, 'syst', 'weights.arrow'));
  const x = file.columns.get('x')!;
  const nominal = weightedMean(x, file.columns.get('weight')!);
  const model = weightedMean(x, file.columns.get('syst_model')!) - nominal;
  const det = weightedMean(x, file.columns.get('syst_det')!) - nominal;
  // closed form after 2 iterations (test/generator_systematics.test.ts): prior shift +0.020, bias 0.2: about −0.19
  assert.ok(Math.abs(model - 0.02) < 0.02, `prior shift ${model}`);
  assert.ok(det < -0.12 && det > -0.26, `response shift ${det}`);
  assert.equal(
    file.metadata.inputs.map((i) => i.role),
    ['sim', 'data', 'syst:model', 'syst:det'],
  );
  const refused = run([...common, '--syst', 'gen=alt.csv', '--out', 'refused']);
  assert.is(refused.code, 2);
  assert.match(
    refused.stderr,
    /^omnifold: --syst gen alt\.csv must hold the nominal sim's events through another detector \(the same gen values, row by row\); got x = [-0-9.e]+ at row 0 where the nominal has [-0-9.e]+; for another generator use gen=prior:FILE or gen=response:FILE\n$/,
  );
  assert.not.ok(existsSync(join(dir, 'refused', 'weights.arrow')));
});

test.run();
