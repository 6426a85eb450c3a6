// The stat uncertainty without data bootstraps is √Σw² of the nominal weights (a weighted
// mean: Σw²(m − m̄)²/(Σw)²), whatever other replicas exist, in hist, HEPData export and the
// report, and every output says which estimate it used. A 7-event weights file small
// enough to check by hand:
//
//   gen_x     0.5  0.5  1.5  1.5  1.5  2.5  0.5
//   pass_gen  1    1    1    1    1    1    0     (the last is a fake: never counted)
//   weight    1    2    1    2    2    3    10
//   syst_a    weight × (1 + 0.1·gen_x)
//
// bins [0,1) [1,2) [2,3): sums 3, 5, 3; Σw² 5, 9, 9 → stat √5, 3, 3;
// syst_a sums 3.15, 5.75, 3.75 → δ 0.15, 0.75, 0.75.
// mean of gen_x: 16.5/11 = 1.5; Σw²(m − 1.5)² = 1 + 4 + 9 = 14 → stat √14 / 11.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { combineReplicas } from '../src/uncertainty/covariance.js';
import { meanUncertainties } from '../src/uncertainty/quantities.js';
import { hepdataHistogram } from '../src/publish/hepdata.js';
import { readWeightsFile } from '../src/publish/weights_file.js';
import { planFigures } from '../src/report/figures.js';
import { reportHtml } from '../src/report/report_html.js';
import { runDataFrom } from '../src/report/run_data.js';
import { assertClose } from './helpers/close.js';
import { weightsArrowBytes } from './helpers/weights_fixture.js';
import { testDir } from './helpers/temp_dir.js';

const root = fileURLToPath(new URL('../..', import.meta.url)); // dist/test → repository root
const dir = testDir('omnifold-stat-');

const X = [0.5, 0.5, 1.5, 1.5, 1.5, 2.5, 0.5];
const PASS_GEN = [1, 1, 1, 1, 1, 1, 0];
const W = [1, 2, 1, 2, 2, 3, 10];
const STAT = [Math.sqrt(5), 3, 3];
const DELTA = [0.15, 0.75, 0.75];
const MEAN_STAT = Math.sqrt(14) / 11;

/** Writes a weights file with the nominal column, `replicas` (name → role, factor per event). */
function writeFile(name: string, replicas: [string, string, (i: number) => number][]): string {
  const columns: Record<string, Float32Array | Float64Array | Uint8Array> = {
    gen_x: Float32Array.from(X),
    pass_gen: Uint8Array.from(PASS_GEN),
    pass_reco: new Uint8Array(X.length).fill(1),
    weight: Float64Array.from(W),
  };
  const roles = [
    { name: 'gen_x', role: 'gen_feature' },
    { name: 'pass_gen', role: 'mask' },
    { name: 'pass_reco', role: 'mask' },
    { name: 'weight', role: 'nominal' },
  ];
  for (const [column, role, factor] of replicas) {
    columns[column] = Float64Array.from(W, (w, i) => w * factor(i));
    roles.push({ name: column, role });
  }
  const metadata = { format: 'omnifold-weights', formatVersion: 1, seed: 1, columns: roles, normalisation: {} };
  const path = join(dir, name);
  writeFileSync(path, weightsArrowBytes(columns, metadata));
  return path;
}

const systOnly = writeFile('syst_only.arrow', [['syst_a', 'systematic', (i) => 1 + 0.1 * X[i]]]);
// sim bootstraps and a systematic, one data bootstrap: still too few for a covariance
const oneBoot = writeFile('one_boot.arrow', [
  ['data_boot_0', 'data_bootstrap', (i) => (i % 2 ? 2 : 0)],
  ['sim_boot_0', 'sim_bootstrap', (i) => (i % 3 ? 1 : 2)],
  ['sim_boot_1', 'sim_bootstrap', (i) => (i % 2 ? 1 : 0)],
  ['syst_a', 'systematic', (i) => 1 + 0.1 * X[i]],
]);
// two data bootstraps: the sample covariance of their bin sums
const twoBoots = writeFile('two_boots.arrow', [
  ['data_boot_0', 'data_bootstrap', () => 1],
  ['data_boot_1', 'data_bootstrap', () => 2],
]);

function hist(args: string[]) {
  const out = spawnSync(process.execPath, ['bin/omnifold.js', 'hist', ...args], { encoding: 'utf8', cwd: root });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

test('hist with a systematic and no data bootstraps: stat = √Σw² per bin, said in the table and the JSON', () => {
  const json = join(dir, 'syst_only.json');
  const out = hist([systOnly, '--obs', 'gen_x', '--bins', '0:3:3', '--json', json]);
  assert.is(out.code, 0, out.stderr);
  assert.match(
    out.stdout,
    /0 data bootstraps, 0 sim bootstraps, 1 systematic \(a\)\nstat: √Σw² of the nominal weights per bin \(no data bootstraps; /,
  );
  assert.match(out.stdout, /\n +1 +\[0, 1\) +3\.00000 +2\.23607 +0\.00000 +0\.150000 +2\.24109\n/);
  const h = JSON.parse(readFileSync(json, 'utf8')).histogram;
  assert.is(h.statEstimate, 'sumw2');
  assert.match(h.statDescription, /^stat: √Σw² of the nominal weights per bin \(no data bootstraps/);
  assertClose('value', h.value, [3, 5, 3], { rtol: 1e-12, atol: 0 });
  assertClose('stat', h.uncertainty.stat, STAT, { rtol: 1e-12, atol: 0 });
  assertClose('syst', h.uncertainty.syst, DELTA, { rtol: 1e-6, atol: 0 });
  assertClose(
    'total',
    h.uncertainty.total,
    STAT.map((s, k) => Math.hypot(s, DELTA[k])),
    { rtol: 1e-6, atol: 0 },
  );
  assertClose('stat covariance is diagonal', h.covariance.stat, [5, 0, 0, 0, 9, 0, 0, 0, 9], { rtol: 1e-12, atol: 0 });
});

test('hist --moment with a systematic and no data bootstraps: the weighted-variance estimate', () => {
  const json = join(dir, 'moment.json');
  const out = hist([systOnly, '--moment', 'gen_x', '--json', json]);
  assert.is(out.code, 0, out.stderr);
  assert.match(out.stdout, /\nstat: √\(Σw²\(m − m̄\)²\)\/Σw of the nominal weights \(no data bootstraps; /);
  assert.match(out.stdout, /\n {2}1\.50000 ± 0\.340151 \(stat\) /);
  const m = JSON.parse(readFileSync(json, 'utf8')).moment;
  assert.is(m.statEstimate, 'sumw2');
  assertClose('mean', m.value, [1.5], { rtol: 1e-12, atol: 0 });
  assertClose('stat', m.uncertainty.stat, [MEAN_STAT], { rtol: 1e-12, atol: 0 });
});

test('hist with one data bootstrap beside sim bootstraps: still √Σw², and says why', () => {
  const json = join(dir, 'one_boot.json');
  const out = hist([oneBoot, '--obs', 'gen_x', '--bins', '0:3:3', '--json', json]);
  assert.is(out.code, 0, out.stderr);
  assert.match(
    out.stdout,
    /\nstat: √Σw² of the nominal weights per bin \(1 data bootstrap, too few for a covariance; /,
  );
  const h = JSON.parse(readFileSync(json, 'utf8')).histogram;
  assert.is(h.statEstimate, 'sumw2');
  assertClose('stat', h.uncertainty.stat, STAT, { rtol: 1e-12, atol: 0 });
  assert.ok(h.uncertainty.simStat[0] > 0, 'sim-stat from the two sim bootstraps');
});

test('hist with two data bootstraps: the sample covariance over them, said so', () => {
  const json = join(dir, 'two_boots.json');
  const out = hist([twoBoots, '--obs', 'gen_x', '--bins', '0:3:3', '--json', json]);
  assert.is(out.code, 0, out.stderr);
  assert.match(out.stdout, /\nstat: sample covariance over 2 data bootstraps\n/);
  const h = JSON.parse(readFileSync(json, 'utf8')).histogram;
  assert.is(h.statEstimate, 'data_bootstraps');
  // bin sums ×1 and ×2: sample standard deviation |s₂ − s₁|/√2 = s/√2
  assertClose(
    'stat',
    h.uncertainty.stat,
    [3, 5, 3].map((s) => s / Math.SQRT2),
    { rtol: 1e-12, atol: 0 },
  );
});

test('HEPData export with a systematic and no data bootstraps: stat √Σw², in the covariance, described', async () => {
  const h = hepdataHistogram(await readWeightsFile(systOnly), { obs: 'gen_x', edges: [0, 1, 2, 3] });
  assert.is(h.statEstimate, 'sumw2');
  assertClose('stat', Array.from(h.stat), STAT, { rtol: 1e-12, atol: 0 });
  assertClose('syst', Array.from(h.syst!), DELTA, { rtol: 1e-6, atol: 0 });
  assertClose(
    'covariance diagonal',
    [0, 4, 8].map((k) => h.covariance!.matrix[k]),
    STAT.map((s, k) => s * s + DELTA[k] * DELTA[k]),
    { rtol: 1e-6, atol: 0 },
  );
  assert.match(h.covariance!.what, /^total: stat \(sqrt\(sum w\^2\), diagonal\) \+ sim-stat \+ systematics$/);
  assert.match(h.description, /stat: sqrt\(sum of squared nominal weights\) per bin \(no data bootstraps; /);
});

test('report data with a systematic and no data bootstraps: stat √Σw², total includes it', async () => {
  const summary = {
    format: 'omnifold-summary' as const,
    formatVersion: 1 as const,
    iterations: [],
    nDropped: 0,
    features: [
      {
        feature: 'gen_x',
        edges: [0, 1, 2, 3],
        prior: { sumw: [3, 5, 3], sumw2: [5, 9, 9], underflow: 0, overflow: 0 },
        unfolded: { sumw: [3, 5, 3], sumw2: [5, 9, 9], underflow: 0, overflow: 0 },
      },
    ],
  };
  const run = runDataFrom(await readWeightsFile(systOnly), summary);
  const o = run.observables[0];
  assert.is(o.uncertaintyKind, 'total');
  assert.is(o.uncertainty!.statEstimate, 'sumw2');
  assertClose(
    'stat',
    [0, 4, 8].map((k) => Math.sqrt(o.uncertainty!.stat[k])),
    STAT,
    { rtol: 1e-12, atol: 0 },
  );
  assertClose(
    'errors',
    Array.from(o.unfoldedErrors),
    STAT.map((s, k) => Math.hypot(s, DELTA[k])),
    { rtol: 1e-6, atol: 0 },
  );
  const html = reportHtml(run, [], []);
  assert.match(html, /<th[^>]*>stat \(√Σw²\)<\/th>/);
  assert.match(html, /<p>stat: √Σw² of the nominal weights per bin \(no data bootstraps; /);
  assert.match(
    planFigures(run).find((f) => f.kind === 'correlation')!.caption,
    /; stat: √Σw² of the nominal weights per bin \(no data bootstraps/,
  );
});

test('library: the stat estimate is named, and zeros are called "none" when no variance is given', () => {
  const nominal = Float64Array.of(1, 2);
  const syst = [{ family: 'systematic' as const, index: 0, name: 's', values: Float64Array.of(1.5, 2) }];
  assert.is(combineReplicas(nominal, syst).statEstimate, 'none');
  const u = combineReplicas(nominal, syst, [4, 9]);
  assert.is(u.statEstimate, 'sumw2');
  assert.equal(Array.from(u.total), [4.25, 0, 0, 9]);
  const columns = [{ name: 'weight', family: 'nominal' as const, values: W.slice(0, 6) }];
  assertClose('mean stat', [Math.sqrt(meanUncertainties(columns, X.slice(0, 6)).stat[0])], [MEAN_STAT], {
    rtol: 1e-12,
    atol: 0,
  });
});

test.run();
