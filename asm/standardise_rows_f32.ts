/**
 * standardise_rows_f32: in-place per-feature standardisation of a row-major f32 matrix.
 *   for r < nRows, f < nFeatures:  x[r,f] = f32((f64(x[r,f]) − mean[f]) / scale[f])
 * inout xPtr     f32[nRows × nFeatures]  row-major rows, 4-byte aligned
 * in    meanPtr  f64[nFeatures]          per-feature location, 8-byte aligned
 * in    scalePtr f64[nFeatures]          per-feature scale, 8-byte aligned
 * Preconditions (glue): nRows ≥ 0, nFeatures ≥ 1 (or nRows = 0), x disjoint from mean/scale.
 * Edges: nRows = 0 is a no-op. Features run in f64x2 pairs within each row; an odd last
 * feature runs scalar. Any nFeatures works. NaN in gives NaN out (payload unspecified);
 * scale = 0 gives ±Inf or NaN, as IEEE division does.
 * Numerics: f32 → f64 is exact, the f64 subtract and divide are IEEE (correctly rounded) in
 * both lanes and scalar, and the result is rounded once to f32 (round to nearest even), so
 * every element is bit-identical to the JS expression `Math.fround((x − mean) / scale)`
 * for non-NaN inputs, and to src/reference/standardise_rows_f32.ts. No FMA.
 * Effects: writes only x; allocates nothing; no globals.
 * Twin: src/reference/standardise_rows_f32.ts; test: test/kernels/standardise_rows_f32.test.ts.
 */
export function standardise_rows_f32(xPtr: usize, nRows: i32, nFeatures: i32, meanPtr: usize, scalePtr: usize): void {
  const rowBytes = <usize>nFeatures << 2;
  const pairs = nFeatures & ~1;
  for (let r = 0; r < nRows; r++) {
    const row = xPtr + <usize>r * rowBytes;
    let f = 0;
    for (; f < pairs; f += 2) {
      const p = row + (<usize>f << 2);
      const q = <usize>f << 3;
      const v = f64x2.promote_low_f32x4(v128.load64_zero(p));
      const s = f64x2.div(f64x2.sub(v, v128.load(meanPtr + q)), v128.load(scalePtr + q));
      v128.store64_lane(p, f32x4.demote_f64x2_zero(s), 0);
    }
    if (f < nFeatures) {
      const p = row + (<usize>f << 2);
      const q = <usize>f << 3;
      store<f32>(p, <f32>((<f64>load<f32>(p) - load<f64>(meanPtr + q)) / load<f64>(scalePtr + q)));
    }
  }
}
