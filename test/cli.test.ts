import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWeightsFile } from '../src/publish/weights_file.js';
import { testDir } from './helpers/temp_dir.js';

// Runs the compiled CLI (dist/, built by `npm test` before the tests).
const BIN = join(process.cwd(), 'bin', 'omnifold.js');
const dir = testDir('omnifold-cli-');

function run(args: string[]): { code: number; stdout: string; stderr: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

test('--version: fast, clean, semver on stdout', () => {
  const r = run(['--version']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
  assert.is(r.stderr, '');
  assert.ok(r.ms < 3000, `--version took ${r.ms} ms (it must not load wasm or Arrow)`);
});

test('--help and unfold --help show commands and the defaults', () => {
  const top = run(['--help']);
  assert.is(top.code, 0);
  assert.match(top.stdout, /usage: omnifold <command>/);
  const r = run(['unfold', '--help']);
  assert.is(r.code, 0);
  assert.is(r.stderr, '');
  assert.match(r.stdout, /--iterations X\s+OmniFold iterations \(default 4\)/);
  assert.match(r.stdout, /--hidden X\s+MLP hidden layer widths \(default 50,50,50\)/);
  assert.match(r.stdout, /--activation X\s+relu, silu or gelu \(default relu\)/);
});

test('unfold --toy gauss with the binned classifier: table, quiet stderr, outputs readable', async () => {
  const r = run([
    'unfold',
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
    '--quiet',
    '--out',
    'out-binned',
  ]);
  assert.is(r.stderr, '');
  assert.is(r.code, 0);
  const lines = r.stdout.trimEnd().split('\n');
  assert.is(lines.length, 2, 'header + one observable');
  assert.match(
    lines[0],
    /^observable\s+bins\s+mean prior\s+mean unfolded\s+mean truth\s+chi2\/ndf prior\s+chi2\/ndf unfolded$/,
  );
  assert.match(lines[1], /^x\s+12\s+\S+\s+\S+\s+\S+\s+[\d.]+\/11\s+[\d.]+\/11$/);
  const f = await readWeightsFile(join(dir, 'out-binned', 'weights.arrow'));
  assert.is(f.nRows, 3001);
  assert.ok(f.columnNames.includes('weight_iter3'));
  assert.is(f.metadata.seed, 0);
  const summary = JSON.parse(readFileSync(join(dir, 'out-binned', 'summary.json'), 'utf8'));
  assert.is(summary.format, 'omnifold-summary');
  assert.is(summary.iterations.length, 3);
  assert.equal(
    readdirSync(dir).filter((n) => n.startsWith('.')),
    [],
    'no temporary directories left',
  );
});

test('unfold from CSV files with a tiny MLP, progress on stderr without --quiet', async () => {
  const rows = Array.from(
    { length: 400 },
    (_, i) => `${Math.sin(i)},${Math.sin(i) + Math.cos(7 * i) / 3},${1 + (i % 3) / 10}`,
  );
  write('sim.csv', `gen_x,reco_x,w\n${rows.join('\n')}\n`);
  write('data.csv', `reco_x\n${rows.map((r) => Number(r.split(',')[1]) + 0.1).join('\n')}\n`);
  const r = run([
    'unfold',
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
    '--units',
    'gen_x=GeV',
    '--hidden',
    '4',
    '--epochs',
    '2',
    '--iterations',
    '1',
    '--out',
    'out-mlp',
  ]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /iteration 1\/1/);
  assert.match(r.stdout, /^observable\s+bins\s+mean prior\s+mean unfolded\n/);
  const f = await readWeightsFile(join(dir, 'out-mlp', 'weights.arrow'));
  assert.equal(
    f.metadata.inputs.map((i) => i.role),
    ['sim', 'data'],
  );
  assert.match(f.metadata.inputs[0].sha256, /^[0-9a-f]{64}$/);
  assert.equal(f.metadata.observables, [{ name: 'gen_x', unit: 'GeV' }]);
  // events gathered from the shared arrays instead of copied into wasm memory: the same weights
  const shared = run([
    'unfold',
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
    '--hidden',
    '4',
    '--epochs',
    '2',
    '--iterations',
    '1',
    '--resident-mib',
    '0',
    '--quiet',
    '--no-plots',
    '--out',
    'out-mlp-shared',
  ]);
  assert.is(shared.code, 0, shared.stderr);
  const g = await readWeightsFile(join(dir, 'out-mlp-shared', 'weights.arrow'));
  const weight = (file: typeof f) => Array.from(file.columns.get('weight') as ArrayLike<number>);
  assert.ok(weight(f).length === 400 && weight(f).every((v) => v > 0));
  assert.equal(weight(g), weight(f));
});

test("--truth with --truth-weight: the summary's truth histogram carries the weights", async () => {
  const rows = Array.from({ length: 300 }, (_, i) => `${Math.sin(i)},${Math.sin(i) + Math.cos(7 * i) / 3}`);
  write('tsim.csv', `gen_x,reco_x\n${rows.join('\n')}\n`);
  write('ttruth.csv', `gen_x,tw\n${rows.map((r, i) => `${r.split(',')[0]},${i % 2 === 0 ? 3 : 1}`).join('\n')}\n`);
  const base = [
    'unfold',
    '--sim',
    'tsim.csv',
    '--data',
    'tsim.csv',
    '--gen',
    'gen_x',
    '--reco',
    'reco_x',
    '--truth',
    'ttruth.csv',
    '--classifier',
    'binned',
    '--bins',
    'gen_x=-1.5:1.5:6;reco_x=-2:2:8',
    '--iterations',
    '1',
    '--no-plots',
    '--quiet',
  ];
  const plain = run([...base, '--out', 'out-truth']);
  const weighted = run([...base, '--truth-weight', 'tw', '--out', 'out-truth-w']);
  assert.is(plain.code, 0, plain.stderr);
  assert.is(weighted.code, 0, weighted.stderr);
  type Summary = { features: { truth: { sumw: number[] } }[] };
  const truthSum = (out: string) =>
    (JSON.parse(readFileSync(join(dir, out, 'summary.json'), 'utf8')) as Summary).features[0].truth.sumw.reduce(
      (a, b) => a + b,
      0,
    );
  assert.is(truthSum('out-truth'), 300);
  assert.is(truthSum('out-truth-w'), 150 * 3 + 150);
});

const ERRORS: [string, () => string[], RegExp][] = [
  [
    'unknown flag',
    () => ['unfold', '--bogus'],
    /^omnifold: unfold options must be known flags \(see omnifold unfold --help\); got --bogus\n$/,
  ],
  [
    'unknown command',
    () => ['frobnicate'],
    /^omnifold: command must be one of unfold, reweight, apply, hist, plot, export, validate, verify, plan, run-task, merge, status, check, view; got "frobnicate"/,
  ],
  [
    'zero iterations',
    () => ['unfold', '--toy', 'gauss', '--iterations', '0'],
    /^omnifold: --iterations must be a positive integer; got "0"\n$/,
  ],
  [
    'bad classifier',
    () => ['unfold', '--classifier', 'bdt'],
    /^omnifold: --classifier must be one of mlp, binned, pfn; got "bdt"\n$/,
  ],
  [
    'bad bins',
    () => ['unfold', '--toy', 'gauss', '--bins', 'x=3:1:4'],
    /^omnifold: --bins x lo:hi:n must have finite lo < hi and a positive integer n; got "3:1:4"\n$/,
  ],
  [
    'incomplete inputs',
    () => ['unfold', '--sim', 'sim.csv'],
    /^omnifold: --sim, --data, --gen and --reco must be given together; got no --data, --gen, --reco\n$/,
  ],
  [
    'missing file',
    () => ['unfold', '--sim', 'nope.csv', '--data', 'nope.csv', '--gen', 'a', '--reco', 'b'],
    /^omnifold: --sim nope\.csv: file must exist; got no such file\n$/,
  ],
  [
    'empty file',
    () => ['unfold', '--sim', write('empty.csv', ''), '--data', 'empty.csv', '--gen', 'a', '--reco', 'b'],
    /^omnifold: empty\.csv: file must not be empty; got 0 bytes\n$/,
  ],
  [
    'missing column',
    () => [
      'unfold',
      '--sim',
      write('s1.csv', 'gen_pt,reco_eta,weight\n1,2,1\n'),
      '--data',
      's1.csv',
      '--gen',
      'gen_pt',
      '--reco',
      'reco_pt',
    ],
    /^omnifold: s1\.csv: column "reco_pt" not found; columns are gen_pt, reco_eta, weight\n$/,
  ],
  [
    'unequal lengths',
    () => ['unfold', '--sim', write('s2.csv', 'g,r\n1,2\n3\n'), '--data', 's2.csv', '--gen', 'g', '--reco', 'r'],
    /^omnifold: s2\.csv: line 3 must have 2 fields like the header; got 1\n$/,
  ],
  [
    'NaN in a feature',
    () => ['unfold', '--sim', write('s3.csv', 'g,r\n1,2\nnan,3\n'), '--data', 's3.csv', '--gen', 'g', '--reco', 'r'],
    /^omnifold: s3\.csv: column "g" must be finite on selected events; got NaN at row 1\n$/,
  ],
  [
    'NaN in a weight',
    () => [
      'unfold',
      '--sim',
      write('s4.csv', 'g,r,w\n1,2,1\n2,3,nan\n'),
      '--data',
      's4.csv',
      '--gen',
      'g',
      '--reco',
      'r',
      '--sim-weight',
      'w',
    ],
    /^omnifold: s4\.csv: column "w" must hold finite weights; got NaN at row 1\n$/,
  ],
  [
    'bad number',
    () => ['unfold', '--sim', write('s5.csv', 'g,r\n1,2\n2,abc\n'), '--data', 's5.csv', '--gen', 'g', '--reco', 'r'],
    /^omnifold: s5\.csv: line 3, column "r" must be a number or true\/false; got "abc"\n$/,
  ],
  [
    'bad config',
    () => ['unfold', '--config', write('c.json', '{"iterations": 2, "colour": "red"}')],
    /^omnifold: --config c\.json keys must be unfold flags without dashes; got "colour"\n$/,
  ],
  [
    'truth weight without truth',
    () => [
      'unfold',
      '--sim',
      's1.csv',
      '--data',
      's1.csv',
      '--gen',
      'gen_pt',
      '--reco',
      'reco_eta',
      '--truth-weight',
      'w',
    ],
    /^omnifold: --truth-weight must come with --truth; got no --truth\n$/,
  ],
  [
    'units for an unknown column',
    () => [
      'unfold',
      '--sim',
      's1.csv',
      '--data',
      's1.csv',
      '--gen',
      'gen_pt',
      '--reco',
      'reco_eta',
      '--units',
      'pt=GeV',
    ],
    /^omnifold: --units entries must read col=unit with col one of --gen \(gen_pt\); got "pt=GeV"\n$/,
  ],
  [
    'bad systematic',
    () => ['unfold', '--toy', 'gauss', '--syst', 'js=reco:x_reco'],
    /^omnifold: --syst js=reco:COL\*factor must give a column and a finite factor, e\.g\. reco:reco_pt\*1\.01; got "js=reco:x_reco"\n$/,
  ],
  [
    'systematic on an unknown reco column',
    () => ['unfold', '--toy', 'gauss', '--syst', 'js=reco:pt*1.01'],
    /^omnifold: --syst js=reco:pt\*1\.01 must name a --reco column; got "pt"; reco columns are x_reco\n$/,
  ],
  [
    'systematic file with the toy',
    () => ['unfold', '--toy', 'gauss', '--syst', 'herwig=alt.csv'],
    /^omnifold: --syst herwig must come with --sim input files when it reads a file; got the embedded gauss toy\n$/,
  ],
  [
    'resident budget over 4 GiB',
    () => ['unfold', '--toy', 'gauss', '--resident-mib', '5000'],
    /^omnifold: --resident-mib must be an integer in \[0, 4096\] \(wasm memory is at most 4 GiB\); got "5000"\n$/,
  ],
  [
    'fractional bootstraps',
    () => ['unfold', '--data-bootstraps', '1.5'],
    /^omnifold: --data-bootstraps must be a non-negative integer; got "1.5"\n$/,
  ],
  [
    'config value checked like a flag',
    () => ['unfold', '--config', write('c2.json', '{"iterations": 0}')],
    /^omnifold: --iterations must be a positive integer; got "0"\n$/,
  ],
];

for (const [name, args, pattern] of ERRORS) {
  test(`usage/input error exits 2 with one line: ${name}`, () => {
    const r = run([...args(), '--out', `out-${name.replace(/\W+/g, '-')}`]);
    assert.is(r.code, 2, `exit code (stderr: ${r.stderr})`);
    assert.match(r.stderr, pattern);
    assert.is(r.stdout, '');
    assert.not.ok(existsSync(join(dir, `out-${name.replace(/\W+/g, '-')}`)), 'no output directory after an error');
  });
}

test('--debug adds the stack to the one-line error', () => {
  const r = run(['unfold', '--toy', 'gauss', '--iterations', '0', '--debug']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /^omnifold: --iterations must be a positive integer; got "0"\nInputError: .*\n\s+at /);
});

test('unfold with bootstraps and systematics: one column per replica, families in the metadata, hist reads them', async () => {
  const r = run([
    'unfold',
    '--toy',
    'gauss',
    '--events',
    '2001',
    '--classifier',
    'binned',
    '--bins',
    'x=-3:3:8',
    '--iterations',
    '2',
    '--data-bootstraps',
    '2',
    '--sim-bootstraps',
    '1',
    '--syst',
    'scale=reco:x_reco*1.02',
    '--threads',
    '2',
    '--no-plots',
    '--quiet',
    '--out',
    'out-replicas',
  ]);
  assert.is(r.stderr, '');
  assert.is(r.code, 0);
  const f = await readWeightsFile(join(dir, 'out-replicas', 'weights.arrow'));
  for (const name of ['weight', 'data_boot_0', 'data_boot_1', 'sim_boot_0', 'syst_scale'])
    assert.ok(f.columnNames.includes(name), `column ${name}`);
  const roles = Object.fromEntries(f.metadata.columns.map((c) => [c.name, c.role]));
  assert.equal(
    [roles.data_boot_1, roles.sim_boot_0, roles.syst_scale],
    ['data_bootstrap', 'sim_bootstrap', 'systematic'],
  );
  assert.not.ok(existsSync(join(dir, 'out-replicas', 'report.html')), '--no-plots writes no report');
  const h = run(['hist', join('out-replicas', 'weights.arrow'), '--obs', 'x', '--bins', '-2:2:4']);
  assert.is(h.code, 0, h.stderr);
  assert.match(h.stdout, /2 data bootstraps, 1 sim bootstrap/);
  assert.match(h.stdout, /correlation \(total\)/);
});

test.run();
