/**
 * Reference twin of asm/sigmoid_f32.ts: σ(z) = 1/(1 + e^(−z)) in f64 (JS Math.exp: fine in
 * a test reference, never in the engine), rounded to f32.
 */
export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function sigmoidF32(z: ArrayLike<number>): Float32Array {
  return Float32Array.from(z, sigmoid);
}
