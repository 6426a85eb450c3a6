/**
 * distance_corr_f64: the weighted squared distance correlation dCorr²(f, v) of n events
 * and its gradient with respect to each f_i (the DisCo penalty's kernel).
 *   u_i = |w_i|,  U = Σ u_i;  a_ij = |f_i − f_j|,  b_ij = |v_i − v_j|
 *   ā_i = Σ_j u_j a_ij / U (row mean = column mean),  ā = Σ_i u_i ā_i / U;  likewise b̄
 *   A_ij = a_ij − ā_i − ā_j + ā,  B_ij likewise (weighted double centring)
 *   S_xy = Σ_i u_i Σ_j u_j X_ij Y_ij  (= U²·dCov²(x, y))
 *   returns R = dCorr² = S_ab / √(S_aa·S_bb)  (the U² cancel)
 *   grad_k = ∂R/∂f_k = (2u_k/D)·Σ_j u_j s_kj B_kj − (2u_k R/S_aa)·Σ_j u_j s_kj A_kj,
 *            D = √(S_aa·S_bb), s_kj = sign(f_k − f_j) (0 for ties)
 *   (∂S_ab/∂f_k = 2u_k Σ_j u_j s_kj B_kj and ∂S_aa/∂f_k = 4u_k Σ_j u_j s_kj A_kj, because the
 *   weighted centring is self-adjoint under Σ u_i u_j X_ij Y_ij and B, A are centred.)
 * in    fPtr  f64[n]  outputs (e.g. a classifier's σ(logit))
 * in    vPtr  f64[n]  the variable to decorrelate from
 * in    wPtr  f64[n]  event weights; entered as |w_i| (negative weights count by magnitude)
 * in    n     i32     events
 * tmp   scratchPtr f64[2n]  the row means ā, b̄ (overwritten)
 * out   gradPtr f64[n]  ∂R/∂f, or 0 to skip
 * Preconditions (glue): n ≥ 0; f, v, w, scratch, grad 8-byte aligned and disjoint.
 * Edges: n < 2, U = 0, or a zero spread of f or of v (S_aa = 0 or S_bb = 0): returns 0
 * and a zero gradient (never NaN). Ties f_i = f_j contribute 0 to the gradient (the
 * subgradient of |·| at 0). NaN or ±Inf inputs propagate into R and the gradient.
 * Numerics: scalar f64 throughout (no SIMD, no FMA); every sum runs over j inside i, both
 * in increasing order, each row's inner sum added to the outer sum in increasing i: the
 * same bits on every machine. The result is within ~1e-12 relative of the reference (which
 * builds the matrices and sums differently). O(n²) time, three passes over the pairs.
 * Effects: writes scratch and grad; allocates nothing; no globals.
 * Twin: src/kernels/reference/distance_corr_f64.ts; test: test/kernels/distance_corr_f64.test.ts.
 */
export function distance_corr_f64(
  fPtr: usize, vPtr: usize, wPtr: usize, n: i32, scratchPtr: usize, gradPtr: usize,
): f64 {
  let total: f64 = 0;
  for (let i = 0; i < n; i++) total += Math.abs(load<f64>(wPtr + (<usize>i << 3)));
  if (n < 2 || total == 0) return zero(gradPtr, n);
  const aRow = scratchPtr;
  const bRow = scratchPtr + (<usize>n << 3);
  // weighted row means (the matrices are symmetric: column means are the same)
  for (let i = 0; i < n; i++) {
    const fi = load<f64>(fPtr + (<usize>i << 3));
    const vi = load<f64>(vPtr + (<usize>i << 3));
    let sa: f64 = 0;
    let sb: f64 = 0;
    for (let j = 0; j < n; j++) {
      const uj = Math.abs(load<f64>(wPtr + (<usize>j << 3)));
      sa += uj * Math.abs(fi - load<f64>(fPtr + (<usize>j << 3)));
      sb += uj * Math.abs(vi - load<f64>(vPtr + (<usize>j << 3)));
    }
    store<f64>(aRow + (<usize>i << 3), sa / total);
    store<f64>(bRow + (<usize>i << 3), sb / total);
  }
  let aMean: f64 = 0;
  let bMean: f64 = 0;
  for (let i = 0; i < n; i++) {
    const ui = Math.abs(load<f64>(wPtr + (<usize>i << 3)));
    aMean += ui * load<f64>(aRow + (<usize>i << 3));
    bMean += ui * load<f64>(bRow + (<usize>i << 3));
  }
  aMean /= total;
  bMean /= total;
  // the three weighted inner products of the centred matrices
  let sab: f64 = 0;
  let saa: f64 = 0;
  let sbb: f64 = 0;
  for (let i = 0; i < n; i++) {
    const fi = load<f64>(fPtr + (<usize>i << 3));
    const vi = load<f64>(vPtr + (<usize>i << 3));
    const ai = load<f64>(aRow + (<usize>i << 3));
    const bi = load<f64>(bRow + (<usize>i << 3));
    let rab: f64 = 0;
    let raa: f64 = 0;
    let rbb: f64 = 0;
    for (let j = 0; j < n; j++) {
      const uj = Math.abs(load<f64>(wPtr + (<usize>j << 3)));
      const A = Math.abs(fi - load<f64>(fPtr + (<usize>j << 3))) - ai - load<f64>(aRow + (<usize>j << 3)) + aMean;
      const B = Math.abs(vi - load<f64>(vPtr + (<usize>j << 3))) - bi - load<f64>(bRow + (<usize>j << 3)) + bMean;
      rab += uj * (A * B);
      raa += uj * (A * A);
      rbb += uj * (B * B);
    }
    const ui = Math.abs(load<f64>(wPtr + (<usize>i << 3)));
    sab += ui * rab;
    saa += ui * raa;
    sbb += ui * rbb;
  }
  if (saa == 0 || sbb == 0) return zero(gradPtr, n);
  const d = Math.sqrt(saa * sbb);
  const r = sab / d;
  if (gradPtr == 0) return r;
  for (let k = 0; k < n; k++) {
    const fk = load<f64>(fPtr + (<usize>k << 3));
    const vk = load<f64>(vPtr + (<usize>k << 3));
    const ak = load<f64>(aRow + (<usize>k << 3));
    const bk = load<f64>(bRow + (<usize>k << 3));
    let gb: f64 = 0;
    let ga: f64 = 0;
    for (let j = 0; j < n; j++) {
      const fj = load<f64>(fPtr + (<usize>j << 3));
      const diff = fk - fj;
      if (diff == 0) continue;
      const uj = Math.abs(load<f64>(wPtr + (<usize>j << 3)));
      const s: f64 = diff > 0 ? uj : -uj;
      const A = Math.abs(diff) - ak - load<f64>(aRow + (<usize>j << 3)) + aMean;
      const B = Math.abs(vk - load<f64>(vPtr + (<usize>j << 3))) - bk - load<f64>(bRow + (<usize>j << 3)) + bMean;
      gb += s * B;
      ga += s * A;
    }
    const uk = Math.abs(load<f64>(wPtr + (<usize>k << 3)));
    store<f64>(gradPtr + (<usize>k << 3), ((2 * uk) / d) * gb - ((2 * uk * r) / saa) * ga);
  }
  return r;
}

/** The defined value of a degenerate batch: R = 0 and a zero gradient. */
function zero(gradPtr: usize, n: i32): f64 {
  if (gradPtr != 0) memory.fill(gradPtr, 0, <usize>n << 3);
  return 0;
}
