/** Reference twin of asm/relu_backward_f32.ts: dz = z > 0 ? dy : 0. */
export function reluBackwardF32(z: ArrayLike<number>, dy: ArrayLike<number>): Float32Array {
  return Float32Array.from(z, (v, i) => (v > 0 ? dy[i] : 0));
}
