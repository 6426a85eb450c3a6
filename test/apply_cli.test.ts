/**
 * `omnifold unfold --save-models` and `omnifold apply OUT --sim FILE --out DIR` through
 * the compiled CLI: the models folder and its record in the weights file (every SHA-256),
 * `weight` reproduced bit for bit by applying the models to the training sim (MLP and
 * binned, misses and fakes, 1 and 2 threads, --ensemble 2, --ensemble-runs 2, both step-2
 * references), held-out events, and every misuse as one stderr line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWeightsFile } from '../src/publish/weights_file.js';
import { ToyRandom } from '../src/toys/toy_random.js';
import { assertBitEqual } from './helpers/close.js';
import { testDir } from './helpers/temp_dir.js';

const BIN = join(process.cwd(), 'bin', 'omnifold.js');
const dir = testDir('omnifold-apply-');

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/**
 * A sim file: gen (x1, x2), reco (r1, r2) = gen + N(0, 0.5); about 20 % misses, 10 %
 * fakes, 1 event in 400 failing both (their masked features written as 0); weights in
 * [0.5, 1.5); and the data file of the same detector on truth (N(0.3, 0.8), N(0.5, 0.5)).
 */
function writeSample(name: string, seed: number, n: number, dataName?: string): void {
  const r = new ToyRandom(seed, 0);
  const rows = ['x1,x2,r1,r2,pass_gen,pass_reco,w'];
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    let passGen = u < 0.1 ? 0 : 1;
    let passReco = u >= 0.1 && u < 0.3 ? 0 : 1;
    if (i % 400 === 5) passGen = passReco = 0;
    const t = [r.normal(0, 1), r.normal(0.5, 0.5)];
    const reco = t.map((v) => v + r.normal(0, 0.5));
    const w = r.between(0.5, 1.5);
    rows.push(
      [...t.map((v) => (passGen ? v : 0)), ...reco.map((v) => (passReco ? v : 0)), passGen, passReco, w].join(','),
    );
  }
  writeFileSync(join(dir, name), `${rows.join('\n')}\n`);
  if (dataName === undefined) return;
  const d = new ToyRandom(seed, 1);
  const data = ['r1,r2'];
  for (let j = 0; j < Math.round(0.8 * n); j++)
    data.push(`${d.normal(0.3, 0.8) + d.normal(0, 0.5)},${d.normal(0.5, 0.5) + d.normal(0, 0.5)}`);
  writeFileSync(join(dir, dataName), `${data.join('\n')}\n`);
}
writeSample('sim.csv', 11, 2401, 'data.csv');
writeSample('heldout.csv', 12, 6001);

const FILES = [
  ...['--sim', 'sim.csv', '--data', 'data.csv', '--gen', 'x1,x2', '--reco', 'r1,r2'],
  ...['--sim-weight', 'w', '--pass-gen', 'pass_gen', '--pass-reco', 'pass_reco', '--no-plots', '--quiet'],
];
const MLP = ['--hidden', '8,8', '--epochs', '2', '--iterations', '2'];
const BINNED = ['--classifier', 'binned', '--bins', 'x1=-1.5,-0.5,0.5,1.5;x2=0,0.5,1', '--iterations', '3'];

async function column(path: string, name = 'weight'): Promise<Float64Array> {
  return Float64Array.from((await readWeightsFile(join(dir, path))).columns.get(name) as ArrayLike<number>);
}

/** Unfolds into `out` with --save-models, applies to the training sim, and compares `weight` bit for bit. */
async function reproduces(out: string, extra: string[]): Promise<void> {
  const u = run(['unfold', ...FILES, ...extra, '--save-models', '--out', out]);
  assert.is(u.code, 0, u.stderr);
  const a = run(['apply', out, '--sim', 'sim.csv', '--out', `${out}-applied`, '--quiet']);
  assert.is(a.code, 0, a.stderr);
  assertBitEqual(
    `${extra.join(' ')}: applied weight`,
    await column(`${out}-applied/weights.arrow`),
    await column(`${out}/weights.arrow`),
  );
}

test('--save-models: OUT/models/ with its manifest, every file recorded with its SHA-256 in the weights file', async () => {
  const r = run(['unfold', ...FILES, ...MLP, '--ensemble', '2', '--threads', '1', '--save-models', '--out', 'mlp']);
  assert.is(r.code, 0, r.stderr);
  const metadata = (await readWeightsFile(join(dir, 'mlp', 'weights.arrow'))).metadata;
  const record = metadata.models!;
  assert.is(record.format, 'omnifold-models');
  assert.is(record.formatVersion, 1);
  assert.is(record.path, 'models/models.json');
  assert.is(record.sha256, sha256(join(dir, 'mlp', record.path)));
  // 2 iterations × (step 2 + fakes) × 2 members
  assert.is(record.files.length, 8);
  for (const f of record.files) {
    assert.is(f.sha256, sha256(join(dir, 'mlp', f.path)), f.path);
    assert.is(f.bytes, readFileSync(join(dir, 'mlp', f.path)).length);
  }
  assert.equal(
    readdirSync(join(dir, 'mlp', 'models')).sort(),
    [...record.files.map((f) => f.path.slice(7)), 'models.json'].sort(),
  );
  const manifest = JSON.parse(readFileSync(join(dir, 'mlp', 'models', 'models.json'), 'utf8'));
  assert.is(manifest.engine.version, metadata.engine.version);
  assert.equal(manifest.features, { gen: ['x1', 'x2'], reco: ['r1', 'r2'] });
  assert.is(manifest.options.step2Reference, 'previous');
  assert.is(manifest.options.classifier.residentMiB, undefined, 'run-local options are not stored');
  // applied to its own sim: weight, bit for bit; the output is a valid weights file
  const a = run(['apply', 'mlp', '--sim', 'sim.csv', '--out', 'mlp-applied']);
  assert.is(a.code, 0, a.stderr);
  assert.match(a.stdout, /^observable\s+bins\s+mean prior\s+mean unfolded\n/);
  assertBitEqual('applied weight', await column('mlp-applied/weights.arrow'), await column('mlp/weights.arrow'));
  const applied = (await readWeightsFile(join(dir, 'mlp-applied', 'weights.arrow'))).metadata;
  assert.is(applied.configuration.command, 'apply');
  assert.equal(
    applied.inputs.map((i) => i.role),
    ['sim', 'models'],
  );
  assert.is(applied.inputs[1].sha256, record.sha256);
  assert.is(run(['validate', 'mlp-applied/weights.arrow']).code, 0);
  // verify re-runs the unfolding and compares the model files' hashes too
  const v = run(['verify', 'mlp/weights.arrow', '--threads', '1', '--quiet']);
  assert.is(v.code, 0, v.stdout + v.stderr);
  assert.is(v.stdout, 'verified: 1 of 1 columns identical\n');
  assert.is(v.stderr, '');
  assert.ok(existsSync(join(dir, 'mlp-applied', 'summary.json')));
});

test('bit for bit: binned (fakes reco-average and global), MLP on 2 threads, --ensemble-runs 2, prior reference', async () => {
  await reproduces('binned', BINNED);
  await reproduces('binned-global', [...BINNED, '--fakes', 'global', '--step2-reference', 'prior']);
  await reproduces('mlp-pool', [...MLP, '--ensemble', '2', '--threads', '2']);
  await reproduces('mlp-runs', [...MLP, '--ensemble-runs', '2', '--ensemble-combine', 'median', '--threads', '2']);
  const stored = (await readWeightsFile(join(dir, 'binned-global', 'weights.arrow'))).metadata.configuration;
  assert.is((stored.options as { step2Reference: string }).step2Reference, 'prior');
  assert.is((stored.arguments as Record<string, string>)['step2-reference'], 'prior');
});

test('held-out events: weighted by the models, their unfolded histogram is the training one within statistics', async () => {
  const a = run(['apply', 'binned', '--sim', 'heldout.csv', '--out', 'heldout', '--quiet']);
  assert.is(a.code, 0, a.stderr);
  const mean = async (path: string) => {
    const f = await readWeightsFile(join(dir, path, 'weights.arrow'));
    const x = f.columns.get('x1') as ArrayLike<number>;
    const w = f.columns.get('weight') as ArrayLike<number>;
    const g = f.columns.get('pass_gen') as ArrayLike<number>;
    let sw = 0;
    let sx = 0;
    for (let i = 0; i < w.length; i++) {
      if (!g[i]) continue;
      sw += w[i];
      sx += w[i] * x[i];
    }
    return sx / sw;
  };
  // two independent samples of about 2000 and 5000 events passing gen, spread ≈ 0.9: σ ≈ 0.025
  const [trained, heldOut] = [await mean('binned'), await mean('heldout')];
  assert.ok(Math.abs(heldOut - trained) < 0.1, `held-out mean ${heldOut} vs ${trained}`);
  assert.ok(heldOut > 0.15, `held-out mean ${heldOut} must move from the prior's (about 0) towards the truth's 0.3`);
});

test('errors: one stderr line naming the folder, file, option or rule; exit 2', () => {
  const plain = run(['unfold', ...FILES, ...BINNED, '--out', 'plain']);
  assert.is(plain.code, 0, plain.stderr);
  assert.not.ok(existsSync(join(dir, 'plain', 'models')), 'no models without --save-models');
  const cases: [string[], RegExp][] = [
    [
      ['apply', 'plain', '--sim', 'sim.csv', '--out', 'x'],
      /plain\/weights\.arrow must record saved models \(run omnifold unfold with --save-models\); got a run without them/,
    ],
    [['apply', '--sim', 'sim.csv'], /apply must be given one unfolding output folder .*; got none/],
    [['apply', 'binned', '--out', 'x'], /--sim must be given; got none/],
    [
      ['apply', 'binned', '--sim', 'sim.csv', '--out', 'binned'],
      /--out must not be the unfolding's folder binned; got binned/,
    ],
    [['apply', 'nowhere', '--sim', 'sim.csv', '--out', 'x'], /nowhere\/weights\.arrow/],
    [['apply', 'binned', '--sim', 'missing.csv', '--out', 'x'], /--sim .*missing\.csv/],
    [
      ['apply', 'binned', '--sim', 'sim.csv', '--gen', 'x1', '--out', 'x'],
      /--gen must name the 2 gen columns the models were trained on \(x1, x2\); got x1$/m,
    ],
    [['apply', 'binned', '--sim', 'sim.csv', '--bogus', '1'], /apply options must be known flags .*; got --bogus/],
    [
      ['unfold', ...FILES, '--step2-reference', 'initial', '--out', 'x'],
      /--step2-reference must be one of previous, prior; got "?initial"?/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const r = run(args);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  // a changed model file is found by its hash
  const file = join(dir, 'binned', 'models', 'run0_iter2_step2_member0.bin');
  const bytes = readFileSync(file);
  bytes[3] ^= 1;
  writeFileSync(file, bytes);
  const r = run(['apply', 'binned', '--sim', 'sim.csv', '--out', 'x']);
  assert.is(r.code, 2);
  assert.match(
    r.stderr,
    /binned\/models\/run0_iter2_step2_member0\.bin must have the SHA-256 the manifest records \([0-9a-f]{64}\); got [0-9a-f]{64}\n$/,
  );
  assert.not.ok(existsSync(join(dir, 'x', 'weights.arrow')), 'nothing written');
  const help = run(['apply', '--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, /^usage: omnifold apply OUT --sim FILE/);
});

test.run();
