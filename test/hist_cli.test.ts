// A small multi-replica run written as weights.arrow, then `omnifold hist` on it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replicaUncertainties } from '../src/uncertainty/covariance.js';
import { binnedSums } from '../src/uncertainty/quantities.js';
import { fromColumns } from '../src/base/features.js';
import { parseBins } from '../src/cli/bins.js';
import { readWeightsFile, writeWeightsFile } from '../src/publish/weights_file.js';
import { runReplicas } from '../src/execution/run_replicas.js';
import { ToyRandom } from '../src/toys/toy_random.js';
import { assertClose } from './helpers/close.js';
import { testDir } from './helpers/temp_dir.js';

const root = fileURLToPath(new URL('../..', import.meta.url)); // dist/test → repository root
const histModule = fileURLToPath(new URL('../src/cli/hist.js', import.meta.url));
const dir = testDir('omnifold-hist-');
const weightsPath = join(dir, 'weights.arrow');

async function makeWeightsFile() {
  const r = new ToyRandom(3, 0);
  const nSim = 1501;
  const pt: number[] = [];
  const phi: number[] = [];
  const recoPt: number[] = [];
  const recoPhi: number[] = [];
  for (let i = 0; i < nSim; i++) {
    pt.push(r.between(10, 50));
    phi.push(r.between(-3, 3));
    recoPt.push(pt[i] * (1 + r.normal(0, 0.1)));
    recoPhi.push(phi[i] + r.normal(0, 0.2));
  }
  const data = Array.from({ length: 901 }, () => {
    const t = 10 + 40 * Math.sqrt(r.uniform());
    return [t * (1 + r.normal(0, 0.1)), r.between(-3, 3)];
  });
  const sim = {
    gen: fromColumns([pt, phi], true),
    reco: fromColumns([recoPt, recoPhi], true),
    passGen: new Uint8Array(nSim).fill(1),
    passReco: new Uint8Array(nSim).fill(1),
    weights: new Float64Array(nSim).fill(1),
    genNames: ['gen_pt', 'gen_phi'],
  };
  const dataSample = {
    reco: fromColumns([data.map((d) => d[0]), data.map((d) => d[1])], true),
    weights: new Float64Array(data.length).fill(1),
  };
  const run = await runReplicas(sim, dataSample, {
    nIterations: 2,
    classifier: {
      type: 'binned',
      edges: [
        [15, 20, 25, 30, 35, 40, 45],
        [-2, 0, 2],
      ],
    },
    dataBootstraps: 5,
    simBootstraps: 3,
    systematics: [{ name: 'scale', kind: 'reco-transform', feature: 0, scale: 1.02 }],
  });
  const replicas = run.columns.slice(1);
  await writeWeightsFile(weightsPath, {
    genNames: sim.genNames,
    gen: sim.gen,
    passGen: sim.passGen,
    passReco: sim.passReco,
    priorWeights: sim.weights,
    dataWeightSum: data.length,
    result: run.nominal,
    replicas,
    configuration: {},
    inputs: [],
  });
  // the same nominal result without replica columns
  await writeWeightsFile(join(dir, 'nominal_only.arrow'), {
    genNames: sim.genNames,
    gen: sim.gen,
    passGen: sim.passGen,
    passReco: sim.passReco,
    priorWeights: sim.weights,
    dataWeightSum: data.length,
    result: run.nominal,
    replicas: [],
    configuration: {},
    inputs: [],
  });
  return { pt, phi, columns: run.columns };
}

function hist(args: string[]) {
  const script = `import(${JSON.stringify(histModule)}).then((m) => m.runHist(process.argv.slice(1))).then((c) => { process.exitCode = c; });`;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script, '--', ...args], {
    encoding: 'utf8',
    cwd: root,
  });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

test('bins spec: lo:hi:n and explicit edges', () => {
  assert.equal(Array.from(parseBins('0:1:4')), [0, 0.25, 0.5, 0.75, 1]);
  assert.equal(Array.from(parseBins('0,1,5')), [0, 1, 5]);
  assert.throws(
    () => parseBins('1:0:3'),
    /^--bins lo:hi:n must have finite lo < hi and a positive integer n; got "1:0:3"$/,
  );
  assert.throws(() => parseBins('1'), /^--bins must be lo:hi:n or at least two comma-separated numbers; got "1"$/);
  assert.throws(() => parseBins('0,2,1'), /^--bins edges must be strictly increasing; got 2 then 1 at index 2$/);
});

test('hist prints per-bin values with uncertainties and a correlation matrix, and writes JSON', async () => {
  const toy = await makeWeightsFile();
  const jsonPath = join(dir, 'h.json');
  const out = hist([
    weightsPath,
    '--obs',
    'gen_pt*cos(gen_phi)',
    '--bins',
    '-50:50:5',
    '--where',
    'gen_pt > 12',
    '--json',
    jsonPath,
  ]);
  assert.is(out.stderr, '');
  assert.is(out.code, 0);
  assert.match(
    out.stdout,
    /histogram of gen_pt\*cos\(gen_phi\) in .*weights\.arrow where gen_pt > 12: 5 bins; 5 data bootstraps, 3 sim bootstraps, 1 systematic \(scale\)/,
  );
  assert.match(out.stdout, /bin +range +value +stat +sim-stat +syst +total\n/);
  assert.match(out.stdout, /\n +1 +\[-50, -30\) +[-0-9.e+]+ +[0-9.e+-]+ +[0-9.e+-]+ +[0-9.e+-]+ +[0-9.e+-]+\n/);
  assert.match(out.stdout, /correlation \(total\)\n +1 +2 +3 +4 +5\n *1 +1\.00 /);
  // the JSON matches a direct computation from the same columns
  const x = toy.pt.map((p, i) => p * Math.cos(toy.phi[i]));
  const mask = Uint8Array.from(toy.pt, (p) => (p > 12 ? 1 : 0));
  const edges = parseBins('-50:50:5');
  const want = replicaUncertainties(toy.columns, (w) => binnedSums(x, w, edges, mask));
  const json = JSON.parse(readFileSync(jsonPath, 'utf8'));
  assertClose('json value', json.histogram.value, want.nominal);
  assertClose('json total covariance', json.histogram.covariance.total, want.total, { rtol: 1e-9, atol: 1e-9 }); // file columns are f32 gen features → same f32 x
  assert.is(json.histogram.nDataBootstraps, 5);
  assert.ok(want.total[0] > 0);
});

test('hist --moment gives the weighted mean with its uncertainties', () => {
  const out = hist([weightsPath, '--moment', 'cos(2*gen_phi)']);
  assert.is(out.stderr, '');
  assert.is(out.code, 0);
  assert.match(
    out.stdout,
    /weighted mean of cos\(2\*gen_phi\) in .*: 5 data bootstraps|weighted mean of cos\(2\*gen_phi\) in .*; 5 data bootstraps/,
  );
  assert.match(
    out.stdout,
    /\n {2}[-0-9.e+]+ ± [0-9.e+-]+ \(stat\) ± [0-9.e+-]+ \(sim-stat\) ± [0-9.e+-]+ \(syst\); total ± [0-9.e+-]+\n$/,
  );
});

test('hist without replica columns: stat = √Σw² of the nominal weights, said so', async () => {
  const path = join(dir, 'nominal_only.arrow');
  const out = hist([path, '--obs', 'gen_pt', '--bins', '10:50:4', '--json', join(dir, 'n.json')]);
  assert.is(out.code, 0, out.stderr);
  assert.match(out.stdout, /no replica columns: stat = √Σw² of the nominal weights, correlations unknown/);
  const json = JSON.parse(readFileSync(join(dir, 'n.json'), 'utf8'));
  const file = await readWeightsFile(path);
  const w = file.columns.get('weight') as Float64Array;
  const squared = binnedSums(
    file.columns.get('gen_pt') as Float32Array,
    Float64Array.from(w, (v) => v * v),
    parseBins('10:50:4'),
  );
  assertClose('stat = sqrt(sum w^2)', json.histogram.uncertainty.stat, Array.from(squared, Math.sqrt), {
    rtol: 1e-12,
    atol: 0,
  });
  assert.equal(json.histogram.uncertainty.total, json.histogram.uncertainty.stat);
  assert.is(json.histogram.correlation[1], 0, 'no correlation without replicas');
});

test('hist --normalise: xsec = events / (L·width) with its covariance; a shape has area 1 and each replica its own', () => {
  const args = [weightsPath, '--obs', 'gen_pt', '--bins', '10,20,30,50', '--where', 'gen_pt > 12'];
  const widths = [10, 10, 20];
  const run = (normalise: string[], name: string) => {
    const out = hist([...args, ...normalise, '--json', join(dir, name)]);
    assert.is(out.code, 0, out.stderr);
    return { stdout: out.stdout, json: JSON.parse(readFileSync(join(dir, name), 'utf8')).histogram };
  };
  const events = run([], 'events.json');
  const xsec = run(['--normalise', 'xsec:4:fb'], 'xsec.json');
  const shape = run(['--normalise', 'shape'], 'shape.json');
  assert.equal(events.json.normalisation.kind, 'events');
  assert.equal(
    { ...xsec.json.normalisation, description: undefined },
    { kind: 'xsec', luminosity: 4, unit: 'fb', option: 'xsec:4:fb', description: undefined },
  );
  assert.match(xsec.stdout, /values: differential cross section: .* luminosity 4 \/fb and by the bin width\n/);
  const n = widths.length;
  assertClose(
    'xsec values',
    xsec.json.value,
    events.json.value.map((v: number, k: number) => v / (4 * widths[k])),
  );
  assertClose(
    'xsec covariance',
    xsec.json.covariance.total,
    events.json.covariance.total.map((v: number, ij: number) => v / (16 * widths[Math.floor(ij / n)] * widths[ij % n])),
  );
  const area = shape.json.value.reduce((a: number, v: number, k: number) => a + v * widths[k], 0);
  assertClose('shape area', area, 1);
  // every bootstrap normalised to area 1: Σ_k width_k cov(k, j) = 0
  for (let j = 0; j < n; j++) {
    const row = widths.reduce((a, w, k) => a + w * shape.json.covariance.stat[k * n + j], 0);
    assert.ok(Math.abs(row) < 1e-12 * Math.max(...shape.json.covariance.stat), `row ${j}: ${row}`);
  }
  assert.match(shape.stdout, /values: shape: normalised to unit area over the shown bins/);
  const bad = hist([...args, '--normalise', 'xsec:0']);
  assert.is(bad.code, 2);
  assert.match(
    bad.stderr,
    /^omnifold: --normalise xsec:LUMI must have LUMI a finite positive number; got "0" in "xsec:0"\n$/,
  );
  const alone = hist([weightsPath, '--moment', 'gen_pt', '--normalise', 'shape']);
  assert.is(alone.code, 2);
  assert.match(alone.stderr, /^omnifold: --normalise must come with --obs and --bins .*; got no --obs\n$/);
});

test('hist errors: one line on stderr, exit 2', () => {
  const cases: [string[], RegExp][] = [
    [
      [weightsPath, '--obs', 'gen_pt*cos(gen_phi', '--bins', '0:1:2'],
      /^omnifold: expression "gen_pt\*cos\(gen_phi" : expected "\)" at position 18; got end of input\n$/,
    ],
    [
      [weightsPath, '--obs', 'pt', '--bins', '0:1:2'],
      /^omnifold: expression "pt" : expected a column name at position 0; got unknown column "pt" \(columns are gen_pt, gen_phi, pass_gen, pass_reco, weight, data_boot_0, .*syst_scale\)\n$/,
    ],
    [[weightsPath, '--obs', 'gen_pt'], /^omnifold: --obs and --bins must be given together; got only --obs\n$/],
    [[weightsPath], /^omnifold: hist must be given --obs with --bins, or --moment; got neither/],
    [
      [weightsPath, '--obs', 'gen_pt', '--bins', 'x'],
      /^omnifold: --bins must be lo:hi:n or at least two comma-separated numbers; got "x"\n$/,
    ],
    [[weightsPath, '--frobnicate'], /^omnifold: Unknown option '--frobnicate'/],
  ];
  for (const [args, re] of cases) {
    const out = hist(args);
    assert.is(out.code, 2, args.join(' '));
    assert.match(out.stderr, re);
    assert.is(out.stdout, '');
  }
});

test('omnifold hist through the bin entry (when main.ts dispatches hist)', () => {
  const out = spawnSync(process.execPath, ['bin/omnifold.js', 'hist', weightsPath, '--moment', 'gen_pt'], {
    encoding: 'utf8',
    cwd: root,
  });
  assert.is(out.status, 0, out.stderr);
  assert.match(out.stdout, /weighted mean of gen_pt/);
});

test.run();
