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
 * tmp   scratchPtr f64[3n]  the row means ā, b̄ and the magnitudes u (overwritten)
 * out   gradPtr f64[n]  ∂R/∂f, or 0 to skip
 * Preconditions (glue): n ≥ 0; f, v, w, scratch, grad 8-byte aligned and disjoint.
 * Edges: n < 2, U = 0, or a zero spread of f or of v (S_aa = 0 or S_bb = 0): returns 0
 * and a zero gradient (never NaN). Ties f_i = f_j contribute 0 to the gradient (the
 * subgradient of |·| at 0). NaN or ±Inf inputs propagate into R and the gradient.
 * Numerics: f64 throughout, plain f64x2 SIMD (no FMA, no relaxed SIMD, no branches on the
 * data). Every sum over j runs in two lanes (even and odd j, in increasing order) plus a
 * scalar tail for the last j of an odd n, added as lane 0 + lane 1 + tail; the sums over i
 * run in increasing i: one fixed order, the same bits on every machine. Within ~1e-12
 * relative of the reference (which builds the matrices and sums in another order).
 * O(n²) time, three passes over the pairs.
 * Effects: writes scratch and grad; allocates nothing; no globals.
 * Twin: src/kernels/reference/distance_corr_f64.ts; test: test/kernels/distance_corr_f64.test.ts.
 */
export function distance_corr_f64(
  fPtr: usize, vPtr: usize, wPtr: usize, n: i32, scratchPtr: usize, gradPtr: usize,
): f64 {
  const aRow = scratchPtr;
  const bRow = scratchPtr + (<usize>n << 3);
  const uPtr = scratchPtr + (<usize>n << 4);
  let total: f64 = 0;
  for (let i = 0; i < n; i++) {
    const u = Math.abs(load<f64>(wPtr + (<usize>i << 3)));
    store<f64>(uPtr + (<usize>i << 3), u);
    total += u;
  }
  if (n < 2 || total == 0) return zero(gradPtr, n);
  const even = n & ~1; // j < even run in f64x2 pairs; j = n − 1 of an odd n is the tail
  const tail = <usize>(n - 1) << 3;
  // weighted row means (the matrices are symmetric: column means are the same)
  for (let i = 0; i < n; i++) {
    const fi = load<f64>(fPtr + (<usize>i << 3));
    const vi = load<f64>(vPtr + (<usize>i << 3));
    const fi2 = f64x2.splat(fi);
    const vi2 = f64x2.splat(vi);
    let sa2 = f64x2.splat(0);
    let sb2 = f64x2.splat(0);
    for (let j = 0; j < even; j += 2) {
      const o = <usize>j << 3;
      const u = v128.load(uPtr + o);
      sa2 = f64x2.add(sa2, f64x2.mul(u, f64x2.abs(f64x2.sub(fi2, v128.load(fPtr + o)))));
      sb2 = f64x2.add(sb2, f64x2.mul(u, f64x2.abs(f64x2.sub(vi2, v128.load(vPtr + o)))));
    }
    let sa = f64x2.extract_lane(sa2, 0) + f64x2.extract_lane(sa2, 1);
    let sb = f64x2.extract_lane(sb2, 0) + f64x2.extract_lane(sb2, 1);
    if (even < n) {
      const u = load<f64>(uPtr + tail);
      sa += u * Math.abs(fi - load<f64>(fPtr + tail));
      sb += u * Math.abs(vi - load<f64>(vPtr + tail));
    }
    store<f64>(aRow + (<usize>i << 3), sa / total);
    store<f64>(bRow + (<usize>i << 3), sb / total);
  }
  let aMean: f64 = 0;
  let bMean: f64 = 0;
  for (let i = 0; i < n; i++) {
    const ui = load<f64>(uPtr + (<usize>i << 3));
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
    // A_ij = |f_i − f_j| − (ā_i − ā) − ā_j: the row's constant part once
    const ai = load<f64>(aRow + (<usize>i << 3)) - aMean;
    const bi = load<f64>(bRow + (<usize>i << 3)) - bMean;
    const fi2 = f64x2.splat(fi);
    const vi2 = f64x2.splat(vi);
    const ai2 = f64x2.splat(ai);
    const bi2 = f64x2.splat(bi);
    let rab2 = f64x2.splat(0);
    let raa2 = f64x2.splat(0);
    let rbb2 = f64x2.splat(0);
    for (let j = 0; j < even; j += 2) {
      const o = <usize>j << 3;
      const u = v128.load(uPtr + o);
      const A = f64x2.sub(f64x2.sub(f64x2.abs(f64x2.sub(fi2, v128.load(fPtr + o))), ai2), v128.load(aRow + o));
      const B = f64x2.sub(f64x2.sub(f64x2.abs(f64x2.sub(vi2, v128.load(vPtr + o))), bi2), v128.load(bRow + o));
      rab2 = f64x2.add(rab2, f64x2.mul(u, f64x2.mul(A, B)));
      raa2 = f64x2.add(raa2, f64x2.mul(u, f64x2.mul(A, A)));
      rbb2 = f64x2.add(rbb2, f64x2.mul(u, f64x2.mul(B, B)));
    }
    let rab = f64x2.extract_lane(rab2, 0) + f64x2.extract_lane(rab2, 1);
    let raa = f64x2.extract_lane(raa2, 0) + f64x2.extract_lane(raa2, 1);
    let rbb = f64x2.extract_lane(rbb2, 0) + f64x2.extract_lane(rbb2, 1);
    if (even < n) {
      const u = load<f64>(uPtr + tail);
      const A = Math.abs(fi - load<f64>(fPtr + tail)) - ai - load<f64>(aRow + tail);
      const B = Math.abs(vi - load<f64>(vPtr + tail)) - bi - load<f64>(bRow + tail);
      rab += u * (A * B);
      raa += u * (A * A);
      rbb += u * (B * B);
    }
    const ui = load<f64>(uPtr + (<usize>i << 3));
    sab += ui * rab;
    saa += ui * raa;
    sbb += ui * rbb;
  }
  if (saa == 0 || sbb == 0) return zero(gradPtr, n);
  const d = Math.sqrt(saa * sbb);
  const r = sab / d;
  if (gradPtr == 0) return r;
  const zero2 = f64x2.splat(0);
  for (let k = 0; k < n; k++) {
    const fk = load<f64>(fPtr + (<usize>k << 3));
    const vk = load<f64>(vPtr + (<usize>k << 3));
    const ak = load<f64>(aRow + (<usize>k << 3)) - aMean;
    const bk = load<f64>(bRow + (<usize>k << 3)) - bMean;
    const fk2 = f64x2.splat(fk);
    const vk2 = f64x2.splat(vk);
    const ak2 = f64x2.splat(ak);
    const bk2 = f64x2.splat(bk);
    let gb2 = f64x2.splat(0);
    let ga2 = f64x2.splat(0);
    for (let j = 0; j < even; j += 2) {
      const o = <usize>j << 3;
      const u = v128.load(uPtr + o);
      const diff = f64x2.sub(fk2, v128.load(fPtr + o));
      // u_j·sign(f_k − f_j): u where diff > 0, −u where diff < 0, 0 for ties
      const s = v128.bitselect(u, v128.bitselect(f64x2.neg(u), zero2, f64x2.lt(diff, zero2)), f64x2.gt(diff, zero2));
      const A = f64x2.sub(f64x2.sub(f64x2.abs(diff), ak2), v128.load(aRow + o));
      const B = f64x2.sub(f64x2.sub(f64x2.abs(f64x2.sub(vk2, v128.load(vPtr + o))), bk2), v128.load(bRow + o));
      gb2 = f64x2.add(gb2, f64x2.mul(s, B));
      ga2 = f64x2.add(ga2, f64x2.mul(s, A));
    }
    let gb = f64x2.extract_lane(gb2, 0) + f64x2.extract_lane(gb2, 1);
    let ga = f64x2.extract_lane(ga2, 0) + f64x2.extract_lane(ga2, 1);
    if (even < n) {
      const u = load<f64>(uPtr + tail);
      const diff = fk - load<f64>(fPtr + tail);
      const s: f64 = diff > 0 ? u : diff < 0 ? -u : 0;
      const A = Math.abs(diff) - ak - load<f64>(aRow + tail);
      const B = Math.abs(vk - load<f64>(vPtr + tail)) - bk - load<f64>(bRow + tail);
      gb += s * B;
      ga += s * A;
    }
    const uk = load<f64>(uPtr + (<usize>k << 3));
    store<f64>(gradPtr + (<usize>k << 3), ((2 * uk) / d) * gb - ((2 * uk * r) / saa) * ga);
  }
  return r;
}

/** The defined value of a degenerate batch: R = 0 and a zero gradient. */
function zero(gradPtr: usize, n: i32): f64 {
  if (gradPtr != 0) memory.fill(gradPtr, 0, <usize>n << 3);
  return 0;
}
