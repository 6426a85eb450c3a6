// Closure and coverage on the sim (src/uncertainty/closure.ts), where the answer is known:
// with a perfect detector (reco = gen, no misses, no fakes) binned OmniFold returns the
// pseudo-data's histogram, so the closure is exact and the coverage is the bootstrap's own
// (about 68 %); with the Gaussian toy's smearing the unfolding closes far better than the
// prior; a second sample as truth works the same way; bad requests are one-line errors.
import { test } from 'uvu';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { featureMatrix, gaussToy, type SimSample } from '../src/index.js';
import { closureTest, coverageScan, defaultTilt, splitHalves } from '../src/uncertainty/closure.js';
import { normals } from './helpers/normals.js';

const EDGES = [-3, -2, -1, 0, 1, 2, 3];
const BINNED = { nIterations: 3, seed: 7, classifier: { type: 'binned' as const, edges: [EDGES] } };

/** Gaussian events seen by a perfect detector: reco = gen, every event passes both selections. */
function perfectDetector(n: number, seed: number): SimSample {
  const x = Float32Array.from(normals(n, seed));
  return {
    gen: featureMatrix(x, n, 1),
    reco: featureMatrix(Float32Array.from(x), n, 1),
    passGen: new Uint8Array(n).fill(1),
    passReco: new Uint8Array(n).fill(1),
    weights: new Float64Array(n).fill(1),
    genNames: ['x'],
  };
}

test('splitHalves takes the even and the odd events; the default tilt is smooth and within [0.5, 1.5]', () => {
  const sim = perfectDetector(11, 1);
  const { even, odd } = splitHalves(sim);
  assert.is(even.weights.length, 6);
  assert.is(odd.weights.length, 5);
  assert.is(even.gen.values[2], sim.gen.values[4]);
  assert.is(odd.gen.values[2], sim.gen.values[5]);
  const big = perfectDetector(5000, 2);
  const f = defaultTilt(big);
  let mean = 0;
  for (let i = 0; i < f.length; i++) {
    assert.ok(f[i] >= 0.5 && f[i] <= 1.5);
    const expected = Math.min(1.5, Math.max(0.5, 1 + 0.2 * big.gen.values[i]));
    assert.ok(Math.abs(f[i] - expected) < 0.05, 'f ≈ 1 + 0.2 x for a standard normal x');
    mean += f[i] / f.length;
  }
  assert.ok(Math.abs(mean - 1) < 0.02);
});

test('closure with a perfect detector is exact: χ² ≈ 0, the prior far off', async () => {
  const result = await closureTest(perfectDetector(8000, 3), { ...BINNED, dataBootstraps: 4 }, [
    { name: 'x', feature: 0, edges: EDGES },
  ]);
  const [row] = result.rows;
  assert.is(result.covariance, 'data bootstraps');
  assert.is(result.nUnfolding, 4000);
  for (let k = 0; k < row.truth.length; k++)
    assert.ok(Math.abs(row.unfolded[k] - row.truth[k]) <= 1e-9 * row.truth[k], `bin ${k}`);
  assert.ok(row.chi2 < 1e-12, `χ² ${row.chi2}`);
  assert.is(row.ndf, 6);
  assert.ok(row.priorChi2 > 50, `prior χ² ${row.priorChi2}: the tilt is visible`);
});

test('closure on the smeared Gaussian toy: the unfolding closes at least 10× better than the prior', async () => {
  const toy = gaussToy({ nSim: 20000, nData: 100, seed: 5 });
  const result = await closureTest(toy.sim, { ...BINNED, nIterations: 4, dataBootstraps: 5 }, [
    { name: 'x', feature: 0, edges: EDGES },
  ]);
  const [row] = result.rows;
  assert.ok(row.chi2 * 10 < row.priorChi2, `χ² ${row.chi2.toFixed(1)} vs prior ${row.priorChi2.toFixed(1)}`);
  assert.ok(row.chi2 / row.ndf < 10, `χ²/ndf ${(row.chi2 / row.ndf).toFixed(2)}`);
  const other = gaussToy({ nSim: 20000, nData: 100, seed: 6 });
  const versus = await closureTest(toy.sim, { ...BINNED, nIterations: 4 }, [{ name: 'x', feature: 0, edges: EDGES }], {
    truthSim: other.sim,
    factor: defaultTilt,
  });
  assert.is(versus.covariance, 'sum of squared weights');
  assert.is(versus.nUnfolding, 20000);
  assert.ok(versus.rows[0].chi2 * 10 < versus.rows[0].priorChi2);
});

test('coverage with a perfect detector is the bootstrap coverage: about 68 % of toys within ±1σ', async () => {
  const result = await coverageScan(
    perfectDetector(6000, 4),
    { ...BINNED, nIterations: 1, dataBootstraps: 20 },
    [{ name: 'x', feature: 0, edges: EDGES }],
    40,
    { dataFraction: 0.5 },
  );
  const [row] = result.rows;
  const pooled = row.coverage.reduce((a, b) => a + b, 0) / row.coverage.length;
  // 240 bin-toys; with 20 bootstraps the expected fraction is about 0.67 (σ ≈ 0.03)
  assert.ok(pooled > 0.57 && pooled < 0.78, `pooled coverage ${pooled.toFixed(3)}`);
  for (const pull of row.meanPull) assert.ok(Math.abs(pull) < 0.5, `mean pull ${pull.toFixed(2)}`);
  assert.is(result.nToys, 40);
});

test('bad requests are one-line errors', async () => {
  const sim = perfectDetector(100, 8);
  const obs = [{ name: 'x', feature: 0, edges: EDGES }];
  for (const [run, pattern] of [
    [() => coverageScan(sim, BINNED, obs, 2), /check coverage needs --data-bootstraps of at least 2 .*; got 0/],
    [() => coverageScan(sim, { ...BINNED, dataBootstraps: 2 }, obs, 0), /--toys must be a positive integer; got 0/],
    [
      () => coverageScan(sim, { ...BINNED, dataBootstraps: 2 }, obs, 1, { dataFraction: 2 }),
      /--data-fraction must be in \(0, 1\]; got 2/,
    ],
    [
      () => closureTest(sim, BINNED, [{ name: 'y', feature: 3, edges: EDGES }]),
      /observable y must be a gen feature 0..0; got 3/,
    ],
  ] as const)
    await run().then(
      () => assert.unreachable('must reject'),
      (error: unknown) => assert.match((error as Error).message, pattern),
    );
});

test('omnifold check closure and check coverage print their tables', () => {
  const bin = join(process.cwd(), 'bin', 'omnifold.js');
  const common = ['--toy', 'gauss', '--events', '4000', '--classifier', 'binned', '--bins', 'x=-3:3:12', '--quiet'];
  const closure = spawnSync(
    process.execPath,
    [bin, 'check', 'closure', ...common, '--events', '20000', '--data-bootstraps', '5', '--hist-bins', 'x=-3:3:6'],
    { encoding: 'utf8' },
  );
  assert.is(closure.status, 0, closure.stderr);
  const row = /^x +([\d.]+)\/6 +([\d.]+)\/6$/m.exec(closure.stdout);
  assert.ok(row, closure.stdout);
  assert.ok(Number(row[1]) * 10 < Number(row[2]), 'the unfolding closes far better than the prior');
  const coverage = spawnSync(
    process.execPath,
    [bin, 'check', 'coverage', ...common, '--data-bootstraps', '3', '--toys', '2', '--hist-bins', 'x=-2:2:4'],
    { encoding: 'utf8' },
  );
  assert.is(coverage.status, 0, coverage.stderr);
  assert.match(coverage.stdout, /^coverage: 2 toys, 3 data bootstraps each/);
  assert.match(coverage.stdout, /x: mean coverage [01]\.\d\d; edges -2\.000 -1\.000 0\.000 1\.000 2\.000/);
  const bad = spawnSync(process.execPath, [bin, 'check', 'coverage', ...common, '--toys', '2'], { encoding: 'utf8' });
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /^omnifold: check coverage needs --data-bootstraps of at least 2 .*; got 0\n$/);
});

test.run();
