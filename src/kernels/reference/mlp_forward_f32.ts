/**
 * Reference twin of asm/mlp_forward_f32.ts: the network as a loop of reference layers.
 * `params` uses the kernel's layout: per layer W [d_l × d_{l+1}] row-major, then b.
 */
import type { Activation } from '../activation.js';
import { denseForwardF32 } from './dense_forward_f32.js';
import { geluForwardF32 } from './gelu_forward_f32.js';
import { reluForwardF32 } from './relu_forward_f32.js';
import { siluForwardF32 } from './silu_forward_f32.js';

const FORWARD: Readonly<Record<Activation, (z: ArrayLike<number>) => Float32Array>> = {
  relu: reluForwardF32,
  silu: siluForwardF32,
  gelu: geluForwardF32,
};

/** Pre-activations `z[l]`, activations `a[l]` (hidden layers) and logits = z[L−1]. */
export interface ForwardTrace {
  z: Float32Array[];
  a: Float32Array[];
  logits: Float32Array;
}

/** Slices layer l's weights and bias out of the flat parameter block. */
export function layerParams(
  params: Float32Array,
  dims: readonly number[],
  l: number,
): { w: Float32Array; b: Float32Array } {
  let off = 0;
  for (let j = 0; j < l; j++) off += (dims[j] + 1) * dims[j + 1];
  const nW = dims[l] * dims[l + 1];
  return { w: params.subarray(off, off + nW), b: params.subarray(off + nW, off + nW + dims[l + 1]) };
}

export function mlpForwardF32(
  params: Float32Array,
  dims: readonly number[],
  activation: Activation,
  x: Float32Array,
  nRows: number,
): ForwardTrace {
  const L = dims.length - 1;
  const z: Float32Array[] = [];
  const a: Float32Array[] = [];
  let input = x;
  for (let l = 0; l < L; l++) {
    const { w, b } = layerParams(params, dims, l);
    z.push(denseForwardF32(input, w, b, nRows, dims[l], dims[l + 1]));
    if (l < L - 1) {
      a.push(FORWARD[activation](z[l]));
      input = a[l];
    }
  }
  return { z, a, logits: z[L - 1] };
}
