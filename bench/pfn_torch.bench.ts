/**
 * Side-by-side training speed of the pfn classifier (wasm SIMD, 1 thread) and the same
 * Particle Flow Network in PyTorch (1 thread; bench/pfn_torch.py, which times a padded and
 * a flat formulation and reports the faster), on the same jet-like data: Poisson(30)
 * particles of 3 features per event, Φ 100,100,128 and F 100,100, Adam, same epochs, at
 * batch 128 and 512. Prints samples·epochs/s and the ratio engine/torch. Skips (one line
 * saying why) when no python3 can import torch.
 *
 *   npm run bench:pfn-torch [-- nEvents epochs]
 *
 * A shared machine can slow either side by up to 2× for seconds: read the ratio as ±30 %.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeatureMatrix } from '../src/base/features.js';
import { RandomStream } from '../src/base/rng.js';
import { PfnClassifier } from '../src/classifiers/pfn/classifier.js';

const N_PARTICLE_FEATURES = 3;
const MEAN_MULTIPLICITY = 30;
const PHI = [100, 100, 128];
const F = [100, 100];
const nEvents = Number(process.argv[2] ?? 6000);
const epochs = Number(process.argv[3] ?? 1);

function findTorchPython(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return undefined;
}

/** Jet-like bench data: Poisson(30) particles; class 1's particles slightly wider (bench data only). */
function makeEvents(s: RandomStream, n: number, spread: number): FeatureMatrix {
  const offsets = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) {
    let k = 0;
    let p = Math.exp(-MEAN_MULTIPLICITY);
    let cdf = p;
    const u = s.nextDouble();
    while (u > cdf && k < 200) {
      k++;
      p *= MEAN_MULTIPLICITY / k;
      cdf += p;
    }
    offsets[i + 1] = offsets[i] + k;
  }
  const values = new Float32Array(offsets[n] * N_PARTICLE_FEATURES);
  for (let k = 0; k < values.length; k++) values[k] = spread * (2 * s.nextDouble() - 1);
  return {
    values: new Float32Array(0),
    nEvents: n,
    nFeatures: 0,
    particles: { offsets, values, nFeatures: N_PARTICLE_FEATURES },
  };
}

const python = findTorchPython();
console.log(
  `# pfn_torch.bench: Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
if (python === undefined) {
  console.log('pfn_torch.bench: SKIPPED: no python3 can import torch (install Debian python3-torch)');
  process.exit(0);
}
const s = new RandomStream({ seed: 3, kind: 'nominal', replica: 0, iteration: 0, step: 'none', member: 0 }, 'toy');
const half = nEvents / 2;
const x0 = makeEvents(s, half, 1);
const x1 = makeEvents(s, half, 1.1);
const w = new Float64Array(half).fill(1);
const offsets = new Uint32Array(nEvents + 1);
const p0 = x0.particles!;
const p1 = x1.particles!;
offsets.set(p0.offsets);
for (let i = 1; i <= half; i++) offsets[half + i] = p0.offsets[half] + p1.offsets[i];
const values = new Float32Array(offsets[nEvents] * N_PARTICLE_FEATURES);
values.set(p0.values);
values.set(p1.values, p0.values.length);
const labels = new Float32Array(nEvents).fill(0, 0, half).fill(1, half);
const weights = new Float32Array(nEvents).fill(1);
const dir = mkdtempSync(path.join(os.tmpdir(), 'omnifold-pfn-torch-'));
const dataPath = path.join(dir, 'data.bin');
writeFileSync(
  dataPath,
  Buffer.concat([offsets, values, labels, weights].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))),
);
const script = [new URL('./pfn_torch.py', import.meta.url), new URL('../../bench/pfn_torch.py', import.meta.url)]
  .map((u) => fileURLToPath(u))
  .find((p) => existsSync(p))!;
const key = { seed: 1, kind: 'nominal' as const, replica: 0, iteration: 1, step: 'step1' as const, member: 0 };
console.log(
  `# ${nEvents} events (mean ${MEAN_MULTIPLICITY} particles × ${N_PARTICLE_FEATURES} features) × ${epochs} epochs, Φ ${PHI}, F ${F}; engine 1 thread, torch via ${python} with 1 thread`,
);
// one untimed short fit first (wasm tier-up)
const first = (x: FeatureMatrix, n: number): FeatureMatrix => {
  const p = x.particles!;
  const offsets = p.offsets.slice(0, n + 1);
  return { ...x, nEvents: n, particles: { ...p, offsets, values: p.values.slice(0, offsets[n] * p.nFeatures) } };
};
new PfnClassifier({ phi: PHI, f: F, epochs: 1, batchSize: 128, validationFraction: 0, patience: 0 }).fit(
  first(x0, 200),
  w.subarray(0, 200),
  first(x1, 200),
  w.subarray(0, 200),
  { rngKey: key },
);
console.log('\n  batch | engine samples·epochs/s | torch flat | torch padded | engine/torch (the faster torch)');
try {
  for (const batchSize of [128, 512]) {
    const clf = new PfnClassifier({ phi: PHI, f: F, epochs, batchSize, validationFraction: 0, patience: 0 });
    const t0 = performance.now();
    clf.fit(x0, w, x1, w, { rngKey: key });
    const engine = (nEvents * epochs) / ((performance.now() - t0) / 1000);
    const r = spawnSync(
      python,
      [
        script,
        dataPath,
        String(nEvents),
        String(N_PARTICLE_FEATURES),
        PHI.join(','),
        F.join(','),
        String(batchSize),
        String(epochs),
      ],
      {
        env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
        encoding: 'utf8',
      },
    );
    if (r.status !== 0) throw new Error(`pfn_torch.py failed: ${r.stderr}`);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      samples_epochs_per_s: number;
      seconds_by_formulation: { flat: number; padded: number };
    };
    const torch = result.samples_epochs_per_s;
    const rate = (seconds: number) => ((nEvents * epochs) / seconds).toFixed(0);
    console.log(
      `  ${String(batchSize).padStart(5)} | ${engine.toFixed(0).padStart(23)} | ${rate(result.seconds_by_formulation.flat).padStart(10)} | ${rate(result.seconds_by_formulation.padded).padStart(12)} | ${(engine / torch).toFixed(2).padStart(12)}`,
    );
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
