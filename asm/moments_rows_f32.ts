/**
 * moments_rows_f32: per-feature running mean and sum of squared deviations (Welford) over
 * the rows of a row-major f32 matrix, skipping the rows a bitmap marks, continuing a state.
 *   for r < nRows in order, unless bit (first + r) of the mask is set:
 *     count += 1;  for f < nFeatures:  δ = x[r,f] − mean[f];  mean[f] += δ / count;
 *                                      m2[f] += δ·(x[r,f] − mean[f])      (the updated mean)
 * in    xPtr      f32[nRows × nFeatures]  row-major
 * in    maskPtr   u32 bitmap (row r excluded when bit (first + r) & 31 of word
 *                 (first + r) >>> 5 is set), or 0: no row excluded
 * in    first     the bitmap index of row 0 (the event index of the block)
 * inout meanPtr, m2Ptr  f64[nFeatures]  the state (zeros to start), 8-byte aligned
 * in    count     rows counted so far; returns the new count
 * Preconditions (glue): nRows ≥ 0, nFeatures ≥ 1, count ≥ 0, first + nRows ≤ 2^32.
 * Edges: nRows = 0 or every row masked returns count and writes nothing. Features run in
 * f64x2 pairs; an odd last feature runs scalar. Any nFeatures.
 * Numerics: x is promoted to f64 exactly; count becomes an f64 exactly; each lane does the
 * IEEE subtract, divide, add, subtract, multiply, add in the order above, so every result
 * is bit-identical to the same loop in JS numbers (src/reference/moments_rows_f32.ts),
 * however the rows are split into calls. No FMA. NaN or ±∞ in x propagate into the state.
 * Effects: writes only mean and m2; allocates nothing; no globals.
 * Twin: src/reference/moments_rows_f32.ts; test: test/kernels/moments_rows_f32.test.ts.
 */
export function moments_rows_f32(
  xPtr: usize, nRows: i32, nFeatures: i32, maskPtr: usize, first: u32, meanPtr: usize, m2Ptr: usize, count: i32,
): i32 {
  const rowBytes = <usize>nFeatures << 2;
  const pairs = nFeatures & ~1;
  let row = xPtr;
  for (let r = 0; r < nRows; r++, row += rowBytes) {
    if (maskPtr != 0) {
      const i = first + <u32>r;
      if ((load<u32>(maskPtr + (<usize>(i >>> 5) << 2)) >>> (i & 31)) & 1) continue;
    }
    count++;
    const c = <f64>count;
    const cv = f64x2.splat(c);
    let f = 0;
    for (; f < pairs; f += 2) {
      const x = f64x2.promote_low_f32x4(v128.load64_zero(row + (<usize>f << 2)));
      const mp = meanPtr + (<usize>f << 3);
      const sp = m2Ptr + (<usize>f << 3);
      const d = f64x2.sub(x, v128.load(mp));
      const m = f64x2.add(v128.load(mp), f64x2.div(d, cv));
      v128.store(mp, m);
      v128.store(sp, f64x2.add(v128.load(sp), f64x2.mul(d, f64x2.sub(x, m))));
    }
    if (f < nFeatures) {
      const x = <f64>load<f32>(row + (<usize>f << 2));
      const mp = meanPtr + (<usize>f << 3);
      const sp = m2Ptr + (<usize>f << 3);
      const d = x - load<f64>(mp);
      const m = load<f64>(mp) + d / c;
      store<f64>(mp, m);
      store<f64>(sp, load<f64>(sp) + d * (x - m));
    }
  }
  return count;
}
