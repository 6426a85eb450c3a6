/**
 * Side-by-side training speed: the engine's MLP (wasm SIMD, 1 thread) vs PyTorch (1 thread,
 * OPENBLAS_NUM_THREADS=1) on the same data, same network (8 inputs, 3 hidden ReLU layers of
 * 50 or 100, Adam, same epochs), at batch 128, 512 and 10^4. Prints samples·epochs/s and
 * the ratio engine/torch. Skips (one line saying why) when no python3 can import torch.
 *
 *   npm run build && node dist/bench/torch.bench.js [nEvents] [epochs] [repeats]
 *
 * Each repeat trains 3 fresh networks back to back on each side (the engine in this
 * process, then torch in one python process) and keeps the fastest of each. With
 * repeats > 1 (default 1) the sides alternate `repeats` times per row. The table then
 * shows the best throughput of each side, their ratio, and the median of the per-repeat
 * ratios (each engine repeat divided by the torch repeat right after it). On a shared
 * machine another busy process can slow either side by up to 2× for seconds at a time;
 * the paired median resists that best, as both halves of a pair run within seconds of
 * each other. COMPARE_TORCH_PAIRS=1 prints every pair. One untimed engine fit runs first
 * (wasm tier-up), and the load average is printed at the end.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MlpClassifier } from '../src/classifiers/mlp/classifier.js';
import { RandomStream } from '../src/base/rng.js';

const N_FEATURES = 8;
const nEvents = Number(process.argv[2] ?? 50000);
const epochs = Number(process.argv[3] ?? 2);
const repeats = Math.max(1, Math.floor(Number(process.argv[4] ?? 1)));
/** Trainings per side within one repeat, back to back, the fastest counted. */
const BACK_TO_BACK = 3;

/** The first python that can import torch: Debian's /usr/bin/python3 first (python3-torch). */
function findTorchPython(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return undefined;
}

/** Two classes of 8 correlated features: class 1 shifted and wider (Box–Muller; bench data only). */
function makeData(n: number): { x0: Float32Array; x1: Float32Array } {
  const s = new RandomStream({ seed: 3, kind: 'nominal', replica: 0, iteration: 0, step: 'none', member: 0 }, 'toy');
  const gauss = () => Math.sqrt(-2 * Math.log(1 - s.nextDouble())) * Math.cos(2 * Math.PI * s.nextDouble());
  const half = n / 2;
  const x0 = new Float32Array(half * N_FEATURES);
  const x1 = new Float32Array(half * N_FEATURES);
  for (let i = 0; i < half; i++) {
    let common = gauss();
    for (let f = 0; f < N_FEATURES; f++) x0[i * N_FEATURES + f] = 0.5 * common + gauss();
    common = gauss();
    for (let f = 0; f < N_FEATURES; f++) x1[i * N_FEATURES + f] = 0.2 * f + 0.5 * common + 1.2 * gauss();
  }
  return { x0, x1 };
}

const python = findTorchPython();
console.log(
  `# torch.bench: Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} hardware threads, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
if (python === undefined) {
  console.log(
    'torch.bench: SKIPPED: no python3 can import torch (install Debian python3-torch: apt-get install -y python3-torch)',
  );
  process.exit(0);
}
console.log(
  `# ${nEvents} events × ${epochs} epochs, ${N_FEATURES} inputs, ReLU, Adam lr 1e-3; engine 1 thread, torch via ${python} with 1 thread${repeats > 1 ? `; best of ${repeats} runs each` : ''}; each run the fastest of ${BACK_TO_BACK} trainings back to back`,
);

const { x0, x1 } = makeData(nEvents);
const half = nEvents / 2;
const dir = mkdtempSync(path.join(os.tmpdir(), 'omnifold-torch-'));
const dataPath = path.join(dir, 'data.bin');
const labels = new Float32Array(nEvents).fill(0, 0, half).fill(1, half);
const weights = new Float32Array(nEvents).fill(1);
const features = new Float32Array(nEvents * N_FEATURES);
features.set(x0);
features.set(x1, half * N_FEATURES);
writeFileSync(
  dataPath,
  Buffer.concat([features, labels, weights].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))),
);
// beside this file when run from source; two levels up from dist/bench/ when compiled
const script = [new URL('./torch.bench.py', import.meta.url), new URL('../../bench/torch.bench.py', import.meta.url)]
  .map((u) => fileURLToPath(u))
  .find((p) => existsSync(p))!;

const w = new Float64Array(half).fill(1);
const m0 = { values: x0, nEvents: half, nFeatures: N_FEATURES };
const m1 = { values: x1, nEvents: half, nFeatures: N_FEATURES };
const key = { seed: 1, kind: 'nominal' as const, replica: 0, iteration: 1, step: 'step1' as const, member: 0 };

// one untimed fit first: V8 compiles wasm with its baseline tier and swaps in the
// optimised code while it runs, which would otherwise land in the first timed row
new MlpClassifier({
  hidden: [50, 50, 50],
  activation: 'relu',
  epochs: 1,
  batchSize: 128,
  validationFraction: 0,
  patience: 0,
}).fit(
  { values: x0.subarray(0, 2048 * N_FEATURES), nEvents: 2048, nFeatures: N_FEATURES },
  w.subarray(0, 2048),
  { values: x1.subarray(0, 2048 * N_FEATURES), nEvents: 2048, nFeatures: N_FEATURES },
  w.subarray(0, 2048),
  { rngKey: key },
);

console.log(
  `\n  network  batch | engine samples·epochs/s | torch samples·epochs/s | engine/torch${repeats > 1 ? ' (best/best, median of pairs)' : ''}`,
);
let reported = false;
try {
  for (const width of [50, 100]) {
    for (const batchSize of [128, 512, 10000]) {
      let engine = 0;
      let torch = 0;
      const pairs: number[] = [];
      const pairLines: string[] = [];
      let result: { samples_epochs_per_s: number; torch: string; sgemm_gflops: number } | undefined;
      for (let rep = 0; rep < repeats; rep++) {
        // each side: the fastest of BACK_TO_BACK fresh trainings run one after the other
        let e = 0;
        for (let k = 0; k < BACK_TO_BACK; k++) {
          const clf = new MlpClassifier({
            hidden: [width, width, width],
            activation: 'relu',
            epochs,
            batchSize,
            validationFraction: 0,
            patience: 0,
          });
          const t0 = performance.now();
          clf.fit(m0, w, m1, w, { rngKey: key });
          e = Math.max(e, (nEvents * epochs) / ((performance.now() - t0) / 1000));
        }
        engine = Math.max(engine, e);
        const r = spawnSync(
          python,
          [
            script,
            dataPath,
            String(nEvents),
            String(N_FEATURES),
            String(width),
            '3',
            String(batchSize),
            String(epochs),
            String(BACK_TO_BACK),
          ],
          {
            env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
            encoding: 'utf8',
          },
        );
        if (r.status !== 0) throw new Error(`torch.bench.py failed: ${r.stderr}`);
        result = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
          samples_epochs_per_s: number;
          torch: string;
          sgemm_gflops: number;
        };
        torch = Math.max(torch, result.samples_epochs_per_s);
        pairs.push(e / result.samples_epochs_per_s);
        pairLines.push(`    pair ${rep + 1}: engine ${e.toFixed(0)}, torch ${result.samples_epochs_per_s.toFixed(0)}`);
      }
      if (result === undefined) throw new Error('torch.bench: no run');
      if (!reported) {
        reported = true;
        console.log(
          `  (torch ${result.torch}; its 1-thread sgemm at 10^4×100×100 runs at ${result.sgemm_gflops.toFixed(1)} GFLOP/s${result.sgemm_gflops < 10 ? ': a reference BLAS, not OpenBLAS (apt-get install libopenblas0-pthread)' : ''})`,
        );
      }
      pairs.sort((a, b) => a - b);
      const median =
        pairs.length % 2 === 1 ? pairs[pairs.length >> 1] : (pairs[pairs.length / 2 - 1] + pairs[pairs.length / 2]) / 2;
      const paired = repeats > 1 ? `, ${median.toFixed(2)}` : '';
      console.log(
        `  3×${String(width).padEnd(4)} ${String(batchSize).padStart(6)} | ${engine.toFixed(0).padStart(23)} | ${torch.toFixed(0).padStart(22)} | ${(engine / torch).toFixed(2).padStart(12)}${paired}`,
      );
      if (process.env.COMPARE_TORCH_PAIRS) for (const line of pairLines) console.log(line);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  `# load average at the end ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
