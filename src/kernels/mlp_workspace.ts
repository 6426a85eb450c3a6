/**
 * The wasm-side memory of one MLP: the descriptor read by asm/mlp_forward_f32.ts and
 * asm/mlp_train_step_f32.ts (layout in asm/mlp_layout.ts), parameters, gradients, Adam
 * moments, per-layer activation buffers and the minibatch input buffers. Allocated once
 * from the thread's arena (per fit, or per ratio() call) and released as a whole by the
 * caller; nothing is allocated per minibatch.
 */
import { activationCode, type Activation } from './activation.js';
import type { Arena } from './wasm.js';

const DESC_DIMS = 16;

/**
 * Rows per wasm forward call and per chunk of a train step: the per-layer activation
 * buffers hold this many rows, so they stay in cache whatever the minibatch size.
 */
export const MLP_ROW_CHUNK = 256;

/** Number of f32 parameters of a network with layer widths `dims` (inputs first, 1 last). */
export function parameterCount(dims: readonly number[]): number {
  let n = 0;
  for (let l = 0; l + 1 < dims.length; l++) n += (dims[l] + 1) * dims[l + 1];
  return n;
}

/** Byte pointers of one network's buffers in wasm memory, plus views refreshed after grows. */
export class MlpWorkspace {
  readonly descPtr: number;
  readonly paramsPtr: number;
  readonly gradsPtr: number;
  readonly adamMPtr: number;
  readonly adamVPtr: number;
  /** f32 [batchRows × nFeatures] standardised inputs. */
  readonly xPtr: number;
  /** f32 [batchRows] labels. */
  readonly yPtr: number;
  /** f64 [batchRows] training weights. */
  readonly wPtr: number;
  /** f64 [maxRows] ratios (output of likelihood_ratio_f32 on one forward chunk). */
  readonly ratioPtr: number;
  readonly nParams: number;
  /** Rows per forward call (and per train-step chunk): min(MLP_ROW_CHUNK, batchRows). */
  readonly maxRows: number;
  private buffer: ArrayBuffer | undefined;
  private views:
    | {
        params: Float32Array;
        grads: Float32Array;
        x: Float32Array;
        y: Float32Array;
        w: Float64Array;
        ratio: Float64Array;
      }
    | undefined;

  /**
   * @param dims layer widths [nFeatures, ...hidden, 1]
   * @param batchRows the most events per train step (the input buffers hold this many)
   * @param training also allocate gradients and Adam moments (zeroed)
   * @param chunkRows rows per forward call / train-step chunk (tests vary it; results do not depend on it)
   */
  constructor(
    readonly arena: Arena,
    readonly dims: readonly number[],
    activation: Activation,
    readonly batchRows: number,
    training: boolean,
    chunkRows = MLP_ROW_CHUNK,
  ) {
    const L = dims.length - 1;
    const maxRows = Math.min(chunkRows, batchRows);
    this.maxRows = maxRows;
    this.nParams = parameterCount(dims);
    let zRows = 0;
    let aRows = 0;
    let maxWidth = 1;
    for (let l = 0; l < L; l++) {
      zRows += dims[l + 1];
      if (l < L - 1) aRows += dims[l + 1];
      maxWidth = Math.max(maxWidth, dims[l + 1], dims[l]);
    }
    this.descPtr = arena.alloc(4 * (DESC_DIMS + L + 1));
    this.paramsPtr = arena.allocF32(this.nParams);
    this.gradsPtr = training ? arena.allocF32(this.nParams) : 0;
    this.adamMPtr = training ? arena.allocF32(this.nParams) : 0;
    this.adamVPtr = training ? arena.allocF32(this.nParams) : 0;
    const preActPtr = arena.allocF32(maxRows * zRows);
    const actPtr = arena.allocF32(maxRows * Math.max(aRows, 1));
    const delta0Ptr = training ? arena.allocF32(maxRows * maxWidth) : 0;
    const delta1Ptr = training ? arena.allocF32(maxRows * maxWidth) : 0;
    const scratchPtr = training ? arena.allocF32(this.nParams) : 0;
    // SiLU/GELU training keeps the forward's σ values for the backward (laid out as A)
    const sigmaPtr = training && activation !== 'relu' ? arena.allocF32(maxRows * Math.max(aRows, 1)) : 0;
    // ReLU networks: one compacted row of asm/sparse_gemm.ts, and for training a hidden layer's Aᵀ
    // (rows transposedStride(maxRows) ≤ maxRows + 31 floats apart: asm/dense_backward_f32.ts)
    const listPtr = activation === 'relu' ? arena.allocF32(2 * Math.max(maxRows, maxWidth)) : 0;
    const transPtr = training && activation === 'relu' ? arena.allocF32((maxRows + 32) * maxWidth) : 0;
    this.xPtr = arena.allocF32(batchRows * dims[0]);
    this.yPtr = arena.allocF32(batchRows);
    this.wPtr = arena.allocF64(batchRows);
    this.ratioPtr = arena.allocF64(maxRows);
    const desc = [
      L,
      activationCode(activation),
      this.paramsPtr,
      this.gradsPtr,
      this.adamMPtr,
      this.adamVPtr,
      this.nParams,
      preActPtr,
      actPtr,
      delta0Ptr,
      delta1Ptr,
      scratchPtr,
      maxRows,
      sigmaPtr,
      listPtr,
      transPtr,
      ...dims,
    ];
    arena.u32(this.descPtr, desc.length).set(desc);
    if (training) {
      arena.f32(this.adamMPtr, this.nParams).fill(0);
      arena.f32(this.adamVPtr, this.nParams).fill(0);
    }
  }

  private refresh() {
    const buffer = this.arena.memory.buffer;
    if (this.views === undefined || this.buffer !== buffer) {
      const a = this.arena;
      this.buffer = buffer;
      this.views = {
        params: a.f32(this.paramsPtr, this.nParams),
        grads: a.f32(this.gradsPtr, this.gradsPtr === 0 ? 0 : this.nParams),
        x: a.f32(this.xPtr, this.batchRows * this.dims[0]),
        y: a.f32(this.yPtr, this.batchRows),
        w: a.f64(this.wPtr, this.batchRows),
        ratio: a.f64(this.ratioPtr, this.maxRows),
      };
    }
    return this.views;
  }

  /** f32 [nParams]: per layer W [d_l × d_{l+1}] row-major, then b [d_{l+1}]. */
  get params(): Float32Array {
    return this.refresh().params;
  }
  get grads(): Float32Array {
    return this.refresh().grads;
  }
  get x(): Float32Array {
    return this.refresh().x;
  }
  get y(): Float32Array {
    return this.refresh().y;
  }
  get w(): Float64Array {
    return this.refresh().w;
  }
  get ratio(): Float64Array {
    return this.refresh().ratio;
  }
}
