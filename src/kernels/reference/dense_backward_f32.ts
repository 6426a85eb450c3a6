/**
 * Reference twin of asm/dense_backward_f32.ts: plain loops with f32 rounding after every
 * operation, in the kernel's order (batch sums in increasing i from 0, dX in increasing j).
 */
export interface DenseGradients {
  dx: Float32Array | undefined;
  dw: Float32Array;
  db: Float32Array;
}

export function denseBackwardF32(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  dy: ArrayLike<number>,
  nBatch: number,
  nIn: number,
  nOut: number,
  wantDx = true,
): DenseGradients {
  const f = Math.fround;
  const dw = new Float32Array(nIn * nOut); // [nIn × nOut]
  const db = new Float32Array(nOut);
  for (let j = 0; j < nOut; j++) {
    let acc = 0;
    for (let i = 0; i < nBatch; i++) acc = f(acc + dy[i * nOut + j]);
    db[j] = acc;
    for (let k = 0; k < nIn; k++) {
      let s = 0;
      for (let i = 0; i < nBatch; i++) s = f(s + f(x[i * nIn + k] * dy[i * nOut + j]));
      dw[k * nOut + j] = s;
    }
  }
  let dx: Float32Array | undefined;
  if (wantDx) {
    dx = new Float32Array(nBatch * nIn); // [nBatch × nIn]
    for (let i = 0; i < nBatch; i++) {
      for (let k = 0; k < nIn; k++) {
        let s = 0;
        for (let j = 0; j < nOut; j++) s = f(s + f(dy[i * nOut + j] * w[k * nOut + j]));
        dx[i * nIn + k] = s;
      }
    }
  }
  return { dx, dw, db };
}
