/**
 * Reference twin of asm/moments_rows_f32.ts: Welford's update per feature in JS numbers,
 * row by row, skipping the rows whose bit (first + r) is set in the optional bitmap.
 * Slow and obviously correct. Updates `state` in place.
 */
export function momentsRowsF32(
  x: Float32Array,
  nFeatures: number,
  mask: Uint32Array | undefined,
  first: number,
  state: { mean: Float64Array; m2: Float64Array; count: number },
): void {
  const nRows = x.length / nFeatures;
  for (let r = 0; r < nRows; r++) {
    const i = first + r;
    if (mask !== undefined && (mask[Math.floor(i / 32)] >>> (i % 32)) & 1) continue;
    state.count++;
    for (let f = 0; f < nFeatures; f++) {
      const v = x[r * nFeatures + f];
      const delta = v - state.mean[f];
      state.mean[f] += delta / state.count;
      state.m2[f] += delta * (v - state.mean[f]);
    }
  }
}
