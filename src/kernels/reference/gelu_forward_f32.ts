/**
 * Reference twin of asm/gelu_forward_f32.ts: y = ½·z·(1 + tanh u), u = √(2/π)(z + 0.044715 z³),
 * in f64, with 1 + tanh u written as 2/(1 + e^(−2u)) so that it does not cancel for z ≪ 0.
 */
export const GELU_C = Math.sqrt(2 / Math.PI);
export const GELU_A = 0.044715;

export function geluForwardF32(z: ArrayLike<number>): Float32Array {
  return Float32Array.from(z, (v) => v / (1 + Math.exp(-2 * GELU_C * (v + GELU_A * v * v * v))));
}
