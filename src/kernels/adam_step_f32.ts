/**
 * One Adam update in wasm: see asm/adam_step_f32.ts for the contract.
 */
import { checkLength, checkRange } from './check.js';
import type { MlpWorkspace } from './mlp_workspace.js';
import { kernels } from './wasm.js';

/** Raw export: pointers in bytes; scalars f32. */
export type AdamStepF32Export = (
  pPtr: number,
  gPtr: number,
  mPtr: number,
  vPtr: number,
  n: number,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  bc1: number,
  bc2: number,
) => void;

/** Adam hyperparameters; `bc1 = 1 − β1^t`, `bc2 = 1 − β2^t` for step t (1-based). */
export interface AdamScalars {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  bc1: number;
  bc2: number;
}

const NAME = 'adam_step_f32';

/** Checks Adam scalars; throws InputError. */
export function checkAdam(a: AdamScalars): void {
  checkRange(NAME, 'lr', a.lr, a.lr > 0, 'positive');
  checkRange(NAME, 'beta1', a.beta1, a.beta1 >= 0 && a.beta1 < 1, 'in [0, 1)');
  checkRange(NAME, 'beta2', a.beta2, a.beta2 >= 0 && a.beta2 < 1, 'in [0, 1)');
  checkRange(NAME, 'eps', a.eps, a.eps > 0, 'positive');
  checkRange(NAME, 'bc1', a.bc1, a.bc1 > 0 && a.bc1 <= 1, 'in (0, 1]');
  checkRange(NAME, 'bc2', a.bc2, a.bc2 > 0 && a.bc2 <= 1, 'in (0, 1]');
}

/** Adam's settings as the classifiers' options name them. */
export interface AdamOptions {
  learningRate: number;
  beta1: number;
  beta2: number;
  adamEpsilon: number;
}

/**
 * Adam's scalars across steps: β^t kept as running products (deterministic arithmetic,
 * no pow), so bc = 1 − β^t is the same on every engine. Shared by the MLP and the PFN.
 */
export class AdamState implements AdamScalars {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  bc1 = 1;
  bc2 = 1;
  private pow1 = 1;
  private pow2 = 1;

  constructor(options: AdamOptions) {
    this.lr = options.learningRate;
    this.beta1 = options.beta1;
    this.beta2 = options.beta2;
    this.eps = options.adamEpsilon;
    checkAdam({ ...this, bc1: 1 - options.beta1, bc2: 1 - options.beta2 });
  }

  /** Advances to the next step t and returns the scalars for it. */
  next(): this {
    this.pow1 *= this.beta1;
    this.pow2 *= this.beta2;
    this.bc1 = 1 - this.pow1;
    this.bc2 = 1 - this.pow2;
    return this;
  }
}

/** Updates `p`, `m`, `v` in place from gradients `g` (all f32, same length). */
export function adamStepF32(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, a: AdamScalars): void {
  checkLength(NAME, 'g', g, p.length, 'the length of p');
  checkLength(NAME, 'm', m, p.length, 'the length of p');
  checkLength(NAME, 'v', v, p.length, 'the length of p');
  checkAdam(a);
  const { exports, arena } = kernels();
  const mark = arena.mark();
  try {
    const n = p.length;
    const ptrs = [p, g, m, v].map(() => arena.allocF32(n));
    [p, g, m, v].forEach((arr, i) => arena.f32(ptrs[i], n).set(arr));
    (exports.adam_step_f32 as AdamStepF32Export)(
      ptrs[0],
      ptrs[1],
      ptrs[2],
      ptrs[3],
      n,
      a.lr,
      a.beta1,
      a.beta2,
      a.eps,
      a.bc1,
      a.bc2,
    );
    p.set(arena.f32(ptrs[0], n));
    m.set(arena.f32(ptrs[2], n));
    v.set(arena.f32(ptrs[3], n));
  } finally {
    arena.release(mark);
  }
}

/** One Adam update of the workspace's parameters from its gradient block (checked scalars: checkAdam). */
export function adamStepInWorkspace(workspace: MlpWorkspace, adam: AdamScalars): void {
  (kernels().exports.adam_step_f32 as AdamStepF32Export)(
    workspace.paramsPtr,
    workspace.gradsPtr,
    workspace.adamMPtr,
    workspace.adamVPtr,
    workspace.nParams,
    adam.lr,
    adam.beta1,
    adam.beta2,
    adam.eps,
    adam.bc1,
    adam.bc2,
  );
}
