/** Reference twin of asm/log_sigmoid_f32.ts: log σ(z) = −log(1 + e^(−z)), written per sign. */
export function logSigmoid(z: number): number {
  return z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
}

export function logSigmoidF32(z: ArrayLike<number>): Float64Array {
  return Float64Array.from(z, (v) => logSigmoid(Math.fround(v)));
}
