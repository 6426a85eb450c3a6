/**
 * Learning per epoch, engine against PyTorch, on one OmniFold fit: step 1 of the first
 * iteration on the embedded lepton-jet toy (the sim passing reco, class 0, against the
 * pseudo-data, class 1, reco level, unit weights). Both sides train the same network with the
 * same settings (default 3×100 ReLU, batch 10⁴, 10 epochs, Adam 1e-3, each class rescaled to
 * total n/2) and hold out the same fraction (20 %, a random split of their own) to measure the
 * weighted cross-entropy after every epoch. The table gives ln 2 − loss in millinats (what the
 * network has learned; 0 for a constant output), the mean over the seeds, per epoch.
 *
 *   npm run build && node dist/bench/learning_curve.bench.js [--events N] [--seeds K] [--epochs E]
 *       [--batch B] [--hidden 100,100,100] [--lr 1e-3] [--engine-eps 1e-7]
 *
 * Columns: the engine (its defaults: He-uniform ReLU layers, Glorot-uniform logit layer, zero
 * biases, Adam ε 1e-7, or --engine-eps); torch as a PyTorch user writes it (nn.Linear's own
 * initialisation, uniform with bound 1/√fan_in for weights and biases, ε 1e-8); torch with the
 * engine's initialisation and ε (--engine-only: the engine alone). The torch runs go one after the other in one python process
 * per variant and seed; the engine trains in this process.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MlpClassifier } from '../src/classifiers/mlp/classifier.js';
import { leptonJetToy } from '../src/toys/lepton_jet.js';
import { selectRows } from '../src/base/features.js';
import { benchFile, findTorchPython, machineLine, table } from './torch_common.js';

const { values: opts } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    seeds: { type: 'string', default: '3' },
    epochs: { type: 'string', default: '10' },
    batch: { type: 'string', default: '10000' },
    hidden: { type: 'string', default: '100,100,100' },
    lr: { type: 'string', default: '1e-3' },
    'engine-eps': { type: 'string', default: '1e-7' },
    validation: { type: 'string', default: '0.2' },
    'engine-only': { type: 'boolean', default: false },
  },
});
const nEvents = Number(opts.events);
const nSeeds = Number(opts.seeds);
const epochs = Number(opts.epochs);
const settings = {
  hidden: opts.hidden.split(',').map(Number),
  epochs,
  batchSize: Number(opts.batch),
  learningRate: Number(opts.lr),
  validationFraction: Number(opts.validation),
  patience: 0,
};

console.log(`# learning_curve.bench: ${machineLine()}`);
const python = findTorchPython();
console.log(
  `# lepton-jet toy ${nEvents} events per sample, step 1 of iteration 1; ${opts.hidden} ReLU, batch ${opts.batch}, ` +
    `${epochs} epochs, lr ${opts.lr}, validation ${opts.validation}; engine Adam ε ${opts['engine-eps']}; seeds 0..${nSeeds - 1}`,
);

const toy = leptonJetToy({ nSim: nEvents, nData: nEvents });
const rows = Uint32Array.from(toy.sim.passReco.reduce<number[]>((a, p, i) => (p ? (a.push(i), a) : a), []));
const x0 = selectRows(toy.sim.reco, rows);
const x1 = toy.data.reco;
const w0 = new Float64Array(x0.nEvents).fill(1);
const w1 = toy.data.weights;

const columns: string[] = ['engine'];
const curves: number[][][] = [[]]; // [column][seed][epoch]
for (let seed = 0; seed < nSeeds; seed++) {
  const losses: number[] = [];
  new MlpClassifier({ ...settings, adamEpsilon: Number(opts['engine-eps']) }).fit(x0, w0, x1, w1, {
    rngKey: { seed, kind: 'nominal', replica: 0, iteration: 1, step: 'step1', member: 0 },
    onEpoch: (e) => losses.push(e.validationLoss),
  });
  curves[0].push(losses);
}

if (python === undefined || opts['engine-only']) {
  if (python === undefined) console.log('# no python3 can import torch: engine only');
} else {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'omnifold-curve-'));
  try {
    mkdirSync(dir, { recursive: true });
    const raw = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ n0: x0.nEvents, n1: x1.nEvents, nFeatures: 8 }));
    writeFileSync(path.join(dir, 'x0.f32'), raw(x0.values));
    writeFileSync(path.join(dir, 'x1.f32'), raw(x1.values));
    writeFileSync(path.join(dir, 'w0.f64'), raw(w0));
    writeFileSync(path.join(dir, 'w1.f64'), raw(w1));
    const common = [
      '--hidden',
      opts.hidden,
      '--batch',
      opts.batch,
      '--epochs',
      opts.epochs,
      '--lr',
      opts.lr,
      '--validation',
      opts.validation,
      '--patience',
      '0',
    ];
    const variants: [string, string[]][] = [
      ['torch', []],
      ['torch, engine init + ε', ['--init', 'engine', '--adam-eps', '1e-7']],
    ];
    for (const [name, extra] of variants) {
      columns.push(name);
      const c: number[][] = [];
      for (let seed = 0; seed < nSeeds; seed++) {
        const r = spawnSync(python, [benchFile('torch_curve.py'), dir, String(seed), ...common, ...extra], {
          encoding: 'utf8',
          env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
        });
        if (r.status !== 0) throw new Error(`torch_curve.py failed (exit ${r.status}):\n${r.stderr}`);
        c.push((JSON.parse(r.stdout.trim().split('\n').pop()!) as { losses: number[] }).losses);
      }
      curves.push(c);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const learned = (col: number, e: number) =>
  (curves[col].reduce((s, c) => s + (Math.LN2 - c[e]), 0) / curves[col].length) * 1000;
const body = Array.from({ length: epochs }, (_, e) => [
  String(e + 1),
  ...columns.map((_, col) => learned(col, e).toFixed(2)),
]);
console.log(`\nln 2 − validation loss (millinats), mean over ${nSeeds} seeds\n${table(['epoch', ...columns], body)}`);
console.log(
  `\n# last epoch per seed: ${columns
    .map((name, col) => `${name} ${curves[col].map((c) => ((Math.LN2 - c[epochs - 1]) * 1000).toFixed(2)).join(' ')}`)
    .join('; ')}`,
);
