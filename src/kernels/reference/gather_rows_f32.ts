/**
 * Reference twin of asm/gather_rows_f32.ts: event index[r]'s features, label (1 from
 * event n0 on) and weight, row by row. Slow and obviously correct.
 */
export function gatherRowsF32(
  rows: Float32Array,
  nFeatures: number,
  weights: Float64Array,
  n0: number,
  index: ArrayLike<number>,
): { x: Float32Array; y: Float32Array; w: Float64Array } {
  const count = index.length;
  const x = new Float32Array(count * nFeatures);
  const y = new Float32Array(count);
  const w = new Float64Array(count);
  for (let r = 0; r < count; r++) {
    const i = index[r];
    for (let f = 0; f < nFeatures; f++) x[r * nFeatures + f] = rows[i * nFeatures + f];
    y[r] = i >= n0 ? 1 : 0;
    w[r] = weights[i];
  }
  return { x, y, w };
}
