/**
 * Reference twin of asm/dense_forward_f32.ts: triple loop, f32 rounding after every
 * operation (Math.fround), sum from b[j] in increasing k — the kernel's exact order.
 */
export function denseForwardF32(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  b: ArrayLike<number>,
  nBatch: number,
  nIn: number,
  nOut: number,
): Float32Array {
  const y = new Float32Array(nBatch * nOut); // [nBatch × nOut], row-major
  const f = Math.fround;
  for (let i = 0; i < nBatch; i++) {
    for (let j = 0; j < nOut; j++) {
      let acc = f(b[j]);
      for (let k = 0; k < nIn; k++) acc = f(acc + f(x[i * nIn + k] * w[k * nOut + j]));
      y[i * nOut + j] = acc;
    }
  }
  return y;
}
