/**
 * mlp_forward_f32: the whole network's forward pass on nRows standardised events.
 *   A_{−1} = X;  Z_l = A_{l−1}·W_l + b_l;  A_l = act(Z_l) for hidden l;  logits = Z_{L−1}
 * in    descPtr  the network descriptor (asm/mlp_layout.ts), parameters at its paramsPtr
 * in    xPtr     f32[nRows × d_0]  row-major
 * Writes A_l of every hidden layer, Z_l of the logit layer and, with SiLU or GELU, of the
 * hidden layers too (in the descriptor's buffers); returns the byte pointer of the logits,
 * f32[nRows] (Z_{L−1}).
 * Preconditions (glue): 0 ≤ nRows ≤ maxRows; the descriptor is consistent.
 * Edges: nRows = 0 returns the pointer and writes nothing; NaN features propagate to NaN logits.
 * Numerics: the layer kernels' (f32, fixed order, bit-identical to the reference layers).
 * With ReLU, A_l = max(Z_l, 0) is the product's epilogue (tile_gemm EPI_RELU_FWD, the
 * same f32x4.max as relu_forward_f32; hidden layers after the first run
 * asm/sparse_gemm.ts, skipping their input's zeros, with the descriptor's list scratch:
 * the same bits for finite parameters) and Z_l is never stored (the backward's mask
 * A_l > 0 equals Z_l > 0), saving a pass over Z and its stores; SiLU and
 * GELU call silu_forward_f32 / gelu_forward_f32 (f32x4) on Z: a per-vector epilogue
 * calling the same functions measured 1.15–1.25× slower per train step than this pass.
 * With a σ buffer in the descriptor (training) they also store σ there (same A bits).
 * Effects: writes only the descriptor's Z, A and (if any) σ buffers; allocates nothing; no globals.
 * Twin: src/reference/mlp_forward_f32.ts; test: test/kernels/mlp_forward_f32.test.ts.
 */
import { EPI_RELU_FWD, tileGemm } from './tile_gemm';
import { dense_forward_f32 } from './dense_forward_f32';
import { silu_forward_f32, siluForwardKeep } from './silu_forward_f32';
import { gelu_forward_f32, geluForwardKeep } from './gelu_forward_f32';
import { sparseForwardRelu } from './sparse_gemm';
import { DESC_ACT, DESC_ACTIVATION, DESC_LAYERS, DESC_LIST, DESC_PARAMS, DESC_PREACT, DESC_SIGMA, descGet, dim, paramOffset, rowsOffset } from './mlp_layout';

export function mlp_forward_f32(descPtr: usize, xPtr: usize, nRows: i32): usize {
  const L = descGet(descPtr, DESC_LAYERS);
  const act = descGet(descPtr, DESC_ACTIVATION);
  const params = <usize>descGet(descPtr, DESC_PARAMS);
  const zBase = <usize>descGet(descPtr, DESC_PREACT);
  const aBase = <usize>descGet(descPtr, DESC_ACT);
  const sBase = <usize>descGet(descPtr, DESC_SIGMA);
  const list = <usize>descGet(descPtr, DESC_LIST);
  let input = xPtr;
  let z: usize = zBase;
  for (let l = 0; l < L; l++) {
    const nIn = dim(descPtr, l);
    const nOut = dim(descPtr, l + 1);
    const w = params + paramOffset(descPtr, l);
    const b = w + ((<usize>nIn * nOut) << 2);
    z = zBase + rowsOffset(descPtr, l);
    if (l < L - 1) {
      const a = aBase + rowsOffset(descPtr, l);
      // ReLU is the product's epilogue (A = max(Z, 0) stored instead of Z); SiLU and GELU run
      // as one unrolled f32x4 pass over Z afterwards (measured faster than a per-vector epilogue)
      // after the first layer the input is a ReLU output, about half zeros: the product
      // skips them (asm/sparse_gemm.ts, the same bits)
      if (act == 0) {
        if (l > 0 && nOut >= 4 && list != 0) sparseForwardRelu(input, nIn, w, nOut, a, nOut, nRows, nOut, nIn, b, list);
        else tileGemm(input, nIn, 1, w, nOut, a, nOut, nRows, nOut, nIn, b, false, 0, EPI_RELU_FWD);
      }
      else {
        dense_forward_f32(input, w, b, z, nRows, nIn, nOut);
        const n = nRows * nOut;
        if (sBase != 0) {
          // training: keep σ for the backward (same A bits)
          const s = sBase + rowsOffset(descPtr, l);
          if (act == 1) siluForwardKeep(z, n, a, s);
          else geluForwardKeep(z, n, a, s);
        } else if (act == 1) silu_forward_f32(z, n, a);
        else gelu_forward_f32(z, n, a);
      }
      input = a;
    } else dense_forward_f32(input, w, b, z, nRows, nIn, nOut);
  }
  return z;
}
