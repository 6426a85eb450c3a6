/**
 * A whole unfolding job, end to end, engine against PyTorch on the same machine: the embedded
 * 8-D lepton-jet toy (misses and fakes), the nominal unfolding with an M-member ensemble plus
 * B data bootstraps, N iterations, the toy's MLP (3×50 ReLU, batch 512, at most 20 epochs,
 * 20 % validation, patience 5, Adam 1e-3). Defaults: the job of issue 18, 10⁵ events per
 * sample, M = 4, B = 20, N = 4.
 *
 *   npm run build && node dist/bench/full_job.bench.js [--scale S] [--events N] [--bootstraps B]
 *       [--ensemble M] [--iterations N] [--threads T] [--keep DIR]
 *
 * --scale S multiplies the default events and bootstraps (S = 0.2: 2·10⁴ events, 4 bootstraps).
 * The engine runs as `omnifold unfold` with --threads T (default os.availableParallelism()), one
 * process whose worker threads share the events. The reference is bench/torch_reference.py,
 * the same algorithm and conventions in PyTorch, on the same events: its unfoldings (nominal
 * and each bootstrap) run one per process on a pool of T processes, one torch thread each.
 * Both run under /usr/bin/time: the table gives each side's wall time, their ratio, and the
 * peak resident memory (the engine: its one process; torch: the largest process, and the sum
 * of the parent's and every worker's peaks, which bounds the job's footprint). The nominal's
 * worst χ²/ndf against the truth is printed for each side as a check that both unfolded.
 * Skips (one line saying why) when no python3 can import torch.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
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
    scale: { type: 'string', default: '1' },
    events: { type: 'string' },
    bootstraps: { type: 'string' },
    ensemble: { type: 'string', default: '4' },
    iterations: { type: 'string', default: '4' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
    keep: { type: 'string' },
  },
});
const scale = Number(opts.scale);
const nEvents = Number(opts.events ?? Math.round(1e5 * scale));
const nBoot = Number(opts.bootstraps ?? Math.round(20 * scale));
const nMembers = Number(opts.ensemble);
const nIterations = Number(opts.iterations);
const threads = Number(opts.threads);
// the toy's own MLP settings (src/toys/lepton_jet.ts) with the MLP defaults for the rest
const MLP = { hidden: '50,50,50', epochs: 20, batch: 512, patience: 5, validation: 0.2 };

console.log(`# full_job.bench: ${machineLine()}`);
const python = findTorchPython();
if (python === undefined) {
  console.log('full_job.bench: SKIPPED: no python3 can import torch (install Debian python3-torch)');
  process.exit(0);
}
console.log(
  `# lepton-jet toy, ${nEvents} events per sample, nominal + ${nBoot} data bootstraps, ensemble ${nMembers}, ` +
    `${nIterations} iterations; MLP ${MLP.hidden} ReLU, batch ${MLP.batch}, ≤ ${MLP.epochs} epochs, ` +
    `validation ${MLP.validation}, patience ${MLP.patience}, Adam 1e-3; ${threads} threads / processes`,
);

const dir = opts.keep ?? mkdtempSync(path.join(os.tmpdir(), 'omnifold-fulljob-'));
try {
  const toy = writeToy(path.join(dir, 'toy'), nEvents);
  const engineOut = path.join(dir, 'engine');
  const torchOut = path.join(dir, 'torch');
  rmSync(engineOut, { recursive: true, force: true });

  const engine = timed(process.execPath, [
    path.join(repoRoot(), 'bin', 'omnifold.js'),
    'unfold',
    '--events',
    String(nEvents),
    '--ensemble',
    String(nMembers),
    '--data-bootstraps',
    String(nBoot),
    '--iterations',
    String(nIterations),
    '--threads',
    String(threads),
    '--hidden',
    MLP.hidden,
    '--epochs',
    String(MLP.epochs),
    '--batch',
    String(MLP.batch),
    '--patience',
    String(MLP.patience),
    '--validation',
    String(MLP.validation),
    '--out',
    engineOut,
    '--quiet',
    '--no-plots',
  ]);
  if (engine.status !== 0) throw new Error(`engine failed (exit ${engine.status}):\n${engine.stderr}`);
  console.log(`# engine: ${engine.wallS.toFixed(1)} s, peak RSS ${engine.maxRssMiB.toFixed(0)} MiB`);

  const torch = timed(
    python,
    [
      benchFile('torch_reference.py'),
      '--input',
      path.join(dir, 'toy'),
      '--out',
      torchOut,
      '--iterations',
      String(nIterations),
      '--ensemble',
      String(nMembers),
      '--data-bootstraps',
      String(nBoot),
      '--processes',
      String(threads),
      '--hidden',
      MLP.hidden,
      '--epochs',
      String(MLP.epochs),
      '--batch',
      String(MLP.batch),
      '--patience',
      String(MLP.patience),
      '--validation',
      String(MLP.validation),
    ],
    { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
  );
  if (torch.status !== 0) throw new Error(`torch reference failed (exit ${torch.status}):\n${torch.stderr}`);
  const report = JSON.parse(torch.stdout.trim().split('\n').pop()!) as {
    wall_s: number;
    fits: number;
    epochs: number;
    unfolding_s: number[];
    total_rss_mib: number;
    torch: string;
  };

  const worst = (w: Float64Array) => Math.max(...closure(toy, w).map((c) => c.chi2ndf));
  const engineWorst = worst(await readEngineWeights(engineOut));
  const torchWorst = worst(readNpyF64(path.join(torchOut, 'weight.npy')));
  const priorWorst = worst(toy.sim.weights);
  const meanUnfolding = report.unfolding_s.reduce((s, v) => s + v, 0) / report.unfolding_s.length;

  console.log(
    `\n${table(
      ['side', 'wall s', 'torch/engine', 'peak RSS MiB', 'nominal worst χ²/ndf'],
      [
        [
          `engine (${threads} threads)`,
          engine.wallS.toFixed(1),
          '1',
          engine.maxRssMiB.toFixed(0),
          engineWorst.toFixed(2),
        ],
        [
          `torch ${report.torch} (${threads} processes)`,
          torch.wallS.toFixed(1),
          (torch.wallS / engine.wallS).toFixed(2),
          `${torch.maxRssMiB.toFixed(0)} largest, ${report.total_rss_mib.toFixed(0)} sum`,
          torchWorst.toFixed(2),
        ],
      ],
    )}`,
  );
  console.log(
    `\n# prior worst χ²/ndf ${priorWorst.toFixed(2)}; torch: ${report.fits} fits, ${report.epochs} epochs, ` +
      `${meanUnfolding.toFixed(1)} s per unfolding on one core (${report.unfolding_s.length} unfoldings); ` +
      `load average after: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
} finally {
  if (opts.keep === undefined) rmSync(dir, { recursive: true, force: true });
}
