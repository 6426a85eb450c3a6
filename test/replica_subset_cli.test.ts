// `omnifold unfold --replicas LIST` computes only the chosen replicas into the output's
// resume state, without merging; a later --resume run computes the rest and merges to the
// bytes of one full run. Bad lists are one-line usage errors; running a subset into an
// earlier output follows the --resume / --force rules.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RESUME_DIR } from '../src/io/output_dir.js';
import { testDir } from './helpers/temp_dir.js';

const BIN = join(process.cwd(), 'bin', 'omnifold.js');
const root = testDir('omnifold-replica-subset-');
// 6 replicas: weight, data_boot_0..2, sim_boot_0, syst_es
const JOB = [
  'unfold',
  '--toy',
  'gauss',
  '--events',
  '6000',
  '--epochs',
  '2',
  '--iterations',
  '2',
  '--data-bootstraps',
  '3',
  '--sim-bootstraps',
  '1',
  '--syst',
  'es=reco:x_reco*1.01',
  '--no-plots',
  '--quiet',
];

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function stored(out: string): string[] {
  const dir = join(out, RESUME_DIR);
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

function assertUsageError(r: { code: number; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.is(r.code, 2, r.stderr);
  assert.is(r.stdout, '');
  assert.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr.trimEnd(), pattern);
}

let reference: Buffer;

test('a full run: the reference bytes', () => {
  const r = run([...JOB, '--threads', '1', '--out', join(root, 'full')]);
  assert.is(r.code, 0, r.stderr);
  reference = readFileSync(join(root, 'full', 'weights.arrow'));
});

test('subsets on one and two threads, then --resume: the bytes of the full run', () => {
  const out = join(root, 'parts');
  const first = run([...JOB, '--threads', '2', '--out', out, '--replicas', '0-1,syst_es']);
  assert.is(first.code, 0, first.stderr);
  assert.is(
    first.stdout,
    `stored 3 of 6 replicas in ${join(out, RESUME_DIR)}: computed 3 (weight, data_boot_0, syst_es), already stored 0; run again with --resume to compute the rest and merge\n`,
  );
  assert.equal(stored(out), ['data_boot_0.f64rep', 'syst_es.f64rep', 'weight.f64rep']);
  assert.not.ok(existsSync(join(out, 'weights.arrow')), 'a subset run merges nothing');
  const second = run([...JOB, '--threads', '1', '--out', out, '--resume', '--replicas', 'sim_boot_0, 2']);
  assert.is(second.code, 0, second.stderr);
  assert.match(
    second.stdout,
    /^stored 2 of 6 replicas in \S+: computed 2 \(data_boot_1, sim_boot_0\), already stored 0;/,
  );
  assert.is(stored(out).length, 5);
  const last = run([...JOB.filter((a) => a !== '--quiet'), '--threads', '1', '--out', out, '--resume']);
  assert.is(last.code, 0, last.stderr);
  assert.match(
    last.stderr,
    /^resumed 5 finished replica\(s\): weight, data_boot_0, data_boot_1, sim_boot_0, syst_es$/m,
  );
  assert.ok(readFileSync(join(out, 'weights.arrow')).equals(reference), 'weights.arrow identical to the full run');
  assert.equal(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).run.resumed, [
    'weight',
    'data_boot_0',
    'data_boot_1',
    'sim_boot_0',
    'syst_es',
  ]);
  assert.not.ok(existsSync(join(out, RESUME_DIR)), 'the resume state goes once the output is complete');
});

test('the same subset twice: refused without flags, skipped with --resume, recomputed with --force', () => {
  const out = join(root, 'twice');
  assert.is(run([...JOB, '--threads', '1', '--out', out, '--replicas', 'weight,data_boot_2']).code, 0);
  const mtimes = () => stored(out).map((f) => statSync(join(out, RESUME_DIR, f)).mtimeMs);
  const before = mtimes();
  assertUsageError(
    run([...JOB, '--threads', '1', '--out', out, '--replicas', 'weight,data_boot_2']),
    /^omnifold: --out \S+ must not hold an earlier omnifold output unless --force or --resume is given; got one holding \.omnifold-resume/,
  );
  const resumed = run([...JOB, '--threads', '1', '--out', out, '--replicas', '0,3', '--resume']);
  assert.is(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, /: computed 0, already stored 2 \(weight, data_boot_2\);/);
  assert.equal(mtimes(), before, 'stored replicas are not rewritten');
  const forced = run([...JOB, '--threads', '1', '--out', out, '--replicas', '3', '--force']);
  assert.is(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, /: computed 1 \(data_boot_2\), already stored 0;/);
  assert.equal(stored(out), ['data_boot_2.f64rep'], '--force starts the resume state afresh');
});

test('bad lists: one line naming the option, the rule and the value; nothing written', () => {
  const out = join(root, 'bad');
  const cases: [string, RegExp][] = [
    [
      '',
      /^omnifold: --replicas must be a comma-separated list of positions \(3\), ranges \(0-9\) or replica names; got ""$/,
    ],
    [
      '0,,2',
      /^omnifold: --replicas must be a comma-separated list of positions \(3\), ranges \(0-9\) or replica names; got "0,,2"$/,
    ],
    ['4-1', /^omnifold: --replicas ranges must read a-b with a <= b; got "4-1"$/],
    [
      '6',
      /^omnifold: --replicas positions must be in 0-5 \(the plan has 6 replicas: weight, data_boot_0, data_boot_1, … \(6 replicas\)\); got "6"$/,
    ],
    ['2-9', /^omnifold: --replicas positions must be in 0-5 .*; got "2-9"$/],
    [
      'data_boot_3',
      /^omnifold: --replicas names must be replicas of the plan \(weight, data_boot_0, data_boot_1, … \(6 replicas\)\); got "data_boot_3"$/,
    ],
    ['-1', /^omnifold: --replicas names must be replicas of the plan .*; got "-1"$/],
  ];
  for (const [list, pattern] of cases) assertUsageError(run([...JOB, '--out', out, '--replicas', list]), pattern);
  assertUsageError(
    run(['unfold', '--toy', 'gauss', '--out', out, '--replicas', '0']),
    /^omnifold: --replicas must come with --data-bootstraps, --sim-bootstraps, --background-bootstraps or --syst \(a run of the nominal alone is not split\); got --replicas 0$/,
  );
  assert.not.ok(existsSync(out), 'no output folder for a usage error');
});

test('omnifold unfold --help describes --replicas', () => {
  const r = run(['unfold', '--help']);
  assert.is(r.code, 0);
  assert.match(
    r.stdout,
    /^ {6}--replicas X +compute only these replicas into OUT\/\.omnifold-resume\/, no merge: plan positions \(0 = weight\), ranges \(0-9\) or names/m,
  );
});

test.run();
