import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Schema, Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { engineVersion, readWeightsFile, type WeightsMetadata } from '../src/publish/weights_file.js';
import { testDir } from './helpers/temp_dir.js';

// `omnifold verify` through the compiled CLI (dist/, built by `npm test` before the tests).
const BIN = join(process.cwd(), 'bin', 'omnifold.js');
const dir = testDir('omnifold-verify-');

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function unfold(args: string[]): void {
  const r = run(['unfold', ...args, '--no-plots', '--quiet']);
  assert.is(r.code, 0, r.stderr);
}

/** A copy of a weights file with its `omnifold` metadata changed (columns kept bit for bit). */
function rewriteMetadata(src: string, dst: string, change: (m: WeightsMetadata) => void): void {
  const table = tableFromIPC(readFileSync(join(dir, src)));
  const metadata = JSON.parse(table.schema.metadata.get('omnifold')!) as WeightsMetadata;
  change(metadata);
  const schema = new Schema(table.schema.fields, new Map([['omnifold', JSON.stringify(metadata)]]));
  writeFileSync(join(dir, dst), tableToIPC(new Table(schema, table.batches), 'file'));
}

/** A copy of a weights file with the lowest mantissa bit of one value flipped in place. */
function tamper(src: string, dst: string, column: string, row: number): void {
  const bytes = new Uint8Array(readFileSync(join(dir, src)));
  const values = tableFromIPC(bytes).getChild(column)!.data[0].values as Float64Array;
  assert.ok(values.buffer === bytes.buffer, 'the column is a view of the file bytes');
  new BigUint64Array(values.buffer, values.byteOffset + row * 8, 1)[0] ^= 1n;
  writeFileSync(join(dir, dst), bytes);
}

const TOY = join('toy', 'weights.arrow');

test('setup: a binned gauss toy run with saved iterations and a replica of every family', () => {
  unfold([
    '--toy',
    'gauss',
    '--events',
    '3001',
    '--classifier',
    'binned',
    '--bins',
    'x=-3:3:12',
    '--iterations',
    '3',
    '--save-iterations',
    '--data-bootstraps',
    '2',
    '--sim-bootstraps',
    '1',
    '--syst',
    'scale=reco:x_reco*1.02',
    '--out',
    'toy',
  ]);
});

test('an untouched file: every weight column recomputed bit for bit, exit 0', async () => {
  const r = run(['verify', TOY, '--quiet']);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'verified: 8 of 8 columns identical\n');
  assert.is(r.code, 0);
  const f = await readWeightsFile(join(dir, TOY));
  assert.equal(f.columnNames.slice(-8), [
    'weight',
    'weight_iter1',
    'weight_iter2',
    'weight_iter3',
    'data_boot_0',
    'data_boot_1',
    'sim_boot_0',
    'syst_scale',
  ]);
});

test('without --quiet: progress on stderr, the verdict alone on stdout', () => {
  const r = run(['verify', TOY, '--threads', '2']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'verified: 8 of 8 columns identical\n');
  assert.match(r.stderr, /^using 2 worker threads\n/);
  assert.match(r.stderr, /recomputed weight, weight_iter1, weight_iter2, weight_iter3 \(\d\/5 unfoldings\)/);
});

test('--replicas: a spot check of the chosen columns only', () => {
  const r = run(['verify', TOY, '--replicas', 'data_boot_1,weight_iter2', '--quiet']);
  assert.is(r.stdout, 'verified: 2 of 2 columns identical\n');
  assert.is(r.code, 0);
});

test('--replicas with an unknown column: one line listing the valid ones, exit 2', () => {
  const r = run(['verify', TOY, '--replicas', 'weight,data_boot_7']);
  assert.is(r.code, 2);
  assert.is(r.stdout, '');
  assert.match(
    r.stderr,
    /^omnifold: --replicas must name weight columns of the file \(weight, weight_iter1, weight_iter2, weight_iter3, data_boot_0, data_boot_1, sim_boot_0, syst_scale\); got "data_boot_7"\n$/,
  );
});

test('a tampered file: the first differing column, row and both values, exit 1', () => {
  tamper(TOY, 'tampered.arrow', 'data_boot_1', 17);
  const r = run(['verify', 'tampered.arrow', '--quiet']);
  assert.is(r.code, 1);
  const lines = r.stdout.trimEnd().split('\n');
  assert.is(lines.length, 2, r.stdout);
  const m =
    /^column data_boot_1 differs first at row 17: file (\S+) \((0x[0-9a-f]{16})\), recomputed (\S+) \((0x[0-9a-f]{16})\)$/.exec(
      lines[0],
    );
  assert.ok(m, lines[0]);
  assert.is(BigInt(m[2]) ^ BigInt(m[4]), 1n, 'the values differ in the flipped bit only');
  assert.is.not(m[1], m[3], 'values printed in full precision');
  assert.is(lines[1], 'not verified: 7 of 8 columns identical; differing: data_boot_1');
  const spot = run(['verify', 'tampered.arrow', '--replicas', 'weight', '--quiet']);
  assert.is(spot.stdout, 'verified: 1 of 1 columns identical\n', 'the untouched column still verifies');
});

test('another engine version: a warning on stderr, then the comparison', () => {
  const other = engineVersion().replace(/\d/g, '9');
  rewriteMetadata(TOY, 'other_version.arrow', (m) => (m.engine.version = other));
  const r = run(['verify', 'other_version.arrow', '--replicas', 'weight', '--quiet']);
  assert.is(r.code, 0);
  assert.is(r.stdout, 'verified: 1 of 1 columns identical\n');
  assert.is(
    r.stderr,
    `warning: other_version.arrow was written by omnifold ${other}, this is omnifold ${engineVersion()}; bits may differ\n`,
  );
});

test('options rebuilt from the arguments unlike the recorded ones: a warning, then the comparison', () => {
  rewriteMetadata(
    TOY,
    'other_options.arrow',
    (m) => ((m.configuration.options as { nIterations: number }).nIterations = 9),
  );
  const r = run(['verify', 'other_options.arrow', '--replicas', 'weight', '--quiet']);
  assert.is(r.stdout, 'verified: 1 of 1 columns identical\n');
  assert.is(
    r.stderr,
    'warning: option nIterations rebuilt from the recorded arguments differs from the recorded one; bits may differ\n',
  );
});

test('a file not written by omnifold unfold: one line, exit 2', () => {
  rewriteMetadata(TOY, 'library.arrow', (m) => (m.configuration = { options: m.configuration.options }));
  const r = run(['verify', 'library.arrow']);
  assert.is(r.code, 2);
  assert.match(
    r.stderr,
    /^omnifold: library\.arrow: metadata configuration must record an omnifold unfold run \(command "unfold" and its arguments\); got command undefined\n$/,
  );
});

test('an MLP ensemble run on the pool verifies in-process (--threads 1)', () => {
  unfold([
    '--toy',
    'gauss',
    '--events',
    '1501',
    '--hidden',
    '4',
    '--epochs',
    '2',
    '--iterations',
    '2',
    '--ensemble',
    '2',
    '--data-bootstraps',
    '1',
    '--threads',
    '2',
    '--out',
    'mlp',
  ]);
  const r = run(['verify', join('mlp', 'weights.arrow'), '--threads', '1', '--quiet']);
  assert.is(r.stdout, 'verified: 2 of 2 columns identical\n', r.stderr);
  assert.is(r.code, 0);
});

const rows = (n: number, f: (i: number) => number[]) => Array.from({ length: n }, (_, i) => f(i).join(',')).join('\n');

test('setup: a run from CSV files with a data bootstrap and a systematic sample', () => {
  const sim = (shift: number) =>
    `gen_x,reco_x,w\n${rows(800, (i) => [1.5 * Math.sin(0.7 * i), 1.5 * Math.sin(0.7 * i) + 0.3 * Math.cos(1.3 * i) + shift, 1 + (i % 3) / 10])}\n`;
  writeFileSync(join(dir, 'sim.csv'), sim(0));
  writeFileSync(join(dir, 'sim_alt.csv'), sim(0.05));
  writeFileSync(
    join(dir, 'data.csv'),
    `reco_x\n${rows(700, (i) => [1.4 * Math.sin(0.9 * i) + 0.2 * Math.cos(2.1 * i) + 0.1])}\n`,
  );
  unfold([
    '--sim',
    'sim.csv',
    '--data',
    'data.csv',
    '--gen',
    'gen_x',
    '--reco',
    'reco_x',
    '--sim-weight',
    'w',
    '--classifier',
    'binned',
    '--bins',
    'gen_x=-2:2:8',
    '--iterations',
    '2',
    '--data-bootstraps',
    '1',
    '--syst',
    'alt=sim_alt.csv',
    '--out',
    'files',
  ]);
  const r = run(['verify', join('files', 'weights.arrow'), '--quiet']);
  assert.is(r.stdout, 'verified: 3 of 3 columns identical\n', r.stderr);
});

test('a recorded input file changed after the run: the role, file and both hash prefixes, exit 2', () => {
  copyFileSync(join(dir, 'data.csv'), join(dir, 'data.orig.csv'));
  writeFileSync(join(dir, 'data.csv'), `${readFileSync(join(dir, 'data.csv'), 'utf8')}0.5\n`);
  try {
    const r = run(['verify', join('files', 'weights.arrow')]);
    assert.is(r.code, 2);
    assert.is(r.stdout, '');
    assert.match(
      r.stderr,
      /^omnifold: data input data\.csv must have the SHA-256 recorded in the weights file; got [0-9a-f]{12}… \(recorded [0-9a-f]{12}…\)\n$/,
    );
  } finally {
    renameSync(join(dir, 'data.orig.csv'), join(dir, 'data.csv'));
  }
});

test('a moved input: a one-line error naming it and the flag; verified with --sim and --syst at the copies', () => {
  mkdirSync(join(dir, 'moved'));
  renameSync(join(dir, 'sim.csv'), join(dir, 'moved', 'sim.csv'));
  renameSync(join(dir, 'sim_alt.csv'), join(dir, 'moved', 'sim_alt.csv'));
  const r = run(['verify', join('files', 'weights.arrow')]);
  assert.is(r.code, 2);
  assert.match(
    r.stderr,
    /^omnifold: sim input sim\.csv must exist to re-run the unfolding; got no such file \(point at a moved copy with --sim FILE\)\n$/,
  );
  const moved = run([
    'verify',
    join('files', 'weights.arrow'),
    '--sim',
    join('moved', 'sim.csv'),
    '--syst',
    `alt=${join('moved', 'sim_alt.csv')}`,
    '--quiet',
  ]);
  assert.is(moved.stdout, 'verified: 3 of 3 columns identical\n', moved.stderr);
  assert.is(moved.code, 0);
});

test('a file recording syst:<name> inputs and no run-local arguments: the systematic file is checked too', () => {
  rewriteMetadata(join('files', 'weights.arrow'), 'files_new.arrow', (m) => {
    const args = (m.configuration as { arguments: Record<string, unknown> }).arguments;
    for (const key of ['out', 'quiet', 'no-plots']) delete args[key];
    m.inputs = [
      ...m.inputs.filter((i) => i.role !== 'syst:alt'),
      { role: 'syst:alt', path: 'sim_alt.csv', sha256: '0'.repeat(64), bytes: 0 },
    ];
  });
  const wrong = run([
    'verify',
    'files_new.arrow',
    '--sim',
    join('moved', 'sim.csv'),
    '--syst',
    `alt=${join('moved', 'sim_alt.csv')}`,
  ]);
  assert.is(wrong.code, 2);
  assert.match(
    wrong.stderr,
    /^omnifold: syst:alt input moved[/\\]sim_alt\.csv must have the SHA-256 recorded in the weights file; got [0-9a-f]{12}… \(recorded 000000000000…\)\n$/,
  );
  const missing = run(['verify', 'files_new.arrow', '--sim', join('moved', 'sim.csv')]);
  assert.is(missing.code, 2);
  assert.match(
    missing.stderr,
    /^omnifold: syst:alt input sim_alt\.csv must exist to re-run the unfolding; got no such file \(point at a moved copy with --syst alt=FILE\)\n$/,
  );
});

const ERRORS: [string, string[], RegExp][] = [
  ['no file', ['verify'], /^omnifold: verify must be given one weights file; got 0 \(usage: omnifold verify /],
  [
    'unknown flag',
    ['verify', TOY, '--bogus'],
    /^omnifold: verify arguments must be known flags with their values \(usage: omnifold verify .*\); got Unknown option '--bogus'/,
  ],
  ['bad threads', ['verify', TOY, '--threads', '0'], /^omnifold: --threads must be a positive integer; got "0"\n$/],
  [
    '--sim on a toy run',
    ['verify', TOY, '--sim', 'sim.csv'],
    /^omnifold: --sim must replace an input file of the run; got a run without --sim \(an embedded toy\)\n$/,
  ],
  [
    '--syst not of the run',
    ['verify', join('files', 'weights.arrow'), '--syst', 'herwig=h.csv'],
    /^omnifold: --syst must read name=FILE with name a systematic of the run read from a file \(alt\); got "herwig=h\.csv"\n$/,
  ],
  ['not a weights file', ['verify', 'moved/sim.csv'], /^omnifold: moved\/sim\.csv/],
];

for (const [name, args, pattern] of ERRORS) {
  test(`usage error exits 2 with one line: ${name}`, () => {
    const r = run(args);
    assert.is(r.code, 2, r.stderr);
    assert.is(r.stdout, '');
    assert.match(r.stderr, pattern);
    assert.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  });
}

test('a decorrelated MLP run (--decorrelate x --disco-lambda 0.5): the spec records the index and λ, verify recomputes it bit for bit', async () => {
  unfold([
    '--toy',
    'gauss',
    '--events',
    '2000',
    '--iterations',
    '1',
    '--epochs',
    '2',
    '--decorrelate',
    'x',
    '--disco-lambda',
    '0.5',
    '--out',
    'disco',
  ]);
  const f = await readWeightsFile(join(dir, 'disco', 'weights.arrow'));
  const classifier = (f.metadata.configuration as { options: { classifier: Record<string, unknown> } }).options
    .classifier;
  assert.is(classifier.decorrelate, 0);
  assert.is(classifier.discoLambda, 0.5);
  const r = run(['verify', join('disco', 'weights.arrow'), '--quiet']);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'verified: 1 of 1 columns identical\n');
  assert.is(r.code, 0);
});

test('verify --help, and verify in the command list', () => {
  const r = run(['verify', '--help']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /^usage: omnifold verify OUT\/weights\.arrow \[--replicas LIST\]/);
  assert.match(run(['--help']).stdout, /\n {2}verify {4}re-run the unfolding a weights file records/);
});

test.run();
