/**
 * The weighted squared distance correlation dCorr²(f, v) and its gradient in wasm (see
 * asm/distance_corr_f64.ts for the contract), and {@link DecorrelationPenalty}: the
 * DisCo penalty λ·dCorr²(σ(logit), v) of a minibatch and each row's gradient with respect
 * to its logit, for any classifier that trains on logits (the MLP, and others later).
 */
import { checkLength } from './check.js';
import { InputError } from '../base/errors.js';
import type { Arena } from './wasm.js';
import { kernels } from './wasm.js';

/**
 * The events of a minibatch whose dCorr²(σ(logit), v) the decorrelation penalty takes:
 * 'pooled' both classes together; 0 or 1 that class's alone (class 0 is the one the
 * ratios reweight: the sim in every OmniFold step, the source in `reweight`); 'each' the
 * sum of the two classes' own dCorr². When the classes differ in v, a classifier that
 * ignores v still correlates with v over the pooled events, through the label; within a
 * class it does not.
 */
export type DiscoClass = 'pooled' | 'each' | 0 | 1;

/** The values of {@link DiscoClass}. */
export const DISCO_CLASSES: readonly DiscoClass[] = Object.freeze(['pooled', 'each', 0, 1] as DiscoClass[]);

/** Raw export: returns dCorr²; gradPtr = 0 skips the gradient. */
export type DistanceCorrF64Export = (
  fPtr: number,
  vPtr: number,
  wPtr: number,
  n: number,
  scratchPtr: number,
  gradPtr: number,
) => number;

type UnaryF32Export = (zPtr: number, n: number, outPtr: number) => void;

/**
 * dCorr² of the `n` outputs at `fPtr` and values at `vPtr` with weights |w| at `wPtr` (all
 * f64 in wasm memory), using `scratchPtr` (f64[3n]); writes ∂dCorr²/∂f to `gradPtr` (0:
 * skipped). Nothing is checked per call.
 */
export function distanceCorrF64InWasm(
  fPtr: number,
  vPtr: number,
  wPtr: number,
  n: number,
  scratchPtr: number,
  gradPtr: number,
): number {
  return (kernels().exports.distance_corr_f64 as DistanceCorrF64Export)(fPtr, vPtr, wPtr, n, scratchPtr, gradPtr);
}

/**
 * The weighted squared distance correlation of `f` and `v` (weights |w|) and its gradient
 * with respect to each f_i. n < 2, a zero total weight, or no spread in f or in v give 0
 * and a zero gradient.
 */
export function distanceCorrF64(
  f: ArrayLike<number>,
  v: ArrayLike<number>,
  w: ArrayLike<number>,
): { dcorr2: number; grad: Float64Array } {
  const n = f.length;
  checkLength('distance_corr_f64', 'v', v, n, 'the length of f');
  checkLength('distance_corr_f64', 'w', w, n, 'the length of f');
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    const fPtr = arena.allocF64(n);
    const vPtr = arena.allocF64(n);
    const wPtr = arena.allocF64(n);
    const scratchPtr = arena.allocF64(3 * n);
    const gradPtr = arena.allocF64(n);
    arena.f64(fPtr, n).set(f);
    arena.f64(vPtr, n).set(v);
    arena.f64(wPtr, n).set(w);
    const dcorr2 = distanceCorrF64InWasm(fPtr, vPtr, wPtr, n, scratchPtr, gradPtr);
    return { dcorr2, grad: arena.f64(gradPtr, n).slice() };
  } finally {
    arena.release(mark);
  }
}

/**
 * The DisCo penalty of one minibatch at a time, in wasm buffers allocated once (from the
 * caller's arena, released with it) for up to `capacity` rows:
 *   penalty = λ·D,  f_i = σ(z_i) (asm/sigmoid_f32.ts, promoted to f64)
 *   gradient_i = ∂penalty/∂z_i = λ·∂D/∂f_i · f_i·(1 − f_i)   (f64, at {@link gradPtr})
 * where D is dCorr²(f, v) over the rows that `classes` names: every row ('pooled'), the
 * rows of one class (0 or 1), or the sum of the two classes' own dCorr² ('each'). A class's
 * rows are copied, in row order, into buffers of their own for the kernel, so the cost is
 * O(n_0² + n_1²) instead of O(n²); a row outside the named classes has a zero gradient.
 * The caller writes the rows' logits (f32, {@link logitsPtr}), the variable
 * ({@link variable}), the weights ({@link weights}: the training weights; the kernel
 * takes their magnitudes) and, unless pooled, the labels ({@link labels}), then calls
 * {@link compute}. The penalty's value does not depend on an affine change of v (dCorr is
 * invariant under v → a·v + b, a ≠ 0), so standardised features serve as well as raw ones.
 */
export class DecorrelationPenalty {
  /** f32 [capacity] logits. */
  readonly logitsPtr: number;
  /** f64 [capacity] each: the outputs σ(z), the variable, the weights, the per-row gradient. */
  readonly outputsPtr: number;
  readonly variablePtr: number;
  readonly weightsPtr: number;
  readonly gradPtr: number;
  private readonly sigmaPtr: number;
  private readonly scratchPtr: number;
  /** Each row's class (0 or 1), read unless pooled. */
  private readonly labelArray: Uint8Array;
  /** One class's rows, copied for the kernel: f, v, w and the gradient, f64 [capacity] each (empty: pooled). */
  private readonly classPtrs: readonly number[];
  /** The row of each copied one. */
  private readonly classRows: Int32Array;

  constructor(
    private readonly arena: Arena,
    readonly capacity: number,
    readonly lambda: number,
    readonly classes: DiscoClass = 'pooled',
  ) {
    if (!(Number.isInteger(capacity) && capacity >= 1))
      throw new InputError(`distance_corr_f64: capacity must be a positive integer; got ${capacity}`);
    if (!(Number.isFinite(lambda) && lambda >= 0))
      throw new InputError(`distance_corr_f64: lambda must be finite and >= 0; got ${lambda}`);
    if (!DISCO_CLASSES.includes(classes))
      throw new InputError(`distance_corr_f64: classes must be one of 'pooled', 'each', 0, 1; got ${String(classes)}`);
    this.logitsPtr = arena.allocF32(capacity);
    this.sigmaPtr = arena.allocF32(capacity);
    this.outputsPtr = arena.allocF64(capacity);
    this.variablePtr = arena.allocF64(capacity);
    this.weightsPtr = arena.allocF64(capacity);
    this.gradPtr = arena.allocF64(capacity);
    this.scratchPtr = arena.allocF64(3 * capacity);
    const pooled = classes === 'pooled';
    this.labelArray = new Uint8Array(pooled ? 0 : capacity);
    this.classPtrs = pooled ? [] : [0, 1, 2, 3].map(() => arena.allocF64(capacity));
    this.classRows = new Int32Array(pooled ? 0 : capacity);
  }

  /** Views of the first `n` rows (re-derived per call: wasm memory may have grown). */
  logits(n = this.capacity): Float32Array {
    return this.arena.f32(this.logitsPtr, n);
  }
  variable(n = this.capacity): Float64Array {
    return this.arena.f64(this.variablePtr, n);
  }
  weights(n = this.capacity): Float64Array {
    return this.arena.f64(this.weightsPtr, n);
  }
  gradient(n = this.capacity): Float64Array {
    return this.arena.f64(this.gradPtr, n);
  }
  outputs(n = this.capacity): Float64Array {
    return this.arena.f64(this.outputsPtr, n);
  }
  /** The rows' classes (0 or 1), written by the caller unless pooled (then empty). */
  labels(n = this.capacity): Uint8Array {
    return this.labelArray.subarray(0, n);
  }

  /**
   * D of the first `n` rows (not times λ: dCorr², or the sum of the classes' dCorr²
   * with 'each'); when `withGradient`, each row's λ·∂D/∂z_i at {@link gradPtr}.
   */
  compute(n: number, withGradient = true): number {
    if (!(Number.isInteger(n) && n >= 0 && n <= this.capacity))
      throw new InputError(`distance_corr_f64: rows must be an integer in [0, ${this.capacity}]; got ${n}`);
    (kernels().exports.sigmoid_f32 as UnaryF32Export)(this.logitsPtr, n, this.sigmaPtr);
    const sigma = this.arena.f32(this.sigmaPtr, n);
    const f = this.arena.f64(this.outputsPtr, n);
    for (let i = 0; i < n; i++) f[i] = sigma[i];
    const gradPtr = withGradient ? this.gradPtr : 0;
    let d: number;
    if (this.classes === 'pooled') {
      d = distanceCorrF64InWasm(this.outputsPtr, this.variablePtr, this.weightsPtr, n, this.scratchPtr, gradPtr);
    } else {
      if (withGradient) this.arena.f64(this.gradPtr, n).fill(0);
      d = 0;
      for (const c of this.classes === 'each' ? [0, 1] : [this.classes]) d += this.classTerm(n, c, withGradient);
    }
    if (withGradient) {
      const g = this.arena.f64(this.gradPtr, n);
      const fv = this.arena.f64(this.outputsPtr, n);
      const lambda = this.lambda;
      for (let i = 0; i < n; i++) g[i] = lambda * g[i] * (fv[i] * (1 - fv[i]));
    }
    return d;
  }

  /** dCorr² of the rows of class `c` among the first `n`; with `withGradient`, each one's ∂/∂f_i at its row of the gradient. */
  private classTerm(n: number, c: number, withGradient: boolean): number {
    const [fPtr, vPtr, wPtr, gPtr] = this.classPtrs;
    const [f, v, w] = [this.outputs(n), this.variable(n), this.weights(n)];
    const [cf, cv, cw] = [this.arena.f64(fPtr, n), this.arena.f64(vPtr, n), this.arena.f64(wPtr, n)];
    const labels = this.labelArray;
    const rows = this.classRows;
    let m = 0;
    for (let i = 0; i < n; i++) {
      if (labels[i] !== c) continue;
      cf[m] = f[i];
      cv[m] = v[i];
      cw[m] = w[i];
      rows[m++] = i;
    }
    const d = distanceCorrF64InWasm(fPtr, vPtr, wPtr, m, this.scratchPtr, withGradient ? gPtr : 0);
    if (withGradient) {
      const g = this.arena.f64(this.gradPtr, n);
      const cg = this.arena.f64(gPtr, m);
      for (let k = 0; k < m; k++) g[rows[k]] = cg[k];
    }
    return d;
  }
}
