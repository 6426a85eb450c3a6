/**
 * mlp_layout (internal, not exported): the network descriptor shared by mlp_forward_f32
 * and mlp_train_step_f32. The glue (src/kernels/mlp_forward_f32.ts) writes it.
 *
 * descriptor: i32[DESC_DIMS + nLayers + 1] at descPtr, 4-byte aligned
 *   [0] nLayers L (dense layers, the last one is the 1-wide logit layer)
 *   [1] activation of hidden layers: 0 relu, 1 silu, 2 gelu
 *   [2] paramsPtr  f32[nParams]: per layer l, W_l [d_l × d_{l+1}] row-major, then b_l [d_{l+1}]
 *   [3] gradsPtr   f32[nParams], same layout      [4] adamMPtr, [5] adamVPtr f32[nParams]
 *   [6] nParams
 *   [7] preActPtr  f32: per layer l, Z_l [maxRows × d_{l+1}], layers consecutive
 *   [8] actPtr     f32: per hidden layer l, A_l [maxRows × d_{l+1}], layers consecutive
 *   [9] delta0Ptr, [10] delta1Ptr  f32[maxRows × maxWidth] each (ping-pong ∂L/∂Z)
 *   [11] scratchPtr f32[nParams]: Wᵀ_l [d_{l+1} × d_l] at layer l's parameter offset
 *   [12] maxRows: rows per forward call and per chunk of a train step (buffers hold this many)
 *   [13] sigmaPtr f32, laid out as actPtr, or 0: SiLU/GELU training keeps the forward's σ
 *        values there for the backward (0 for ReLU and for inference)
 *   [14] listPtr  scratch of asm/sparse_gemm.ts for one compacted row: f32[2·max(maxRows,
 *        maxWidth)] (ReLU networks; 0 otherwise)
 *   [15] transPtr f32[maxWidth × (maxRows + 32)]: a hidden layer's Aᵀ for its weight
 *        gradient, rows transposedStride(nRows) apart (ReLU training; 0 otherwise)
 *   [16 .. 16+L] dims d_0 = nFeatures, d_1 .. d_{L−1} hidden widths, d_L = 1
 */
export const DESC_LAYERS = 0;
export const DESC_ACTIVATION = 1;
export const DESC_PARAMS = 2;
export const DESC_GRADS = 3;
export const DESC_ADAM_M = 4;
export const DESC_ADAM_V = 5;
export const DESC_NPARAMS = 6;
export const DESC_PREACT = 7;
export const DESC_ACT = 8;
export const DESC_DELTA0 = 9;
export const DESC_DELTA1 = 10;
export const DESC_SCRATCH = 11;
export const DESC_MAXROWS = 12;
export const DESC_SIGMA = 13;
export const DESC_LIST = 14;
export const DESC_TRANS = 15;
export const DESC_DIMS = 16;

// @ts-ignore: decorator
@inline export function descGet(descPtr: usize, slot: i32): i32 {
  return load<i32>(descPtr + (<usize>slot << 2));
}

// @ts-ignore: decorator
@inline export function dim(descPtr: usize, l: i32): i32 {
  return load<i32>(descPtr + (<usize>(DESC_DIMS + l) << 2));
}

/** Byte offset of layer l's weights within the parameter (or gradient, m, v) block. */
export function paramOffset(descPtr: usize, l: i32): usize {
  let off: usize = 0;
  for (let j = 0; j < l; j++) off += <usize>(dim(descPtr, j) + 1) * dim(descPtr, j + 1);
  return off << 2;
}

/** Byte offset of layer l's [maxRows × d_{l+1}] block within the Z (or A) region. */
export function rowsOffset(descPtr: usize, l: i32): usize {
  const maxRows = <usize>descGet(descPtr, DESC_MAXROWS);
  let off: usize = 0;
  for (let j = 0; j < l; j++) off += maxRows * dim(descPtr, j + 1);
  return off << 2;
}
