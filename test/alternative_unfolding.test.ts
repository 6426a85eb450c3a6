/**
 * `--syst name=unfold:FILE` (the plain alternative unfolding, as H1 does it) through the
 * compiled CLI: the data unfolded with another generator's sample as the sim, written to
 * OUT/syst_<name>.arrow on that sample's own events and linked from weights.arrow; `hist`
 * takes the difference of the two files' quantities as that systematic. The toy is the
 * Gaussian of docs/algorithm.md: after one iteration the unfolded mean from a prior
 * N(m, s) is m + k·(0.2 − m) with k = s²/(s² + 0.25), so the alternative prior N(0.5, 1.2)
 * shifts it by 0.0844 from the nominal N(0, 1).
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
const dir = testDir('omnifold-alternative-');

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function write(file: string, n: number, mean: number, sigma: number, seed: number): void {
  const x = normals(n, seed).map((z) => mean + sigma * z);
  const noise = normals(n, seed + 2);
  const lines = ['x,x_reco'];
  for (let i = 0; i < n; i++) lines.push(`${x[i].toFixed(6)},${(x[i] + 0.5 * noise[i]).toFixed(6)}`);
  writeFileSync(join(dir, file), `${lines.join('\n')}\n`);
}

const N = 60_000;
write('sim.csv', N, 0, 1, 21);
write('data.csv', N, 0.2, 0.8, 31);
write('alt.csv', N, 0.5, 1.2, 41);
const UNFOLD = [
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
  'x=-5:5:50',
  '--iterations',
  '1',
  '--no-plots',
  '--quiet',
];

test('the alternative unfolding: its own file, linked by SHA-256; the shift of the mean is the closed form ±0.01', async () => {
  const r = run([...UNFOLD, '--syst', 'alt=unfold:alt.csv', '--out', 'out']);
  assert.is(r.code, 0, r.stderr);
  const nominal = await readWeightsFile(join(dir, 'out', 'weights.arrow'));
  const alternative = await readWeightsFile(join(dir, 'out', 'syst_alt.arrow'));
  const link = nominal.metadata.linked?.[0];
  assert.is(link?.name, 'alt');
  assert.is(link?.file, 'syst_alt.arrow');
  assert.is(link?.bytes, readFileSync(join(dir, 'out', 'syst_alt.arrow')).length);
  assert.not.ok(nominal.columnNames.includes('syst_alt'), 'no column on the nominal events');
  assert.equal(
    nominal.metadata.inputs.map((i) => i.role),
    ['sim', 'data', 'syst:alt'],
  );
  const shift =
    weightedMean(alternative.columns.get('x'), alternative.columns.get('weight')) -
    weightedMean(nominal.columns.get('x'), nominal.columns.get('weight'));
  const k = (s: number) => (s * s) / (s * s + 0.25);
  const expected = 0.5 + k(1.2) * (0.2 - 0.5) - (0 + k(1) * 0.2);
  assert.ok(Math.abs(shift - expected) < 0.01, `shift ${shift}, closed form ${expected}`);
  // hist: the systematic is the difference of the two files' quantities
  const h = run(['hist', join('out', 'weights.arrow'), '--moment', 'x', '--json', 'h.json']);
  assert.is(h.code, 0, h.stderr);
  assert.match(h.stdout, /1 systematic \(alt\)/);
  const json = JSON.parse(readFileSync(join(dir, 'h.json'), 'utf8'));
  const delta = json.moment.families.systematics.alt.delta[0];
  assert.ok(Math.abs(delta - shift) < 1e-12, `hist δ ${delta}, files ${shift}`);
  const e = run(['export', 'out', '--hepdata', 'hd', '--obs', 'x', '--bins', '-2:2:4']);
  assert.is(e.code, 0, e.stderr);
  assert.ok(existsSync(join(dir, 'hd', 'x_covariance_syst_alt.yaml')), e.stdout);
  assert.match(readFileSync(join(dir, 'hd', 'x.yaml'), 'utf8'), /label: sys,alt/);
  for (const f of ['weights.arrow', 'syst_alt.arrow']) assert.is(run(['validate', join('out', f)]).code, 0, f);
  const manifest = JSON.parse(readFileSync(join(dir, 'out', '.omnifold-output.json'), 'utf8'));
  assert.ok(manifest.entries.includes('syst_alt.arrow'), 'the engine lists the linked file as its own');
});

test('a changed linked file: hist refuses it in one line naming it', () => {
  const path = join(dir, 'out', 'syst_alt.arrow');
  const bytes = readFileSync(path);
  bytes[bytes.length - 20] ^= 1;
  writeFileSync(path, bytes);
  const h = run(['hist', join('out', 'weights.arrow'), '--moment', 'x']);
  assert.is(h.code, 2, h.stderr);
  assert.is(run(['export', 'out', '--hepdata', 'hd2', '--obs', 'x', '--bins', '-2:2:4']).code, 2);
  assert.match(
    h.stderr,
    /^omnifold: out[/\\]weights\.arrow: linked weights file out[/\\]syst_alt\.arrow must have the SHA-256 recorded in it; got [0-9a-f]{12}… \(recorded [0-9a-f]{12}…\)\n$/,
  );
  assert.ok(existsSync(path));
});

test.run();
