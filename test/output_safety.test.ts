// The output folder: the engine never deletes or overwrites what it did not write, checks
// the location before any work, and writes the same bytes for the same configuration.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST, RESUME_DIR } from '../src/io/output_dir.js';
import { readWeightsFile, writeOutputDir } from '../src/publish/weights_file.js';
import { testDir } from './helpers/temp_dir.js';

const BIN = join(process.cwd(), 'bin', 'omnifold.js');
const root = testDir('omnifold-out-safety-');
const BINNED = [
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
  '--quiet',
];

function run(args: string[], cwd = root): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Exit 2 with exactly one stderr line matching `pattern`. */
function assertOneLineError(r: { code: number; stderr: string }, pattern: RegExp): void {
  assert.is(r.code, 2, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0], pattern);
}

function folder(name: string, files: Record<string, string> = {}): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

test('a folder holding a user file is refused before any work, and the file stays', () => {
  const dir = folder('user', { 'keep.txt': 'x\n' });
  const r = run([...BINNED, '--out', dir]);
  assertOneLineError(
    r,
    /^omnifold: --out \S+user must be empty or an earlier omnifold output; got a folder holding keep\.txt \(not written by omnifold/,
  );
  assert.equal(readdirSync(dir), ['keep.txt']);
  assert.is(readFileSync(join(dir, 'keep.txt'), 'utf8'), 'x\n');
  assert.equal(
    readdirSync(root).filter((n) => n.startsWith('.')),
    [],
    'no staging folder beside it',
  );
});

test('inputs inside the --out folder are never deleted: the folder is refused', () => {
  const csv = 'gen_x,reco_x\n' + Array.from({ length: 50 }, (_, i) => `${i / 50},${i / 50 + 0.01}`).join('\n') + '\n';
  const dir = folder('inputs-inside', {
    'sim.csv': csv,
    'data.csv': 'reco_x\n' + Array.from({ length: 50 }, (_, i) => `${i / 40}`).join('\n') + '\n',
  });
  const r = run([
    'unfold',
    '--sim',
    join(dir, 'sim.csv'),
    '--data',
    join(dir, 'data.csv'),
    '--gen',
    'gen_x',
    '--reco',
    'reco_x',
    '--classifier',
    'binned',
    '--bins',
    'gen_x=0:1:4;reco_x=0:1:4',
    '--quiet',
    '--out',
    dir,
  ]);
  assertOneLineError(
    r,
    /--out \S+ must be empty or an earlier omnifold output; got a folder holding data\.csv, sim\.csv/,
  );
  assert.equal(readdirSync(dir).sort(), ['data.csv', 'sim.csv']);
});

test('a file at the --out path is an error before training, and stays as it was', () => {
  const path = join(root, 'a-file');
  writeFileSync(path, 'mine');
  const r = run([...BINNED, '--out', path]);
  assertOneLineError(r, /^omnifold: --out \S+a-file must be a folder; got a file/);
  assert.is(readFileSync(path, 'utf8'), 'mine');
});

test('an earlier output is refused without --force; --force replaces only what the engine wrote', () => {
  const dir = join(root, 'earlier');
  assert.is(run([...BINNED, '--out', dir]).code, 0);
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8'));
  assert.equal(manifest.entries, ['plots', 'report.html', 'summary.json', 'weights.arrow']);
  assert.is(manifest.state, 'complete');
  writeFileSync(join(dir, 'notes.txt'), 'my notes');
  const before = readFileSync(join(dir, 'weights.arrow'));

  const refused = run([...BINNED, '--out', dir]);
  assertOneLineError(
    refused,
    /--out \S+earlier must not hold an earlier omnifold output unless --force or --resume is given; got one holding plots, report\.html, summary\.json/,
  );
  assert.ok(readFileSync(join(dir, 'weights.arrow')).equals(before));

  const forced = run([...BINNED, '--no-plots', '--seed', '3', '--out', dir, '--force']);
  assert.is(forced.code, 0, forced.stderr);
  assert.equal(
    readdirSync(dir).sort(),
    [MANIFEST, 'notes.txt', 'summary.json', 'weights.arrow'],
    "the earlier run's plots go, the user's notes stay",
  );
  assert.is(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'my notes');
  assert.not.ok(readFileSync(join(dir, 'weights.arrow')).equals(before), 'the weights were replaced');
});

test('an input that this run would replace is refused, even with --force', () => {
  const dir = join(root, 'earlier');
  const weights = join(dir, 'weights.arrow');
  const before = readFileSync(weights);
  const r = run([
    'unfold',
    '--sim',
    weights,
    '--data',
    weights,
    '--gen',
    'x',
    '--reco',
    'x',
    '--quiet',
    '--out',
    dir,
    '--force',
  ]);
  assertOneLineError(
    r,
    /^omnifold: --sim must not be a file this run replaces in --out \S+earlier; got \S+weights\.arrow$/,
  );
  assert.ok(readFileSync(weights).equals(before));
});

test('an output of an earlier engine version (no manifest) counts as an earlier output', () => {
  const dir = folder('legacy', { 'weights.arrow': 'old', 'summary.json': '{}' });
  assertOneLineError(run([...BINNED, '--out', dir]), /must not hold an earlier omnifold output unless --force/);
  assert.is(run([...BINNED, '--no-plots', '--out', dir, '--force']).code, 0);
  assert.equal(readdirSync(dir).sort(), [MANIFEST, 'summary.json', 'weights.arrow']);
});

test('a file the engine did not write where it would write one is refused, even with --force', () => {
  const dir = join(root, 'foreign-entry');
  assert.is(run([...BINNED, '--no-plots', '--out', dir]).code, 0);
  writeFileSync(join(dir, 'report.html'), 'my own report');
  assertOneLineError(
    run([...BINNED, '--out', dir, '--force']),
    /--out \S+ must not hold report\.html unless the engine wrote it; got report\.html not listed in its \.omnifold-output\.json/,
  );
  assert.is(readFileSync(join(dir, 'report.html'), 'utf8'), 'my own report');
});

test('--resume on a run without replicas simply runs it', () => {
  const dir = join(root, 'resume-nominal');
  const r = run([...BINNED, '--no-plots', '--resume', '--out', dir]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(readdirSync(dir).sort(), [MANIFEST, 'summary.json', 'weights.arrow']);
});

test('--resume and --force together are a usage error', () => {
  assertOneLineError(
    run([...BINNED, '--out', join(root, 'both'), '--resume', '--force']),
    /^omnifold: --resume and --force must not be given together/,
  );
  assert.not.ok(existsSync(join(root, 'both')));
});

test('an unwritable location is named before any work', () => {
  const parent = folder('locked');
  if (process.getuid?.() === 0) {
    // root writes through permissions: a read-only mount is the real case
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', parent]);
    if (mounted.status !== 0) {
      console.log('  skipped: the read-only output check needs a non-root user or permission to mount a tmpfs');
      return;
    }
    try {
      assertOneLineError(
        run([...BINNED, '--out', join(parent, 'x')]),
        /^omnifold: --out \S+locked\/x must be writable; got EROFS \(read-only file system\) at \S+locked$/,
      );
    } finally {
      spawnSync('umount', [parent]);
    }
  } else {
    chmodSync(parent, 0o555);
    try {
      assertOneLineError(
        run([...BINNED, '--out', join(parent, 'x')]),
        /^omnifold: --out \S+locked\/x must be writable; got EACCES \(permission denied\) at \S+locked$/,
      );
    } finally {
      chmodSync(parent, 0o755);
    }
  }
});

test('the same configuration writes the same bytes whatever --threads and --out say', () => {
  const a = run([...BINNED, '--data-bootstraps', '2', '--threads', '1', '--no-plots', '--out', join(root, 'bytes-a')]);
  const b = run([...BINNED, '--data-bootstraps', '2', '--threads', '2', '--no-plots', '--out', join(root, 'bytes-b')]);
  assert.is(a.code, 0, a.stderr);
  assert.is(b.code, 0, b.stderr);
  assert.ok(
    readFileSync(join(root, 'bytes-a', 'weights.arrow')).equals(readFileSync(join(root, 'bytes-b', 'weights.arrow'))),
    'weights.arrow bytes identical',
  );
  const summary = JSON.parse(readFileSync(join(root, 'bytes-b', 'summary.json'), 'utf8'));
  assert.is(summary.run.threads, 2, 'run-local facts are kept in summary.json');
  assert.is(summary.run.out, join(root, 'bytes-b'));
  assert.not.ok(existsSync(join(root, 'bytes-b', RESUME_DIR)), 'the resume state goes once the output is complete');
});

test('warnings reach stderr and summary.json with --no-plots and --quiet', () => {
  const dir = join(root, 'warned');
  const r = run([
    'unfold',
    '--toy',
    'gauss',
    '--events',
    '200',
    '--classifier',
    'binned',
    '--bins',
    'x=-3:3:40',
    '--iterations',
    '3',
    '--no-plots',
    '--quiet',
    '--out',
    dir,
  ]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /^warning: iteration 1, step1: [\d.]+ % of the ratios were clipped \(above 1\.0 %\)$/m);
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  assert.ok(summary.warnings.length >= 1);
  assert.is(summary.warnings[0].kind, 'clipped');
});

test('every input file is hashed into the metadata, a --syst file included, FILE:OBJECT too', async () => {
  const dir = folder('syst-inputs');
  const rows = Array.from({ length: 400 }, (_, i) => {
    const g = Math.sin(i) * 1.5;
    return `${g},${g + 0.3 * Math.cos(7 * i)}`;
  });
  writeFileSync(join(dir, 'sim.csv'), `gen_x,reco_x\n${rows.join('\n')}\n`);
  writeFileSync(join(dir, 'alt.csv'), `gen_x,reco_x\n${rows.map((r) => r.replace(/^/, '')).join('\n')}\n`);
  writeFileSync(join(dir, 'data.csv'), `reco_x\n${rows.map((r) => Number(r.split(',')[1]) * 0.9).join('\n')}\n`);
  const out = join(root, 'syst-out');
  const r = run([
    'unfold',
    '--sim',
    join(dir, 'sim.csv'),
    '--data',
    join(dir, 'data.csv'),
    '--gen',
    'gen_x',
    '--reco',
    'reco_x',
    '--classifier',
    'binned',
    '--bins',
    'gen_x=-2:2:4;reco_x=-2:2:4',
    '--syst',
    `alt=${join(dir, 'alt.csv')}`,
    '--quiet',
    '--no-plots',
    '--out',
    out,
  ]);
  assert.is(r.code, 0, r.stderr);
  const f = await readWeightsFile(join(out, 'weights.arrow'));
  assert.equal(
    f.metadata.inputs.map((i) => i.role),
    ['sim', 'data', 'syst:alt'],
  );
  assert.match(f.metadata.inputs[2].sha256, /^[0-9a-f]{64}$/);
  const args = f.metadata.configuration.arguments as Record<string, unknown>;
  assert.not.ok('out' in args || 'quiet' in args || 'no-plots' in args, 'run-local flags are not in the weights file');
});

test('writeOutputDir (library) refuses a folder it did not write and keeps its files', async () => {
  const dir = folder('lib-foreign', { 'data.root': 'x' });
  try {
    await writeOutputDir(dir, async (d) => writeFileSync(join(d, 'weights.arrow'), 'w'));
    assert.unreachable('should throw');
  } catch (e) {
    assert.match(
      (e as Error).message,
      /^output folder \S+ must be empty or an earlier omnifold output; got a folder holding data\.root/,
    );
  }
  assert.equal(readdirSync(dir), ['data.root']);
  const fresh = join(root, 'lib-fresh');
  assert.equal(await writeOutputDir(fresh, async (d) => writeFileSync(join(d, 'weights.arrow'), 'w')), [
    'weights.arrow',
  ]);
  assert.equal(readdirSync(fresh).sort(), [MANIFEST, 'weights.arrow']);
});

test.run();
