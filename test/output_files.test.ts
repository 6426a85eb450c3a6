// hist, export and plot write only where they may: an existing file is replaced only with
// --force, a HEPData folder only when it holds an earlier submission (and --force), the
// figures of an output only where the engine wrote them; every check comes before any work.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testDir } from './helpers/temp_dir.js';

const BIN = join(process.cwd(), 'bin', 'omnifold.js');
const root = testDir('omnifold-out-files-');

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function assertOneLineError(r: { code: number; stderr: string; stdout: string }, pattern: RegExp): void {
  assert.is(r.code, 2, r.stderr);
  assert.is(r.stdout, '', 'nothing on stdout: the check comes before any work');
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0], pattern);
}

test('an output to work from', () => {
  const r = run([
    'unfold',
    '--toy',
    'gauss',
    '--events',
    '2000',
    '--classifier',
    'binned',
    '--bins',
    'x=-3:3:12',
    '--iterations',
    '2',
    '--data-bootstraps',
    '2',
    '--quiet',
    '--out',
    'out',
  ]);
  assert.is(r.code, 0, r.stderr);
});

test('hist --json: an existing file is refused unless --force', () => {
  writeFileSync(join(root, 'mine.json'), 'my data');
  const args = ['hist', 'out/weights.arrow', '--obs', 'x', '--bins', '-2:2:4', '--json', 'mine.json'];
  assertOneLineError(
    run(args),
    /^omnifold: --json mine\.json must not exist \(the engine never overwrites a file unasked\); got an existing file \(--force replaces it\)$/,
  );
  assert.is(readFileSync(join(root, 'mine.json'), 'utf8'), 'my data');
  const forced = run([...args, '--force']);
  assert.is(forced.code, 0, forced.stderr);
  assert.is(JSON.parse(readFileSync(join(root, 'mine.json'), 'utf8')).histogram.edges.length, 5);
  assert.equal(
    readdirSync(root).filter((f) => f.includes('.tmp-')),
    [],
    'no temporary file left',
  );
});

test('hist --json into a folder that cannot exist is named before any output', () => {
  writeFileSync(join(root, 'plainfile'), '');
  assertOneLineError(
    run(['hist', 'out/weights.arrow', '--obs', 'x', '--bins', '-2:2:4', '--json', 'out/weights.arrow']),
    /^omnifold: --json out\/weights\.arrow must not exist/,
  );
});

test('export --parquet and --hdf5: existing files are refused unless --force', () => {
  writeFileSync(join(root, 'copy.parquet'), 'mine');
  assertOneLineError(
    run(['export', 'out', '--parquet', 'copy.parquet']),
    /^omnifold: --parquet copy\.parquet must not exist .*; got an existing file \(--force replaces it\)$/,
  );
  assert.is(readFileSync(join(root, 'copy.parquet'), 'utf8'), 'mine');
  const forced = run(['export', 'out', '--parquet', 'copy.parquet', '--hdf5', 'copy.h5', '--force']);
  assert.is(forced.code, 0, forced.stderr);
  assert.ok(existsSync(join(root, 'copy.parquet')) && existsSync(join(root, 'copy.h5')));
  assertOneLineError(run(['export', 'out', '--hdf5', 'copy.h5']), /^omnifold: --hdf5 copy\.h5 must not exist/);
});

test('export --package: a folder of the user is refused; an earlier package is replaced only with --force', () => {
  mkdirSync(join(root, 'release'));
  writeFileSync(join(root, 'release', 'notes.txt'), 'precious');
  assertOneLineError(
    run(['export', 'out', '--package', 'release', '--force']),
    /^omnifold: --package release must be empty or an earlier omnifold output; got a folder holding notes\.txt/,
  );
  assert.equal(readdirSync(join(root, 'release')), ['notes.txt']);
  assert.is(run(['export', 'out', '--package', 'pkg']).code, 0);
  assert.equal(readdirSync(join(root, 'pkg')).sort(), ['events.parquet', 'metadata.yaml']);
  assertOneLineError(
    run(['export', 'out', '--package', 'pkg']),
    /^omnifold: --package pkg must not hold an earlier omnifold output unless --force or --resume is given/,
  );
  assert.is(run(['export', 'out', '--package', 'pkg', '--force']).code, 0);
  assert.equal(readdirSync(join(root, 'pkg')).sort(), ['events.parquet', 'metadata.yaml']);
});

test('export --hepdata: a folder of the user is refused; an earlier submission is replaced only with --force, without a manifest', () => {
  mkdirSync(join(root, 'paper'));
  writeFileSync(join(root, 'paper', 'draft.tex'), 'precious');
  const args = ['export', 'out', '--obs', 'x', '--bins', '-2:2:4'];
  assertOneLineError(
    run([...args, '--hepdata', 'paper', '--force']),
    /^omnifold: --hepdata paper must be empty or an earlier omnifold output; got a folder holding draft\.tex/,
  );
  assert.equal(readdirSync(join(root, 'paper')), ['draft.tex']);
  assert.is(run([...args, '--hepdata', 'sub']).code, 0);
  const files = readdirSync(join(root, 'sub')).sort();
  assert.ok(
    files.includes('submission.yaml') && files.every((f) => f.endsWith('.yaml')),
    `a HEPData folder holds only its YAML files; got ${files.join(', ')}`,
  );
  assertOneLineError(
    run([...args, '--hepdata', 'sub']),
    /^omnifold: --hepdata sub must not hold an earlier omnifold output unless --force or --resume is given; got one holding/,
  );
  const forced = run(['export', 'out', '--obs', 'x', '--bins', '-1:1:2', '--hepdata', 'sub', '--force']);
  assert.is(forced.code, 0, forced.stderr);
  assert.equal(readdirSync(join(root, 'sub')).sort(), files);
});

test('plot: rewrites the figures of an output, never a report.html the engine did not write', () => {
  assert.is(run(['plot', 'out', '--no-png']).code, 0);
  const dir = join(root, 'no-plots');
  assert.is(
    run([
      'unfold',
      '--toy',
      'gauss',
      '--events',
      '500',
      '--classifier',
      'binned',
      '--bins',
      'x=-3:3:6',
      '--iterations',
      '1',
      '--no-plots',
      '--quiet',
      '--out',
      dir,
    ]).code,
    0,
  );
  writeFileSync(join(dir, 'report.html'), 'my own report');
  const r = run(['plot', dir]);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /^omnifold: plot folder \S+ must not hold report\.html unless the engine wrote it/);
  assert.is(readFileSync(join(dir, 'report.html'), 'utf8'), 'my own report');
  assert.not.ok(existsSync(join(dir, 'plots')));
});

test.run();
