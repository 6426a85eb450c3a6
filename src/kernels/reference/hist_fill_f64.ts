/**
 * Reference twin of asm/hist_fill_f64.ts: linear scan for the slot, plain f64 sums in
 * event order. Slow and obviously correct.
 */
export function histFillF64(
  x: ArrayLike<number>,
  w: ArrayLike<number> | undefined,
  edges: ArrayLike<number>,
  sumw: Float64Array,
  sumw2: Float64Array,
): number {
  const nBins = edges.length - 1;
  let nNaN = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    if (Number.isNaN(xi)) {
      nNaN++;
      continue;
    }
    let k = 0;
    if (xi >= edges[nBins]) k = nBins + 1;
    else if (xi >= edges[0]) {
      k = 1;
      while (!(xi < edges[k])) k++;
    }
    const wi = w === undefined ? 1 : w[i];
    sumw[k] += wi;
    sumw2[k] += wi * wi;
  }
  return nNaN;
}
