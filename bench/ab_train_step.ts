/**
 * Paired A/B timing of the fused MLP train step: another built checkout (the base) against
 * this one, in one process, alternating, on the same minibatches. For kernel changes on a
 * shared machine, where the speed of one core moves by up to 2× for seconds at a time:
 * each round times a block of steps of the base, then the same block of this build, and
 * the median of the per-round ratios is reported with its quartiles.
 *
 *   git worktree add /tmp/base HEAD~1 && (cd /tmp/base && npm ci && npm run build)
 *   npm run build && node dist/bench/ab_train_step.js /tmp/base [width:batch,...]
 *
 * Both builds start from the same He-uniform parameters and see the same 32 rotating
 * minibatches (ReLU, 8 Gaussian inputs, 3 hidden layers; default 50:128,50:512,100:128,
 * 100:512). The last line of each row says whether the two builds' parameters are still
 * bit-identical after all steps: a change meant to keep the numbers must print "yes".
 * The base must have this build's MlpWorkspace constructor (arena, dims, activation,
 * batchRows, training).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AdamScalars } from '../src/kernels/adam_step_f32.js';
import * as currentStep from '../src/kernels/mlp_train_step_f32.js';
import * as currentWorkspace from '../src/kernels/mlp_workspace.js';
import * as currentWasm from '../src/kernels/wasm.js';
import { RandomStream } from '../src/rng.js';

interface Build {
  kernels: typeof currentWasm.kernels;
  MlpWorkspace: typeof currentWorkspace.MlpWorkspace;
  mlpTrainStepF32: typeof currentStep.mlpTrainStepF32;
}

const baseDir = process.argv[2];
if (baseDir === undefined) {
  console.error('usage: node dist/bench/ab_train_step.js BASE_CHECKOUT [width:batch,...]  (BASE_CHECKOUT built with npm run build)');
  process.exit(2);
}
const configs = (process.argv[3] ?? '50:128,50:512,100:128,100:512').split(',').map((c) => c.split(':').map(Number));
const at = (rel: string) => pathToFileURL(path.resolve(baseDir, 'dist/src/kernels', rel)).href;
const base: Build = {
  kernels: ((await import(at('wasm.js'))) as typeof currentWasm).kernels,
  MlpWorkspace: ((await import(at('mlp_workspace.js'))) as typeof currentWorkspace).MlpWorkspace,
  mlpTrainStepF32: ((await import(at('mlp_train_step_f32.js'))) as typeof currentStep).mlpTrainStepF32,
};
const current: Build = { kernels: currentWasm.kernels, MlpWorkspace: currentWorkspace.MlpWorkspace, mlpTrainStepF32: currentStep.mlpTrainStepF32 };

const rng = new RandomStream({ seed: 5, kind: 'nominal', replica: 0, iteration: 0, step: 'none', member: 0 }, 'toy');
const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
const N_BATCHES = 32;
const ROUNDS = 40;

console.log(`# ab_train_step: base ${path.resolve(baseDir)} vs this build; ${ROUNDS} alternating rounds per row; speed-up = base time / this build's time`);
for (const [width, batch] of configs) {
  const dims = [8, width, width, width, 1];
  const batches = Array.from({ length: N_BATCHES }, () => Float32Array.from({ length: batch * 8 }, gauss));
  const nParams = currentWorkspace.parameterCount(dims);
  const params = new Float32Array(nParams);
  let o = 0;
  for (let l = 0; l + 1 < dims.length; l++) {
    const a = Math.sqrt(6 / dims[l]);
    for (let i = 0; i < dims[l] * dims[l + 1]; i++) params[o++] = a * (2 * rng.nextDouble() - 1);
    o += dims[l + 1]; // biases start at 0
  }
  const setup = (b: Build) => {
    const ws = new b.MlpWorkspace(b.kernels().arena, dims, 'relu', batch, true);
    ws.params.set(params);
    for (let i = 0; i < batch; i++) ws.y[i] = i & 1;
    ws.w.fill(1);
    return { b, ws, cursor: 0, t: 0 };
  };
  const sides = [setup(base), setup(current)];
  const steps = Math.max(2, Math.round(4e5 / ((batch * width * width) / 50)));
  const block = (side: ReturnType<typeof setup>): number => {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) {
      side.ws.x.set(batches[side.cursor++ % N_BATCHES]);
      side.t++;
      const adam: AdamScalars = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7, bc1: 1 - 0.9 ** side.t, bc2: 1 - 0.999 ** side.t };
      side.b.mlpTrainStepF32(side.ws, batch, 1 / batch, adam);
    }
    return performance.now() - t0;
  };
  block(sides[0]);
  block(sides[1]);
  const ratios: number[] = [];
  let bestBase = Infinity;
  let bestCurrent = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const tb = block(sides[0]);
    const tc = block(sides[1]);
    ratios.push(tb / tc);
    bestBase = Math.min(bestBase, tb);
    bestCurrent = Math.min(bestCurrent, tc);
  }
  ratios.sort((a, b) => a - b);
  const q = (f: number) => ratios[Math.round(f * (ROUNDS - 1))].toFixed(3);
  const same = sides[0].ws.params.every((v, i) => Object.is(v, sides[1].ws.params[i]));
  const rate = (ms: number) => `${((batch * steps) / ms).toFixed(0)}k`;
  console.log(
    `  3×${width} batch ${batch}: speed-up median ${q(0.5)} [quartiles ${q(0.25)}, ${q(0.75)}]; best samples/s base ${rate(bestBase)}, this ${rate(bestCurrent)}; parameters bit-identical: ${same ? 'yes' : 'no'}`,
  );
}
