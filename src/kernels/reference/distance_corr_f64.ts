/**
 * Reference twin of asm/distance_corr_f64.ts, straight from the definition in f64: the
 * full pairwise distance matrices, their weighted double centring, the three weighted
 * distance covariances dCov²(x, y) = Σ_ij u_i u_j X_ij Y_ij / U² (u = |w|, U = Σ u), and
 * dCorr² = dCov²(f, v) / √(dCov²(f, f)·dCov²(v, v)). The gradient is the analytic one of
 * the kernel's contract, built from the same matrices; tests check it against central
 * differences of the value.
 */

/** The weighted double-centred distance matrix of `x` (n × n, row-major). */
function centred(x: ArrayLike<number>, u: readonly number[], total: number): Float64Array {
  const n = x.length;
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d[i * n + j] = Math.abs(x[i] - x[j]);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += u[j] * d[i * n + j];
    row[i] = s / total;
  }
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += u[i] * d[i * n + j];
    col[j] = s / total;
  }
  let grand = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) grand += u[i] * u[j] * d[i * n + j];
  grand /= total * total;
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) c[i * n + j] = d[i * n + j] - row[i] - col[j] + grand;
  return c;
}

/** Σ_ij u_i u_j X_ij Y_ij / U². */
function dcov2(x: Float64Array, y: Float64Array, u: readonly number[], total: number): number {
  const n = u.length;
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += u[i] * u[j] * x[i * n + j] * y[i * n + j];
  return s / (total * total);
}

/** dCorr²(f, v) with weights |w|, and ∂dCorr²/∂f (zeros where the value is defined as 0). */
export function distanceCorrF64(
  f: ArrayLike<number>,
  v: ArrayLike<number>,
  w: ArrayLike<number>,
): { dcorr2: number; grad: Float64Array } {
  const n = f.length;
  const grad = new Float64Array(n);
  const u = Array.from(w, (x) => Math.abs(x));
  const total = u.reduce((a, b) => a + b, 0);
  if (n < 2 || total === 0) return { dcorr2: 0, grad };
  const A = centred(f, u, total);
  const B = centred(v, u, total);
  const ab = dcov2(A, B, u, total);
  const aa = dcov2(A, A, u, total);
  const bb = dcov2(B, B, u, total);
  if (aa === 0 || bb === 0) return { dcorr2: 0, grad };
  const dcorr2 = ab / Math.sqrt(aa * bb);
  // ∂dCov²(f,v)/∂f_k = 2u_k Σ_j u_j sign(f_k − f_j) B_kj / U², ∂dCov²(f,f)/∂f_k = twice that with A
  for (let k = 0; k < n; k++) {
    let gb = 0;
    let ga = 0;
    for (let j = 0; j < n; j++) {
      const s = Math.sign(f[k] - f[j]);
      gb += u[j] * s * B[k * n + j];
      ga += u[j] * s * A[k * n + j];
    }
    const dab = (2 * u[k] * gb) / (total * total);
    const daa = (4 * u[k] * ga) / (total * total);
    grad[k] = dab / Math.sqrt(aa * bb) - (dcorr2 * daa) / (2 * aa);
  }
  return { dcorr2, grad };
}
