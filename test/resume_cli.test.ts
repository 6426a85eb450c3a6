// `omnifold unfold --resume` cannot be fooled: a run SIGKILLed at three points resumes to
// the bytes of an uninterrupted run; a damaged stored replica is recomputed, never used; a
// full disk leaves no half-written replica and the run resumes once there is space.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST, RESUME_DIR } from '../src/io/output_dir.js';
import { testDir } from './helpers/temp_dir.js';

const BIN = join(process.cwd(), 'bin', 'omnifold.js');
const root = testDir('omnifold-resume-cli-');
const JOB = [
  'unfold',
  '--toy',
  'gauss',
  '--events',
  '12000',
  '--epochs',
  '3',
  '--iterations',
  '2',
  '--data-bootstraps',
  '5',
  '--threads',
  '1',
  '--no-plots',
];
const TOTAL = 6;

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function stored(out: string): string[] {
  const dir = join(out, RESUME_DIR);
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.f64rep'))
        .sort()
    : [];
}

/** Starts the job into `out` and SIGKILLs it once `ready(out)` holds; returns the replicas stored then. */
async function runAndKill(out: string, ready: (out: string) => boolean): Promise<string[]> {
  const child = spawn(process.execPath, [BIN, ...JOB, '--quiet', '--out', out], { cwd: root, stdio: 'ignore' });
  let exited = false;
  const done = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve();
    }),
  );
  for (let waited = 0; waited < 120_000 && !exited && !ready(out); waited += 5)
    await new Promise((resolve) => setTimeout(resolve, 5));
  child.kill('SIGKILL');
  await done;
  assert.not.ok(existsSync(join(out, 'weights.arrow')), 'killed before it finished');
  return stored(out);
}

let reference: Buffer;

test('an uninterrupted run: the reference bytes', () => {
  const r = run([...JOB, '--quiet', '--out', join(root, 'reference')]);
  assert.is(r.code, 0, r.stderr);
  reference = readFileSync(join(root, 'reference', 'weights.arrow'));
  assert.not.ok(existsSync(join(root, 'reference', RESUME_DIR)));
});

const POINTS: [string, (out: string) => boolean][] = [
  ['before any replica is stored', (out) => existsSync(join(out, MANIFEST))],
  ['after the first replica is stored', (out) => stored(out).length >= 1],
  ['after three replicas are stored', (out) => stored(out).length >= 3],
];

for (const [k, [when, ready]] of POINTS.entries()) {
  test(`SIGKILL ${when}, then --resume: the bytes of the uninterrupted run`, async () => {
    const out = join(root, `killed-${k}`);
    const before = await runAndKill(out, ready);
    assert.ok(before.length < TOTAL, `${before.length} of ${TOTAL} stored when killed`);
    const r = run([...JOB, '--out', out, '--resume']);
    assert.is(r.code, 0, r.stderr);
    if (before.length > 0) assert.match(r.stderr, new RegExp(`resumed ${before.length} finished replica\\(s\\)`));
    assert.ok(
      readFileSync(join(out, 'weights.arrow')).equals(reference),
      'weights.arrow identical to the uninterrupted run',
    );
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    assert.is(summary.run.resumed.length, before.length);
  });
}

test('a killed run is an earlier output: refused without --resume or --force', async () => {
  const out = join(root, 'killed-refused');
  await runAndKill(out, (o) => stored(o).length >= 1);
  const r = run([...JOB, '--quiet', '--out', out]);
  assert.is(r.code, 2);
  assert.match(
    r.stderr,
    /^omnifold: --out \S+ must not hold an earlier omnifold output unless --force or --resume is given; got one holding \.omnifold-resume/,
  );
});

test('damaged stored replicas are named and recomputed, never used', async () => {
  const out = join(root, 'damaged');
  const before = await runAndKill(out, (o) => stored(o).length >= 3);
  const dir = join(out, RESUME_DIR);
  const [flipped, truncated, emptied] = before;
  const bytes = readFileSync(join(dir, flipped));
  bytes[bytes.length - 3] ^= 0x10; // inside the weights: only the checksum can tell
  writeFileSync(join(dir, flipped), bytes);
  const t = readFileSync(join(dir, truncated));
  writeFileSync(join(dir, truncated), t.subarray(0, t.length - 100));
  writeFileSync(join(dir, emptied), '');
  writeFileSync(join(dir, 'data_boot_4.f64rep.tmp-12345'), 'half a file from a killed write');
  const r = run([...JOB, '--out', out, '--resume']);
  assert.is(r.code, 0, r.stderr);
  const name = (file: string) => file.replace(/\.f64rep$/, '');
  assert.match(
    r.stderr,
    new RegExp(
      `^stored replica ${name(flipped)} is damaged \\(weights whose SHA-256 differs from the one stored with them\\); recomputing it$`,
      'm',
    ),
  );
  assert.match(
    r.stderr,
    new RegExp(
      `^stored replica ${name(truncated)} is damaged \\(\\d+ weight bytes where 12000 weights need 96000\\); recomputing it$`,
      'm',
    ),
  );
  assert.match(
    r.stderr,
    new RegExp(
      `^stored replica ${name(emptied)} is damaged \\(0 bytes, shorter than a header\\); recomputing it$`,
      'm',
    ),
  );
  assert.ok(
    readFileSync(join(out, 'weights.arrow')).equals(reference),
    'weights.arrow identical to the uninterrupted run',
  );
  assert.not.ok(existsSync(dir), 'the resume state goes once the output is complete');
});

test('a full disk: one line naming the replica file, no half-written file, and --resume once there is space', () => {
  const out = join(root, 'small-disk');
  mkdirSync(out);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', out]);
  if (mounted.status !== 0) {
    console.log('  skipped: the full-disk check needs permission to mount a tmpfs (run as root)');
    return;
  }
  try {
    const args = [
      'unfold',
      '--toy',
      'gauss',
      '--events',
      '40000',
      '--classifier',
      'binned',
      '--bins',
      'x=-3:3:12',
      '--iterations',
      '2',
      '--data-bootstraps',
      '2',
      '--threads',
      '1',
      '--no-plots',
      '--quiet',
    ];
    const full = run([...args, '--out', out]);
    assert.is(full.code, 1, full.stderr);
    const lines = full.stderr.trimEnd().split('\n');
    assert.is(lines.length, 1, full.stderr);
    assert.match(
      lines[0],
      /^omnifold: replica file \S+\/\.omnifold-resume\/\w+\.f64rep must be written whole; got ENOSPC \(no space left on device\)$/,
    );
    assert.equal(
      readdirSync(join(out, RESUME_DIR)).filter(
        (f) => f.includes('.tmp-') || readFileSync(join(out, RESUME_DIR, f)).length === 0,
      ),
      [],
      'no temporary or empty replica file',
    );
    assert.is(spawnSync('mount', ['-o', 'remount,size=64m', out]).status, 0);
    const resumed = run([...args, '--out', out, '--resume']);
    assert.is(resumed.code, 0, resumed.stderr);
    const fresh = run([...args, '--out', join(root, 'big-disk')]);
    assert.is(fresh.code, 0, fresh.stderr);
    assert.ok(readFileSync(join(out, 'weights.arrow')).equals(readFileSync(join(root, 'big-disk', 'weights.arrow'))));
  } finally {
    spawnSync('umount', [out]);
  }
});

test.run();
