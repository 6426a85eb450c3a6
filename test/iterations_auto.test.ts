/**
 * `--iterations auto[:MAX]` (docs/algorithm.md §Iterations chosen from the data): the
 * criterion on hand-computed histograms; in the binned limit, the iteration the search
 * picks is the one the same criterion picks when computed here, independently, from
 * matrix IBU (src/analysis/ibu.ts) of the nominal and the Poisson-bootstrapped data; through
 * the CLI, the weights of an auto run are those of a plain run with the chosen number, bit
 * for bit, the choice is recorded in weights.arrow and summary.json, `verify` reproduces
 * the file, and every misuse is one line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveUnfoldOptions } from '../src/algorithm/options.js';
import { matrixIbu } from '../src/analysis/ibu.js';
import { poissonOneWeights } from '../src/base/rng.js';
import { searchIterations } from '../src/execution/iteration_search.js';
import { readWeightsFile } from '../src/publish/weights_file.js';
import { gaussToy } from '../src/toys/gauss.js';
import { chooseIterations } from '../src/uncertainty/iteration_choice.js';
import { assertBitEqual, assertClose } from './helpers/close.js';
import { testDir } from './helpers/temp_dir.js';

const BIN = join(process.cwd(), 'bin', 'omnifold.js');
const dir = testDir('omnifold-auto-');

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('criterion: χ²/ndf of the change against the bootstrap variance, bias-corrected, worst feature, first below the threshold', () => {
  const h = (...v: number[]) => Float64Array.from(v);
  // two features; iterations 0 (prior) .. 3
  const nominal = [
    [h(100, 100), h(50)],
    [h(120, 90), h(50)],
    [h(124, 88), h(53)],
    [h(125, 88), h(53.5)],
  ];
  // bootstraps at iterations 1..3, shifted by ±d (feature a) and ±e (feature b)
  const boot = (d: number, e: number) => [
    [h(120 + d, 90 - d), h(50 + e)],
    [h(124 + d, 88 - d), h(53 + e)],
    [h(125 + d, 88 - d), h(53.5 + e)],
  ];
  const boots = [boot(2, 1), boot(-2, -1), boot(2, 1), boot(-2, -1)];
  // variances (divisor B − 1 = 3): a 16/3 per bin, b 4/3; the factor (B − 3)/(B − 1) = 1/3
  const choice = chooseIterations(['a', 'b'], nominal, boots, { maxIterations: 3, threshold: 1 });
  assertClose('a', choice.features[0].values, [(400 + 100) / 16 / 2, (16 + 4) / 16 / 2, 1 / 16 / 2], {
    rtol: 1e-14,
    atol: 0,
  });
  assertClose('b', choice.features[1].values, [0, 9 / 4, 0.25 / 4], { rtol: 1e-14, atol: 0 });
  assert.equal(choice.features[0].ndf, [2, 2, 2]);
  assertClose('worst', choice.values, [15.625, 2.25, 0.0625], { rtol: 1e-14, atol: 0 });
  assert.equal([choice.chosen, choice.converged], [3, true]);
  const loose = chooseIterations(['a', 'b'], nominal, boots, { maxIterations: 3, threshold: 3 });
  assert.equal([loose.chosen, loose.converged], [2, true]);
  const strict = chooseIterations(['a', 'b'], nominal, boots, { maxIterations: 3, threshold: 0.05 });
  assert.equal([strict.chosen, strict.converged], [3, false]);
  assert.throws(
    () => chooseIterations(['a', 'b'], nominal, boots.slice(0, 3), { maxIterations: 3, threshold: 1 }),
    /at least 4 data bootstraps; got 3/,
  );
});

test('binned limit: auto picks the iteration the criterion picks on matrix IBU of the bootstrapped data', async () => {
  const toy = gaussToy({ nSim: 20000, nData: 20000, efficiency: 0.85 });
  const edges = toy.bins.x;
  const B = 5;
  const maxIterations = 9;
  const options = { classifier: { type: 'binned' as const, edges: [edges] } };
  const binning = { names: ['x'], edges: [edges], gen: toy.sim.gen, passGen: toy.sim.passGen };
  const choice = await searchIterations(toy.sim, toy.data, options, B, binning, { maxIterations, threshold: 1 });

  // the reference, independent of the loop: matrix IBU of the data and of each Poisson(1) bootstrap
  const { epsilon, wMax } = resolveUnfoldOptions({});
  const inRange = (cells: Float64Array) => Array.from(cells.subarray(1, edges.length)); // cells: under, bins, over
  const ibu = (weights: Float64Array) =>
    matrixIbu(
      toy.sim,
      { reco: toy.data.reco, weights },
      {
        nIterations: maxIterations,
        genEdges: [edges],
        misses: 'expectation',
        fakes: 'global',
        step2Reference: 'previous',
        epsilon,
        wMax,
      },
    ).genCells.map(inRange);
  const nominal = ibu(toy.data.weights);
  const boots = Array.from({ length: B }, (_, b) => {
    const key = { seed: 0, kind: 'data', replica: b, iteration: 0, step: 'none', member: 0 } as const;
    const draws = poissonOneWeights(toy.data.weights.length, key);
    return ibu(toy.data.weights.map((w, j) => w * draws[j]));
  });
  const prior = new Array<number>(edges.length - 1).fill(0);
  toy.sim.gen.values.forEach((x, i) => {
    const k = edges.findIndex((e, j) => j > 0 && x < e) - 1;
    if (x >= edges[0] && k >= 0) prior[k] += toy.sim.weights[i];
  });
  const D: number[] = [];
  for (let n = 0; n < maxIterations; n++) {
    const before = n === 0 ? prior : nominal[n - 1];
    let chi2 = 0;
    let ndf = 0;
    for (let k = 0; k < prior.length; k++) {
      const values = boots.map((h) => h[n][k]);
      const mean = values.reduce((s, v) => s + v, 0) / B;
      const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (B - 1);
      if (variance > 0) {
        chi2 += (nominal[n][k] - before[k]) ** 2 / variance;
        ndf++;
      }
    }
    D.push((((B - 3) / (B - 1)) * chi2) / ndf);
  }
  const want = D.findIndex((d) => d < 1) + 1;
  assertClose('D_n', choice.values, D, { rtol: 1e-6, atol: 0 });
  assert.is(choice.chosen, want);
  // a choice that means something: neither the first nor the last iteration
  assert.ok(want > 1 && want < maxIterations, `chosen ${want} of D ${D}`);
});

test('CLI: an auto run writes the weights of a plain run with the chosen number, and records the choice', () => {
  const common = ['unfold', '--toy', 'gauss', '--events', '20000', '--classifier', 'binned', '--data-bootstraps', '4'];
  const auto = run([...common, '--iterations', 'auto:8', '--out', 'auto']);
  assert.is(auto.code, 0, auto.stderr);
  const line = /iterations auto: chose (\d+), the first iteration with D_n < 1 \(D_n, .*\)\n/.exec(auto.stderr);
  assert.ok(line, auto.stderr);
  const chosen = Number(line[1]);
  const plain = run([...common, '--iterations', String(chosen), '--out', 'plain', '--no-plots', '--quiet']);
  assert.is(plain.code, 0, plain.stderr);
  return Promise.all([
    readWeightsFile(join(dir, 'auto/weights.arrow')),
    readWeightsFile(join(dir, 'plain/weights.arrow')),
  ]).then(([a, p]) => {
    assert.equal([...a.columns.keys()], [...p.columns.keys()]);
    for (const [name, values] of p.columns) assertBitEqual(name, a.columns.get(name)!, values);
    const conf = a.metadata.configuration as Record<string, any>;
    assert.is(conf.arguments.iterations, String(chosen));
    assert.is(conf.options.nIterations, chosen);
    const recorded = conf.iterationChoice;
    assert.is(recorded.requested, 'auto:8');
    assert.is(recorded.chosen, chosen);
    assert.is(recorded.values.length, 8);
    assert.is(recorded.features[0].feature, 'x');
    const summary = JSON.parse(readFileSync(join(dir, 'auto/summary.json'), 'utf8'));
    assert.equal(summary.iterationChoice, recorded);
    assert.is(summary.iterations.length, chosen);
    // the report shows every iteration's criterion, the chosen one marked
    const report = readFileSync(join(dir, 'auto/report.html'), 'utf8');
    assert.match(report, /<h3>Iterations chosen from the data<\/h3>/);
    assert.ok(report.includes(`<td class="warn">${chosen} (chosen)</td>`), 'chosen row');
    const verify = run(['verify', 'auto/weights.arrow']);
    assert.is(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /verified: 5 of 5 columns identical/);
  });
});

test('CLI: misuse of --iterations auto is one line', () => {
  const cases: [string[], RegExp][] = [
    [
      ['--iterations', 'auto'],
      /^omnifold: --iterations auto must come with --data-bootstraps 4 or more \(the criterion measures the statistical noise with them\); got --data-bootstraps 0\n$/,
    ],
    [
      ['--iterations', 'auto:0', '--data-bootstraps', '4'],
      /^omnifold: --iterations auto:MAX must be a positive integer; got "0"\n$/,
    ],
    [
      ['--auto-threshold', '0.5'],
      /^omnifold: --auto-threshold must come with --iterations auto\[:MAX\]; got --iterations not given\n$/,
    ],
    [
      ['--iterations', 'auto', '--data-bootstraps', '4', '--auto-threshold', '-1'],
      /^omnifold: --auto-threshold must be a positive number; got "-1"\n$/,
    ],
    [
      ['--iterations', 'auto', '--data-bootstraps', '4', '--replicas', '0'],
      /^omnifold: --iterations auto must not come with --replicas \(every part would search again\); got --replicas 0\n$/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = run(['unfold', '--toy', 'gauss', '--out', 'bad', ...args]);
    assert.is(r.code, 2, args.join(' '));
    assert.match(r.stderr, message);
  }
});

test.run();
