/**
 * hist_fill_f64: weighted 1-D fill into sum-of-weights and sum-of-weights-squared.
 *   for i < n:  k = bin(x[i]);  sumw[k] += w[i];  sumw2[k] += w[i] * w[i]
 * in    xPtr     f64[n]        event values, 8-byte aligned
 * in    wPtr     f64[n]        event weights (may be negative); wPtr = 0 means w[i] = 1
 * in    edgesPtr f64[nBins+1]  strictly increasing, finite (checked by the glue)
 * inout sumwPtr, sumw2Ptr f64[nBins+2]  slot 0 underflow, slot nBins+1 overflow; accumulates
 * Preconditions (glue): nBins >= 1, n >= 0, buffers disjoint.
 * Edges: n = 0 is a no-op. bin(x) = 0 for x < edges[0], k for edges[k-1] <= x < edges[k],
 * nBins+1 for x >= edges[nBins] (+Inf included); -Inf goes to underflow. NaN x is skipped
 * and counted; the return value is the skip count. A NaN weight is added as NaN.
 * Numerics: f64 accumulation in event order (one sequential sum per slot), so splitting the
 * events into consecutive calls gives the same bits. Agrees exactly with
 * src/reference/hist_fill_f64.ts (same order, same operations).
 * Effects: writes only sumw, sumw2; allocates nothing; no globals.
 * Twin: src/reference/hist_fill_f64.ts; test: test/kernels/hist_fill_f64.test.ts.
 */
export function hist_fill_f64(xPtr: usize, wPtr: usize, n: i32, edgesPtr: usize, nBins: i32, sumwPtr: usize, sumw2Ptr: usize): i32 {
  let nNaN = 0;
  const lo = load<f64>(edgesPtr);
  const hi = load<f64>(edgesPtr + (<usize>nBins << 3));
  for (let i = 0; i < n; i++) {
    const x = load<f64>(xPtr + (<usize>i << 3));
    if (x != x) {
      nNaN++;
      continue;
    }
    let k: i32;
    if (x < lo) k = 0;
    else if (x >= hi) k = nBins + 1;
    else {
      // binary search: edges[a] <= x < edges[b]
      let a = 0;
      let b = nBins;
      while (b - a > 1) {
        const mid = (a + b) >>> 1;
        if (x >= load<f64>(edgesPtr + (<usize>mid << 3))) a = mid;
        else b = mid;
      }
      k = a + 1;
    }
    const w = wPtr == 0 ? 1.0 : load<f64>(wPtr + (<usize>i << 3));
    const p = <usize>k << 3;
    store<f64>(sumwPtr + p, load<f64>(sumwPtr + p) + w);
    store<f64>(sumw2Ptr + p, load<f64>(sumw2Ptr + p) + w * w);
  }
  return nNaN;
}
