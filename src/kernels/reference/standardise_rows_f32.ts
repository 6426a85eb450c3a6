/**
 * Reference twin of asm/standardise_rows_f32.ts: (x − mean[f]) / scale[f] in JS f64 for
 * each element in row-major order, rounded once to f32 on store. Slow and obviously correct.
 */
export function standardiseRowsF32(
  x: ArrayLike<number>,
  nFeatures: number,
  mean: ArrayLike<number>,
  scale: ArrayLike<number>,
): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const f = i % nFeatures;
    out[i] = (x[i] - mean[f]) / scale[f];
  }
  return out;
}
