/**
 * `omnifold reweight --classifier pfn` through the compiled CLI (dist/, built by `npm test`
 * before the tests): Arrow files whose particle columns are List<Float32>, a source with
 * Poisson(4) particles per event and a target with Poisson(7). The PFN reads the particles
 * only (--event-features no), so the reweighted mean multiplicity can only move toward
 * the target's through them. The same weight bytes on 1 and 2 threads; verify re-runs the
 * file from its recorded flags; the refusals are one line each, exit 2.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Field, Float32, List, Table, tableToIPC, vectorFromArray } from 'apache-arrow';
import { RandomStream } from '../src/base/rng.js';
import { readWeightsFile } from '../src/publish/weights_file.js';
import { poisson } from './helpers/poisson.js';
import { weightedMean } from './helpers/weighted_mean.js';
import { testDir } from './helpers/temp_dir.js';

const BIN = join(process.cwd(), 'bin', 'omnifold.js');
const dir = testDir('omnifold-reweight-pfn-');
test.after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * An Arrow file of `n` events with Poisson(`mean`) particles: List<Float32> columns `pt`
 * (uniform in [1, 11)) and `eta` (uniform in [−2, 2)), and the event columns `mult` (the
 * multiplicity) and `ht` (Σ pt).
 */
function write(file: string, n: number, mean: number, member: number): void {
  const s = new RandomStream({ seed: 11, kind: 'nominal', replica: 0, iteration: 0, step: 'none', member }, 'toy');
  const pt: number[][] = [];
  const eta: number[][] = [];
  for (let i = 0; i < n; i++) {
    const m = poisson(s, mean);
    pt.push(Array.from({ length: m }, () => Math.fround(1 + 10 * s.nextDouble())));
    eta.push(Array.from({ length: m }, () => Math.fround(4 * s.nextDouble() - 2)));
  }
  const list = () => new List(new Field('item', new Float32(), true));
  const table = new Table({
    mult: vectorFromArray(Float32Array.from(pt, (p) => p.length)),
    ht: vectorFromArray(Float32Array.from(pt, (p) => p.reduce((a, b) => a + b, 0))),
    pt: vectorFromArray(pt, list()) as never,
    eta: vectorFromArray(eta, list()) as never,
  });
  writeFileSync(join(dir, file), tableToIPC(table, 'file'));
}

write('source.arrow', 3000, 4, 1);
write('target.arrow', 3000, 7, 2);

const BASE = ['reweight', '--source', 'source.arrow', '--target', 'target.arrow', '--features', 'mult,ht'];
const PFN = [
  ...['--particles', 'pt,eta', '--classifier', 'pfn', '--event-features', 'no'],
  ...['--phi', '16,16', '--f', '16', '--epochs', '20', '--batch', '128', '--lr', '0.003', '--ensemble', '2'],
];

function weightSha(out: string): string {
  return createHash('sha256')
    .update(readFileSync(join(dir, out, 'weights.arrow')))
    .digest('hex');
}

test('PFN reweight from List<Float32> columns: finite weights toward the target multiplicity; the same bytes on 1 and 2 threads; verify', async () => {
  const one = run([...BASE, ...PFN, '--threads', '1', '--out', 'one', '--no-plots', '--quiet']);
  assert.is(one.code, 0, one.stderr);
  assert.match(one.stdout, /^feature +chi2\/ndf before +chi2\/ndf after\nmult /);
  const two = run([...BASE, ...PFN, '--threads', '2', '--out', 'two', '--no-plots', '--quiet']);
  assert.is(two.code, 0, two.stderr);
  assert.is(weightSha('two'), weightSha('one'), 'identical weights.arrow on 1 and 2 threads');
  const file = await readWeightsFile(join(dir, 'one', 'weights.arrow'));
  const w = file.columns.get('weight')!;
  assert.ok(
    w.every((v) => Number.isFinite(v) && v > 0),
    'every weight finite and positive',
  );
  // The source's mean multiplicity is about 4, the target's about 7; 20 epochs of a 16-wide
  // PFN on 3000 events per class take most of the way (6.3–6.8 over five toy seeds).
  const after = weightedMean(file.columns.get('mult')!, w);
  assert.ok(after > 5.8 && after < 7.6, `reweighted mean multiplicity ${after}`);
  const configuration = file.metadata.configuration as { particles?: unknown; arguments?: Record<string, unknown> };
  assert.equal(configuration.particles, { features: ['pt', 'eta'] });
  assert.is(configuration.arguments?.particles, 'pt,eta');
  // verify re-runs the reweighting from the recorded flags, particle columns included
  const v = run(['verify', join('one', 'weights.arrow'), '--quiet']);
  assert.is(v.stdout, 'verified: 1 of 1 columns identical\n', v.stderr);
  // a cap on the particles (the 3 hardest by pt) changes what the PFN sees, hence the weights
  const capped = run([...BASE, ...PFN, '--max-particles', '3', '--particle-sort', 'pt', '--out', 'capped', '--quiet']);
  assert.is(capped.code, 0, capped.stderr);
  assert.is.not(weightSha('capped'), weightSha('one'));
});

test('PFN reweight refusals: one line, exit 2, before any fit', () => {
  const cases: [string[], RegExp][] = [
    [
      [...BASE, '--classifier', 'pfn'],
      /^omnifold: --classifier pfn reads particle sets: give --particles; got no particle columns\n$/,
    ],
    [
      [...BASE, '--particles', 'pt,eta', '--classifier', 'mlp'],
      /^omnifold: --particles must come with a particle-level classifier \(pfn\); got --classifier mlp\n$/,
    ],
    [
      [...BASE, '--max-particles', '3'],
      /^omnifold: --max-particles must come with --particles; got no particle columns\n$/,
    ],
    [
      [...BASE, '--particle-count', 'n', '--classifier', 'pfn'],
      /^omnifold: --particle-count must come with --particles; got no --particles\n$/,
    ],
    [
      [...BASE, ...PFN, '--particle-sort', 'phi'],
      /^omnifold: --particle-sort must name a column of --particles; got "phi"\n$/,
    ],
    [[...BASE, ...PFN, '--max-particles', '0'], /^omnifold: --max-particles must be a positive integer; got "?0"?\n$/],
    [[...BASE, ...PFN, '--particles', 'pt,phi'], /^omnifold: source\.arrow: column "phi" not found; columns are /],
  ];
  for (const [args, message] of cases) {
    const r = run([...args, '--out', 'refused']);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.is(r.stderr.split('\n').length, 2, r.stderr);
  }
});

test.run();
