/**
 * Reference twins of asm/segment_sum_f32.ts: plain loops, f32 rounding after every
 * addition (Math.fround), each column summed in increasing row order from +0.
 */

/** out[i·ldOut + j] = Σ_{p ∈ [offsets[i], offsets[i+1])} x[p·width + j]; other columns stay 0. */
export function segmentSumF32(
  x: ArrayLike<number>,
  offsets: ArrayLike<number>,
  width: number,
  ldOut = width,
): Float32Array {
  const nSeg = offsets.length - 1;
  const out = new Float32Array(nSeg * ldOut);
  for (let i = 0; i < nSeg; i++) {
    for (let j = 0; j < width; j++) {
      let acc = 0;
      for (let p = offsets[i]; p < offsets[i + 1]; p++) acc = Math.fround(acc + x[p * width + j]);
      out[i * ldOut + j] = acc;
    }
  }
  return out;
}

/** dx[p·width + j] = dy[i·ldIn + j] for every row p of segment i; rows before offsets[0] stay 0. */
export function segmentBroadcastF32(
  dy: ArrayLike<number>,
  ldIn: number,
  offsets: ArrayLike<number>,
  width: number,
): Float32Array {
  const nSeg = offsets.length - 1;
  const dx = new Float32Array(offsets[nSeg] * width);
  for (let i = 0; i < nSeg; i++) {
    for (let p = offsets[i]; p < offsets[i + 1]; p++) {
      for (let j = 0; j < width; j++) dx[p * width + j] = dy[i * ldIn + j];
    }
  }
  return dx;
}
