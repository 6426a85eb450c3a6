// Option values with a leading minus sign (`--bins -1:1:4`) through every command that
// takes values: unfold, hist, export, plot, verify; and the shared argv pre-pass itself.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { joinDashValues } from '../src/cli/dash_values.js';
import { writeFixture } from './helpers/weights_fixture.js';

const root = fileURLToPath(new URL('../..', import.meta.url)); // dist/test → repository root
const fixture = writeFixture();

function omnifold(args: string[]) {
  const out = spawnSync(process.execPath, ['bin/omnifold.js', ...args], { encoding: 'utf8', cwd: root });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

const TABLE = {
  bins: { type: 'string' },
  obs: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

test('pre-pass: a value option joins a following argument that starts with one dash', () => {
  assert.equal(joinDashValues(['f', '--bins', '-1:1:4', '--obs', '-x'], TABLE), ['f', '--bins=-1:1:4', '--obs=-x']);
  assert.equal(joinDashValues(['--bins', '-.5,0,.5'], TABLE), ['--bins=-.5,0,.5']);
  assert.equal(joinDashValues(['--bins', '0:1:4'], TABLE), ['--bins', '0:1:4'], 'plain values stay as they are');
});

test('pre-pass: long options, known short flags, switches and arguments after -- are never joined', () => {
  assert.equal(joinDashValues(['--bins', '--obs', 'x'], TABLE), ['--bins', '--obs', 'x']);
  assert.equal(joinDashValues(['--bins', '-h'], TABLE), ['--bins', '-h']);
  assert.equal(joinDashValues(['--quiet', '-1'], TABLE), ['--quiet', '-1']);
  assert.equal(joinDashValues(['--', '--bins', '-1:1:4'], TABLE), ['--', '--bins', '-1:1:4']);
});

test('hist --bins -2:2:4 gives four bins starting at -2', () => {
  const out = omnifold(['hist', join(fixture.dir, 'weights.arrow'), '--obs', 'gen_eta', '--bins', '-2:2:4']);
  assert.is(out.code, 0, out.stderr);
  assert.match(out.stdout, /: 4 bins;/);
  assert.match(out.stdout, /\n +1 +\[-2, -1\) /);
});

test('hist --bins with negative explicit edges and --obs with a leading minus', () => {
  const out = omnifold(['hist', join(fixture.dir, 'weights.arrow'), '--obs', '-gen_eta', '--bins', '-2,-0.5,0.5,2']);
  assert.is(out.code, 0, out.stderr);
  assert.match(out.stdout, /histogram of -gen_eta .*: 3 bins;/);
  assert.match(out.stdout, /\n +2 +\[-0\.5, 0\.5\) /);
});

test('export --bins -2:2:4 writes a HEPData table whose first bin starts at -2', () => {
  const dir = join(fixture.dir, 'hepdata_negative');
  const out = omnifold(['export', fixture.dir, '--hepdata', dir, '--obs', 'gen_eta', '--bins', '-2:2:4']);
  assert.is(out.code, 0, out.stderr);
  assert.is(out.stderr, '');
  const table = parse(readFileSync(join(dir, 'gen_eta.yaml'), 'utf8'));
  assert.equal(table.independent_variables[0].values[0], { low: -2, high: -1 });
  assert.is(table.independent_variables[0].values.length, 4);
});

test('export: a bad negative spec names --bins and the value, not parseArgs ambiguity', () => {
  const dir = join(fixture.dir, 'hepdata_bad');
  const out = omnifold(['export', fixture.dir, '--hepdata', dir, '--obs', 'gen_eta', '--bins', '-1:-2:4']);
  assert.is(out.code, 2);
  assert.match(
    out.stderr,
    /^omnifold: --bins lo:hi:n must have finite lo < hi and a positive integer n; got "-1:-2:4"\n$/,
  );
  assert.not.ok(existsSync(dir), 'nothing written');
});

test('unfold: a negative value reaches the option check (--seed -1, --bins -1:1:4)', () => {
  const seed = omnifold(['unfold', '--toy', 'gauss', '--seed', '-1', '--out', join(fixture.dir, 'never')]);
  assert.is(seed.code, 2);
  assert.match(seed.stderr, /^omnifold: --seed must be a non-negative integer; got "-1"\n$/);
  const bins = omnifold(['unfold', '--toy', 'gauss', '--bins', '-1:1:4', '--out', join(fixture.dir, 'never')]);
  assert.is(bins.code, 2);
  assert.match(bins.stderr, /^omnifold: --bins entries must read col=lo:hi:n or col=e0,e1,…; got "-1:1:4"\n$/);
  assert.not.ok(existsSync(join(fixture.dir, 'never')));
});

test('plot: a negative --scale reaches the option check', () => {
  const out = omnifold(['plot', fixture.dir, '--no-png', '--scale', '-2']);
  assert.is(out.code, 2);
  assert.match(out.stderr, /^omnifold: --scale must be a number in \(0, 8\]; got "-2"\n$/);
});

test('verify: a negative --threads reaches the option check', () => {
  const out = omnifold(['verify', join(fixture.dir, 'weights.arrow'), '--threads', '-2']);
  assert.is(out.code, 2);
  assert.match(out.stderr, /^omnifold: --threads must be a positive integer; got "-2"\n$/);
});

test.run();
