/** Reference twin of asm/relu_forward_f32.ts: y = z > 0 ? z : 0, NaN stays NaN. */
export function reluForwardF32(z: ArrayLike<number>): Float32Array {
  return Float32Array.from(z, (v) => (Number.isNaN(v) ? NaN : v > 0 ? v : 0));
}
