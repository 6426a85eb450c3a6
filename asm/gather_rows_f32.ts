/**
 * gather_rows_f32: a minibatch's rows, labels and weights from events held in wasm memory.
 *   for r < count, with i = index[r]:
 *     x[r, f] = rows[i, f]  (f < nFeatures),   y[r] = i ≥ n0 ? 1 : 0,   w[r] = weights[i]
 * in    rowsPtr    f32[n × nFeatures]  row-major: class 0's n0 rows, then class 1's
 * in    weightsPtr f64[n]              per-event training weights
 * in    indexPtr   u32[count]          event indices, each < n (glue: drawn from a permutation of [0, n))
 * out   xPtr f32[count × nFeatures], yPtr f32[count], wPtr f64[count]
 * Preconditions (glue): nFeatures ≥ 1, count ≥ 0; outputs disjoint from the inputs.
 * Edges: count = 0 writes nothing; any nFeatures: each row is copied 16 bytes at a time,
 * then 4 at a time for the last nFeatures mod 4 features. An index ≥ n reads outside
 * the rows (the glue never passes one).
 * Numerics: copies of bit patterns (NaN payloads and −0 kept); no arithmetic.
 * Effects: writes only x, y, w; allocates nothing; no globals.
 * Twin: src/reference/gather_rows_f32.ts; test: test/kernels/gather_rows_f32.test.ts.
 */
export function gather_rows_f32(
  rowsPtr: usize, nFeatures: i32, weightsPtr: usize, n0: u32, indexPtr: usize, count: i32, xPtr: usize, yPtr: usize, wPtr: usize,
): void {
  const rowBytes = <usize>nFeatures << 2;
  const vecBytes = rowBytes & ~15;
  let dst = xPtr;
  for (let r = 0; r < count; r++) {
    const i = load<u32>(indexPtr + (<usize>r << 2));
    const src = rowsPtr + <usize>i * rowBytes;
    let b: usize = 0;
    for (; b < vecBytes; b += 16) v128.store(dst + b, v128.load(src + b));
    for (; b < rowBytes; b += 4) store<u32>(dst + b, load<u32>(src + b));
    store<f32>(yPtr + (<usize>r << 2), select<f32>(1, 0, i >= n0));
    store<f64>(wPtr + (<usize>r << 3), load<f64>(weightsPtr + (<usize>i << 3)));
    dst += rowBytes;
  }
}
