/**
 * How much each side learns at equal settings: the engine and the PyTorch reference
 * (bench/torch_reference.py, the same OmniFold with the engine's conventions) unfold the
 * embedded 8-D lepton-jet toy (misses and fakes) with the same network and training:
 * 3×100 ReLU, batch 10⁴, 10 epochs, no validation split and no early stopping, Adam 1e-3,
 * 4 iterations, the toy's ensemble of 4 (`--ensemble`). Per gen observable the table gives
 * the shape χ²/ndf of the unfolded histogram against the toy's truth (the gen level of the
 * pseudo-data), over the toy's summary bins, computed for every side by the engine's own
 * summary code (src/publish/run_summary.ts); and the prior's.
 *
 *   npm run build && node dist/bench/equal_settings.bench.js [--events N] [--seeds K] [--ensemble M]
 *       [--epochs E] [--batch B] [--hidden 100,100,100] [--engine-args '...'] [--torch-args '...']
 *
 * Torch runs twice, side by side (one process each): as a PyTorch user writes it (nn.Linear's
 * own initialisation, Adam ε 1e-8), and with the engine's initialisation and ε (He-uniform
 * ReLU layers, Glorot-uniform logit layer, zero biases, ε 1e-7), which separates what the
 * initialisation and ε do from the rest. With --seeds K every side runs K seeds (the
 * events stay the same; the networks, shuffles and bootstraps change) and the table gives the
 * mean χ²/ndf over the seeds (--first-seed S: seeds S..S+K−1), with the worst observable of each seed above it: one seed's χ²
 * moves by tens of percent from the training noise alone. Extra engine flags (e.g. --lr) go in
 * --engine-args, extra reference flags in --torch-args; --engine-only skips the torch runs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  benchFile,
  closure,
  findTorchPython,
  machineLine,
  readEngineWeights,
  readNpyF64,
  repoRoot,
  table,
  timed,
  writeToy,
} from './torch_common.js';

const { values: opts } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    seeds: { type: 'string', default: '1' },
    'first-seed': { type: 'string', default: '0' },
    ensemble: { type: 'string', default: '4' },
    iterations: { type: 'string', default: '4' },
    epochs: { type: 'string', default: '10' },
    batch: { type: 'string', default: '10000' },
    hidden: { type: 'string', default: '100,100,100' },
    'engine-args': { type: 'string', default: '' },
    'torch-args': { type: 'string', default: '' },
    'engine-only': { type: 'boolean', default: false },
    keep: { type: 'string' },
  },
});
const nEvents = Number(opts.events);
const nSeeds = Number(opts.seeds);
const firstSeed = Number(opts['first-seed']);
const common = [
  '--iterations',
  opts.iterations,
  '--ensemble',
  opts.ensemble,
  '--hidden',
  opts.hidden,
  '--batch',
  opts.batch,
  '--epochs',
  opts.epochs,
  '--patience',
  '0',
  '--validation',
  '0',
];
const words = (s: string) => s.split(/\s+/).filter((w) => w !== '');

console.log(`# equal_settings.bench: ${machineLine()}`);
const python = findTorchPython();
if (python === undefined) {
  console.log('equal_settings.bench: SKIPPED: no python3 can import torch (install Debian python3-torch)');
  process.exit(0);
}
console.log(
  `# lepton-jet toy, ${nEvents} events per sample; both sides: ${common.join(' ')} (Adam lr 1e-3)` +
    `${opts['engine-args'] ? `; engine also ${opts['engine-args']}` : ''}` +
    `${opts['torch-args'] ? `; torch also ${opts['torch-args']}` : ''}; seeds ${firstSeed}..${firstSeed + nSeeds - 1}`,
);

/** Runs one torch variant; resolves with its stdout (rejects on a non-zero exit). */
function runTorch(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(python!, [benchFile('torch_reference.py'), ...args], {
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`torch reference exit ${code}:\n${err}`)),
    );
  });
}

const SIDES = opts['engine-only'] ? ['engine'] : ['engine', 'torch', 'torch, engine init + ε'];
const dir = opts.keep ?? mkdtempSync(path.join(os.tmpdir(), 'omnifold-equal-'));
try {
  const toyDir = path.join(dir, 'toy');
  const toy = writeToy(toyDir, nEvents);
  const prior = closure(toy, toy.sim.weights);
  // [side][seed][feature]
  const results: number[][][] = SIDES.map(() => []);
  const seconds: number[][] = SIDES.map(() => []);
  for (let seed = firstSeed; seed < firstSeed + nSeeds; seed++) {
    const out = path.join(dir, `engine_${seed}`);
    rmSync(out, { recursive: true, force: true });
    const engine = timed(process.execPath, [
      path.join(repoRoot(), 'bin', 'omnifold.js'),
      'unfold',
      '--events',
      String(nEvents),
      ...common,
      '--seed',
      String(seed),
      '--threads',
      String(os.availableParallelism()),
      ...words(opts['engine-args']),
      '--out',
      out,
      '--quiet',
      '--no-plots',
    ]);
    if (engine.status !== 0) throw new Error(`engine failed (exit ${engine.status}):\n${engine.stderr}`);
    results[0].push(closure(toy, await readEngineWeights(out)).map((c) => c.chi2ndf));
    seconds[0].push(engine.wallS);

    const variants = opts['engine-only'] ? [] : [[], ['--init', 'engine', '--adam-eps', '1e-7']];
    const t0 = performance.now();
    await Promise.all(
      variants.map((extra, v) =>
        runTorch([
          '--input',
          toyDir,
          '--out',
          path.join(dir, `torch${v}_${seed}`),
          ...common,
          '--seed',
          String(seed),
          '--only',
          'nominal',
          '--processes',
          '1',
          ...extra,
          ...words(opts['torch-args']),
        ]),
      ),
    );
    variants.forEach((_, v) => {
      results[v + 1].push(
        closure(toy, readNpyF64(path.join(dir, `torch${v}_${seed}`, 'weight.npy'))).map((c) => c.chi2ndf),
      );
      seconds[v + 1].push((performance.now() - t0) / 1000);
    });
    console.log(
      `# seed ${seed}: worst χ²/ndf ${SIDES.map((s, k) => `${s} ${Math.max(...results[k][seed - firstSeed]).toFixed(2)}`).join(', ')}` +
        ` (engine ${engine.wallS.toFixed(0)} s on ${os.availableParallelism()} threads` +
        `${variants.length ? `; torch variants side by side ${seconds[1][seed - firstSeed].toFixed(0)} s` : ''})`,
    );
  }
  for (let k = 0; k < SIDES.length; k++)
    results[k].forEach((r, i) =>
      console.log(
        `# ${SIDES[k]}, seed ${firstSeed + i}: ${r.map((v, f) => `${prior[f].feature} ${v.toFixed(2)}`).join(', ')}`,
      ),
    );
  const mean = (side: number, f: number) => results[side].reduce((s, r) => s + r[f], 0) / nSeeds;
  const rows = prior.map((p, f) => [p.feature, p.chi2ndf.toFixed(2), ...SIDES.map((_, k) => mean(k, f).toFixed(2))]);
  rows.push([
    'worst',
    Math.max(...prior.map((p) => p.chi2ndf)).toFixed(2),
    ...SIDES.map((_, k) => Math.max(...prior.map((_p, f) => mean(k, f))).toFixed(2)),
  ]);
  console.log(
    `\nχ²/ndf against the truth${nSeeds > 1 ? `, mean over ${nSeeds} seeds` : ''}\n${table(['observable', 'prior', ...SIDES], rows)}`,
  );
} finally {
  if (opts.keep === undefined) rmSync(dir, { recursive: true, force: true });
}
