/**
 * Paired A/B timing of MLP training: another built checkout (the base) against this one,
 * in one process, alternating. For changes on a shared machine, where the speed of one
 * core moves by up to 2× for seconds at a time: each round times a block of the base,
 * then the same block of this build, and the median of the per-round ratios is reported
 * with its quartiles.
 *
 *   git worktree add /tmp/base HEAD~1 && (cd /tmp/base && npm ci && npm run build)
 *   npm run build && node dist/bench/train_step_ab.bench.js /tmp/base [width:batch,...] [--fit]
 *
 * Default: blocks of fused train steps (the wasm kernels alone). Both builds start from
 * the same He-uniform parameters and see the same 32 rotating minibatches (ReLU, 8
 * Gaussian inputs, 3 hidden layers; default 50:128,50:512,100:128,100:512). The base must
 * have this build's MlpWorkspace constructor (arena, dims, activation, batchRows, training).
 *
 * --fit: whole MlpClassifier fits instead (2 epochs on 20000 events, no validation): adds
 * what a fit does around the steps (the split and epoch permutations, the row gather,
 * the standardisation pass).
 *
 * The last words of each row say whether the two builds' trained parameters are still
 * bit-identical: a change meant to keep the numbers must print "yes".
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AdamScalars } from '../src/kernels/adam_step_f32.js';
import * as currentStep from '../src/kernels/mlp_train_step_f32.js';
import * as currentWorkspace from '../src/kernels/mlp_workspace.js';
import * as currentWasm from '../src/kernels/wasm.js';
import * as currentMlp from '../src/classifiers/mlp/classifier.js';
import type { TrainedMlp } from '../src/classifiers/mlp/trained.js';
import { RandomStream, type RngKey } from '../src/base/rng.js';

interface Build {
  kernels: typeof currentWasm.kernels;
  MlpWorkspace: typeof currentWorkspace.MlpWorkspace;
  mlpTrainStepF32: typeof currentStep.mlpTrainStepF32;
  MlpClassifier: typeof currentMlp.MlpClassifier;
}

/** One side of a row: times a block of `samples` samples·epochs; `params` are its trained parameters so far. */
interface Side {
  samples: number;
  block(): number;
  params(): Float32Array;
}

const args = process.argv.slice(2);
const fitMode = args.includes('--fit');
const [baseDir, configArg] = args.filter((a) => a !== '--fit');
if (baseDir === undefined) {
  console.error(
    'usage: node dist/bench/train_step_ab.bench.js BASE_CHECKOUT [width:batch,...] [--fit]  (BASE_CHECKOUT built with npm run build)',
  );
  process.exit(2);
}
const configs = (configArg ?? '50:128,50:512,100:128,100:512').split(',').map((c) => c.split(':').map(Number));
const at = (rel: string) => pathToFileURL(path.resolve(baseDir, 'dist/src', rel)).href;
const base: Build = {
  kernels: ((await import(at('kernels/wasm.js'))) as typeof currentWasm).kernels,
  MlpWorkspace: ((await import(at('kernels/mlp_workspace.js'))) as typeof currentWorkspace).MlpWorkspace,
  mlpTrainStepF32: ((await import(at('kernels/mlp_train_step_f32.js'))) as typeof currentStep).mlpTrainStepF32,
  MlpClassifier: ((await import(at('mlp_classifier.js'))) as typeof currentMlp).MlpClassifier,
};
const current: Build = {
  kernels: currentWasm.kernels,
  MlpWorkspace: currentWorkspace.MlpWorkspace,
  mlpTrainStepF32: currentStep.mlpTrainStepF32,
  MlpClassifier: currentMlp.MlpClassifier,
};

const rng = new RandomStream({ seed: 5, kind: 'nominal', replica: 0, iteration: 0, step: 'none', member: 0 }, 'toy');
const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
const N_BATCHES = 32;
const ROUNDS = 40;
const FIT_EVENTS = 20000;
const FIT_EPOCHS = 2;

/** Fused train steps on rotating minibatches, `steps` per block. */
function stepSide(b: Build, dims: number[], batch: number, batches: Float32Array[], start: Float32Array): Side {
  const ws = new b.MlpWorkspace(b.kernels().arena, dims, 'relu', batch, true);
  ws.params.set(start);
  for (let i = 0; i < batch; i++) ws.y[i] = i & 1;
  ws.w.fill(1);
  const width = dims[1];
  const steps = Math.max(2, Math.round(4e5 / ((batch * width * width) / 50)));
  let cursor = 0;
  let t = 0;
  return {
    samples: batch * steps,
    block() {
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) {
        ws.x.set(batches[cursor++ % N_BATCHES]);
        t++;
        const adam: AdamScalars = {
          lr: 1e-3,
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-7,
          bc1: 1 - 0.9 ** t,
          bc2: 1 - 0.999 ** t,
        };
        b.mlpTrainStepF32(ws, batch, 1 / batch, adam);
      }
      return performance.now() - t0;
    },
    params: () => ws.params,
  };
}

/** One whole fit per block, on the same two classes each time. */
function fitSide(b: Build, width: number, batch: number, x0: Float32Array, x1: Float32Array): Side {
  const half = FIT_EVENTS / 2;
  const w = new Float64Array(half).fill(1);
  const clf = new b.MlpClassifier({
    hidden: [width, width, width],
    activation: 'relu',
    epochs: FIT_EPOCHS,
    batchSize: batch,
    validationFraction: 0,
    patience: 0,
  });
  const rngKey: RngKey = { seed: 1, kind: 'nominal', replica: 0, iteration: 0, step: 'none', member: 0 };
  let params: Float32Array = new Float32Array(0);
  return {
    samples: FIT_EVENTS * FIT_EPOCHS,
    block() {
      const t0 = performance.now();
      const model = clf.fit(
        { values: x0, nEvents: half, nFeatures: 8 },
        w,
        { values: x1, nEvents: half, nFeatures: 8 },
        w,
        { rngKey },
      ) as TrainedMlp;
      const dt = performance.now() - t0;
      params = model.params;
      return dt;
    },
    params: () => params,
  };
}

const unit = fitMode ? `whole fits (${FIT_EVENTS} events × ${FIT_EPOCHS} epochs)` : 'blocks of train steps';
console.log(
  `# train_step_ab.bench: base ${path.resolve(baseDir)} vs this build; ${unit}; ${ROUNDS} alternating rounds per row; speed-up = base time / this build's time`,
);
for (const [width, batch] of configs) {
  const dims = [8, width, width, width, 1];
  let sides: Side[];
  if (fitMode) {
    const half = FIT_EVENTS / 2;
    const x0 = Float32Array.from({ length: half * 8 }, gauss);
    const x1 = Float32Array.from({ length: half * 8 }, (_, i) => 0.2 * (i % 8) + 1.2 * gauss());
    sides = [fitSide(base, width, batch, x0, x1), fitSide(current, width, batch, x0, x1)];
  } else {
    const batches = Array.from({ length: N_BATCHES }, () => Float32Array.from({ length: batch * 8 }, gauss));
    const start = new Float32Array(currentWorkspace.parameterCount(dims));
    let o = 0;
    for (let l = 0; l + 1 < dims.length; l++) {
      const a = Math.sqrt(6 / dims[l]);
      for (let i = 0; i < dims[l] * dims[l + 1]; i++) start[o++] = a * (2 * rng.nextDouble() - 1);
      o += dims[l + 1]; // biases start at 0
    }
    sides = [stepSide(base, dims, batch, batches, start), stepSide(current, dims, batch, batches, start)];
  }
  sides[0].block();
  sides[1].block();
  const ratios: number[] = [];
  let bestBase = Infinity;
  let bestCurrent = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const tb = sides[0].block();
    const tc = sides[1].block();
    ratios.push(tb / tc);
    bestBase = Math.min(bestBase, tb);
    bestCurrent = Math.min(bestCurrent, tc);
  }
  ratios.sort((a, b) => a - b);
  const q = (f: number) => ratios[Math.round(f * (ROUNDS - 1))].toFixed(3);
  const pb = sides[0].params();
  const pc = sides[1].params();
  const same = pb.length === pc.length && pb.every((v, i) => Object.is(v, pc[i]));
  const rate = (ms: number) => `${(sides[1].samples / ms).toFixed(0)}k`;
  console.log(
    `  3×${width} batch ${batch}: speed-up median ${q(0.5)} [quartiles ${q(0.25)}, ${q(0.75)}]; best samples/s base ${rate(bestBase)}, this ${rate(bestCurrent)}; parameters bit-identical: ${same ? 'yes' : 'no'}`,
  );
}
